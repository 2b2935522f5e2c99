"""TOTP enrolment, recovery codes, POST /login/mfa with codes, status and admin reset."""

import jwt
import pyotp
import pytest

from tests.helpers import PASSWORD, assert_problem
from tests.mfa_helpers import age_session, code_for_step, enrol_totp, session_id_of, start_login


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def totp_user(client, user, user_headers):
    """The regular user with TOTP enrolled: (user, headers, secret, recovery codes)."""
    secret, codes = enrol_totp(client, user_headers)
    return user, user_headers, secret, codes


def test_start_totp_returns_secret_and_uri(client, user_headers):
    response = client.post("/users/me/mfa/totp", headers=user_headers)
    assert response.status_code == 201
    assert response.headers["Cache-Control"].startswith("no-store")
    body = response.get_json()
    assert set(body) == {"secret", "otpauth_uri"}
    parsed = pyotp.parse_uri(body["otpauth_uri"])
    assert parsed.secret == body["secret"]
    assert parsed.issuer == "User service"
    assert parsed.name == "regular@example.com"
    assert (parsed.digits, parsed.interval) == (6, 30)


def test_start_totp_with_stale_session_is_reauthentication_required(app, client, user_headers):
    age_session(app, session_id_of(user_headers), 301)
    response = client.post("/users/me/mfa/totp", headers=user_headers)
    assert_problem(response, 403, "reauthentication_required")


def test_start_totp_again_replaces_pending_secret(client, user_headers):
    first = client.post("/users/me/mfa/totp", headers=user_headers).get_json()["secret"]
    second = client.post("/users/me/mfa/totp", headers=user_headers).get_json()["secret"]
    assert first != second
    response = client.post(
        "/users/me/mfa/totp/confirm", headers=user_headers, json={"code": code_for_step(first)}
    )
    assert_problem(response, 422, "validation_error")
    assert "code" in response.get_json()["errors"]


def test_confirm_totp_returns_ten_recovery_codes(client, user, user_headers):
    _, codes = enrol_totp(client, user_headers)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(
        len(code.replace("-", "")) >= 10
        and code.replace("-", "").isalnum()
        and code == code.lower()
        for code in codes
    )
    status = client.get("/users/me/mfa", headers=user_headers).get_json()
    assert status == {"enabled": True, "totp": True, "passkeys": 0, "recovery_codes_left": 10}


def test_confirm_totp_without_pending_is_validation_error(client, user_headers):
    response = client.post(
        "/users/me/mfa/totp/confirm", headers=user_headers, json={"code": "123456"}
    )
    assert_problem(response, 422, "validation_error")


def test_start_totp_when_confirmed_is_mfa_exists(client, totp_user):
    _, headers, _, _ = totp_user
    assert_problem(client.post("/users/me/mfa/totp", headers=headers), 409, "mfa_exists")


def test_enabling_mfa_keeps_existing_sessions(client, totp_user):
    _, headers, _, _ = totp_user
    assert client.get("/users/me", headers=headers).status_code == 200


