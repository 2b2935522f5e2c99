"""GET /users: admin-only listing with filters, search, sorting and keyset paging."""

from datetime import UTC, datetime, timedelta

import pytest

from app.database import get_db, transaction
from app.repositories import users as users_repo
from app.services import cursors
from tests.helpers import assert_problem

SORTS = ["id", "created_at", "name", "email", "-id", "-created_at", "-name", "-email"]
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def add_user(app):
    """Insert a user straight into the table (fast; these users never log in)."""
    counter = iter(range(1, 10_000))

    def add(name="Listed", email=None, *, role="user", is_active=True, created_at=None):
        number = next(counter)
        with app.app_context():
            conn = get_db()
            with transaction(conn):
                return users_repo.insert(
                    conn,
                    name=name,
                    email=email or f"listed{number:04}@example.com",
                    password_hash="unusable",
                    role=role,
                    is_active=is_active,
                    now=created_at or EPOCH + timedelta(seconds=number),
                )

    return add


@pytest.fixture
def delete_user(app):
    def delete(user_id):
        with app.app_context():
            conn = get_db()
            with transaction(conn):
                users_repo.delete(conn, user_id)

    return delete


@pytest.fixture
def listing(client, admin_headers):
    """GET /users as the admin with these query parameters."""

    def get(**params):
        return client.get("/users", query_string=params, headers=admin_headers)

    return get


@pytest.fixture
def walk(listing):
    """Follow next_cursor to the end; return the ids of every page, in order."""

    def follow(cursor=None, **params):
        ids = []
        for _ in range(100):
            body = listing(**params, **({"cursor": cursor} if cursor else {})).get_json()
            ids += [item["id"] for item in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                return ids
        raise AssertionError("paging did not end")

    return follow


@pytest.fixture
def varied_users(add_user):
    """Users whose name, email and created_at orders all differ from the id order."""
    rows = [
        ("Carol", "b@example.com", 5),
        ("Alice", "d@example.com", 3),
        ("Bob", "a@example.com", 9),
        ("Alice", "c@example.com", 3),
        ("Dave", "e@example.com", 1),
    ]
    return [
        add_user(name, email, created_at=EPOCH + timedelta(seconds=second))
        for name, email, second in rows
    ]


def ids_among(response, users):
    wanted = {user.id for user in users}
    return [item["id"] for item in response.get_json()["items"] if item["id"] in wanted]


def test_list_users_as_admin_returns_page(listing, admin):
    response = listing()
    assert response.status_code == 200
    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [admin.id]
    assert body["next_cursor"] is None
    assert "password_hash" not in body["items"][0]


def test_list_users_as_non_admin_is_forbidden(client, user_headers):
    assert_problem(client.get("/users", headers=user_headers), 403, "forbidden")


def test_list_users_anonymous_is_unauthorized(client):
    response = client.get("/users")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_list_users_without_limit_returns_twenty(listing, add_user):
    for _ in range(21):
        add_user()
    body = listing().get_json()
    assert len(body["items"]) == 20
    assert body["next_cursor"] is not None


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_list_users_with_limit_returns_that_many(listing, add_user, limit):
    for _ in range(100):
        add_user()
    assert len(listing(limit=limit).get_json()["items"]) == limit


@pytest.mark.parametrize(
    "limit", ["0", "101", "-1", "abc", "1.5", "", " 5", "+5", "1e2", "５", "9" * 30]
)
def test_list_users_with_bad_limit_is_unprocessable(listing, limit):
    body = assert_problem(listing(limit=limit), 422, "validation_error")
    assert "limit" in body["errors"]


@pytest.mark.parametrize("param", ["page", "offset", "access_token", "Limit"])
def test_list_users_with_unknown_param_is_unprocessable(listing, param):
    body = assert_problem(listing(**{param: "1"}), 422, "validation_error")
    assert param in body["errors"]


@pytest.mark.parametrize("sort", ["password_hash", "role", "ID", "+id", "--id", "name,id", ""])
def test_list_users_with_bad_sort_is_unprocessable(listing, sort):
    body = assert_problem(listing(sort=sort), 422, "validation_error")
    assert "sort" in body["errors"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("id", [0, 1, 2, 3, 4]),
        ("-id", [4, 3, 2, 1, 0]),
        ("name", [1, 3, 2, 0, 4]),
        ("-name", [4, 0, 2, 3, 1]),
        ("email", [2, 0, 3, 1, 4]),
        ("-email", [4, 1, 3, 0, 2]),
        ("created_at", [4, 1, 3, 0, 2]),
        ("-created_at", [2, 0, 3, 1, 4]),
    ],
)
def test_list_users_sorted_returns_that_order(listing, varied_users, sort, expected):
    response = listing(sort=sort, limit=100)
    assert ids_among(response, varied_users) == [varied_users[i].id for i in expected]


