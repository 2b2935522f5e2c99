"""/docs renders in a real headless Chromium, offline, and lists the endpoints."""

import re
import shutil
import subprocess

import pytest

from tests.servers import Gunicorn, flask_cli, service_env

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"
    ),
]
EXPECTED_PATHS = {
    "/",
    "/health",
    "/health/live",
    "/users",
    "/users/{ref}",
    "/login",
    "/user/{ref}",
    "/search",
}


def _rendered_dom(url, profile_dir):
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile_dir}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_docs_page_lists_every_endpoint_in_chromium(tmp_path):
    env = service_env(tmp_path / "users.db")
    assert flask_cli(env, "db", "upgrade").returncode == 0
    with Gunicorn(env, workers=1) as server:
        dom = _rendered_dom(f"http://127.0.0.1:{server.port}/docs", tmp_path / "profile")
    assert set(re.findall(r'data-path="([^"]+)"', dom)) >= EXPECTED_PATHS
    assert "User service" in dom
