"""Mailed reset and verification tokens, without the app (app/security/account_tokens.py)."""

import json
import time
from types import SimpleNamespace

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.security import account_tokens as tokens
from app.security.account_tokens import InvalidAccountToken

KEY = "k" * 64
USER = SimpleNamespace(
    id=7,
    email="teszt.elek@example.com",
    email_version=3,
    password_hash="scrypt:1024:8:1$salt$0123456789abcdef",
)
MAKE = {"reset": tokens.make_reset_token, "verification": tokens.make_verification_token}
READ = {"reset": tokens.read_reset_token, "verification": tokens.read_verification_token}
KINDS = pytest.mark.parametrize("kind", ["reset", "verification"])


def made_ago(monkeypatch, seconds, kind):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds)
    token = MAKE[kind](KEY, USER)
    monkeypatch.undo()
    return token


def test_read_reset_token_returns_user_fingerprint_and_email_version():
    token = tokens.make_reset_token(KEY, USER)
    assert tokens.read_reset_token(KEY, token) == (
        7,
        tokens.password_fingerprint(USER.password_hash),
        3,
    )


def test_read_verification_token_returns_user_and_address():
    token = tokens.make_verification_token(KEY, USER)
    assert tokens.read_verification_token(KEY, token) == (7, "teszt.elek@example.com", 3)


@pytest.mark.parametrize("made, read", [("reset", "verification"), ("verification", "reset")])
def test_read_token_of_other_kind_fails(made, read):
    with pytest.raises(InvalidAccountToken):
        READ[read](KEY, MAKE[made](KEY, USER))


@KINDS
@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-5] + ("A" if t[-5] != "A" else "B") + t[-4:],
        lambda t: ("x" if t[0] != "x" else "y") + t[1:],
        lambda t: t[:-3],
        lambda t: t + "x",
        lambda t: t.replace(".", "", 1),
        lambda t: "",
        lambda t: "ünïcödé.tökén",
    ],
    ids=["signature", "payload", "truncated", "appended", "no separator", "empty", "non-ascii"],
)
def test_read_tampered_token_fails(kind, change):
    with pytest.raises(InvalidAccountToken):
        READ[kind](KEY, change(MAKE[kind](KEY, USER)))


@KINDS
def test_read_token_signed_with_other_key_fails(kind):
    with pytest.raises(InvalidAccountToken):
        READ[kind](KEY, MAKE[kind]("another key " * 4, USER))


@pytest.mark.parametrize("kind, max_age", [("reset", 3600), ("verification", 7 * 24 * 3600)])
def test_read_token_expires_after_max_age(monkeypatch, kind, max_age):
    assert READ[kind](KEY, made_ago(monkeypatch, max_age - 60, kind))[0] == 7
    with pytest.raises(InvalidAccountToken):
        READ[kind](KEY, made_ago(monkeypatch, max_age + 1, kind))


@pytest.mark.parametrize(
    "kind, salt, payload",
    [
        ("reset", tokens.RESET_SALT, {"uid": 7}),
        ("reset", tokens.RESET_SALT, {"uid": "7", "pw": "abc"}),
        ("reset", tokens.RESET_SALT, {"uid": 7, "pw": 123}),
        ("reset", tokens.RESET_SALT, [7, "abc"]),
        ("reset", tokens.RESET_SALT, {"uid": 7, "pw": "abc"}),
        ("reset", tokens.RESET_SALT, {"uid": 7, "pw": "abc", "v": "3"}),
        ("verification", tokens.VERIFY_SALT, {"uid": 7, "pw": "abc"}),
        ("verification", tokens.VERIFY_SALT, {"uid": None, "email": "a@example.com"}),
    ],
)
def test_read_signed_token_of_wrong_shape_fails(kind, salt, payload):
    token = URLSafeTimedSerializer(KEY, salt=salt).dumps(payload)
    with pytest.raises(InvalidAccountToken):
        READ[kind](KEY, token)


def test_password_fingerprint_changes_with_hash():
    first = tokens.password_fingerprint(USER.password_hash)
    assert first == tokens.password_fingerprint(USER.password_hash)
    assert first != tokens.password_fingerprint(USER.password_hash + "0")


def test_reset_token_does_not_reveal_password_hash():
    _, payload = URLSafeTimedSerializer("any key").loads_unsafe(tokens.make_reset_token(KEY, USER))
    assert payload["uid"] == 7
    assert "salt" not in json.dumps(payload) and "0123456789abcdef" not in json.dumps(payload)
