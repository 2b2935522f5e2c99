"""The background outbox: delivery off the request path, bounded retries (app/mail/outbox.py)."""

import logging
import threading
import time
from types import SimpleNamespace

import pytest

from app.mail import outbox as outbox_module
from app.mail.outbox import Outbox
from tests.servers import free_port

REQUEST_ID = "req-mail-42"


class Recorder:
    """A backend that records deliveries, failing the first `failures` attempts."""

    def __init__(self, failures=0, fail_subjects=(), gate=None):
        self.failures, self.fail_subjects, self.gate = failures, fail_subjects, gate
        self.attempts, self.delivered, self.threads = [], [], []

    def deliver(self, message):
        self.attempts.append(time.monotonic())
        self.threads.append(threading.current_thread())
        if self.gate is not None:
            self.gate.wait(5)
        if len(self.attempts) <= self.failures or message["Subject"] in self.fail_subjects:
            raise ConnectionRefusedError("mail server down")
        self.delivered.append(message["Subject"])


def mail(subject="hello"):
    return {"Subject": subject}


def records(caplog, level, request_id=REQUEST_ID):
    return [
        r
        for r in caplog.records
        if r.name == outbox_module.__name__
        and r.levelno == level
        and getattr(r, "request_id", None) == request_id
    ]


def test_put_returns_before_delivery():
    backend = Recorder(gate=threading.Event())
    outbox = Outbox(backend, retry_delays=(0,))
    outbox.put(mail())
    assert backend.delivered == []
    assert outbox.join(timeout=0.05) is False
    backend.gate.set()
    assert outbox.join()
    assert backend.delivered == ["hello"]
    assert backend.threads[0] is not threading.current_thread()


@pytest.mark.parametrize("attempts", [1, 3])
def test_deliver_failing_is_retried_then_given_up(caplog, attempts):
    backend = Recorder(failures=99)
    outbox = Outbox(backend, attempts=attempts, retry_delays=(0,))
    outbox.put(mail(), request_id=REQUEST_ID)
    assert outbox.join()
    assert len(backend.attempts) == attempts
    assert len(records(caplog, logging.WARNING)) == attempts
    [given_up] = records(caplog, logging.ERROR)
    assert "given up" in given_up.getMessage()


def test_deliver_failing_once_succeeds_on_retry(caplog):
    backend = Recorder(failures=1)
    outbox = Outbox(backend, attempts=3, retry_delays=(0,))
    outbox.put(mail(), request_id=REQUEST_ID)
    assert outbox.join()
    assert backend.delivered == ["hello"]
    assert records(caplog, logging.ERROR) == []


def test_deliver_failing_waits_retry_delays():
    backend = Recorder(failures=99)
    outbox = Outbox(backend, attempts=4, retry_delays=(0.05, 0.15))
    outbox.put(mail())
    assert outbox.join()
    gaps = [later - earlier for earlier, later in zip(backend.attempts, backend.attempts[1:])]
    assert gaps[0] >= 0.05
    assert min(gaps[1:]) >= 0.15


def test_put_after_failure_still_delivers():
    backend = Recorder(fail_subjects={"doomed"})
    outbox = Outbox(backend, attempts=2, retry_delays=(0,))
    outbox.put(mail("doomed"))
    outbox.put(mail("fine"))
    assert outbox.join()
    assert backend.delivered == ["fine"]


def test_put_in_forked_process_starts_new_worker(monkeypatch):
    backend = Recorder()
    outbox = Outbox(backend)
    outbox.put(mail("parent"))
    assert outbox.join()
    monkeypatch.setattr(outbox_module, "os", SimpleNamespace(getpid=lambda: -1))
    outbox.put(mail("child"))
    assert outbox.join()
    assert backend.delivered == ["parent", "child"]
    assert backend.threads[0] is not backend.threads[1]


# --- through the app: SMTP down ------------------------------------------------------


@pytest.fixture
def settings(settings):
    """SMTP on a port nothing listens on; quick retries."""
    return {
        **settings,
        "MAIL_URL": f"smtp://127.0.0.1:{free_port()}",
        "MAIL_TIMEOUT": 1,
        "MAIL_ATTEMPTS": 2,
        "MAIL_RETRY_DELAYS": (0,),
    }


def test_forgot_password_with_smtp_down_answers_202(app, client, user, caplog):
    response = client.post(
        "/password/forgot", json={"email": user.email}, headers={"X-Request-ID": REQUEST_ID}
    )
    assert response.status_code == 202
    assert app.extensions["mail_outbox"].join()
    assert len(records(caplog, logging.WARNING)) == 2
    assert len(records(caplog, logging.ERROR)) == 1


def test_register_with_smtp_down_answers_201(app, client, caplog):
    response = client.post(
        "/users",
        json={
            "name": "New User",
            "email": "new@example.com",
            "password": "a long enough passphrase",
        },
        headers={"X-Request-ID": REQUEST_ID},
    )
    assert response.status_code == 201
    assert app.extensions["mail_outbox"].join()
    assert len(records(caplog, logging.ERROR)) == 1
