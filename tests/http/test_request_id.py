"""X-Request-ID: the caller's when sane, else a fresh one (app/request_ids.py)."""

import pytest

from app import create_app
from app.request_ids import SANE_ID
from tests.helpers import assert_problem

SANE = ["abc", "0d6c2f", "A.b_c-9", "x" * 128, "-", "..."]
INSANE = ["", " ", "x" * 129, "a b", "a/b", "a;b", "<script>", "id\t1", "a,b", "ünicode", "a:b"]


@pytest.fixture
def fresh_client(settings):
    """A client whose every request gets its own app context, as under a WSGI server."""
    return create_app(settings).test_client()


@pytest.mark.parametrize("offered", SANE)
def test_request_sane_id_is_echoed(client, offered):
    response = client.get("/", headers={"X-Request-ID": offered})
    assert response.headers["X-Request-ID"] == offered


@pytest.mark.parametrize("offered", INSANE)
def test_request_insane_id_is_replaced(client, offered):
    response = client.get("/", headers={"X-Request-ID": offered})
    replaced = response.headers["X-Request-ID"]
    assert replaced != offered
    assert SANE_ID.fullmatch(replaced)


def test_request_without_id_gets_one(client):
    assert SANE_ID.fullmatch(client.get("/").headers["X-Request-ID"])


def test_request_without_id_gets_a_new_one_each_time(fresh_client):
    ids = {fresh_client.get("/").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_error_body_carries_the_sane_id(client):
    response = client.get("/nope", headers={"X-Request-ID": "trace-1"})
    assert assert_problem(response, 404, "not_found")["request_id"] == "trace-1"


def test_error_body_carries_the_replacement_of_an_insane_id(client):
    response = client.get("/nope", headers={"X-Request-ID": "x" * 129})
    body = assert_problem(response, 404, "not_found")
    assert body["request_id"] != "x" * 129 and SANE_ID.fullmatch(body["request_id"])


@pytest.mark.parametrize("path", ["/", "/health", "/health/live", "/openapi.json", "/nope"])
def test_response_carries_request_id(client, path):
    assert client.get(path, headers={"X-Request-ID": "r-1"}).headers["X-Request-ID"] == "r-1"


def test_request_id_is_per_request_in_fresh_contexts(fresh_client):
    first = fresh_client.get("/", headers={"X-Request-ID": "first"})
    second = fresh_client.get("/nope", headers={"X-Request-ID": "second"})
    assert first.headers["X-Request-ID"] == "first"
    assert second.headers["X-Request-ID"] == second.get_json()["request_id"] == "second"


def test_request_id_is_per_request_in_one_test(client):
    client.get("/", headers={"X-Request-ID": "first"})
    assert client.get("/", headers={"X-Request-ID": "second"}).headers["X-Request-ID"] == "second"
