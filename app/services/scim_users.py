"""SCIM 2.0 provisioning of users, through the same rules as the REST routes.

Every change goes through app.services.users (email uniqueness, password policy, last
admin, sessions ending, verification mail, audit events); this module adds what SCIM
means by a create, a replace, a patch, a delete and a search. The actor is the SCIM
key's owner, an admin.
"""

from app.database import get_db
from app.repositories import scim_users as scim_repo
from app.repositories import users as users_repo
from app.services import scim_filters, scim_input, scim_patch
from app.services import users as users_service
from app.services.domain_errors import NotFound, PreconditionFailed

MAX_COUNT = 100
PATCH_ATTEMPTS = 3
STATE_COLUMNS = {
    "user_name": "user_name",
    "email": "email",
    "email_type": "email_type",
    "email_primary": "email_primary",
    "name": "name",
    "name_shown": "name_shown",
    "active": "is_active",
    "external_id": "external_id",
}


def get_user(scim_id):
    """Return the user a SCIM id names, or raise NotFound."""
    user_id = _user_id(scim_id)
    user = users_repo.get_by_id(get_db(), user_id) if user_id else None
    if user is None:
        raise NotFound("No such user.")
    return user


def search(filter_text, *, start_index, count):
    """Return (total, users) of one page of the users a filter matches."""
    condition = scim_filters.parse(filter_text)
    conn = get_db()
    offset = start_index - 1
    users = scim_repo.page(conn, condition, offset=offset, limit=count) if count else []
    if 0 < len(users) < count or (offset == 0 and count and not users):
        return offset + len(users), users  # the page holds the last match: no count needed
    return scim_repo.count(conn, condition), users


def create_user(actor, payload):
    """Create a user from a SCIM User resource (it mails the verification token)."""
    state, password = scim_input.read_resource(payload)
    data = {
        "name": state["name"],
        "email": state["email"],
        "password": password,
        "role": "user",
        "is_active": state["active"],
    }
    scim = {key: state[key] for key in ("user_name", "external_id", "email_type", "email_primary")}
    return users_service.register(data, actor=actor, scim=scim, event="scim.user_created")


def replace_user(actor, scim_id, payload, *, if_match=None):
    """PUT: replace userName, emails and the name; keep what is absent of the rest.

    `if_match(etag)`, when given, must hold for the user's current ETag (412 otherwise).
    """
    current = get_user(scim_id)
    state, password = scim_input.read_resource(payload, current=scim_input.state_of(current))
    return _write(actor, current, state, password, if_match=if_match)


def patch_user(actor, scim_id, payload, *, if_match=None):
    """PATCH: apply every operation, or none; return the changed user.

    The operations apply to the user as read; it is written only if it is still that
    version (else read again and retried, or 412 when the caller sent If-Match).
    """
    for _ in range(PATCH_ATTEMPTS):
        current = get_user(scim_id)
        state, password = scim_patch.apply(scim_input.state_of(current), payload)
        try:
            return _write(actor, current, state, password, if_match=if_match, exact=True)
        except PreconditionFailed:
            if if_match is not None and not if_match(current.etag):
                raise
    raise PreconditionFailed("The user kept changing; try again.")


def delete_user(actor, scim_id, *, if_match=None):
    """Delete a user (its sessions and tokens go with it)."""
    user = get_user(scim_id)
    users_service.delete_user(actor, str(user.id), event="scim.user_deleted", precondition=if_match)


def _write(actor, current, state, password, *, if_match, exact=False):
    before = scim_input.state_of(current)
    changes = {
        column: state[key] for key, column in STATE_COLUMNS.items() if state[key] != before[key]
    }
    if password is not None:
        changes["password"] = password

    def precondition(etag):
        return (if_match is None or if_match(etag)) and (not exact or etag == current.etag)

    return users_service.update_user(
        actor, str(current.id), changes, precondition=precondition, event="scim.user_updated"
    )


def _user_id(scim_id):
    return int(scim_id) if scim_id.isascii() and scim_id.isdigit() and len(scim_id) < 19 else 0


def page_bounds(start_index, count):
    """RFC 7644 paging: startIndex below 1 reads as 1; count is clamped to 0..MAX_COUNT."""
    return max(start_index, 1), min(max(count, 0), MAX_COUNT)
