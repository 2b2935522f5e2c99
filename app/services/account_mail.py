"""Password reset and email verification: mailing tokens and redeeming them."""

import functools
import time
from urllib.parse import urlencode

from flask import current_app

from app import mail
from app.database import get_db, transaction
from app.mail import messages
from app.models import User, utcnow
from app.repositories import login_failures
from app.repositories import users as users_repo
from app.security import account_tokens
from app.security.email_address import email_key
from app.security.passwords import hash_password
from app.services import audit
from app.services.domain_errors import InvalidRequest
from app.services.password_rules import check_password_policy, hash_method

# The paths of this service's own pages that mailed links open when no link template is
# set (PASSWORD_RESET_URL, EMAIL_VERIFY_URL); app/routes/account_pages.py serves them here.
RESET_PAGE_PATH = "/password/reset"
VERIFY_PAGE_PATH = "/email/verify"


# Every POST /password/forgot does the same work whether or not the address has an
# account (a token signed and a mail composed, for a stand-in when there is none; only a
# real one is queued), then waits until this many seconds have passed: under gunicorn
# finding an account and mailing it took 2.6 ms more than finding none, and on a busy
# machine the noise is larger than that.
FORGOT_PASSWORD_FLOOR = 0.05
STAND_IN = User(
    id=0,
    name="",
    email="nobody@example.com",
    password_hash="",
    role="user",
    is_active=True,
    email_verified=False,
    token_version=0,
    email_version=0,
    created_at=utcnow(),
    updated_at=utcnow(),
)


def request_password_reset(email):
    """Mail a reset link if an active account has this email; silent otherwise. Takes
    FORGOT_PASSWORD_FLOOR seconds either way."""
    started = time.monotonic()
    try:
        _mail_reset_link(email)
    finally:
        time.sleep(max(0.0, FORGOT_PASSWORD_FLOOR - (time.monotonic() - started)))


def _mail_reset_link(email):
    user = users_repo.get_by_email(get_db(), email)
    real = user is not None and user.is_active
    # Recorded for unknown addresses too (with no subject and not the address), so the
    # answer does the same work either way.
    audit.record("password.reset_requested", subject=user if real else None)
    recipient = user if real else STAND_IN
    token = account_tokens.make_reset_token(_secret(), recipient)
    # Composed here, on both paths: composing in the mail thread made it compete with the
    # request for the GIL on the known path only.
    message = messages.password_reset(
        sender=_sender(),
        user=recipient,
        token=token,
        valid_minutes=account_tokens.RESET_MAX_AGE // 60,
        link=_link("PASSWORD_RESET_URL", RESET_PAGE_PATH, token),
    )
    if real:
        mail.send(message)


def reset_password(token, password):
    """Set a new password with a mailed token; every session of the user ends."""
    user = _user_for_reset_token(token)
    check_password_policy(password, email=user.email, name=user.name)
    new_hash = hash_password(password, hash_method())
    conn = get_db()
    with transaction(conn):
        # Check again under the write lock: two resets with one token change it only once.
        _user_for_reset_token(token)
        users_repo.update(
            conn, user.id, changes={"password_hash": new_hash}, now=utcnow(), revoke_sessions=True
        )
        login_failures.clear(conn, email_key(user.email))
        audit.record("password.reset", actor=user, subject=user)


def send_verification(user):
    """Mail a token that confirms the user's current address."""
    token = account_tokens.make_verification_token(_secret(), user)
    mail.send(
        functools.partial(
            messages.email_verification,
            sender=_sender(),
            user=user,
            token=token,
            link=_link("EMAIL_VERIFY_URL", VERIFY_PAGE_PATH, token),
        )
    )


def verify_email(token):
    """Mark the address a verification token was sent to as verified."""
    try:
        user_id, email, version = account_tokens.read_verification_token(_secret(), token)
    except account_tokens.InvalidAccountToken:
        raise _invalid_token() from None
    conn = get_db()
    with transaction(conn):
        user = users_repo.get_by_id(conn, user_id)
        if (
            user is None
            or (user.email, user.email_version) != (email, version)
            or (user.email_verified)
        ):
            raise _invalid_token()
        users_repo.update(conn, user.id, changes={"email_verified": True}, now=utcnow())
        audit.record("email.verified", actor=user, subject=user)


def _user_for_reset_token(token):
    try:
        user_id, fingerprint, email_version = account_tokens.read_reset_token(_secret(), token)
    except account_tokens.InvalidAccountToken:
        raise _invalid_token() from None
    user = users_repo.get_by_id(get_db(), user_id)
    # A token mailed before the email changed went to a former address: it is void.
    if (
        user is None
        or account_tokens.password_fingerprint(user.password_hash) != fingerprint
        or user.email_version != email_version
    ):
        raise _invalid_token()
    return user


def _link(template_setting, page_path, token):
    """Fill the configured link template, or link to this service's own page.

    The service's address comes from PUBLIC_URL, never from the request's Host
    header: a client could name any host there and have the token mailed to it.
    """
    config = current_app.config
    if config[template_setting]:
        return config[template_setting].replace("{token}", token)
    return f"{config['PUBLIC_URL'].rstrip('/')}{page_path}?{urlencode({'token': token})}"


def _invalid_token():
    return InvalidRequest("The token is invalid, expired or already used.", code="invalid_token")


def _secret():
    return current_app.config["SECRET_KEY"]


def _sender():
    return current_app.config["MAIL_FROM"]
