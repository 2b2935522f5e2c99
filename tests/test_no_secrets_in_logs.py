"""The canary: no password, hash, token or Authorization header reaches any log line,
at any level, in either format (contract: "No response, log line ... contains")."""

import email
import logging
import re
from email import policy

import pytest

from tests.databases import query
from tests.helpers import token_in
from tests.mfa_helpers import code_for_step, enrol_passkey, start_login
from tests.observability import CapturedLog, mails

EMAIL = "canary.bird@example.com"
CANARIES = [
    "canary-one-Pw-8d1f2a77c4",
    "canary-two-Pw-3b9e4c21d7",
    "canary-three-Pw-6a0d5f93e1",
    "canary-wrong-Pw-0c7b2e5a48",
]
MAIL_START, MAIL_END = "----- mail -----\n", "\n----- end of mail -----\n"


def debug_logs(**extra):
    return [
        pytest.param({"LOG_LEVEL": "DEBUG", "LOG_FORMAT": name, **extra}, id=name)
        for name in ("json", "text")
    ]


@pytest.fixture
def logs(app):
    return CapturedLog()


def stored_hash(app):
    rows = query(
        app.config["DATABASE_URL"],
        "SELECT password_hash FROM users WHERE email = :email",
        {"email": EMAIL},
    )
    return rows[0][0]


def call(client, method, path, status, body=None, token=None, headers=None):
    headers = {"Authorization": f"Bearer {token}"} if token else (headers or {})
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


TOKEN_SUBJECTS = ("Confirm your email address", "Reset your password")


def run_account_flow(client, app, read_mail):
    """Register, log in, refresh, change, reset, verify, fail to authenticate, log out.

    `read_mail(subject)` returns the newest mail with that subject. Returns every secret met.
    """
    one, two, three, wrong = CANARIES
    call(client, "POST", "/users", 201, {"name": "Canary Bird", "email": EMAIL, "password": one})
    hashes = [stored_hash(app)]
    call(client, "POST", "/login", 401, {"email": EMAIL, "password": wrong})
    first = call(client, "POST", "/login", 200, {"email": EMAIL, "password": one})
    second = call(client, "POST", "/token/refresh", 200, {"refresh_token": first["refresh_token"]})
    change = {"password": two, "current_password": one}
    call(client, "PATCH", "/users/me", 200, change, token=second["access_token"])
    hashes.append(stored_hash(app))
    call(client, "POST", "/password/forgot", 202, {"email": EMAIL})
    reset = token_in(read_mail("Reset your password"))
    call(client, "POST", "/password/reset", 204, {"token": reset, "password": three})
    hashes.append(stored_hash(app))
    verification = token_in(read_mail("Confirm your email address"))
    call(client, "POST", "/email/verify", 204, {"token": verification})
    for bad in (
        f"Bearer {second['access_token']}",
        f"Token {first['access_token']}",
        f"Bearer {first['refresh_token']}",
        f"Bearer {reset} {verification}",
    ):
        call(client, "GET", "/users/me", 401, headers={"Authorization": bad})
    third = call(client, "POST", "/login", 200, {"email": EMAIL, "password": three})
    call(client, "POST", "/logout", 204, token=third["access_token"])
    pairs = [first, second, third]
    access = [pair["access_token"] for pair in pairs]
    return [
        *CANARIES,
        *hashes,
        *access,
        *(f"Bearer {t}" for t in access),
        *(t.rsplit(".", 1)[1] for t in access),
        *(pair["refresh_token"] for pair in pairs),
        reset,
        verification,
    ]


def assert_no_secret_in(log, secrets):
    assert len(set(secrets)) == len(secrets) == 21 and all(len(s) >= 20 for s in secrets)
    assert [secret for secret in secrets if secret in log.text] == []
    assert "werkzeug" not in log.text  # the dev server's lines are tested in test_logs.py
    for event in (
        "user.registered",
        "login.failed",
        "password.changed",
        "password.reset",
        "email.verified",
        "logout",
    ):
        assert event in log.text


@pytest.mark.parametrize("settings", debug_logs(), indirect=True)
def test_account_flow_logs_no_secret(app, client, logs, mail_dir):
    def read_mail(subject):
        assert app.extensions["mail_outbox"].join()
        return mails(mail_dir, subject)[-1]

    secrets = run_account_flow(client, app, read_mail)
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG
    assert_no_secret_in(logs, secrets)


