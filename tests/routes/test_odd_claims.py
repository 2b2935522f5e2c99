"""Tokens signed with the service's real key but holding odd claims are 401 invalid_token,
never a 500 (issue 12, item 9)."""

import time

import jwt
import pytest

from app.services import login_sessions
from tests.helpers import assert_problem


def signed(app, user_headers, **changes):
    """The caller's own access token, changed and signed again with the real key."""
    token = user_headers["Authorization"].removeprefix("Bearer ")
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    with app.app_context():
        key = login_sessions.token_settings().key
    return {"Authorization": "Bearer " + jwt.encode(claims, key, algorithm="HS256")}


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": str(int(time.time()) + 3600)},
        {"exp": True},
        {"sub": "1" * 30},
        {"sub": str(2**63)},
        {"sub": "0"},
        {"sub": "-5"},
    ],
    ids=["exp-string", "exp-boolean", "sub-30-digits", "sub-2-63", "sub-zero", "sub-negative"],
)
def test_request_with_odd_claims_under_real_key_is_invalid_token(
    app, client, user_headers, changes
):
    response = client.get("/users/me", headers=signed(app, user_headers, **changes))
    assert_problem(response, 401, "invalid_token")


def test_request_with_own_token_re_signed_unchanged_is_accepted(app, client, user_headers):
    assert client.get("/users/me", headers=signed(app, user_headers)).status_code == 200
