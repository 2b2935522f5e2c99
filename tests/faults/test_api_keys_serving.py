"""API keys and If-Match under `gunicorn -w 2` on a real database (a file, and PostgreSQL):
what one worker changes, the other honours at once; concurrent edits have one winner."""

import pytest

from tests.databases import ENGINES, fresh_database
from tests.faults.helpers import concurrently, create_admin, login, make_env, register, serve

pytestmark = pytest.mark.slow

ROOT = "root@example.com"
ROUNDS = 10  # requests after a change: with two workers, both answer some


@pytest.fixture(scope="module", params=ENGINES)
def service(request, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp(request.param)
    with fresh_database(request.param, tmp_path) as database_url:
        env = make_env(tmp_path, DATABASE_URL=database_url)
        create_admin(env, ROOT)
        with serve(env, tmp_path / "gunicorn.log", workers=2) as server:
            server.log_path = tmp_path / "gunicorn.log"
            yield server


@pytest.fixture(scope="module")
def root(service):
    return login(service, ROOT)[0]


def new_user_with_key(server, email, scopes=("users:write",)):
    """Register and log in a user, create a key; return (user, headers, key)."""
    user = register(server, email)
    headers, _ = login(server, email)
    status, _, created = server.request(
        "POST", "/users/me/api-keys", {"name": "script", "scopes": list(scopes)}, headers
    )
    assert status == 201, created
    return user, headers, created


def reads_with(server, key):
    """Statuses of GET /users/me with the key, two requests at a time (both workers)."""
    answers = []
    for _ in range(ROUNDS // 2):
        answers += concurrently(
            2,
            lambda _: server.request(
                "GET", "/users/me", headers={"Authorization": f"Bearer {key}"}
            ),
        )
    return {status for status, _, _ in answers}


def test_revoked_key_fails_on_every_worker_at_once(service):
    user, headers, created = new_user_with_key(service, "revoke@example.com")
    assert reads_with(service, created["key"]) == {200}
    status, _, _ = service.request("DELETE", f"/users/me/api-keys/{created['id']}", headers=headers)
    assert status == 204
    assert reads_with(service, created["key"]) == {401}


def test_key_of_deactivated_user_fails_at_once(service, root):
    user, _, created = new_user_with_key(service, "deactivate@example.com")
    assert reads_with(service, created["key"]) == {200}
    assert service.request("PATCH", f"/users/{user['id']}", {"is_active": False}, root)[0] == 200
    assert reads_with(service, created["key"]) == {401}


def test_key_of_deleted_user_fails_at_once(service, root):
    user, _, created = new_user_with_key(service, "delete@example.com")
    assert reads_with(service, created["key"]) == {200}
    assert service.request("DELETE", f"/users/{user['id']}", headers=root)[0] == 204
    assert reads_with(service, created["key"]) == {401}


def test_concurrent_patches_with_one_if_match_have_one_winner(service):
    register(service, "race@example.com")
    headers, _ = login(service, "race@example.com")
    for round_number in range(5):
        status, response_headers, _ = service.request("GET", "/users/me", headers=headers)
        etag = response_headers["ETag"]
        answers = concurrently(
            2,
            lambda i, n=round_number, tag=etag: service.request(
                "PATCH", "/users/me", {"name": f"Editor {n}-{i}"}, {**headers, "If-Match": tag}
            ),
        )
        assert sorted(status for status, _, _ in answers) == [200, 412], answers
        winner = next(body for status, _, body in answers if status == 200)
        loser = next(body for status, _, body in answers if status == 412)
        assert loser["code"] == "precondition_failed"
        assert service.request("GET", "/users/me", headers=headers)[2]["name"] == winner["name"]


def test_api_key_is_never_logged(service):
    _, _, created = new_user_with_key(service, "canary@example.com")
    reads_with(service, created["key"])
    service.request("GET", "/nope", headers={"Authorization": f"Bearer {created['key']}"})
    assert created["key"] not in service.log_path.read_text()
    assert created["key"][12:] not in service.log_path.read_text()
