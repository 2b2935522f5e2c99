"""Passkeys: registration, listing, removal, passwordless login, MFA step and reauth.

A software authenticator (tests/soft_authenticator.py) plays the device.
"""

import copy
import json

import jwt
import pytest

from tests.helpers import assert_problem
from tests.mfa_helpers import age_session, enrol_passkey, session_id_of, start_login
from tests.soft_authenticator import SoftAuthenticator, b64url, unb64url


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def login_options(client, body=None, headers=None):
    response = client.post("/passkeys/login-options", json=body or {}, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["publicKey"]


def passkey_login(client, authenticator, **get):
    credential = authenticator.get(login_options(client), **get)
    return client.post("/login/passkey", json={"credential": credential})


@pytest.fixture
def passkey_user(client, user, user_headers):
    """The regular user with one passkey: (user, headers, authenticator, creation body)."""
    authenticator, body = enrol_passkey(client, user_headers)
    return user, user_headers, authenticator, body


def registration(client, headers):
    return client.post("/users/me/passkeys/options", headers=headers).get_json()["publicKey"]


def register(client, headers, credential):
    return client.post("/users/me/passkeys", headers=headers, json={"credential": credential})


def test_registration_options_require_uv_and_resident_key(client, user_headers):
    options = registration(client, user_headers)
    selection = options["authenticatorSelection"]
    assert selection["userVerification"] == "required"
    assert selection["residentKey"] == "required"
    assert options["rp"] == {"id": "localhost", "name": "User service"}
    assert options["user"]["name"] == "regular@example.com"
    assert options["excludeCredentials"] == []


def test_registration_options_with_stale_session_need_reauth(app, client, user_headers):
    age_session(app, session_id_of(user_headers), 301)
    response = client.post("/users/me/passkeys/options", headers=user_headers)
    assert_problem(response, 403, "reauthentication_required")


@pytest.mark.parametrize("fmt", ["none", "packed"])
def test_register_passkey_enables_mfa_with_recovery_codes(client, user_headers, fmt):
    _, body = enrol_passkey(client, user_headers, fmt=fmt)
    assert set(body) == {"id", "name", "created_at", "last_used_at", "recovery_codes"}
    assert body["name"] == "Laptop" and body["last_used_at"] is None
    assert len(body["recovery_codes"]) == 10
    status = client.get("/users/me/mfa", headers=user_headers).get_json()
    assert status == {"enabled": True, "totp": False, "passkeys": 1, "recovery_codes_left": 10}


def test_second_passkey_gives_no_recovery_codes_and_is_excluded(client, passkey_user):
    _, headers, first, _ = passkey_user
    options = registration(client, headers)
    assert [item["id"] for item in options["excludeCredentials"]] == [first.id]
    _, body = enrol_passkey(client, headers)
    assert "recovery_codes" not in body


@pytest.mark.parametrize(
    "misbehaviour", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}, {"uv": False}]
)
def test_register_refuses_bad_response(client, user_headers, misbehaviour):
    credential = SoftAuthenticator().create(registration(client, user_headers), **misbehaviour)
    response = register(client, user_headers, credential)
    assert_problem(response, 422, "validation_error")
    assert "credential" in response.get_json()["errors"]


def test_register_with_spent_challenge_is_refused(client, user_headers):
    options = registration(client, user_headers)
    assert register(client, user_headers, SoftAuthenticator().create(options)).status_code == 201
    again = register(client, user_headers, SoftAuthenticator().create(options))
    assert_problem(again, 422, "validation_error")


def test_register_refused_spends_its_challenge(client, user_headers):
    options = registration(client, user_headers)
    authenticator = SoftAuthenticator()
    assert (
        register(client, user_headers, authenticator.create(options, uv=False)).status_code == 422
    )
    response = register(client, user_headers, authenticator.create(options))
    assert_problem(response, 422, "validation_error")


def test_register_with_other_users_challenge_is_refused(client, user_headers, admin_headers):
    options = registration(client, admin_headers)
    response = register(client, user_headers, SoftAuthenticator().create(options))
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"response": "x"},
        {"rawId": "!!", "response": {"clientDataJSON": "%%%", "attestationObject": "a"}},
        {"response": {"clientDataJSON": b64url(b"not json")}},
    ],
)
def test_register_malformed_credential_is_validation_error(client, user_headers, credential):
    registration(client, user_headers)
    assert_problem(register(client, user_headers, credential), 422, "validation_error")


def test_list_passkeys_shows_them_to_user_and_admin(client, passkey_user, admin_headers):
    user, headers, authenticator, _ = passkey_user
    items = client.get("/users/me/passkeys", headers=headers).get_json()["items"]
    assert [(item["id"], item["name"]) for item in items] == [(authenticator.id, "Laptop")]
    other = client.get(f"/users/{user.id}/passkeys", headers=admin_headers).get_json()
    assert other["items"] == items


def test_login_options_are_discoverable(client):
    options = login_options(client)
    assert "allowCredentials" not in options
    assert options["userVerification"] == "required"
    assert options["rpId"] == "localhost"


def test_passkey_login_returns_pair_with_amr(client, passkey_user):
    _, _, authenticator, _ = passkey_user
    response = passkey_login(client, authenticator)
    assert response.status_code == 200, response.get_json()
    assert claims_of(response.get_json()["access_token"])["amr"] == ["hwk", "user", "mfa"]
    assert response.headers["Cache-Control"].startswith("no-store")


