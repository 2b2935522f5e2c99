"""POST /login, and how access tokens are accepted or refused on every request."""

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import users as users_repo
from app.security import passwords
from app.services import authentication as auth_service
from app.services import login_sessions as sessions_service
from tests.helpers import PASSWORD, assert_problem

USER_FIELDS = {
    "id",
    "name",
    "email",
    "role",
    "is_active",
    "email_verified",
    "created_at",
    "updated_at",
}
CLAIMS = ("sub", "role", "sid", "iat", "exp", "jti", "iss", "aud")
OTHER_KEY = "x" * 64


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def stored_hash(app, user_id):
    with app.app_context():
        return users_repo.get_by_id(get_db(), user_id).password_hash


def change_user(app, user_id, **changes):
    with app.app_context():
        conn = get_db()
        with transaction(conn):
            users_repo.update(conn, user_id, changes=changes, now=utcnow())


@pytest.fixture
def log_in(client):
    def post(email="regular@example.com", password=PASSWORD, **extra):
        return client.post("/login", json={"email": email, "password": password, **extra})

    return post


# --- POST /login -------------------------------------------------------------------


def test_login_with_right_password_returns_token_pair(log_in, user):
    response = log_in()
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["user"]["id"] == user.id
    assert set(body["user"]) == USER_FIELDS


def test_login_with_right_password_returns_opaque_refresh_token(log_in, user):
    refresh_token = log_in().get_json()["refresh_token"]
    assert len(refresh_token) >= 43
    assert refresh_token.count(".") != 2


def test_login_response_is_not_cached(log_in, user):
    assert log_in().headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("email", ["REGULAR@example.com", "Regular@Example.COM"])
def test_login_with_email_in_other_case_succeeds(log_in, user, email):
    assert log_in(email=email).status_code == 200


def test_login_with_non_ascii_email_in_other_case_succeeds(log_in, make_user):
    make_user(name="Émile", email="émile@example.com")
    assert log_in(email="ÉMILE@example.com").status_code == 200


def test_login_with_wrong_password_is_invalid_credentials(log_in, user):
    assert_problem(log_in(password=PASSWORD + "!"), 401, "invalid_credentials")


def test_login_with_password_in_other_case_is_invalid_credentials(log_in, user):
    assert_problem(log_in(password=PASSWORD.upper()), 401, "invalid_credentials")


def test_login_with_unknown_email_matches_wrong_password(log_in, user):
    wrong_password = log_in(password=PASSWORD + "!")
    unknown_email = log_in(email="nobody@example.com")
    bodies = [
        assert_problem(r, 401, "invalid_credentials") for r in (wrong_password, unknown_email)
    ]
    for body in bodies:
        del body["request_id"]
    assert bodies[0] == bodies[1]
    assert wrong_password.headers.get("WWW-Authenticate") == unknown_email.headers.get(
        "WWW-Authenticate"
    )


def test_login_with_unknown_email_checks_a_dummy_password(app, log_in, monkeypatch):
    calls = []

    def spy(password, method):
        calls.append((password, method))
        return passwords.verify_dummy(password, method)

    monkeypatch.setattr(auth_service, "verify_dummy", spy)
    assert_problem(log_in(email="nobody@example.com"), 401, "invalid_credentials")
    assert calls == [(PASSWORD, app.config["PASSWORD_HASH_METHOD"])]


def test_login_inactive_with_right_password_is_account_disabled(log_in, make_user):
    make_user(email="off@example.com", is_active=False)
    assert_problem(log_in(email="off@example.com"), 403, "account_disabled")


def test_login_inactive_with_wrong_password_is_invalid_credentials(log_in, make_user):
    make_user(email="off@example.com", is_active=False)
    assert_problem(log_in(email="off@example.com", password="wrong"), 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": "regular@example.com"}, "password"),
        ({"email": 5, "password": PASSWORD}, "email"),
        ({"email": ["regular@example.com"], "password": PASSWORD}, "email"),
        ({"email": "", "password": PASSWORD}, "email"),
        ({"email": "regular@example.com", "password": None}, "password"),
        ({"email": "regular@example.com", "password": ""}, "password"),
        ({"email": "regular@example.com", "password": "x" * 129}, "password"),
        ({"email": "regular@example.com\x00", "password": PASSWORD}, "email"),
        ({"email": "regular@example.com", "password": PASSWORD, "remember": True}, "remember"),
    ],
)
def test_login_with_invalid_body_is_unprocessable(client, user, body, field):
    problem = assert_problem(client.post("/login", json=body), 422, "validation_error")
    assert field in problem["errors"]


def test_login_with_old_hash_method_rehashes_password(app, log_in, user):
    change_user(app, user.id, password_hash=passwords.hash_password(PASSWORD, "pbkdf2:sha256:1000"))
    assert log_in().status_code == 200
    assert stored_hash(app, user.id).startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert log_in().status_code == 200


def test_login_after_method_change_rehashes_password(app, log_in, user):
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    assert log_in().status_code == 200
    assert stored_hash(app, user.id).startswith("pbkdf2:sha256:1000$")
    assert log_in().status_code == 200


def test_login_with_current_hash_method_keeps_hash(app, log_in, user):
    before = stored_hash(app, user.id)
    assert log_in().status_code == 200
    assert stored_hash(app, user.id) == before


def test_login_failed_with_old_hash_method_keeps_hash(app, log_in, user):
    old = passwords.hash_password(PASSWORD, "pbkdf2:sha256:1000")
    change_user(app, user.id, password_hash=old)
    assert_problem(log_in(password="wrong password"), 401, "invalid_credentials")
    assert stored_hash(app, user.id) == old