def console_mails(app, capsys, seen):
    """The mails printed on standard output so far (collected into `seen`)."""
    assert app.extensions["mail_outbox"].join()
    seen.append(capsys.readouterr().out)
    printed = "".join(seen).split(MAIL_START)[1:]
    return [
        email.message_from_string(text.split(MAIL_END)[0], policy=policy.default)
        for text in printed
    ]


@pytest.mark.parametrize("settings", debug_logs(MAIL_URL="console://"), indirect=True)
def test_console_mail_flow_prints_tokens_on_stdout_not_in_logs(app, client, logs, capsys):
    seen = []

    def read_mail(subject):
        return [m for m in console_mails(app, capsys, seen) if m["Subject"] == subject][-1]

    secrets = run_account_flow(client, app, read_mail)
    assert_no_secret_in(logs, secrets)
    # The two token mails, and the security notices of the password change and reset.
    assert logs.text.count("(printed on stdout)") == 4
    printed = console_mails(app, capsys, seen)
    with_tokens = [mail for mail in printed if mail["Subject"] in TOKEN_SUBJECTS]
    assert [token_in(mail) for mail in with_tokens] == [secrets[-1], secrets[-2]]
    notices = [mail for mail in printed if mail["Subject"] not in TOKEN_SUBJECTS]
    assert [mail["Subject"] for mail in notices] == [
        "Your password was changed",
        "Your password was reset",
    ]
    assert [
        secret for secret in secrets if any(secret in mail.as_string() for mail in notices)
    ] == []


def run_mfa_flow(client, headers, password):
    """Enrol TOTP and a passkey, log in with each factor, reauthenticate; return the secrets."""
    started = call(client, "POST", "/users/me/mfa/totp", 201, headers=headers)
    secret = started["secret"]
    call(client, "POST", "/users/me/mfa/totp/confirm", 422, {"code": "999999x"}, headers=headers)
    codes = [code_for_step(secret, -1), code_for_step(secret)]
    confirmed = call(
        client, "POST", "/users/me/mfa/totp/confirm", 200, {"code": codes[0]}, headers=headers
    )
    recovery = confirmed["recovery_codes"]
    tokens = [start_login(client, EMAIL, password) for _ in range(3)]
    call(client, "POST", "/login/mfa", 401, {"mfa_token": tokens[0], "code": "wrong-code-0000"})
    call(client, "POST", "/login/mfa", 200, {"mfa_token": tokens[0], "code": recovery[0]})
    call(client, "POST", "/login/mfa", 200, {"mfa_token": tokens[1], "code": codes[1]})
    authenticator, _ = enrol_passkey(client, headers)
    options = call(client, "POST", "/passkeys/login-options", 200, {"mfa_token": tokens[2]})
    assertion = authenticator.get(options["publicKey"])
    call(client, "POST", "/login/mfa", 200, {"mfa_token": tokens[2], "passkey": assertion})
    call(client, "POST", "/reauth", 401, {"code": recovery[0]}, headers=headers)
    call(client, "POST", "/reauth", 204, {"code": recovery[1]}, headers=headers)
    challenges = [options["publicKey"]["challenge"]]
    return {
        "text": [
            secret,
            started["otpauth_uri"],
            *recovery[:2],
            *tokens,
            *challenges,
            assertion["response"]["signature"],
            assertion["response"]["clientDataJSON"],
        ],
        "codes": codes,
    }


@pytest.mark.parametrize("settings", debug_logs(), indirect=True)
def test_mfa_flow_logs_no_secret(app, client, logs):
    call(
        client,
        "POST",
        "/users",
        201,
        {"name": "Canary Bird", "email": EMAIL, "password": CANARIES[0]},
    )
    pair = call(client, "POST", "/login", 200, {"email": EMAIL, "password": CANARIES[0]})
    secrets = run_mfa_flow(client, {"Authorization": f"Bearer {pair['access_token']}"}, CANARIES[0])
    assert all(len(secret) >= 19 for secret in secrets["text"])
    assert [secret for secret in secrets["text"] if secret in logs.text] == []
    for code in secrets["codes"]:  # six digits: only where no longer number holds them
        assert not re.search(rf"(?<![\d.]){code}(?![\d.])", logs.text), code
    for event in (
        "mfa.enabled",
        "recovery_codes.generated",
        "mfa.failed",
        "recovery_code.used",
        "passkey.added",
        "reauth.failed",
        "reauth.succeeded",
    ):
        assert event in logs.text
