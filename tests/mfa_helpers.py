"""Helpers of the second-factor tests: enrol TOTP or a passkey over HTTP, log in with MFA."""

import time
from datetime import timedelta

import jwt
import pyotp

from app.database import get_db, transaction
from app.models import to_db_time, utcnow
from tests.helpers import PASSWORD
from tests.soft_authenticator import SoftAuthenticator


def code_for_step(secret, offset=0):
    """The TOTP code of the current step plus `offset` steps."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + offset * totp.interval)


def enrol_totp(client, headers):
    """Enrol and confirm TOTP; return (secret, recovery codes)."""
    secret = client.post("/users/me/mfa/totp", headers=headers).get_json()["secret"]
    # The previous step: the step a later login uses (now) is still unused.
    response = client.post(
        "/users/me/mfa/totp/confirm", headers=headers, json={"code": code_for_step(secret, -1)}
    )
    assert response.status_code == 200, response.get_json()
    return secret, response.get_json()["recovery_codes"]


def enrol_passkey(client, headers, authenticator=None, **create):
    """Register a passkey from a software authenticator; return (authenticator, body)."""
    authenticator = authenticator or SoftAuthenticator()
    options = client.post("/users/me/passkeys/options", headers=headers).get_json()["publicKey"]
    credential = authenticator.create(options, **create)
    response = client.post(
        "/users/me/passkeys", headers=headers, json={"credential": credential, "name": "Laptop"}
    )
    assert response.status_code == 201, response.get_json()
    return authenticator, response.get_json()


def start_login(client, email, password=PASSWORD):
    """POST /login for a user with MFA; return the mfa_token."""
    body = client.post("/login", json={"email": email, "password": password}).get_json()
    assert body["mfa_required"] is True, body
    return body["mfa_token"]


def session_id_of(headers):
    """The session id (`sid`) of the access token in Authorization headers."""
    token = headers["Authorization"].removeprefix("Bearer ")
    return jwt.decode(token, options={"verify_signature": False})["sid"]


def age_session(app, session_id, seconds):
    """Pretend the session last proved its credentials `seconds` ago."""
    with app.app_context():
        conn = get_db()
        with transaction(conn):
            conn.execute(
                "UPDATE sessions SET authenticated_at = :at WHERE id = :id",
                {"at": to_db_time(utcnow() - timedelta(seconds=seconds)), "id": session_id},
            )