@pytest.mark.parametrize("role", ["user", "admin"])
def test_list_users_by_role_returns_only_that_role(listing, add_user, admin, role):
    add_user(role="user")
    add_user(role="admin")
    items = listing(role=role, limit=100).get_json()["items"]
    assert len(items) == (1 if role == "user" else 2)
    assert {item["role"] for item in items} == {role}


@pytest.mark.parametrize("role", ["Admin", "root", ""])
def test_list_users_with_bad_role_is_unprocessable(listing, role):
    assert "role" in assert_problem(listing(role=role), 422, "validation_error")["errors"]


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
def test_list_users_by_status_returns_only_that_status(listing, add_user, value, expected):
    add_user(is_active=True)
    add_user(is_active=False)
    items = listing(is_active=value, limit=100).get_json()["items"]
    assert len(items) == (2 if expected else 1)
    assert {item["is_active"] for item in items} == {expected}


@pytest.mark.parametrize("value", ["yes", "1", "0", "True", "on", ""])
def test_list_users_with_bad_status_is_unprocessable(listing, value):
    body = assert_problem(listing(is_active=value), 422, "validation_error")
    assert "is_active" in body["errors"]


@pytest.fixture
def searchable(add_user):
    """Users whose names and emails exercise case, quoting, wildcards and unicode."""
    names = {
        "alice": ("Alice Smith", "alice@example.com"),
        "quote": ('Jack "Jr" O\'Neil', "jack@example.com"),
        "percent": ("100% Real", "real@example.com"),
        "plain": ("100 x Real", "plain@example.com"),
        "underscore": ("Under Score", "first_last@example.org"),
        "no_underscore": ("No Score", "firstxlast@example.org"),
        "accented": ("Émile Ödön", "emile@example.com"),
        "emoji": ("Smile 🙂", "smile@example.com"),
    }
    return {key: add_user(name, email) for key, (name, email) in names.items()}


def search(listing, searchable, q):
    keys = {user.id: key for key, user in searchable.items()}
    items = listing(q=q, limit=100).get_json()["items"]
    return {keys[item["id"]] for item in items if item["id"] in keys}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("alice", {"alice"}),
        ("ALICE SM", {"alice"}),
        ("LICE@EXAMPLE.C", {"alice"}),
        ("EXAMPLE.ORG", {"underscore", "no_underscore"}),
        ('"Jr"', {"quote"}),
        ("o'neil", {"quote"}),
        ("100%", {"percent"}),
        ("t_l", {"underscore"}),
        ("émile", {"accented"}),
        ("ÉMILE ÖDÖN", {"accented"}),
        ("le 🙂", {"emoji"}),
        ("nobody-has-this", set()),
    ],
)
def test_list_users_with_long_query_matches_substring(listing, searchable, q, expected):
    assert search(listing, searchable, q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("IC", {"alice"}),
        ("sM", {"alice", "emoji"}),
        ('"', {"quote"}),
        ("'", {"quote"}),
        ("%", {"percent"}),
        ("_", {"underscore"}),
        ("🙂", {"emoji"}),
        ("ön", {"accented"}),
        ("zq", set()),
    ],
)
def test_list_users_with_short_query_matches_substring(listing, searchable, q, expected):
    assert search(listing, searchable, q) == expected


@pytest.mark.parametrize("q", ["é", "É", "ÉM", "öD"])
def test_list_users_with_short_unicode_query_ignores_case(listing, searchable, q):
    assert search(listing, searchable, q) == {"accented"}


@pytest.mark.parametrize(
    ("name", "q"),
    [
        ("ΟΔΟΣ Odos", "ΟΔΟΣ"),
        ("ΟΔΟΣ Odos", "οδοσ"),
        ("ΟΔΟΣ Odos", "ΟΣ"),
        ("İlker Kaya", "İlk"),
        ("İlker Kaya", "İl"),
        ("Straße Anna", "STRAß"),
    ],
)
def test_list_users_with_query_folds_both_sides_alike(listing, add_user, name, q):
    wanted = add_user(name)
    assert [item["id"] for item in listing(q=q).get_json()["items"]] == [wanted.id]


def test_list_users_with_query_and_role_applies_both(listing, add_user):
    add_user("Findme Admin", role="admin")
    wanted = add_user("Findme User")
    items = listing(q="findme", role="user").get_json()["items"]
    assert [item["id"] for item in items] == [wanted.id]


