"""Schemathesis against a running gunicorn -w 2: every operation, every check, bounded in time,
on each database engine.

The run logs in as an admin created with the operator's CLI and logs in again whenever
the token stops working (a fuzzed `POST /logout` ends its session). Its settings,
schemathesis.toml next to this file, say which rejections of schema-valid data the
contract requires for rules the OpenAPI document cannot carry.
"""

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import ENGINES, fresh_database
from tests.faults.helpers import create_admin, make_env, serve
from tests.helpers import PASSWORD
from tests.servers import BIN

pytestmark = pytest.mark.slow

ADMIN = "fuzz-admin@example.com"
FUZZ_SECONDS = 60
MAX_EXAMPLES = 50  # per operation and phase; production hashing keeps every login slow
# Text is drawn from the 145,000 printable code points, and valid data reaches password
# hashing: a run makes 450 to 900 cases on two cores (it made 2,700 when most were 422s).
MIN_CASES = 300
SERVER_ERRORS = {"ServerError", "ContentTypeServerError"}
CONFIG = Path(__file__).with_name("schemathesis.toml")


@dataclass
class Fuzzed:
    report: dict
    output: str

    def findings(self):
        """The failures and errors sections of schemathesis' own report, for messages."""
        start = re.search(r"^=+ (ERRORS|FAILURES) =+$", self.output, re.MULTILINE)
        return self.output[start.start() :] if start else self.output[-5000:]


@pytest.fixture(scope="module", params=ENGINES)
def fuzzed(request, tmp_path_factory):
    """One schemathesis run against a production server on each engine; its JSON report
    and output."""
    tmp = tmp_path_factory.mktemp("fuzz")
    with fresh_database(request.param, tmp) as database_url:
        # Its admin must stay able to log in: the wrong passwords the fuzzer sends to
        # POST /reauth count as failed logins of that account.
        env = make_env(tmp, DATABASE_URL=database_url, LOGIN_MAX_FAILURES="1000000")
        return run_schemathesis(env, tmp)


def run_schemathesis(env, tmp):
    create_admin(env, ADMIN)
    st_env = {**os.environ, "FUZZ_ADMIN_EMAIL": ADMIN, "FUZZ_ADMIN_PASSWORD": PASSWORD}
    with serve(env, tmp / "server.log") as server:
        result = subprocess.run(
            [
                str(BIN / "st"),
                "--no-color",
                "--config-file",
                str(CONFIG),
                "run",
                f"http://127.0.0.1:{server.port}/openapi.json",
                "--checks",
                "all",
                # /users/me/passkeys and /users/me/api-keys are their own POST routes and
                # the {ref} = me instances of GET /users/{ref}/...: their Allow rightly
                # lists GET, which the document puts on the {ref} path (schemathesis.toml
                # cannot turn this check off for one operation). tests/test_errors.py
                # checks Allow on 405s.
                "--exclude-checks",
                "allow_header_conformance",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--max-time",
                str(FUZZ_SECONDS),
                "--request-timeout",
                "10",
                "--report",
                "json",
                "--report-json-path",
                str(tmp / "report.json"),
            ],
            cwd=tmp,
            env=st_env,
            capture_output=True,
            text=True,
            timeout=FUZZ_SECONDS + 120,
        )
    assert (tmp / "report.json").exists(), result.stdout + result.stderr
    return Fuzzed(json.loads((tmp / "report.json").read_text()), result.stdout)


def test_fuzzing_reaches_every_operation(fuzzed):
    operations, cases = fuzzed.report["operations"], fuzzed.report["test_cases"]
    assert operations["tested"] == operations["total"] > 0, fuzzed.output[-3000:]
    assert cases["generated"] >= MIN_CASES, fuzzed.output[-3000:]
    assert not fuzzed.report["auth"]["reauth_broke"], fuzzed.output[-3000:]
    # Every operation schemathesis.toml names exists.
    assert not fuzzed.report["warnings"]["unmatched_filter"], fuzzed.report["warnings"]


def test_fuzzing_finds_no_server_error(fuzzed):
    failures = [f for f in fuzzed.report["failures"] if f["type"] in SERVER_ERRORS]
    assert failures == [], fuzzed.findings()


def test_fuzzing_finds_no_failure_and_no_error(fuzzed):
    assert fuzzed.report["failures"] == [], fuzzed.findings()
    assert fuzzed.report["errors"] == [], fuzzed.findings()
