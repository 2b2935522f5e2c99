"""Security events: each action over HTTP logs its named event with actor and subject ids
(app/services/audit.py and its callers)."""

from types import SimpleNamespace

import pytest

from app.services.audit import EVENT_TYPES
from tests.helpers import PASSWORD, token_in
from tests.observability import CapturedLog, mails

NEW_PASSWORD = "a brand new passphrase 2026"
NEW_USER = {"name": "Teszt Elek", "email": "teszt.elek@example.com", "password": PASSWORD}


@pytest.fixture
def world(app, client, make_user, user, admin, user_headers, admin_headers, mail_dir):
    """Everything an action needs: the client, a user and an admin with their headers."""
    return SimpleNamespace(
        app=app,
        client=client,
        make_user=make_user,
        user=user,
        admin=admin,
        user_headers=user_headers,
        admin_headers=admin_headers,
        mail_dir=mail_dir,
    )


@pytest.fixture
def logs(app, world):
    """The log output from here on (after the set-up's own events and mails)."""
    assert app.extensions["mail_outbox"].join()
    return CapturedLog()


def expect(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def log_in(w, email, password=PASSWORD, status=200):
    return expect(w.client.post("/login", json={"email": email, "password": password}), status)


# --- actions: each returns the (actor id, subject id) its event must name ----------------


def register_self(w):
    new = expect(w.client.post("/users", json=NEW_USER), 201)["id"]
    return new, new


def register_by_admin(w):
    body = {**NEW_USER, "role": "admin"}
    new = expect(w.client.post("/users", json=body, headers=w.admin_headers), 201)["id"]
    return w.admin.id, new


def login_right(w):
    log_in(w, w.user.email)
    return w.user.id, w.user.id


def login_wrong_password(w):
    log_in(w, w.user.email, "not the password at all", 401)
    return None, w.user.id


def login_unknown_email(w):
    log_in(w, "nobody@example.com", status=401)
    return None, None


def login_disabled(w):
    disabled = w.make_user(email="off@example.com", is_active=False)
    log_in(w, disabled.email, status=403)
    return None, disabled.id


def fail_logins_until_throttled(w):
    for _ in range(5):
        log_in(w, w.user.email, "not the password at all", 401)
    log_in(w, w.user.email, status=429)
    return None, w.user.id


def reuse_refresh_token(w):
    token = log_in(w, w.user.email)["refresh_token"]
    for status in (200, 401):
        expect(w.client.post("/token/refresh", json={"refresh_token": token}), status)
    return None, w.user.id


def logout(w, everywhere=False):
    expect(w.client.post("/logout", json={"all": everywhere}, headers=w.user_headers), 204)
    return w.user.id, w.user.id


def change_own_password(w):
    body = {"password": NEW_PASSWORD, "current_password": PASSWORD}
    expect(w.client.patch("/users/me", json=body, headers=w.user_headers), 200)
    return w.user.id, w.user.id


def admin_changes(body):
    def action(w):
        path = f"/users/{w.user.id}"
        expect(w.client.patch(path, json=body, headers=w.admin_headers), 200)
        return w.admin.id, w.user.id

    return action


def reset_password(w):
    expect(w.client.post("/password/forgot", json={"email": w.user.email}), 202)
    assert w.app.extensions["mail_outbox"].join()
    [mail] = mails(w.mail_dir, "Reset your password", to=w.user.email)
    body = {"token": token_in(mail), "password": NEW_PASSWORD}
    expect(w.client.post("/password/reset", json=body), 204)
    return w.user.id, w.user.id


def change_own_email(w):
    body = {"email": "renamed@example.com", "current_password": PASSWORD}
    expect(w.client.patch("/users/me", json=body, headers=w.user_headers), 200)
    return w.user.id, w.user.id


def verify_email(w):
    [mail] = mails(w.mail_dir, "Confirm your email address", to=w.user.email)
    expect(w.client.post("/email/verify", json={"token": token_in(mail)}), 204)
    return w.user.id, w.user.id


def delete_by_admin(w):
    expect(w.client.delete(f"/users/{w.user.id}", headers=w.admin_headers), 204)
    return w.admin.id, w.user.id


def delete_self(w):
    expect(w.client.delete("/users/me", headers=w.user_headers), 204)
    return w.user.id, w.user.id


def forgot_password(w):
    expect(w.client.post("/password/forgot", json={"email": w.user.email}), 202)
    return None, w.user.id


def forgot_password_unknown(w):
    expect(w.client.post("/password/forgot", json={"email": "nobody@example.com"}), 202)
    return None, None


def end_session(headers_of, actor_of):
    def action(w):
        log_in(w, w.user.email)  # a second session, beside the one of user_headers
        listed = expect(w.client.get("/users/me/sessions", headers=w.user_headers), 200)
        [other] = [item["id"] for item in listed["items"] if not item["current"]]
        path = f"/users/{w.user.id}/sessions/{other}"
        expect(w.client.delete(path, headers=headers_of(w)), 204)
        return actor_of(w), w.user.id

    return action


def list_users_as_user(w):
    expect(w.client.get("/users", headers=w.user_headers), 403)
    return w.user.id, None


def view_other_user(w):
    expect(w.client.get(f"/users/{w.admin.id}", headers=w.user_headers), 403)
    return w.user.id, w.admin.id


EVENTS = [
    pytest.param("user.registered", register_self, {"role": "user"}, id="register"),
    pytest.param("user.registered", register_by_admin, {"role": "admin"}, id="admin-creates"),
    pytest.param("login.succeeded", login_right, {}, id="login"),
    pytest.param(
        "login.failed", login_wrong_password, {"reason": "wrong_password"}, id="wrong-password"
    ),
    pytest.param(
        "login.failed", login_unknown_email, {"reason": "unknown_email"}, id="unknown-email"
    ),
    pytest.param("login.failed", login_disabled, {"reason": "account_disabled"}, id="disabled"),
    pytest.param("login.throttled", fail_logins_until_throttled, {}, id="throttled"),
    pytest.param("login.backoff_started", fail_logins_until_throttled, {}, id="backoff"),
    pytest.param("token.reuse_detected", reuse_refresh_token, {}, id="reuse"),
    pytest.param("logout", logout, {"everywhere": False}, id="logout"),
    pytest.param("logout", lambda w: logout(w, True), {"everywhere": True}, id="logout-all"),
    pytest.param("password.changed", change_own_password, {}, id="own-password"),
    pytest.param(
        "password.changed", admin_changes({"password": NEW_PASSWORD}), {}, id="admin-sets-password"
    ),
    pytest.param("password.reset", reset_password, {}, id="reset"),
    pytest.param("email.changed", change_own_email, {}, id="email-change"),
    pytest.param("email.verified", verify_email, {}, id="verify"),
    pytest.param(
        "user.role_changed", admin_changes({"role": "admin"}), {"role": "admin"}, id="promote"
    ),
    pytest.param(
        "user.status_changed",
        admin_changes({"is_active": False}),
        {"is_active": False},
        id="deactivate",
    ),
    pytest.param("user.deleted", delete_by_admin, {}, id="admin-deletes"),
    pytest.param("user.deleted", delete_self, {}, id="delete-self"),
    pytest.param("password.reset_requested", forgot_password, {}, id="forgot"),
    pytest.param("password.reset_requested", forgot_password_unknown, {}, id="forgot-unknown"),
    pytest.param(
        "session.revoked",
        end_session(lambda w: w.user_headers, lambda w: w.user.id),
        {},
        id="end-own-session",
    ),
    pytest.param(
        "session.revoked",
        end_session(lambda w: w.admin_headers, lambda w: w.admin.id),
        {},
        id="admin-ends-session",
    ),
    pytest.param("authorization.denied", list_users_as_user, {"route": "/users"}, id="list"),
    pytest.param(
        "authorization.denied", view_other_user, {"route": "/users/<ref>"}, id="other-user"
    ),
]


@pytest.mark.parametrize("event, action, details", EVENTS)
def test_action_logs_security_event_with_actor_and_subject(world, logs, event, action, details):
    actor, subject = action(world)
    [record] = logs.records(event=event, **details)
    assert (record["logger"], record["message"]) == ("app.security", event)
    assert (record["actor_id"], record["subject_id"]) == (actor, subject)


def test_security_event_carries_the_request_id(world, logs):
    response = world.client.post(
        "/login",
        json={"email": world.user.email, "password": PASSWORD},
        headers={"X-Request-ID": "login-1"},
    )
    [record] = logs.records(event="login.succeeded")
    assert record["request_id"] == response.headers["X-Request-ID"] == "login-1"


def test_failed_logins_past_limit_log_backoff_then_throttled(world, logs):
    fail_logins_until_throttled(world)
    events = [
        (record["event"], record["level"], record.get("reason"))
        for record in logs.records(logger="app.security")
    ]
    wrong = ("login.failed", "WARNING", "wrong_password")
    assert events == [wrong] * 4 + [
        ("login.backoff_started", "WARNING", None),
        wrong,
        ("login.throttled", "WARNING", None),
    ]


@pytest.mark.parametrize(
    "path, route",
    [
        ("/users", "/users"),
        ("/users/{id}", "/users/<ref>"),
        ("/users/admin@example.com", "/users/<ref>"),
    ],
)
def test_non_admin_reaching_for_others_logs_authorization_denied(world, logs, path, route):
    response = world.client.get(path.format(id=world.admin.id), headers=world.user_headers)
    [record] = logs.records(event="authorization.denied")
    assert response.status_code == 403
    assert (record["actor_id"], record["level"]) == (world.user.id, "WARNING")
    assert (record["method"], record["route"]) == ("GET", route)


STORED = [param for param in EVENTS if param.values[0] in EVENT_TYPES]


@pytest.mark.parametrize("event, action, details", STORED)
def test_action_stores_audit_event_like_its_log_line(world, logs, event, action, details):
    actor, subject = action(world)
    [line] = logs.records(event=event, **details)
    page = expect(
        world.client.get(f"/audit-events?type={event}&limit=100", headers=world.admin_headers), 200
    )
    [stored] = [item for item in page["items"] if item["request_id"] == line["request_id"]]
    assert (stored["actor_id"], stored["subject_id"]) == (actor, subject)
    assert stored["details"].items() >= details.items()
    assert stored["ip"] == "127.0.0.1"
    assert PASSWORD not in str(stored) and NEW_PASSWORD not in str(stored)


def test_unknown_email_failed_login_stores_no_email_and_no_subject(world):
    log_in(world, "ghost@example.com", "some wrong password", 401)
    page = expect(
        world.client.get("/audit-events?type=login.failed", headers=world.admin_headers), 200
    )
    [stored] = page["items"]
    assert (stored["subject_id"], stored["actor_id"]) == (None, None)
    assert "ghost" not in str(stored)
