"""GET /Users, POST /Users/.search and POST /.search: filters, paging, attributes."""

import pytest

from tests.scim.helpers import assert_scim, assert_scim_error, new_user

SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PEOPLE = [
    ("alice", "Alice Smith", "alice@example.com", True, "ext-A"),
    ("Bob", "Bob Jones", "bob@corp.example", False, "ext-b"),
    ("carol", "Carol Smith", "carol@example.com", True, None),
]


@pytest.fixture
def people(scim):
    ids = {}
    for user_name, name, email, active, external_id in PEOPLE:
        payload = new_user(
            userName=user_name, displayName=name, emails=[{"value": email}], active=active
        )
        if external_id:
            payload["externalId"] = external_id
        ids[user_name] = assert_scim(scim.post("/Users", json=payload), 201)["id"]
    return ids


def names(scim, filter_text):
    body = assert_scim(scim.get("/Users", query_string={"filter": filter_text}))
    return sorted(resource["userName"] for resource in body["Resources"])


FILTERS = [
    ('userName eq "ALICE"', ["alice"]),
    ('USERNAME Eq "bob"', ["Bob"]),
    ('userName ne "alice"', ["Bob", "admin@example.com", "carol"]),
    ('userName co "LIC"', ["alice"]),
    ('userName sw "b"', ["Bob"]),
    ('userName ew "OL"', ["carol"]),
    ('userName gt "bob"', ["carol"]),
    ('userName le "bob"', ["Bob", "admin@example.com", "alice"]),
    ('emails.value eq "BOB@corp.example"', ["Bob"]),
    ('emails co "corp"', ["Bob"]),
    ('emails[value ew "example.com" and type eq "work"]', ["admin@example.com", "alice", "carol"]),
    ('displayName sw "carol s"', ["carol"]),
    ('externalId eq "ext-A"', ["alice"]),
    ('externalId eq "ext-a"', []),
    ('externalId sw "ext-B"', []),
    ('externalId co "xt-b"', ["Bob"]),
    ('externalId ew "-b"', ["Bob"]),
    ("externalId pr", ["Bob", "alice"]),
    ('not (externalId eq "ext-A")', ["Bob", "admin@example.com", "carol"]),
    ("active eq false", ["Bob"]),
    ('active eq true and (userName eq "alice" or userName eq "carol")', ["alice", "carol"]),
    ('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "carol"', ["carol"]),
    ('meta.created gt "2000-01-01T00:00:00Z" and userName eq "bob"', ["Bob"]),
    ('meta.lastModified lt "2000-01-01T00:00:00Z"', []),
    ('userName eq "x\' OR 1=1 --"', []),
]


def test_filter_matches(scim, people):
    """Every filter of FILTERS on one set of users (one setup: the cases share it)."""
    wrong = {
        text: (names(scim, text), expected)
        for text, expected in FILTERS
        if names(scim, text) != expected
    }
    assert not wrong


def test_filter_user_name_finds_a_user_by_email_until_it_has_one(scim, user):
    assert names(scim, 'userName eq "REGULAR@example.com"') == ["regular@example.com"]


def test_filter_meta_created_eq_matches_the_second_it_shows(scim, people):
    created = scim.get(f"/Users/{people['alice']}").get_json()["meta"]["created"]
    assert "alice" in names(scim, f'meta.created eq "{created}"')


INVALID_FILTERS = [
    'title eq "boss"',
    'password eq "x"',
    "userName eq 1",
    "active gt true",
    'meta.created co "2020"',
    'meta.created eq "yesterday"',
    "userName eq",
    'userName xx "a"',
    '(userName eq "a"',
    'urn:other:schema:userName eq "a"',
    'name.givenName eq "a"',
    "(" * 50 + 'userName eq "a"' + ")" * 50,
    "(" * 20000 + 'userName eq "a"' + ")" * 20000,
    " or ".join(['userName eq "a"'] * 1000),
    'userName eq "' + "a" * 5000 + '"',
]


def test_filter_that_cannot_be_answered_is_invalid_filter(scim):
    for filter_text in INVALID_FILTERS:
        response = scim.post(
            "/Users/.search", json={"schemas": [SEARCH_SCHEMA], "filter": filter_text}
        )
        assert_scim_error(response, 400, "invalidFilter")


def test_list_pages_with_start_index_and_count(scim, people):
    body = assert_scim(scim.get("/Users", query_string={"startIndex": 2, "count": 2}))
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (4, 2, 2)
    assert [r["userName"] for r in body["Resources"]] == ["alice", "Bob"]
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]


@pytest.mark.parametrize(
    ("query", "start", "items"),
    [
        ({"startIndex": 0}, 1, 4),
        ({"startIndex": -5}, 1, 4),
        ({"count": 0}, 1, 0),
        ({"count": -1}, 1, 0),
        ({"count": 1000}, 1, 4),
        ({"startIndex": 9}, 9, 0),
    ],
)
def test_list_clamps_paging(scim, people, query, start, items):
    body = assert_scim(scim.get("/Users", query_string=query))
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (4, start, items)
    assert len(body["Resources"]) == items


def test_list_with_a_non_integer_count_is_invalid_value(scim):
    assert_scim_error(scim.get("/Users?count=ten"), 400, "invalidValue")


def test_attributes_keeps_only_those_and_always_id(scim, people):
    body = assert_scim(
        scim.get(
            "/Users",
            query_string={
                "filter": 'userName eq "alice"',
                "attributes": "userName,emails.value,meta.created",
            },
        )
    )
    resource = body["Resources"][0]
    assert set(resource) == {"schemas", "id", "userName", "emails", "meta"}
    assert resource["emails"] == [{"value": "alice@example.com"}]
    assert set(resource["meta"]) == {"created"}


def test_excluded_attributes_drops_those_but_never_id(scim, people):
    resource = assert_scim(
        scim.get(
            f"/Users/{people['alice']}",
            query_string={"excludedAttributes": "emails,id,name.formatted,meta"},
        )
    )
    assert "emails" not in resource and "meta" not in resource
    assert resource["id"] == people["alice"] and "name" not in resource


@pytest.mark.parametrize("path", ["/Users/.search", "/.search"])
def test_search_with_post_reads_a_search_request(scim, people, path):
    body = assert_scim(
        scim.post(
            path,
            json={
                "schemas": [SEARCH_SCHEMA],
                "filter": 'displayName co "smith"',
                "startIndex": 1,
                "count": 1,
                "attributes": ["userName"],
            },
        )
    )
    assert body["totalResults"] == 2
    assert body["Resources"] == [
        {"schemas": [new_user()["schemas"][0]], "id": people["alice"], "userName": "alice"}
    ]
