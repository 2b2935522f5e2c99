"""Run the real service the way an operator does: the flask CLI and gunicorn."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "a-production-secret-of-at-least-32-bytes!!"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(database_path, **extra):
    """Environment of a production instance on the given database file."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update(
        APP_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{database_path}",
        MAIL_URL=f"file://{Path(database_path).parent / 'mail'}",
    )
    env.update(extra)
    return env


def flask_cli(env, *args, stdin=None):
    """Run `flask --app wsgi ARGS` from the project root; return the completed process."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


class Gunicorn:
    """`gunicorn -w N wsgi:app` on a free port, stopped on exit."""

    def __init__(self, env, workers=2, extra_args=()):
        self.port = free_port()
        self.env = env
        self.args = [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--no-control-socket",
            *extra_args,
            "wsgi:app",
        ]

    def __enter__(self):
        # A file, not a pipe: nobody reads a pipe while the server runs, and once its
        # buffer is full of log lines every worker blocks on its next line.
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            self.args,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/health/live")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.stderr.seek(0)
        output = self.stderr.read().decode()
        self.__exit__()
        raise RuntimeError("gunicorn did not start: " + output)

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.stderr.close()

    def request(self, method, path, body=None, headers=None):
        """Send one request; return (status, headers, parsed JSON body or None)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            payload = json.dumps(body) if body is not None else None
            all_headers = {"Content-Type": "application/json"} if payload else {}
            all_headers.update(headers or {})
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, response.headers, json.loads(data) if data else None
        finally:
            conn.close()
