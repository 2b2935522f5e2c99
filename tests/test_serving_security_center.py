"""Ending a session under `gunicorn -w 2`: every worker refuses its tokens at once."""

import jwt
import pytest

from tests.faults.helpers import concurrently
from tests.helpers import ACCESS_LOG_FORMAT, PASSWORD, workers_answering
from tests.servers import Gunicorn, flask_cli, service_env

pytestmark = pytest.mark.slow

EMAIL = "center@example.com"


def bearer(pair):
    return {"Authorization": f"Bearer {pair['access_token']}"}


def test_ended_session_is_refused_by_every_worker_at_once(tmp_path, database_url):
    env = service_env(tmp_path / "users.db", DATABASE_URL=database_url, RATE_LIMIT_AUTH="0")
    assert flask_cli(env, "db", "upgrade").returncode == 0
    log = tmp_path / "access.log"
    with Gunicorn(
        env, workers=2, extra_args=("--access-logfile", str(log), *ACCESS_LOG_FORMAT)
    ) as server:
        body = {"name": "Center Test", "email": EMAIL, "password": PASSWORD}
        assert server.request("POST", "/users", body)[0] == 201
        login = {"email": EMAIL, "password": PASSWORD}
        doomed = server.request("POST", "/login", login)[2]
        kept = server.request("POST", "/login", login)[2]
        sid = jwt.decode(doomed["access_token"], options={"verify_signature": False})["sid"]
        for _ in range(20):  # both workers know the session alive (two at a time)
            for status, _, _ in concurrently(
                2, lambda _: server.request("GET", "/users/me", headers=bearer(doomed))
            ):
                assert status == 200
        status, _, _ = server.request("DELETE", f"/users/me/sessions/{sid}", headers=bearer(kept))
        assert status == 204
        for _ in range(20):
            for status, _, answer in concurrently(
                2, lambda _: server.request("GET", "/users/me", headers=bearer(doomed))
            ):
                assert (status, answer["code"]) == (401, "invalid_token")
        refresh = {"refresh_token": doomed["refresh_token"]}
        assert server.request("POST", "/token/refresh", refresh)[0] == 401
        assert server.request("GET", "/users/me", headers=bearer(kept))[0] == 200
        events = server.request(
            "GET", "/users/me/events?type=session.revoked", headers=bearer(kept)
        )[2]["items"]
    assert [event["details"]["session_id"] for event in events] == [sid]
    assert len(workers_answering(log, "/users/me", "401")) == 2
