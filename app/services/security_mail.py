"""Security mails: the account's owner hears of each change to how it signs in.

Derived from recorded audit events (app/services/audit.py): an event of a type in
NOTICES queues a mail to its subject's address once the transaction that recorded it
commits, so nothing is mailed for a change that was rolled back. The mail names what
happened, when and from which address; never a token, password or secret, nor any
text the account's owner chose (its name included).
"""

import functools
import logging

from flask import current_app

from app import mail
from app.database import after_commit
from app.mail import messages
from app.repositories import users as users_repo

logger = logging.getLogger(__name__)
# Event type -> (mail subject, what happened).
NOTICES = {
    "password.changed": ("Your password was changed", "The password of your account was changed."),
    "password.reset": (
        "Your password was reset",
        "The password of your account was reset with a link mailed to this"
        " address. Every session of the account was ended.",
    ),
    "email.changed": (
        "Your email address was changed",
        "The email address of your account was changed from {old_email} to"
        " {new_email}. Mail about the account now goes to the new address.",
    ),
    "mfa.enabled": (
        "Two-factor authentication was turned on",
        "Two-factor authentication (MFA) was enabled for your account.",
    ),
    "mfa.disabled": (
        "Two-factor authentication was turned off",
        "Two-factor authentication (MFA) was disabled for your account: a"
        " password alone signs in again.",
    ),
    "mfa.reset": (
        "Your second factors were removed",
        "An administrator removed every second factor of your account (authenticator"
        " app, passkeys, recovery codes) and ended its sessions.",
    ),
    "passkey.added": (
        "A passkey was added to your account",
        "A passkey was added to your account.",
    ),
    "api_key.created": (
        "An API key was created for your account",
        "A new API key was created for your account.",
    ),
}


def queue(conn, event, subject):
    """Queue the mail an event calls for, to go out once `conn`'s transaction commits.

    `event` holds the stored fields (`type`, `occurred_at`, `ip`, `details`, ...).
    """
    notice = NOTICES.get(event["type"])
    if notice is None:
        return
    recipient = _recipient(conn, event, subject)
    if recipient is None:
        return
    subject_line, what = notice
    details = event["details"]
    message = functools.partial(
        messages.security_notice,
        sender=current_app.config["MAIL_FROM"],
        to=recipient,
        subject=subject_line,
        what=what.format(old_email=details.get("old_email"), new_email=details.get("new_email")),
        when=event["occurred_at"],
        ip=event["ip"],
        by_someone_else=event["actor_id"] not in (None, event["subject_id"]),
        public_url=current_app.config["PUBLIC_URL"],
    )
    after_commit(conn, functools.partial(_send, message, event["type"]))


def _recipient(conn, event, subject):
    """The account's address; for an email change, the address it had before."""
    if event["type"] == "email.changed":
        return event["details"].get("old_email")
    email = getattr(subject, "email", None)
    if email is None and isinstance(event["subject_id"], int):
        user = users_repo.get_by_id(conn, event["subject_id"])
        email = user.email if user else None
    return email


def _send(message, event_type):
    try:
        mail.send(message)
    except Exception:  # noqa: BLE001 - mail never decides a request's outcome
        logger.exception("security mail not queued", extra={"audit_type": event_type})
