"""Field rules of the user body (name, email, password, role, is_active) on POST/PATCH."""

import json

import pytest

from tests.helpers import PASSWORD, assert_problem

NAME, EMAIL = "Teszt Elek", "teszt.elek@example.com"
COMMON = "1q2w3e4r5t6y7u8i9o0p"  # on the shipped list of common passwords


def register(client, headers=None, **fields):
    body = {"name": NAME, "email": EMAIL, "password": PASSWORD, **fields}
    return client.post("/users", json=body, headers=headers)


def assert_invalid(response, field):
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {field}
    return " ".join(body["errors"][field]).lower()


def email_of_length(length):
    """A well-formed address of `length` characters: 64-character local part, 63-char labels."""
    last_label = "d" * (length - 64 - 1 - 64 - 64 - 4)
    return f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{last_label}.com"


BAD_NAMES = [
    "",
    "   ",
    "\u00a0\u3000",
    "a" * 101,
    "😀" * 101,
    "Teszt\x00Elek",
    "Teszt\x07Elek",
    "Teszt\nElek",
    "Teszt\x7fElek",
    "Teszt\x85Elek",
    42,
    None,
    True,
    ["Teszt Elek"],
    {"first": "Teszt"},
]
BAD_EMAILS = [
    "teszt.example.com",
    "teszt@elek@example.com",
    "teszt@localhost",
    "teszt elek@example.com",
    "teszt@exa mple.com",
    " teszt@example.com",
    "teszt@example.com ",
    email_of_length(255),
    "teszt@example..com",
    "teszt@.example.com",
    "teszt@example.com.",
    "teszt@",
    "@example.com",
    "",
    "teszt\x00@example.com",
    "teszt\t@example.com",
    42,
    None,
    ["teszt@example.com"],
]
TYPE_BAD_PASSWORDS = [
    PASSWORD + "\x00",
    "correct horse\tbattery staple",
    PASSWORD + "\x7f",
    PASSWORD + "\n",
    123456789012345678,
    None,
    True,
    [PASSWORD],
]
POLICY_BAD_PASSWORDS = [
    ("k7#pQ2mZ!x9Lw4", "15"),
    ("k" * 129, "128"),
    ("😀" * 14, "15"),
    ("😀" * 129, "128"),
    (COMMON, "common"),
    (COMMON.upper(), "common"),
    ("my teszt.elek password", "email"),
    ("MY TESZT.ELEK PASSWORD", "email"),
    ("horses of teszt elek", "name"),
    ("HORSES OF TESZT ELEK", "name"),
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_register_bad_name_is_rejected(client, name):
    assert_invalid(register(client, name=name), "name")


@pytest.mark.parametrize(
    "name, stored",
    [
        ("a", "a"),
        ("a" * 100, "a" * 100),
        ("  " + "b" * 100 + "  ", "b" * 100),
        ("😀" * 100, "😀" * 100),
        ("Árvíztűrő Tükörfúrógép", "Árvíztűrő Tükörfúrógép"),
    ],
)
def test_register_good_name_is_accepted(client, name, stored):
    response = register(client, name=name)
    assert response.status_code == 201
    assert response.get_json()["name"] == stored


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_register_bad_email_is_rejected(client, email):
    assert_invalid(register(client, email=email), "email")


def test_register_email_of_254_characters_is_accepted(client):
    response = register(client, email=email_of_length(254))
    assert response.status_code == 201
    assert len(response.get_json()["email"]) == 254


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "\\ud800"),
        ("email", "te\\udc00szt@example.com"),
        ("password", PASSWORD + "\\ud800"),
    ],
)
def test_register_lone_surrogate_is_rejected(client, field, value):
    raw = json.dumps({"name": NAME, "email": EMAIL, "password": PASSWORD, field: "@@"})
    raw = raw.replace('"@@"', f'"{value}"')
    assert_invalid(client.post("/users", data=raw, content_type="application/json"), field)


@pytest.mark.parametrize("password", TYPE_BAD_PASSWORDS)
def test_register_bad_password_is_rejected(client, password):
    assert_invalid(register(client, password=password), "password")


