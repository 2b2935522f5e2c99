"""Changing one's own account: `current_password` is a password guess like a login's, and
authorization is decided again inside the writing transaction (issue 12, items 2 and 5)."""

import pytest

from app.services import users as users_service
from app.services.domain_errors import AuthenticationFailed
from tests.helpers import PASSWORD, assert_problem

NEW_PASSWORD = "a brand new passphrase 2026"
WRONG = "not the right password at all"


def patch_me(client, headers, **body):
    return client.patch("/users/me", json=body, headers=headers)


def test_change_own_email_without_current_password_is_rejected(client, user_headers):
    response = patch_me(client, user_headers, email="moved@example.com")
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"current_password"}
    shown = client.get("/users/me", headers=user_headers).get_json()
    assert shown["email"] == "regular@example.com"


def test_change_own_email_with_wrong_current_password_is_rejected(client, user_headers):
    response = patch_me(client, user_headers, email="moved@example.com", current_password=WRONG)
    assert set(assert_problem(response, 422, "validation_error")["errors"]) == {"current_password"}


def test_change_own_email_to_same_key_needs_no_current_password(client, user_headers):
    assert patch_me(client, user_headers, email="REGULAR@example.com").status_code == 200


def test_current_password_sent_without_need_is_still_checked(client, user_headers):
    response = patch_me(client, user_headers, name="New Name", current_password=WRONG)
    assert set(assert_problem(response, 422, "validation_error")["errors"]) == {"current_password"}
    assert (
        patch_me(client, user_headers, name="New Name", current_password=PASSWORD).status_code
        == 200
    )


def test_wrong_current_passwords_put_the_account_in_backoff(client, user, user_headers):
    for _ in range(5):
        response = patch_me(client, user_headers, password=NEW_PASSWORD, current_password=WRONG)
        assert response.status_code == 422
    throttled = patch_me(client, user_headers, password=NEW_PASSWORD, current_password=PASSWORD)
    assert_problem(throttled, 429, "rate_limited")
    assert int(throttled.headers["Retry-After"]) > 0
    login = client.post("/login", json={"email": user.email, "password": PASSWORD})
    assert_problem(login, 429, "rate_limited")


def test_right_current_password_resets_the_failure_count(client, user, user_headers):
    for _ in range(4):
        patch_me(client, user_headers, name="Renamed", current_password=WRONG)
    assert (
        patch_me(client, user_headers, name="Renamed", current_password=PASSWORD).status_code == 200
    )
    for _ in range(4):
        patch_me(client, user_headers, name="Renamed", current_password=WRONG)
    login = client.post("/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200


@pytest.mark.parametrize(
    "loss",
    [{"role": "user"}, {"is_active": False}, None],
    ids=["demoted", "deactivated", "deleted"],
)
def test_change_by_admin_who_lost_the_right_in_flight_changes_nothing(
    app, client, make_user, admin_headers, loss
):
    author = make_user(role="admin", email="author@example.com")  # as read when it began
    target = make_user(email="target@example.com")
    if loss is None:
        assert client.delete(f"/users/{author.id}", headers=admin_headers).status_code == 204
    else:
        assert (
            client.patch(f"/users/{author.id}", json=loss, headers=admin_headers).status_code == 200
        )
    with app.test_request_context(), pytest.raises(AuthenticationFailed) as refused:
        users_service.update_user(
            author, str(target.id), {"role": "admin", "password": NEW_PASSWORD}
        )
    assert refused.value.code == "invalid_token"
    shown = client.get(f"/users/{target.id}", headers=admin_headers).get_json()
    assert shown["role"] == "user"
    assert (
        client.post("/login", json={"email": target.email, "password": PASSWORD}).status_code == 200
    )


def test_delete_by_admin_who_was_demoted_in_flight_deletes_nothing(
    app, client, make_user, admin_headers
):
    author = make_user(role="admin", email="author@example.com")
    target = make_user(email="target@example.com")
    client.patch(f"/users/{author.id}", json={"role": "user"}, headers=admin_headers)
    with app.test_request_context(), pytest.raises(AuthenticationFailed):
        users_service.delete_user(author, str(target.id))
    assert client.get(f"/users/{target.id}", headers=admin_headers).status_code == 200
