"""SCIM discovery documents (RFC 7643 sections 5 to 7): exactly what this service supports."""

from app.schemas.scim import USER_SCHEMA

CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
MAX_RESULTS = 100


def _attribute(
    name,
    kind="string",
    *,
    required=False,
    mutability="readWrite",
    returned="default",
    case_exact=False,
    uniqueness="none",
    multi=False,
    description="",
    sub_attributes=None,
    canonical=None,
):
    attribute = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description,
        "required": required,
        "mutability": mutability,
        "returned": returned,
    }
    if kind in ("string", "reference"):
        attribute.update(caseExact=case_exact, uniqueness=uniqueness)
    if canonical:
        attribute["canonicalValues"] = canonical
    if sub_attributes:
        attribute["subAttributes"] = sub_attributes
    return attribute


USER_ATTRIBUTES = [
    _attribute(
        "userName",
        required=True,
        uniqueness="server",
        description=(
            "The identity provider's unique name for the user, kept as given and compared "
            "ignoring case; the email until a provider sets one. Not the email."
        ),
    ),
    _attribute(
        "name",
        "complex",
        description="The user's name.",
        sub_attributes=[
            _attribute("formatted", description="The full name; the same as displayName."),
        ],
    ),
    _attribute(
        "displayName",
        required=True,
        description=(
            "The name. On input displayName wins, then name.formatted, then name.givenName "
            "and name.familyName joined by a space, then the email's local part."
        ),
    ),
    _attribute(
        "emails",
        "complex",
        required=True,
        multi=True,
        description=(
            "One address, the user's email; of several, the primary one (else the first)."
        ),
        sub_attributes=[
            _attribute("value", required=True, description="The email address."),
            _attribute(
                "type",
                canonical=["work", "home", "other"],
                description="Kept as given; work by default.",
            ),
            _attribute("primary", "boolean", description="Kept as given; true by default."),
        ],
    ),
    _attribute(
        "active",
        "boolean",
        required=True,
        description=(
            "Whether the user may log in; false ends its sessions. True when absent on create."
        ),
    ),
    _attribute(
        "externalId",
        case_exact=True,
        uniqueness="server",
        description=("The identity provider's id for the user, kept exactly as given; unique."),
    ),
    _attribute(
        "password",
        mutability="writeOnly",
        returned="never",
        description=(
            "Write-only; the password policy applies. Absent on create: the user cannot log "
            "in with a password until it resets one."
        ),
    ),
]


def user_schema(base_url):
    """The User schema, listing only the attributes this service keeps."""
    return {
        "schemas": [SCHEMA_SCHEMA],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A user of the service.",
        "attributes": USER_ATTRIBUTES,
        "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{USER_SCHEMA}"},
    }


def user_resource_type(base_url):
    """The one resource type, User."""
    return {
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "The users of the service.",
        "schema": USER_SCHEMA,
        "schemaExtensions": [],
        "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/User"},
    }


def service_provider_config(base_url, docs_url):
    """What the service supports: patch, filter, etag, changePassword; no bulk or sort."""
    return {
        "schemas": [CONFIG_SCHEMA],
        "documentationUri": docs_url,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": True},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "API key",
                "primary": True,
                "description": "An admin's API key with the scim scope, sent as "
                "'Authorization: Bearer usk_...'.",
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base_url}/ServiceProviderConfig",
        },
    }
