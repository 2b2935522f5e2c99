"""Start the app and the floor under gunicorn with identical settings."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
CONFIGS = {
    "sync": ["-w", "2", "-k", "sync"],
    "gthread": ["-w", "2", "-k", "gthread", "--threads", "4"],
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn, stopped on exit; its logs go to a file."""

    def __init__(self, app_spec, config, env, log_path, chdir=ROOT):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            GUNICORN,
            *CONFIGS[config],
            "-b",
            f"127.0.0.1:{self.port}",
            "--no-control-socket",
            "--chdir",
            str(chdir),
            app_spec,
        ]
        self.env, self.log_path = env, log_path

    def __enter__(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._answers():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"{self.command} did not start; see {self.log_path}")

    def _answers(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return True
        except OSError:
            return False

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()