@pytest.mark.parametrize("password, reason", POLICY_BAD_PASSWORDS)
def test_register_password_against_policy_is_rejected_with_reason(client, password, reason):
    assert reason in assert_invalid(register(client, password=password), "password")


@pytest.mark.parametrize(
    "fields, password, reason",
    [
        ({"email": "anna@example.com"}, "anna rides horses daily", "email"),
        ({"name": "Anna"}, "horses of ANNA forever", "name"),
    ],
)
def test_register_password_containing_4_character_context_is_rejected(
    client, fields, password, reason
):
    assert reason in assert_invalid(register(client, password=password, **fields), "password")


def test_register_empty_body_names_every_required_field(client):
    body = assert_problem(client.post("/users", json={}), 422, "validation_error")
    assert set(body["errors"]) == {"name", "email", "password"}


def test_register_rejected_password_is_not_echoed(client):
    assert COMMON not in register(client, password=COMMON).get_data(as_text=True)


@pytest.mark.parametrize(
    "password, fields",
    [
        ("k7#pQ2mZ!x9Lw4a", {}),
        ("".join(chr(0x1F600 + (i * 37) % 80) for i in range(15)), {}),  # 15 emoji, no repeat
        ("".join(chr(0x1F300 + (i * 37) % 700) for i in range(128)), {}),
        ("bob likes horses and batteries", {"email": "bob@example.com"}),
        ("ed likes horses and batteries", {"name": "Ed"}),
        ("Árvíztűrő tükörfúrógép 2026", {}),
    ],
)
def test_register_good_password_is_accepted_and_logs_in(client, password, fields):
    assert register(client, password=password, **fields).status_code == 201
    login = {"email": fields.get("email", EMAIL), "password": password}
    assert client.post("/login", json=login).status_code == 200


class TestLoweredMinimumLength:
    """`PASSWORD_MIN_LENGTH` set to 8."""

    @pytest.fixture
    def settings(self, settings):
        return {**settings, "PASSWORD_MIN_LENGTH": 8}

    def test_register_8_character_password_is_accepted(self, client):
        assert register(client, password="zq8#Lp2!").status_code == 201

    def test_register_7_character_password_is_rejected(self, client):
        assert "8" in assert_invalid(register(client, password="zq8#Lp2"), "password")

    def test_register_common_8_character_password_is_rejected(self, client):
        assert "common" in assert_invalid(register(client, password="password"), "password")


@pytest.mark.parametrize(
    "field, value",
    [
        ("role", "superuser"),
        ("role", "Admin"),
        ("role", None),
        ("role", 1),
        ("is_active", "true"),
        ("is_active", 1),
        ("is_active", None),
    ],
)
def test_register_bad_admin_field_from_admin_is_rejected(client, admin_headers, field, value):
    assert_invalid(register(client, headers=admin_headers, **{field: value}), field)


@pytest.mark.parametrize(
    "field, value",
    [
        *[("name", name) for name in ("", "   ", "a" * 101, "Teszt\x00Elek", 42, None)],
        *[("email", email) for email in ("teszt.example.com", "a@b@example.com", "a@b", None)],
    ],
)
def test_patch_bad_field_is_rejected(client, user_headers, field, value):
    response = client.patch("/users/me", json={field: value}, headers=user_headers)
    assert_invalid(response, field)


@pytest.mark.parametrize("password, reason", POLICY_BAD_PASSWORDS)
def test_patch_password_against_policy_is_rejected(client, make_user, login, password, reason):
    headers = login(make_user(name=NAME, email=EMAIL))
    body = {"password": password, "current_password": PASSWORD}
    response = client.patch("/users/me", json=body, headers=headers)
    assert reason in assert_invalid(response, "password")


def test_patch_password_containing_new_name_is_rejected(client, user_headers):
    body = {
        "name": "Maximilian",
        "password": "maximilian rides again",
        "current_password": PASSWORD,
    }
    response = client.patch("/users/me", json=body, headers=user_headers)
    assert "name" in assert_invalid(response, "password")


@pytest.mark.parametrize("password", ["password1234567", "aaaaaaaaaaaaaaa", "qwertyuiopasdfg"])
def test_register_easily_guessed_password_is_rejected_with_the_reason(client, password):
    assert "too easy to guess" in assert_invalid(register(client, password=password), "password")