@pytest.mark.parametrize(
    "misbehaviour", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}, {"uv": False}]
)
def test_passkey_login_refuses_bad_assertion(client, passkey_user, misbehaviour):
    _, _, authenticator, _ = passkey_user
    assert_problem(passkey_login(client, authenticator, **misbehaviour), 401, "invalid_credentials")


def test_passkey_login_with_replayed_counter_is_refused(client, passkey_user):
    _, _, authenticator, _ = passkey_user
    assert passkey_login(client, authenticator, counter=5).status_code == 200
    assert_problem(passkey_login(client, authenticator, counter=5), 401, "invalid_credentials")


def test_passkey_login_with_spent_challenge_is_refused(client, passkey_user):
    _, _, authenticator, _ = passkey_user
    credential = authenticator.get(login_options(client))
    assert client.post("/login/passkey", json={"credential": credential}).status_code == 200
    again = authenticator.get({"challenge": credential_challenge(credential)})
    response = client.post("/login/passkey", json={"credential": again})
    assert_problem(response, 401, "invalid_credentials")


def credential_challenge(credential):
    return json.loads(unb64url(credential["response"]["clientDataJSON"]))["challenge"]


def test_passkey_login_with_tampered_signature_is_refused(client, passkey_user):
    _, _, authenticator, _ = passkey_user
    credential = authenticator.get(login_options(client))
    signature = bytearray(unb64url(credential["response"]["signature"]))
    signature[-1] ^= 1
    credential["response"]["signature"] = b64url(bytes(signature))
    response = client.post("/login/passkey", json={"credential": credential})
    assert_problem(response, 401, "invalid_credentials")


def test_passkey_login_with_unknown_credential_is_refused(client, passkey_user):
    stranger = SoftAuthenticator()
    assert_problem(passkey_login(client, stranger), 401, "invalid_credentials")


@pytest.mark.parametrize("mangle", ["rawId", "signature", "authenticatorData", "drop"])
def test_passkey_login_with_malformed_credential_is_refused(client, passkey_user, mangle):
    _, _, authenticator, _ = passkey_user
    credential = copy.deepcopy(authenticator.get(login_options(client)))
    if mangle == "rawId":
        credential["rawId"] = "%%% not base64url"
    elif mangle == "drop":
        del credential["response"]
    else:
        credential["response"][mangle] = "@@@"
    response = client.post("/login/passkey", json={"credential": credential})
    assert_problem(response, 401, "invalid_credentials")


def test_passkey_login_of_inactive_user_is_account_disabled(client, passkey_user, admin_headers):
    user, _, authenticator, _ = passkey_user
    client.patch(f"/users/{user.id}", json={"is_active": False}, headers=admin_headers)
    assert_problem(passkey_login(client, authenticator), 403, "account_disabled")


def test_password_login_with_passkey_second_factor(client, passkey_user):
    user, _, authenticator, _ = passkey_user
    token = start_login(client, user.email)
    options = login_options(client, {"mfa_token": token})
    assert [item["id"] for item in options["allowCredentials"]] == [authenticator.id]
    response = client.post(
        "/login/mfa", json={"mfa_token": token, "passkey": authenticator.get(options)}
    )
    assert response.status_code == 200, response.get_json()
    assert claims_of(response.get_json()["access_token"])["amr"] == ["pwd", "hwk", "mfa"]


def test_mfa_step_with_discoverable_challenge_is_refused(client, passkey_user):
    user, _, authenticator, _ = passkey_user
    token = start_login(client, user.email)
    response = client.post(
        "/login/mfa", json={"mfa_token": token, "passkey": authenticator.get(login_options(client))}
    )
    assert_problem(response, 401, "invalid_credentials")


def test_login_options_with_bad_mfa_token_is_invalid_token(client):
    response = client.post("/passkeys/login-options", json={"mfa_token": "nope"})
    assert_problem(response, 401, "invalid_token")


def test_reauth_with_passkey_makes_session_recent(app, client, passkey_user):
    _, headers, authenticator, _ = passkey_user
    age_session(app, session_id_of(headers), 301)
    options = login_options(client, headers=headers)
    assert [item["id"] for item in options["allowCredentials"]] == [authenticator.id]
    response = client.post("/reauth", json={"passkey": authenticator.get(options)}, headers=headers)
    assert response.status_code == 204
    assert client.post("/users/me/passkeys/options", headers=headers).status_code == 200


def test_reauth_with_login_challenge_is_refused(client, passkey_user):
    _, headers, authenticator, _ = passkey_user
    response = client.post(
        "/reauth", json={"passkey": authenticator.get(login_options(client))}, headers=headers
    )
    assert_problem(response, 401, "invalid_credentials")


def test_remove_last_passkey_disables_mfa(client, passkey_user):
    user, headers, authenticator, _ = passkey_user
    assert (
        client.delete(f"/users/me/passkeys/{authenticator.id}", headers=headers).status_code == 204
    )
    status = client.get("/users/me/mfa", headers=headers).get_json()
    assert status == {"enabled": False, "totp": False, "passkeys": 0, "recovery_codes_left": 0}
    assert_problem(passkey_login(client, authenticator), 401, "invalid_credentials")


def test_remove_other_users_passkey_is_not_found(client, passkey_user, admin_headers):
    _, _, authenticator, _ = passkey_user
    response = client.delete(f"/users/me/passkeys/{authenticator.id}", headers=admin_headers)
    assert_problem(response, 404, "not_found")