def test_list_users_after_rename_searches_new_name(app, listing, add_user):
    renamed = add_user("Oldname")
    with app.app_context():
        conn = get_db()
        with transaction(conn):
            users_repo.update(conn, renamed.id, changes={"name": "Newname"}, now=EPOCH)
    assert [item["id"] for item in listing(q="newname").get_json()["items"]] == [renamed.id]
    assert listing(q="oldname").get_json()["items"] == []


def test_list_users_after_delete_does_not_find_user(listing, add_user, delete_user):
    gone = add_user("Vanishing")
    delete_user(gone.id)
    assert listing(q="vanish").get_json()["items"] == []


@pytest.mark.parametrize("q", ["", "   ", "a\x00b", "x" * 255])
def test_list_users_with_bad_query_is_unprocessable(listing, q):
    assert "q" in assert_problem(listing(q=q), 422, "validation_error")["errors"]


@pytest.fixture
def tied_users(add_user):
    """Eleven users with repeated names and creation times (ties broken by id)."""
    return [
        add_user(
            ["Same", "Other", "Same", "Zed"][n % 4], created_at=EPOCH + timedelta(seconds=n % 3)
        )
        for n in range(11)
    ]


@pytest.mark.parametrize("sort", SORTS)
def test_list_users_paged_walks_every_row_once(listing, walk, tied_users, sort):
    everything = [item["id"] for item in listing(sort=sort, limit=100).get_json()["items"]]
    assert walk(sort=sort, limit=2) == everything
    assert len(everything) == len(tied_users) + 1


def test_list_users_paged_with_filter_walks_matching_rows(walk, tied_users):
    expected = [user.id for user in tied_users if user.name == "Same"]
    assert walk(q="same", limit=2) == expected


def test_list_users_on_last_page_has_null_cursor(listing, add_user):
    add_user()
    first = listing(limit=1).get_json()
    last = listing(limit=1, cursor=first["next_cursor"]).get_json()
    assert len(last["items"]) == 1
    assert last["next_cursor"] is None


@pytest.mark.parametrize("sort", SORTS)
def test_list_users_changed_between_pages_skips_and_repeats_nothing(
    listing, walk, add_user, delete_user, tied_users, sort
):
    before = [item["id"] for item in listing(sort=sort, limit=100).get_json()["items"]]
    first = listing(sort=sort, limit=4).get_json()
    seen = [item["id"] for item in first["items"]]
    doomed = {seen[-1], before[7]}
    for user_id in doomed:
        delete_user(user_id)
    for name in ("Aaa", "Same", "Zzz"):
        add_user(name, created_at=EPOCH + timedelta(seconds=1))
    seen += walk(sort=sort, limit=4, cursor=first["next_cursor"])
    assert len(seen) == len(set(seen))
    survivors = [user_id for user_id in before if user_id not in doomed]
    assert [user_id for user_id in seen if user_id in survivors] == survivors
    assert before[7] not in seen


def test_list_users_after_seen_rows_deleted_resumes_after_cursor(listing, add_user, delete_user):
    users = [add_user() for _ in range(6)]
    first = listing(limit=3).get_json()
    for user in users[:3]:
        delete_user(user.id)
    rest = listing(limit=3, cursor=first["next_cursor"]).get_json()
    assert [item["id"] for item in rest["items"]] == [user.id for user in users[3:6]]


@pytest.mark.parametrize("cursor", ["garbage", "a.b", "!!!", "é", "e30", "e30.x", "0" * 500])
def test_list_users_with_garbage_cursor_is_bad_request(listing, cursor):
    assert_problem(listing(cursor=cursor), 400, "invalid_cursor")


def flip(text, index):
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize("index", [0, 5, -5])
def test_list_users_with_tampered_cursor_is_bad_request(listing, add_user, index):
    add_user()
    cursor = listing(limit=1).get_json()["next_cursor"]
    assert_problem(listing(limit=1, cursor=flip(cursor, index)), 400, "invalid_cursor")


@pytest.mark.parametrize(
    ("issued_for", "used_with"),
    [
        ("name", "email"),
        ("name", "-name"),
        ("id", "created_at"),
        ("-id", "id"),
    ],
)
def test_list_users_with_cursor_of_other_sort_is_bad_request(
    listing, add_user, issued_for, used_with
):
    add_user()
    cursor = listing(sort=issued_for, limit=1).get_json()["next_cursor"]
    assert_problem(listing(sort=used_with, cursor=cursor), 400, "invalid_cursor")


def test_list_users_with_cursor_of_other_key_is_bad_request(listing):
    cursor = cursors.encode("another-secret-key", sort="id", value=1, last_id=1)
    assert_problem(listing(cursor=cursor), 400, "invalid_cursor")
