"""Addresses that differ only by case (final sigma included), width, compatibility
characters or normalization name one account (issue 12, item 4)."""

import pytest

from tests.helpers import PASSWORD, assert_problem

VARIANTS = [
    ("odysseus.zoσ@example.org", "ODYSSEUS.ZOΣ@EXAMPLE.ORG"),
    ("odysseus.zoσ@example.org", "odysseus.zoς@example.org"),
    ("fullwidth@example.org", "ｆｕｌｌｗｉｄｔｈ@example.org"),
    ("finn@example.org", "ﬁnn@example.org"),
    ("jos\u00e9@example.org", "jose\u0301@example.org"),
    ("strasse@example.org", "STRAẞE@example.org"),
    ("strasse@example.org", "straße@example.org"),
]
IDS = [
    "final-sigma",
    "sigma-forms",
    "fullwidth",
    "ligature",
    "nfc-nfd",
    "capital-sharp-s",
    "sharp-s",
]


def register(client, email):
    return client.post("/users", json={"name": "Key Test", "email": email, "password": PASSWORD})


@pytest.mark.parametrize(("first", "second"), VARIANTS, ids=IDS)
def test_register_with_equal_key_is_email_taken(client, first, second):
    assert register(client, first).status_code == 201
    assert_problem(register(client, second), 409, "email_taken")


@pytest.mark.parametrize(("first", "second"), VARIANTS, ids=IDS)
def test_login_with_equal_key_logs_that_account_in(client, first, second):
    register(client, first)
    response = client.post("/login", json={"email": second, "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(("first", "second"), VARIANTS[:2], ids=IDS[:2])
def test_get_by_email_with_equal_key_finds_the_user(client, admin_headers, first, second):
    created = register(client, first).get_json()
    response = client.get(f"/users/{second}", headers=admin_headers)
    assert response.status_code == 200
    assert response.get_json()["id"] == created["id"]


def test_patch_email_to_equal_key_of_another_is_email_taken(client, make_user, admin_headers):
    make_user(email="odysseus.zoσ@example.org")
    other = make_user(email="other@example.org")
    response = client.patch(
        f"/users/{other.id}", headers=admin_headers, json={"email": "ODYSSEUS.ZOΣ@example.org"}
    )
    assert_problem(response, 409, "email_taken")


def test_login_backoff_counts_key_variants_as_one_account(client):
    register(client, "odysseus.zoσ@example.org")
    wrong = "not the right password at all"
    for email in [
        "odysseus.zoσ@example.org",
        "ODYSSEUS.ZOΣ@example.org",
        "odysseus.zoς@example.org",
        "ODYSSEUS.zoσ@example.org",
        "odysseus.ZOΣ@example.org",
    ]:
        assert client.post("/login", json={"email": email, "password": wrong}).status_code == 401
    response = client.post(
        "/login", json={"email": "odysseus.zoσ@example.org", "password": PASSWORD}
    )
    assert_problem(response, 429, "rate_limited")
