"""Access tokens (HS256 JWTs) and opaque refresh tokens, without the app."""

import hashlib
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.security import tokens
from app.security.tokens import InvalidAccessToken, TokenSettings

SETTINGS = TokenSettings(key="k" * 64, issuer="user-service", audience="user-service-api", ttl=900)


def issue(settings=SETTINGS, now=None):
    return tokens.issue_access_token(
        settings, user_id=7, role="admin", session_id="sid-1", now=now or datetime.now(UTC)
    )


def resign(token, key=SETTINGS.key, algorithm="HS256", drop=(), **changes):
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    for claim in drop:
        del claims[claim]
    return jwt.encode(claims, key, algorithm=algorithm)


def assert_refused(token, settings=SETTINGS):
    with pytest.raises(InvalidAccessToken):
        tokens.read_access_token(settings, token)


def test_read_access_token_returns_issued_claims():
    claims = tokens.read_access_token(SETTINGS, issue())
    assert claims["sub"] == 7
    assert (claims["role"], claims["sid"]) == ("admin", "sid-1")
    assert (claims["iss"], claims["aud"]) == ("user-service", "user-service-api")
    assert claims["exp"] - claims["iat"] == 900
    assert set(tokens.REQUIRED_CLAIMS) <= set(claims)


def test_issue_access_token_uses_hs256():
    assert jwt.get_unverified_header(issue())["alg"] == "HS256"


def test_issue_access_token_twice_at_same_time_differs():
    first, second = issue(), issue()
    assert first != second
    assert (
        tokens.read_access_token(SETTINGS, first)["jti"]
        != tokens.read_access_token(SETTINGS, second)["jti"]
    )


def test_read_access_token_re_signed_unchanged_is_accepted():
    assert tokens.read_access_token(SETTINGS, resign(issue()))["sub"] == 7


@pytest.mark.parametrize(
    "changes",
    [
        {"key": "o" * 64},
        {"algorithm": "HS384"},
        {"algorithm": "HS512"},
        {"iss": "other"},
        {"aud": "other"},
        {"sub": "seven"},
        {"sub": "7.0"},
        {"sid": 5},
        {"sid": None},
    ],
    ids=["key", "hs384", "hs512", "iss", "aud", "sub-word", "sub-float", "sid-int", "sid-null"],
)
def test_read_access_token_forged_is_refused(changes):
    assert_refused(resign(issue(), **changes))


@pytest.mark.parametrize("claim", tokens.REQUIRED_CLAIMS)
def test_read_access_token_without_claim_is_refused(claim):
    assert_refused(resign(issue(), drop=[claim]))


def test_read_access_token_with_alg_none_is_refused():
    claims = jwt.decode(issue(), options={"verify_signature": False})
    assert_refused(jwt.encode(claims, None, algorithm="none"))


def test_read_access_token_expired_is_refused():
    assert_refused(issue(now=datetime.now(UTC) - timedelta(seconds=901)))


def test_read_access_token_under_other_settings_is_refused():
    other = TokenSettings(key="k" * 64, issuer="user-service", audience="another", ttl=900)
    assert_refused(issue(), settings=other)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 3000])
def test_read_access_token_garbage_is_refused(token):
    assert_refused(token)


def test_new_session_id_is_unique_text():
    ids = {tokens.new_session_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(isinstance(session_id, str) and len(session_id) >= 16 for session_id in ids)


def test_new_refresh_token_has_256_bits_and_its_hash():
    token, stored = tokens.new_refresh_token()
    assert len(token) >= 43
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored


def test_new_refresh_token_twice_differs():
    assert tokens.new_refresh_token()[0] != tokens.new_refresh_token()[0]


def test_hash_refresh_token_is_deterministic():
    assert tokens.hash_refresh_token("abc") == tokens.hash_refresh_token("abc")
    assert tokens.hash_refresh_token("abc") != tokens.hash_refresh_token("abd")
