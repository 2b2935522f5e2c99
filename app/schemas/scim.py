"""SCIM representations: the User resource, list responses and `attributes` selection."""

from app.schemas.fields import RFC3339

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
# Returned whatever `attributes` and `excludedAttributes` say (RFC 7643 "always").
ALWAYS = ("schemas", "id")


def user_resource(user, *, base_url, version):
    """The SCIM User resource of a user (never its password)."""
    resource = {
        "schemas": [USER_SCHEMA],
        "id": str(user.id),
        "userName": user.scim_user_name,
        "name": {"formatted": user.name},
        "displayName": user.name,
        "emails": [{"value": user.email, "type": user.email_type, "primary": user.email_primary}],
        "active": user.is_active,
    }
    if not user.name_shown:
        del resource["name"]
    if user.external_id is not None:
        resource["externalId"] = user.external_id
    resource["meta"] = {
        "resourceType": "User",
        "created": user.created_at.strftime(RFC3339),
        "lastModified": user.updated_at.strftime(RFC3339),
        "location": f"{base_url}/Users/{user.id}",
        "version": version,
    }
    return resource


def list_response(resources, *, total, start_index):
    """A ListResponse of one page."""
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def attribute_names(text):
    """Parse an `attributes` / `excludedAttributes` value into (attribute, sub) pairs."""
    if not text:
        return set()
    names = set()
    for raw in text.split(","):
        name = raw.strip().lower()
        if name.startswith(USER_SCHEMA.lower() + ":"):
            name = name[len(USER_SCHEMA) + 1 :]
        attribute, _, sub = name.partition(".")
        if attribute:
            names.add((attribute, sub or None))
    return names


def project(resource, *, attributes=None, excluded=None):
    """Keep only the `attributes` asked for, or drop the `excluded` ones (RFC 7644 3.9)."""
    names, keep = (attributes, True) if attributes else (excluded, False)
    if not names:
        return resource
    result = {}
    for key, value in resource.items():
        part = _part(key, value, names, keep=keep)
        if part is not None:
            result[key] = part
    return result


def _part(key, value, names, *, keep):
    """What of one member stays: all, some sub-attributes, or None."""
    if key in ALWAYS:
        return value
    lowered = key.lower()
    subs = {sub for attribute, sub in names if attribute == lowered}
    whole = None in subs
    if keep:
        if whole:
            return value
        return _subs(value, subs, keep=True) if subs else None
    if whole:
        return None
    return _subs(value, subs, keep=False) if subs else value


def _subs(value, subs, *, keep):
    def pick(item):
        return {k: v for k, v in item.items() if (k.lower() in subs) == keep}

    if isinstance(value, dict):
        return pick(value) or None
    if isinstance(value, list):
        picked = [pick(item) for item in value if isinstance(item, dict)]
        return [item for item in picked if item] or None
    return value if not keep else None
