"""Races against gunicorn on a real database (a file, and PostgreSQL): one winner, clean
losers, never a 5xx."""

import itertools
import random

import pytest

from tests.databases import ENGINES, fresh_database
from tests.faults.helpers import (
    concurrently,
    create_admin,
    login,
    make_env,
    outcomes,
    query,
    register,
    serve,
)
from tests.helpers import PASSWORD

pytestmark = pytest.mark.slow

ROOT = "root@example.com"
# (workers, threads): separate processes only, and processes with threads of their own.
MODES = {"sync-w3": (3, 1), "gthread-w2x4": (2, 4)}
EMAIL = "Bob.Ångström@Example.COM"


@pytest.fixture(scope="module", params=list(itertools.product(MODES, ENGINES)), ids="-".join)
def service(request, tmp_path_factory):
    """A server with one admin, shared by the races below (each uses its own users)."""
    mode, engine = request.param
    tmp_path = tmp_path_factory.mktemp(mode)
    with fresh_database(engine, tmp_path) as database_url:
        env = make_env(tmp_path, DATABASE_URL=database_url)
        create_admin(env, ROOT)
        with serve(env, tmp_path / "gunicorn.log", *MODES[mode]) as server:
            yield server


@pytest.fixture(scope="module")
def root(service):
    return login(service, ROOT)[0]


def case_variant(index):
    """EMAIL spelled with its letters in a case of their own (index 0 and 1: all lower/upper)."""
    if index < 2:
        return (EMAIL.lower(), EMAIL.upper())[index]
    rng = random.Random(index)
    return "".join(char.upper() if rng.random() < 0.5 else char.lower() for char in EMAIL)


def count_email(server, email):
    rows = query(
        server.env, "SELECT count(*) FROM users WHERE lower(email) = :email", email=email.lower()
    )
    return rows[0][0]


def test_parallel_registrations_of_one_email_give_one_account(service):
    answers = concurrently(
        50,
        lambda i: service.request(
            "POST", "/users", {"name": f"Racer {i}", "email": case_variant(i), "password": PASSWORD}
        ),
    )
    assert outcomes(answers) == [(201, None)] + [(409, "email_taken")] * 49
    assert [body["email"] for status, _, body in answers if status == 201] == [EMAIL.lower()]
    assert count_email(service, EMAIL) == 1


def test_two_users_taking_one_new_email_give_one_success(service):
    headers = [
        login(service, register(service, f"switch{n}@example.com")["email"])[0] for n in range(2)
    ]
    for attempt in range(3):
        target = f"Taken.{attempt}@Example.com"
        spellings = (target.upper(), target.lower())
        answers = concurrently(
            2,
            lambda i, spellings=spellings: service.request(
                "PATCH",
                "/users/me",
                {"email": spellings[i], "current_password": PASSWORD},
                headers=headers[i],
            ),
        )
        assert outcomes(answers) == [(200, None), (409, "email_taken")]
        assert count_email(service, target) == 1


def test_parallel_deletes_of_one_user_give_one_204(service, root):
    victim = register(service, "victim@example.com")
    refs = (str(victim["id"]), "VICTIM@example.com")
    answers = concurrently(
        10, lambda i: service.request("DELETE", f"/users/{refs[i % 2]}", headers=root)
    )
    assert outcomes(answers) == [(204, None)] + [(404, "not_found")] * 9
    assert query(service.env, "SELECT count(*) FROM users WHERE id = :id", id=victim["id"]) == [
        (0,)
    ]


def test_parallel_refreshes_of_one_token_give_at_most_one_200(service):
    register(service, "refresher@example.com")
    _, pair = login(service, "refresher@example.com")
    answers = concurrently(
        20,
        lambda i: service.request(
            "POST", "/token/refresh", {"refresh_token": pair["refresh_token"]}
        ),
    )
    results = outcomes(answers)
    successes = results.count((200, None))
    assert successes <= 1
    assert results.count((401, "invalid_token")) == 20 - successes


ADMINS = ("first.admin@example.com", "second.admin@example.com")
# What each admin sends ("{other}": the other admin's id), and what the loser may get:
# 409 when both requests are past authentication before either commits; 401 when the
# winner's change (which ends the loser's sessions) lands before the loser authenticates.
DEMOTIONS = {
    "demote-each-other": (
        (("PATCH", "{other}", {"role": "user"}),) * 2,
        {(409, "last_admin"), (401, "invalid_token")},
    ),
    "demote-themselves": ((("PATCH", "me", {"role": "user"}),) * 2, {(409, "last_admin")}),
    "deactivate-and-delete": (
        (("PATCH", "{other}", {"is_active": False}), ("DELETE", "{other}", None)),
        {(409, "last_admin"), (401, "invalid_token")},
    ),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(DEMOTIONS))
def test_parallel_demotions_of_the_last_two_admins_keep_one(tmp_path, case, engine):
    requests, losers = DEMOTIONS[case]
    with fresh_database(engine, tmp_path) as database_url:
        env = make_env(tmp_path, DATABASE_URL=database_url)
        demote_in_parallel(env, tmp_path / "gunicorn.log", requests, losers)


def demote_in_parallel(env, log_path, requests, losers):
    for email in ADMINS:
        create_admin(env, email)
    ids = [
        query(env, "SELECT id FROM users WHERE email = :email", email=email)[0][0]
        for email in ADMINS
    ]
    with serve(env, log_path) as server:
        headers = [login(server, email)[0] for email in ADMINS]
        answers = concurrently(
            2,
            lambda i: server.request(
                requests[i][0],
                "/users/" + requests[i][1].format(other=ids[1 - i]),
                requests[i][2],
                headers=headers[i],
            ),
        )
    winner, loser = outcomes(answers)
    assert winner[0] in (200, 204) and loser in losers
    active_admins = "SELECT count(*) FROM users WHERE role = 'admin' AND is_active"
    assert query(env, active_admins) == [(1,)]