# --- access tokens -------------------------------------------------------------------


@pytest.fixture
def token(log_in, user):
    return log_in().get_json()["access_token"]


@pytest.fixture
def forge(app, token):
    """Re-sign the claims of a live token with changes (the app's key unless told)."""
    with app.app_context():
        app_key = sessions_service.token_settings().key

    def sign(key=app_key, algorithm="HS256", drop=(), **changes):
        claims = {**claims_of(token), **changes}
        for claim in drop:
            del claims[claim]
        return jwt.encode(claims, key, algorithm=algorithm)

    return sign


def me(client, token):
    return client.get("/users/me", headers=bearer(token))


def assert_invalid_token(response):
    assert_problem(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_access_token_is_hs256_jwt(token):
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_access_token_has_contract_claims(app, token, user):
    claims = claims_of(token)
    assert set(CLAIMS) <= set(claims)
    assert claims["sub"] == str(user.id)
    assert claims["role"] == "user"
    assert claims["iss"] == app.config["JWT_ISSUER"]
    assert claims["aud"] == app.config["JWT_AUDIENCE"]
    assert claims["exp"] - claims["iat"] == 900
    assert abs(claims["iat"] - time.time()) < 60


def test_access_token_opens_own_account(client, token, user):
    response = me(client, token)
    assert response.status_code == 200
    assert response.get_json()["id"] == user.id


def test_access_token_with_lower_case_scheme_is_accepted(client, token):
    assert client.get("/users/me", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_access_token_re_signed_unchanged_is_accepted(client, forge):
    assert me(client, forge()).status_code == 200


def test_login_twice_in_same_second_gives_distinct_working_tokens(
    client, log_in, user, monkeypatch
):
    frozen = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr(auth_service, "utcnow", lambda: frozen)
    first, second = (log_in().get_json()["access_token"] for _ in range(2))
    assert first != second
    assert claims_of(first)["iat"] == claims_of(second)["iat"]
    assert claims_of(first)["jti"] != claims_of(second)["jti"]
    assert claims_of(first)["sid"] != claims_of(second)["sid"]
    assert me(client, first).status_code == me(client, second).status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"key": OTHER_KEY},
        {"algorithm": "HS384"},
        {"algorithm": "HS512"},
        {"iss": "someone-else"},
        {"aud": "another-api"},
        {"aud": ["another-api"]},
        {"exp": int(time.time()) - 1000, "iat": int(time.time()) - 2000},
        {"iat": int(time.time()) + 3600},
        {"sub": "not-a-number"},
        {"sid": "not-a-session"},
    ],
    ids=[
        "signature",
        "hs384",
        "hs512",
        "iss",
        "aud",
        "aud-list",
        "expired",
        "future",
        "sub",
        "sid",
    ],
)
def test_access_token_forged_is_invalid_token(client, forge, changes):
    assert_invalid_token(me(client, forge(**changes)))


@pytest.mark.parametrize("claim", CLAIMS)
def test_access_token_without_claim_is_invalid_token(client, forge, claim):
    assert_invalid_token(me(client, forge(drop=[claim])))


def test_access_token_with_alg_none_is_invalid_token(client, token):
    unsigned = jwt.encode(claims_of(token), None, algorithm="none")
    assert_invalid_token(me(client, unsigned))


def test_access_token_with_other_users_sub_is_invalid_token(client, forge, make_user):
    other = make_user()
    assert_invalid_token(me(client, forge(sub=str(other.id))))


@pytest.fixture
def token_issued_ago(log_in, user, monkeypatch):
    """Log in as if `seconds` ago (the default lifetime is 900 s)."""

    def issue(seconds):
        issued = datetime.now(UTC) - timedelta(seconds=seconds)
        monkeypatch.setattr(auth_service, "utcnow", lambda: issued)
        return log_in().get_json()["access_token"]

    return issue


def test_access_token_older_than_ttl_is_invalid_token(client, token_issued_ago):
    assert_invalid_token(me(client, token_issued_ago(901)))


def test_access_token_younger_than_ttl_is_accepted(client, token_issued_ago):
    assert me(client, token_issued_ago(850)).status_code == 200


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "x" * 2000])
def test_access_token_garbage_is_invalid_token(client, garbage):
    assert_invalid_token(me(client, garbage))


def test_access_token_of_deleted_user_is_invalid_token(app, client, token, user):
    with app.app_context():
        conn = get_db()
        with transaction(conn):
            users_repo.delete(conn, user.id)
    assert_invalid_token(me(client, token))


def test_access_token_of_deactivated_user_is_invalid_token(app, client, token, user):
    change_user(app, user.id, is_active=False)
    assert_invalid_token(me(client, token))


@pytest.mark.parametrize(
    "header", ["Basic x", "Bearer", "Bearer ", "Bearer a b", "Token abc", "", "Bearer\tabc"]
)
def test_request_with_malformed_authorization_is_unauthorized(client, header):
    response = client.get("/users/me", headers={"Authorization": header})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("param", ["access_token", "token", "Authorization"])
def test_request_with_token_in_query_string_is_unauthorized(client, token, param):
    response = client.get("/users/me", query_string={param: token})
    assert_problem(response, 401, "unauthorized")


class TestShortTokenLifetime:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "ACCESS_TOKEN_TTL": 60}

    def test_login_reports_configured_lifetime(self, log_in, user):
        assert log_in().get_json()["expires_in"] == 60

    def test_access_token_lives_configured_lifetime(self, token):
        claims = claims_of(token)
        assert claims["exp"] - claims["iat"] == 60