def test_login_with_mfa_returns_challenge_only(client, totp_user):
    user, *_ = totp_user
    response = client.post("/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    body = response.get_json()
    assert set(body) == {"mfa_required", "mfa_token", "methods", "expires_in"}
    assert body["methods"] == ["totp", "recovery_code"]
    assert body["expires_in"] == 300


def test_login_mfa_with_totp_code_returns_pair_with_amr(client, totp_user):
    user, _, secret, _ = totp_user
    token = start_login(client, user.email)
    response = client.post("/login/mfa", json={"mfa_token": token, "code": code_for_step(secret)})
    assert response.status_code == 200, response.get_json()
    assert claims_of(response.get_json()["access_token"])["amr"] == ["pwd", "otp", "mfa"]


def test_login_mfa_with_used_step_is_refused(client, totp_user):
    user, _, secret, _ = totp_user
    code = code_for_step(secret)
    first = client.post(
        "/login/mfa", json={"mfa_token": start_login(client, user.email), "code": code}
    )
    assert first.status_code == 200
    again = client.post(
        "/login/mfa", json={"mfa_token": start_login(client, user.email), "code": code}
    )
    assert_problem(again, 401, "invalid_credentials")


def test_login_mfa_with_step_of_confirmation_is_refused(client, user, user_headers):
    secret = client.post("/users/me/mfa/totp", headers=user_headers).get_json()["secret"]
    code = code_for_step(secret)
    client.post("/users/me/mfa/totp/confirm", headers=user_headers, json={"code": code})
    response = client.post(
        "/login/mfa", json={"mfa_token": start_login(client, user.email), "code": code}
    )
    assert_problem(response, 401, "invalid_credentials")


def test_login_mfa_with_earlier_unused_step_is_accepted(client, user, user_headers):
    secret = client.post("/users/me/mfa/totp", headers=user_headers).get_json()["secret"]
    now, later = code_for_step(secret), code_for_step(secret, 1)  # one moment, two steps
    client.post("/users/me/mfa/totp/confirm", headers=user_headers, json={"code": later})
    response = client.post(
        "/login/mfa", json={"mfa_token": start_login(client, user.email), "code": now}
    )
    assert response.status_code == 200


def test_login_mfa_token_is_single_use(client, totp_user):
    user, _, secret, codes = totp_user
    token = start_login(client, user.email)
    client.post("/login/mfa", json={"mfa_token": token, "code": code_for_step(secret)})
    response = client.post("/login/mfa", json={"mfa_token": token, "code": codes[0]})
    assert_problem(response, 401, "invalid_token")


def test_login_mfa_with_recovery_code_works_once(client, totp_user):
    user, headers, _, codes = totp_user
    typed = codes[0].upper().replace("-", "")
    first = client.post(
        "/login/mfa", json={"mfa_token": start_login(client, user.email), "code": typed}
    )
    assert first.status_code == 200
    assert claims_of(first.get_json()["access_token"])["amr"] == ["pwd", "otp", "mfa"]
    again = client.post(
        "/login/mfa", json={"mfa_token": start_login(client, user.email), "code": codes[0]}
    )
    assert_problem(again, 401, "invalid_credentials")
    assert client.get("/users/me/mfa", headers=headers).get_json()["recovery_codes_left"] == 9


@pytest.mark.parametrize("settings", [{"LOGIN_MAX_FAILURES": 50}], indirect=True)
def test_login_mfa_token_dies_after_five_wrong_codes(client, totp_user):
    user, _, secret, _ = totp_user
    token = start_login(client, user.email)
    for _ in range(5):
        wrong = client.post("/login/mfa", json={"mfa_token": token, "code": "000000"})
        assert_problem(wrong, 401, "invalid_credentials")
    right = client.post("/login/mfa", json={"mfa_token": token, "code": code_for_step(secret)})
    assert_problem(right, 401, "invalid_token")


def test_login_mfa_wrong_codes_count_toward_backoff(client, totp_user):
    user, _, secret, _ = totp_user
    token = start_login(client, user.email)
    for _ in range(5):
        client.post("/login/mfa", json={"mfa_token": token, "code": "000000"})
    response = client.post("/login", json={"email": user.email, "password": PASSWORD})
    assert_problem(response, 429, "rate_limited")
    assert "Retry-After" in response.headers


def test_login_with_right_password_many_times_is_not_throttled(client, totp_user):
    user, *_ = totp_user
    for _ in range(6):
        start_login(client, user.email)


def test_login_mfa_with_garbage_token_is_invalid_token(client, totp_user):
    response = client.post("/login/mfa", json={"mfa_token": "nope", "code": "123456"})
    assert_problem(response, 401, "invalid_token")


@pytest.mark.parametrize(
    "body",
    [
        {"mfa_token": "x"},
        {"code": "123456"},
        {"mfa_token": "x", "code": "1", "passkey": {}},
        {"mfa_token": "x", "code": 123456},
    ],
)
def test_login_mfa_with_bad_body_is_validation_error(client, body):
    assert_problem(client.post("/login/mfa", json=body), 422, "validation_error")


def test_reauth_with_mfa_needs_code_not_password(app, client, totp_user):
    _, headers, secret, _ = totp_user
    age_session(app, session_id_of(headers), 301)
    alone = client.post("/reauth", json={"password": PASSWORD}, headers=headers)
    assert_problem(alone, 401, "invalid_credentials")
    response = client.post("/reauth", json={"code": code_for_step(secret)}, headers=headers)
    assert response.status_code == 204
    assert client.post("/users/me/mfa/recovery-codes", headers=headers).status_code == 201


def test_reauth_with_mfa_checks_password_sent_beside_code(client, totp_user):
    _, headers, secret, _ = totp_user
    response = client.post(
        "/reauth",
        headers=headers,
        json={"code": code_for_step(secret), "password": "wrong " + PASSWORD},
    )
    assert_problem(response, 401, "invalid_credentials")


def test_new_recovery_codes_replace_old_set(client, totp_user):
    user, headers, _, old = totp_user
    response = client.post("/users/me/mfa/recovery-codes", headers=headers)
    assert response.status_code == 201
    assert response.headers["Cache-Control"].startswith("no-store")
    assert len(response.get_json()["recovery_codes"]) == 10
    refused = client.post(
        "/login/mfa", json={"mfa_token": start_login(client, user.email), "code": old[0]}
    )
    assert_problem(refused, 401, "invalid_credentials")


def test_new_recovery_codes_without_mfa_is_mfa_not_enabled(client, user_headers):
    response = client.post("/users/me/mfa/recovery-codes", headers=user_headers)
    assert_problem(response, 409, "mfa_not_enabled")


def test_remove_totp_disables_mfa_and_recovery_codes(client, totp_user):
    user, headers, _, _ = totp_user
    assert client.delete("/users/me/mfa/totp", headers=headers).status_code == 204
    status = client.get("/users/me/mfa", headers=headers).get_json()
    assert status == {"enabled": False, "totp": False, "passkeys": 0, "recovery_codes_left": 0}
    body = client.post("/login", json={"email": user.email, "password": PASSWORD}).get_json()
    assert "access_token" in body
    assert_problem(client.delete("/users/me/mfa/totp", headers=headers), 404, "not_found")


def test_admin_sees_mfa_status_of_user(client, totp_user, admin_headers):
    user, *_ = totp_user
    response = client.get(f"/users/{user.id}/mfa", headers=admin_headers)
    assert response.get_json()["enabled"] is True


def test_user_asking_for_other_users_mfa_is_forbidden(client, user_headers, admin):
    response = client.get(f"/users/{admin.id}/mfa", headers=user_headers)
    assert_problem(response, 403, "forbidden")


def test_admin_reset_removes_factors_and_ends_sessions(client, totp_user, admin_headers):
    user, headers, _, _ = totp_user
    assert client.delete(f"/users/{user.id}/mfa", headers=admin_headers).status_code == 204
    assert_problem(client.get("/users/me", headers=headers), 401, "invalid_token")
    body = client.post("/login", json={"email": user.email, "password": PASSWORD}).get_json()
    assert "access_token" in body


def test_admin_reset_of_itself_is_forbidden(client, admin, admin_headers):
    response = client.delete(f"/users/{admin.id}/mfa", headers=admin_headers)
    assert_problem(response, 403, "forbidden")


def test_user_reset_of_own_mfa_is_forbidden(client, user_headers):
    assert_problem(client.delete("/users/me/mfa", headers=user_headers), 403, "forbidden")
