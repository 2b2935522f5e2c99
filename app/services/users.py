"""Rules for creating, reading, changing and deleting users."""

from app.database import INTEGRITY_ERRORS, get_db, transaction
from app.models import utcnow
from app.repositories import users as users_repo
from app.security.email_address import email_key
from app.security.passwords import hash_password
from app.services import account_mail, audit
from app.services.domain_errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)
from app.services.password_rules import check_password_policy, hash_method
from app.services.references import parse_reference

ADMIN_ONLY_FIELDS = ("role", "is_active")
# No hash Werkzeug makes looks like this, so no password ever matches it.
UNUSABLE_PASSWORD_HASH = "!"


class _System:
    """The operator at the command line: may do what an admin may."""

    id = None
    is_admin = True


SYSTEM = _System()


def register(data, *, actor=None, notify=True, scim=None, event="user.registered"):
    """Create a user from `name`, `email`, `password` (and, for admins, role/status).

    With `notify`, a verification mail goes to the new address. `scim` carries the
    identity provider's fields (see users_repo.insert); a SCIM create may come without
    a password: the user then cannot log in with one until it resets it.
    """
    _reject_admin_fields(data, actor)
    password = data.get("password")
    if password is None:
        password_hash = UNUSABLE_PASSWORD_HASH
    else:
        check_password_policy(password, email=data["email"], name=data["name"])
        password_hash = hash_password(password, hash_method())
    conn = get_db()
    try:
        with transaction(conn):
            if getattr(actor, "id", None) is not None:
                _reject_admin_fields(data, _actor_now(conn, actor))
            user = users_repo.insert(
                conn,
                name=data["name"],
                email=data["email"],
                password_hash=password_hash,
                role=data.get("role", "user"),
                is_active=data.get("is_active", True),
                now=utcnow(),
                scim=scim,
            )
            audit.record(event, actor=actor or user, subject=user, role=user.role)
    except INTEGRITY_ERRORS:
        raise _email_taken() from None
    if notify:
        account_mail.send_verification(user)
    return user


def create_or_promote_admin(data):
    """Make `email` an active admin with this password; return (user, created)."""
    conn = get_db()
    existing = users_repo.get_by_email(conn, data["email"])
    if existing is None:
        return register({**data, "role": "admin"}, actor=SYSTEM, notify=False), True
    check_password_policy(data["password"], email=existing.email, name=existing.name)
    changes = {
        "role": "admin",
        "is_active": True,
        "password_hash": hash_password(data["password"], hash_method()),
    }
    with transaction(conn):
        user = users_repo.update(
            conn, existing.id, changes=changes, now=utcnow(), revoke_sessions=True
        )
        _record_changes(
            SYSTEM,
            existing,
            user,
            {
                column: value
                for column, value in changes.items()
                if column == "password_hash" or getattr(existing, column) != value
            },
        )
    return user, False


def get_user(actor, ref):
    """Return the user `ref` names, if the actor may see it."""
    return _resolve(get_db(), actor, ref)


def update_user(actor, ref, changes, *, by_api_key=False, precondition=None, event=None):
    """Apply the validated `changes` to the user `ref` names and return it.

    `by_api_key`: the actor authenticated with an API key, which never changes a
    password or an email. `precondition(etag)`, when given, must hold for the
    target's current ETag (If-Match); it is checked under the write lock. `event` (a
    SCIM change) is recorded in the transaction too, besides the events of what changed.
    """
    _reject_admin_fields(changes, actor)
    _reject_other_users(actor, ref)
    if by_api_key and (
        "password" in changes
        or "current_password" in changes
        or (_is_self(actor, *parse_reference(ref)) and _changes_email(actor, changes))
    ):
        raise _credentials_need_login()
    changes = dict(changes)
    password = changes.pop("password", None)
    current_password = changes.pop("current_password", None)
    if current_password is not None:
        _resolve(get_db(), actor, ref)  # no such user: 404, and no password guess counted
    # Hash checks take tens of milliseconds: do them before taking the write lock.
    _check_current_password(actor, ref, changes, password, current_password)
    new_hash = None if password is None else hash_password(password, hash_method())
    conn = get_db()
    try:
        with transaction(conn):
            actor = _actor_now(conn, actor)
            _reject_admin_fields(changes, actor)
            target = _resolve(conn, actor, ref)
            _check_precondition(target, precondition)
            columns = _changed_columns(target, changes, password, new_hash)
            if by_api_key and "email" in columns:
                raise _credentials_need_login()
            if _loses_admin(target, columns):
                _guard_last_admin(conn)
            revoke = new_hash is not None or "role" in columns or columns.get("is_active") is False
            user = users_repo.update(
                conn, target.id, changes=columns, now=utcnow(), revoke_sessions=revoke
            )
            if event is not None:
                audit.record(
                    event,
                    actor=actor,
                    subject=user,
                    changed=sorted(
                        "password" if column == "password_hash" else column for column in columns
                    ),
                )
            _record_changes(actor, target, user, columns)
    except INTEGRITY_ERRORS:
        raise _email_taken() from None
    if "email" in columns:
        account_mail.send_verification(user)
    return user


CHANGE_EVENTS = {
    "password_hash": "password.changed",
    "email": "email.changed",
    "role": "user.role_changed",
    "is_active": "user.status_changed",
}


