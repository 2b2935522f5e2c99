"""Second factors under `gunicorn -w 2`: ceremonies that cross workers, and code races."""

import pyotp
import pytest

from tests.faults.helpers import concurrently, outcomes
from tests.helpers import PASSWORD
from tests.mfa_helpers import code_for_step
from tests.servers import Gunicorn, flask_cli, service_env
from tests.soft_authenticator import SoftAuthenticator

pytestmark = pytest.mark.slow

EMAIL = "second.factor@example.com"
ORIGIN = "https://users.example"


@pytest.fixture
def server(tmp_path, database_url):
    env = service_env(
        tmp_path / "users.db",
        DATABASE_URL=database_url,
        RATE_LIMIT_AUTH="0",
        PUBLIC_URL=ORIGIN,
        LOGIN_MAX_FAILURES="50",
    )
    assert flask_cli(env, "db", "upgrade").returncode == 0
    with Gunicorn(env, workers=2, extra_args=("--threads", "2")) as running:
        yield running


def call(server, path, body=None, token=None, status=200):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer_status, _, answer = server.request("POST", path, body, headers)
    assert answer_status == status, answer
    return answer


def mfa_tokens(server, count):
    return [
        call(server, "/login", {"email": EMAIL, "password": PASSWORD})["mfa_token"]
        for _ in range(count)
    ]


def race(server, tokens, **factor):
    """POST /login/mfa with each mfa_token at once; return sorted (status, code) pairs."""
    return outcomes(
        concurrently(
            len(tokens),
            lambda i: server.request("POST", "/login/mfa", {"mfa_token": tokens[i], **factor}),
        )
    )


def test_second_factors_across_workers(server):
    call(
        server,
        "/users",
        {"name": "Second Factor", "email": EMAIL, "password": PASSWORD},
        status=201,
    )
    access = call(server, "/login", {"email": EMAIL, "password": PASSWORD})["access_token"]
    secret = call(server, "/users/me/mfa/totp", token=access, status=201)["secret"]
    totp = pyotp.TOTP(secret)
    confirmed = call(
        server, "/users/me/mfa/totp/confirm", {"code": code_for_step(secret, -1)}, token=access
    )
    recovery = confirmed["recovery_codes"]

    # One TOTP code, four logins racing with it: exactly one wins.
    assert race(server, mfa_tokens(server, 4), code=totp.now()) == (
        [(200, None)] + [(401, "invalid_credentials")] * 3
    )
    # One recovery code, likewise.
    assert race(server, mfa_tokens(server, 4), code=recovery[0]) == (
        [(200, None)] + [(401, "invalid_credentials")] * 3
    )
    # One mfa_token, two recovery codes racing: the token is spent once.
    token = mfa_tokens(server, 1)[0]
    answers = outcomes(
        concurrently(
            2,
            lambda i: server.request(
                "POST", "/login/mfa", {"mfa_token": token, "code": recovery[1 + i]}
            ),
        )
    )
    assert answers[0] == (200, None) and answers[1][0] == 401

    # Passkey ceremonies: each request may land on either worker.
    authenticator = SoftAuthenticator(origin=ORIGIN)
    options = call(server, "/users/me/passkeys/options", token=access)["publicKey"]
    call(
        server,
        "/users/me/passkeys",
        {"credential": authenticator.create(options)},
        token=access,
        status=201,
    )
    for _ in range(4):
        options = call(server, "/passkeys/login-options", {})["publicKey"]
        pair = call(server, "/login/passkey", {"credential": authenticator.get(options)})
        assert pair["token_type"] == "Bearer"
    # Two answers to one challenge at once: one login.
    options = call(server, "/passkeys/login-options", {})["publicKey"]
    assertions = [authenticator.get(options), authenticator.get(options)]
    assert outcomes(
        concurrently(
            2, lambda i: server.request("POST", "/login/passkey", {"credential": assertions[i]})
        )
    ) == [(200, None), (401, "invalid_credentials")]
