"""A small software WebAuthn authenticator (P-256, ES256) for the tests.

It answers creation and request options in the WebAuthn JSON forms with
RegistrationResponseJSON (`none` or `packed` self attestation) and
AuthenticationResponseJSON, and can be told to misbehave: another origin or RP id,
no user verification, a sign counter of its choosing.
"""

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One passkey (a resident P-256 key) on a pretend device."""

    def __init__(self, *, origin="https://users.example", rp_id="localhost"):
        self.origin = origin
        self.rp_id = rp_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0
        self.user_handle = None

    @property
    def id(self):
        return b64url(self.credential_id)

    def _cose_key(self):
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _client_data(self, kind, options, origin):
        return json.dumps(
            {
                "type": kind,
                "challenge": options["challenge"],
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()

    def _auth_data(self, rp_id, flags, counter, attested=b""):
        rp_hash = hashlib.sha256((rp_id or self.rp_id).encode()).digest()
        return rp_hash + bytes([flags]) + counter.to_bytes(4, "big") + attested

    def _sign(self, data):
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def create(self, options, *, origin=None, rp_id=None, uv=True, fmt="none"):
        """Answer PublicKeyCredentialCreationOptionsJSON."""
        self.user_handle = unb64url(options["user"]["id"])
        client_data = self._client_data("webauthn.create", options, origin)
        attested = (
            bytes(16)
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_key()
        )
        flags = UP | AT | (UV if uv else 0)
        auth_data = self._auth_data(rp_id, flags, self.sign_count, attested)
        statement = {}
        if fmt == "packed":
            signed = auth_data + hashlib.sha256(client_data).digest()
            statement = {"alg": -7, "sig": self._sign(signed)}
        attestation = cbor2.dumps({"fmt": fmt, "attStmt": statement, "authData": auth_data})
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(self, options, *, origin=None, rp_id=None, uv=True, counter=None):
        """Answer PublicKeyCredentialRequestOptionsJSON (the counter moves on by one)."""
        self.sign_count = self.sign_count + 1 if counter is None else counter
        client_data = self._client_data("webauthn.get", options, origin)
        auth_data = self._auth_data(rp_id, UP | (UV if uv else 0), self.sign_count)
        signature = self._sign(auth_data + hashlib.sha256(client_data).digest())
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if self.user_handle is not None:
            response["userHandle"] = b64url(self.user_handle)
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
