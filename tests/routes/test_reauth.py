"""POST /reauth, the `amr` claim, and what makes a session recently authenticated."""

import jwt
import pytest

from app.services import reauthentication
from app.services.domain_errors import PermissionDenied
from tests.helpers import PASSWORD, assert_problem
from tests.mfa_helpers import age_session, session_id_of


def is_recent(app, session_id):
    with app.test_request_context():
        try:
            reauthentication.require_recent(session_id)
        except PermissionDenied as error:
            assert error.code == "reauthentication_required"
            return False
        return True


def test_login_gives_access_token_with_pwd_amr(client, user):
    body = client.post("/login", json={"email": user.email, "password": PASSWORD}).get_json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["amr"] == ["pwd"]


def test_refresh_keeps_amr_of_session(client, user):
    pair = client.post("/login", json={"email": user.email, "password": PASSWORD}).get_json()
    again = client.post("/token/refresh", json={"refresh_token": pair["refresh_token"]})
    claims = jwt.decode(again.get_json()["access_token"], options={"verify_signature": False})
    assert claims["amr"] == ["pwd"]


def test_session_after_login_is_recent(app, user_headers):
    assert is_recent(app, session_id_of(user_headers))


def test_session_older_than_max_age_is_not_recent(app, user_headers):
    age_session(app, session_id_of(user_headers), 301)
    assert not is_recent(app, session_id_of(user_headers))


def test_reauth_with_right_password_makes_session_recent(app, client, user_headers):
    age_session(app, session_id_of(user_headers), 301)
    response = client.post("/reauth", json={"password": PASSWORD}, headers=user_headers)
    assert response.status_code == 204
    assert is_recent(app, session_id_of(user_headers))


def test_reauth_with_wrong_password_is_invalid_credentials(app, client, user_headers):
    age_session(app, session_id_of(user_headers), 301)
    response = client.post("/reauth", json={"password": "wrong " + PASSWORD}, headers=user_headers)
    assert_problem(response, 401, "invalid_credentials")
    assert not is_recent(app, session_id_of(user_headers))


def test_reauth_wrong_passwords_count_as_failed_logins(client, user, user_headers):
    for _ in range(5):
        client.post("/reauth", json={"password": "wrong " + PASSWORD}, headers=user_headers)
    response = client.post("/login", json={"email": user.email, "password": PASSWORD})
    assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


def test_reauth_without_token_is_unauthorized(client):
    assert_problem(client.post("/reauth", json={"password": PASSWORD}), 401, "unauthorized")


def test_reauth_with_empty_body_is_validation_error(client, user_headers):
    assert_problem(client.post("/reauth", json={}, headers=user_headers), 422, "validation_error")


def test_reauth_with_unknown_field_is_validation_error(client, user_headers):
    response = client.post("/reauth", json={"password": PASSWORD, "x": 1}, headers=user_headers)
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize("settings", [{"RATE_LIMIT_AUTH": "2/minute"}], indirect=True)
def test_reauth_over_rate_limit_is_rate_limited(client, user_headers):
    for _ in range(2):
        client.post("/reauth", json={"password": PASSWORD}, headers=user_headers)
    response = client.post("/reauth", json={"password": PASSWORD}, headers=user_headers)
    assert_problem(response, 429, "rate_limited")
