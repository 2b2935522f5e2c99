"""GET /audit-events and GET /users/{ref}/events: the stored trail, its filters and pages."""

import pytest

from app import metrics
from tests.databases import query
from tests.helpers import PASSWORD, assert_problem
from tests.observability import CapturedLog

EVENT_FIELDS = {
    "id",
    "type",
    "occurred_at",
    "actor_id",
    "subject_id",
    "ip",
    "request_id",
    "details",
}


def page(client, headers, path="/audit-events", **params):
    response = client.get(path, headers=headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def every(client, headers, path="/audit-events", **params):
    items, cursor = [], None
    while True:
        body = page(client, headers, path, **params, **({"cursor": cursor} if cursor else {}))
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def log_in(client, email, password=PASSWORD):
    return client.post("/login", json={"email": email, "password": password})


def test_admin_lists_events_newest_first_in_the_contract_shape(client, user, admin_headers):
    log_in(client, user.email, "a wrong password here")
    items = page(client, admin_headers)["items"]
    assert set(items[0]) == EVENT_FIELDS
    assert (items[0]["type"], items[0]["actor_id"], items[0]["subject_id"]) == (
        "login.failed",
        None,
        user.id,
    )
    assert items[0]["details"] == {"reason": "wrong_password"}
    assert items[0]["occurred_at"].endswith("Z")
    keys = [(item["occurred_at"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)


def test_user_may_not_read_the_whole_trail(client, user_headers):
    assert_problem(client.get("/audit-events", headers=user_headers), 403, "forbidden")


def test_trail_needs_a_token(client):
    assert_problem(client.get("/audit-events"), 401, "unauthorized")


def test_user_sees_only_events_about_itself(client, user, admin, user_headers):
    log_in(client, admin.email, "a wrong password here")
    items = every(client, user_headers, "/users/me/events")
    assert items and {item["subject_id"] for item in items} == {user.id}


def test_user_events_take_the_same_filters(client, user, admin, user_headers):
    own = every(client, user_headers, "/users/me/events", subject=user.id, type="login.succeeded")
    assert [item["type"] for item in own] == ["login.succeeded"]
    assert every(client, user_headers, "/users/me/events", subject=admin.id) == []


def test_user_may_not_read_another_users_events(client, admin, user_headers):
    response = client.get(f"/users/{admin.id}/events", headers=user_headers)
    assert_problem(response, 403, "forbidden")


def test_admin_reads_a_users_events(client, user, admin_headers):
    items = every(client, admin_headers, f"/users/{user.id}/events")
    assert [item["type"] for item in items] == ["user.registered"]


@pytest.mark.parametrize("name", ["type", "actor", "subject"])
def test_filter_keeps_only_matching_events(client, user, admin, admin_headers, name):
    log_in(client, user.email, "a wrong password here")
    value = {"type": "login.failed", "actor": admin.id, "subject": user.id}[name]
    items = every(client, admin_headers, limit=2, **{name: value})
    field = {"type": "type", "actor": "actor_id", "subject": "subject_id"}[name]
    assert items and all(item[field] == value for item in items)
    assert len(items) == sum(item[field] == value for item in every(client, admin_headers))


def test_time_range_is_since_inclusive_until_exclusive(client, user, settings, admin_headers):
    rows = query(settings["DATABASE_URL"], "SELECT id, occurred_at FROM audit_events ORDER BY id")
    (first_id, _), (second_id, _) = rows[0], rows[1]
    query(
        settings["DATABASE_URL"],
        "UPDATE audit_events SET occurred_at = :at WHERE id = :id",
        {"at": "2026-01-01T10:00:00.000000Z", "id": first_id},
    )
    query(
        settings["DATABASE_URL"],
        "UPDATE audit_events SET occurred_at = :at WHERE id = :id",
        {"at": "2026-01-01T11:00:00.000000Z", "id": second_id},
    )
    ids = [
        item["id"]
        for item in every(
            client, admin_headers, since="2026-01-01T10:00:00Z", until="2026-01-01T11:00:00Z"
        )
    ]
    assert ids == [first_id]
    ids = [
        item["id"]
        for item in every(
            client, admin_headers, since="2026-01-01T10:00:01Z", until="2026-01-01T12:30:00+01:00"
        )
    ]
    assert ids == [second_id]


def test_paging_with_events_added_between_pages_skips_and_repeats_nothing(
    client, user, admin_headers
):
    for _ in range(3):
        log_in(client, user.email, "a wrong password here")
    before = every(client, admin_headers)
    first = page(client, admin_headers, limit=2)
    for _ in range(3):
        log_in(client, user.email)  # newer events arrive while the client pages
    seen, cursor = first["items"], first["next_cursor"]
    while cursor:
        body = page(client, admin_headers, limit=2, cursor=cursor)
        seen, cursor = seen + body["items"], body["next_cursor"]
    assert [item["id"] for item in seen] == [item["id"] for item in before]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"type": "login.nonsense"},
        {"actor": "x"},
        {"subject": "-1"},
        {"since": "yesterday"},
        {"since": "2026-01-01T00:00:00"},
        {"until": "2026-13-01T00:00:00Z"},
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"since": "0001-01-01T00:00:00+14:00"},
        {"until": "9999-12-31T23:59:59-14:00"},
    ],
)
def test_malformed_filter_is_422(client, admin_headers, params):
    response = client.get("/audit-events", headers=admin_headers, query_string=params)
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) <= {*params, "query"}


@pytest.mark.parametrize("cursor", ["nonsense", "a.b"])
def test_tampered_cursor_is_400(client, admin_headers, cursor):
    response = client.get("/audit-events", headers=admin_headers, query_string={"cursor": cursor})
    assert_problem(response, 400, "invalid_cursor")


def test_user_listing_cursor_is_refused_by_the_trail(client, make_user, admin_headers):
    make_user()
    users_cursor = page(client, admin_headers, "/users", limit=1)["next_cursor"]
    response = client.get(
        "/audit-events", headers=admin_headers, query_string={"cursor": users_cursor}
    )
    assert_problem(response, 400, "invalid_cursor")


def test_events_outlive_their_user(client, user, admin, admin_headers):
    assert client.delete(f"/users/{user.id}", headers=admin_headers).status_code == 204
    items = every(client, admin_headers, subject=user.id)
    assert [item["type"] for item in items] == ["user.deleted", "user.registered"]


def test_failed_login_still_answers_when_its_event_cannot_be_stored(client, user, settings):
    query(settings["DATABASE_URL"], "DROP TABLE audit_events")
    failures = metrics.AUDIT_WRITE_FAILURES._value.get()
    log = CapturedLog()
    assert_problem(log_in(client, user.email, "a wrong password here"), 401, "invalid_credentials")
    assert metrics.AUDIT_WRITE_FAILURES._value.get() == failures + 1
    assert log.records(event="audit.write_failed", audit_type="login.failed")
