"""WebAuthn ceremonies through py_webauthn: options out, responses verified.

Options and responses travel in the WebAuthn JSON forms (binary members as
base64url without padding). User verification is always required.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_client_data_json
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

CHALLENGE_TTL = 300
MIN_CREDENTIAL_ID_LENGTH = 16
MAX_CREDENTIAL_ID_LENGTH = 1023


class InvalidPasskey(Exception):
    """A WebAuthn response that is malformed or does not verify (the reason, for logs)."""


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origins: tuple


@dataclass(frozen=True)
class NewCredential:
    """What a verified registration gives us to store."""

    credential_id: str
    public_key: str
    sign_count: int
    transports: tuple


def new_challenge():
    """Return a fresh challenge (32 random bytes)."""
    return secrets.token_bytes(32)


def hash_challenge(challenge):
    """Return the stored form of a challenge."""
    return hashlib.sha256(challenge).hexdigest()


def user_handle(user_id):
    """Return the WebAuthn user handle of a user: its id, as bytes (no personal data)."""
    return str(user_id).encode()


def registration_options(rp, challenge, *, user_id, email, name, exclude_ids):
    """Return PublicKeyCredentialCreationOptionsJSON: resident key and UV required."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=email,
        user_id=user_handle(user_id),
        user_display_name=name,
        challenge=challenge,
        timeout=CHALLENGE_TTL * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[_descriptor(cid) for cid in exclude_ids],
    )
    return json.loads(options_to_json(options))


def authentication_options(rp, challenge, *, allow_ids=None):
    """Return PublicKeyCredentialRequestOptionsJSON; no allowCredentials when None."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=CHALLENGE_TTL * 1000,
        allow_credentials=[_descriptor(cid) for cid in allow_ids] if allow_ids else None,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    body = json.loads(options_to_json(options))
    if allow_ids is None:
        body.pop("allowCredentials", None)
    return body


def _descriptor(credential_id):
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id))


def challenge_of(credential):
    """Return the challenge a response answers (from its clientDataJSON)."""
    try:
        client_data = parse_client_data_json(
            base64url_to_bytes(credential["response"]["clientDataJSON"])
        )
        return bytes(client_data.challenge)
    except Exception as error:  # any parse failure: a malformed response
        raise InvalidPasskey(f"unreadable clientDataJSON: {type(error).__name__}") from None


def credential_id_of(credential):
    """Return the credential id of a response, canonical base64url."""
    try:
        raw = base64url_to_bytes(credential["rawId"])
    except Exception as error:
        raise InvalidPasskey(f"unreadable rawId: {type(error).__name__}") from None
    if not raw or len(raw) > MAX_CREDENTIAL_ID_LENGTH:
        raise InvalidPasskey("credential id of a bad length")
    return bytes_to_base64url(raw)


def user_handle_of(credential):
    """Return the userHandle of an assertion, or None when it sent none."""
    try:
        handle = credential["response"].get("userHandle")
        return base64url_to_bytes(handle) if handle else None
    except Exception as error:
        raise InvalidPasskey(f"unreadable userHandle: {type(error).__name__}") from None


def verify_registration(rp, credential, challenge):
    """Verify a RegistrationResponseJSON; return what to store, or raise InvalidPasskey."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            require_user_verification=True,
        )
        transports = credential["response"].get("transports") or []
    except Exception as error:  # py_webauthn raises many kinds on hostile input
        raise InvalidPasskey(f"registration refused: {type(error).__name__}") from None
    if not MIN_CREDENTIAL_ID_LENGTH <= len(verified.credential_id) <= MAX_CREDENTIAL_ID_LENGTH:
        raise InvalidPasskey("credential id of a bad length")
    return NewCredential(
        bytes_to_base64url(verified.credential_id),
        bytes_to_base64url(verified.credential_public_key),
        verified.sign_count,
        tuple(t for t in transports if isinstance(t, str))[:8],
    )


def verify_assertion(rp, credential, challenge, *, public_key, sign_count):
    """Verify an AuthenticationResponseJSON; return the new sign count or raise."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=base64url_to_bytes(public_key),
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
    except Exception as error:  # py_webauthn raises many kinds on hostile input
        raise InvalidPasskey(f"assertion refused: {type(error).__name__}") from None
    return verified.new_sign_count