def _record_changes(actor, before, user, columns):
    """Record an event per kind of change (inside the change's transaction)."""
    for column, event in CHANGE_EVENTS.items():
        if column not in columns:
            continue
        if column == "password_hash":
            details = {}
        elif column == "email":
            details = {"old_email": before.email, "new_email": user.email}
        else:
            details = {column: columns[column]}
        audit.record(event, actor=actor, subject=user, **details)


def resend_verification(actor, ref):
    """Mail a fresh verification token to the user `ref` names, unless already verified."""
    user = get_user(actor, ref)
    if not user.email_verified:
        account_mail.send_verification(user)


def delete_user(actor, ref, *, precondition=None, event="user.deleted"):
    """Delete the user `ref` names; its sessions and tokens go with it.

    `precondition(etag)`, when given, must hold for the target's current ETag.
    """
    conn = get_db()
    with transaction(conn):
        actor = _actor_now(conn, actor)
        target = _resolve(conn, actor, ref)
        _check_precondition(target, precondition)
        if target.is_admin and target.is_active:
            _guard_last_admin(conn)
        if not users_repo.delete(conn, target.id):
            raise NotFound("No such user.")  # deleted meanwhile by another request
        if event != "user.deleted":
            audit.record(event, actor=actor, subject=target)
        audit.record("user.deleted", actor=actor, subject=target.id)


def _changed_columns(target, changes, password, new_hash):
    """Return the column values that differ from the target's, with their consequences."""
    columns = {key: value for key, value in changes.items() if getattr(target, key) != value}
    if "email" in columns:
        columns["email_verified"] = False
    if new_hash is not None:
        check_password_policy(
            password,
            email=changes.get("email", target.email),
            name=changes.get("name", target.name),
        )
        columns["password_hash"] = new_hash
    return columns


def _check_current_password(actor, ref, changes, password, current_password):
    """Users changing their own password or email must send their current password; when
    sent anyway it is checked. A wrong one counts as a failed login of the account."""
    if current_password is None:
        if _is_self(actor, *parse_reference(ref)) and (
            password is not None or _changes_email(actor, changes)
        ):
            raise _invalid(
                "current_password", "Send your current password to change your password or email."
            )
        return
    # Imported here: authentication reaches this module through second_factors.
    from app.services.authentication import check_current_password

    check_current_password(actor, current_password)


def _changes_email(actor, changes):
    return "email" in changes and email_key(changes["email"]) != email_key(actor.email)


def _actor_now(conn, actor):
    """The author of a change as it is now, read inside the writing transaction: one who
    lost the right meanwhile changes nothing (401 when its sessions ended, else 403)."""
    if actor is SYSTEM:
        return actor
    current = users_repo.get_by_id(conn, actor.id)
    if current is None or not current.is_active or current.token_version != actor.token_version:
        raise AuthenticationFailed("The access token has been revoked.")
    return current


def _resolve(conn, actor, ref):
    """Load the user a path reference names, enforcing who may address whom."""
    _reject_other_users(actor, ref)
    kind, value = parse_reference(ref)
    if _is_self(actor, kind, value):
        # Inside a write transaction, re-read: the row may have changed since login.
        target = users_repo.get_by_id(conn, actor.id) if conn.in_transaction else actor
    elif kind == "id":
        target = users_repo.get_by_id(conn, value)
    else:
        target = users_repo.get_by_email(conn, value) if kind == "email" else None
    if target is None:
        raise NotFound("No such user.")
    return target


def _reject_other_users(actor, ref):
    """The cheap part of _resolve: a non-admin may address only itself."""
    kind, value = parse_reference(ref)
    if not actor.is_admin and not _is_self(actor, kind, value):
        raise PermissionDenied(
            "You may only access your own account.", subject=value if kind == "id" else None
        )


def _is_self(actor, kind, value):
    return (
        kind == "me"
        or (kind == "id" and value == actor.id)
        or (kind == "email" and email_key(value) == email_key(actor.email))
    )


def _reject_admin_fields(data, actor):
    if actor is not None and actor.is_admin:
        return
    forbidden = [field for field in ADMIN_ONLY_FIELDS if field in data]
    if forbidden:
        raise InvalidInput(
            "The request body is invalid.",
            errors={field: ["Only an admin may set this field."] for field in forbidden},
        )


def _invalid(field, message):
    return InvalidInput("The request body is invalid.", errors={field: [message]})


def _loses_admin(target, columns):
    still_admin = columns.get("role", target.role) == "admin"
    still_active = columns.get("is_active", target.is_active)
    return target.is_admin and target.is_active and not (still_admin and still_active)


def _guard_last_admin(conn):
    if users_repo.count_active_admins(conn) <= 1:
        raise Conflict(
            "This is the last active admin; promote another admin first.", code="last_admin"
        )


def _check_precondition(target, precondition):
    if precondition is not None and not precondition(target.etag):
        raise PreconditionFailed(
            "The user changed since you read it (If-Match); read it again and retry."
        )


def _credentials_need_login():
    return PermissionDenied("An API key cannot change a password or an email; log in to do that.")


def _email_taken():
    return Conflict("A user with this email already exists.", code="email_taken")


def find_addressed(conn, actor, ref):
    """Return the user `ref` names, if `actor` may address it (403/404 otherwise)."""
    return _resolve(conn, actor, ref)
