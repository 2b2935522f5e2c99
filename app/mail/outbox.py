"""A background thread that delivers queued mail, retrying a bounded number of times.

Requests only enqueue, so answering never waits for a mail server, and a route
that mails for some inputs and not for others takes the same time for both.
"""

import logging
import os
import queue
import threading
import time

from app.config import DEFAULTS

logger = logging.getLogger(__name__)
# The settings' defaults (app/config.py) are the one place these numbers live.
ATTEMPTS = DEFAULTS["MAIL_ATTEMPTS"]
RETRY_DELAYS = DEFAULTS["MAIL_RETRY_DELAYS"]


class Outbox:
    def __init__(self, backend, *, attempts=ATTEMPTS, retry_delays=RETRY_DELAYS):
        self.backend = backend
        self.attempts = attempts
        self.retry_delays = retry_delays
        self._queue = queue.Queue()
        self._worker = None
        self._pid = None
        self._lock = threading.Lock()

    def put(self, message, request_id=None):
        """Queue a message, or a function that composes one (it then runs off the request).

        The worker thread starts on first use in each process.
        """
        self._ensure_worker()
        self._queue.put((message, request_id))

    def join(self, timeout=10):
        """Wait until every queued message was delivered or given up on (for tests)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def _ensure_worker(self):
        with self._lock:
            if self._pid == os.getpid() and self._worker.is_alive():
                return
            if self._pid is not None and self._pid != os.getpid():
                # A forked child has the parent's queue object but not its thread.
                self._queue = queue.Queue()
            self._pid = os.getpid()
            self._worker = threading.Thread(target=self._run, name="mail-outbox", daemon=True)
            self._worker.start()

    def _run(self):
        while True:
            message, request_id = self._queue.get()
            try:
                self._deliver(self._composed(message, request_id), request_id)
            finally:
                self._queue.task_done()

    @staticmethod
    def _composed(message, request_id):
        """The message to send, or None (logged) when it cannot be built."""
        if not callable(message):
            return message
        try:
            return message()
        except Exception as error:  # noqa: BLE001 - a bad mail never stops the outbox
            logger.error(
                "mail not sent: it could not be composed: %s",
                error,
                extra={"event": "mail.failed", "request_id": request_id},
            )
            return None

    def _deliver(self, message, request_id):
        if message is None:
            return
        for attempt in range(1, self.attempts + 1):
            try:
                self.backend.deliver(message)
                logger.info(
                    "mail delivered",
                    extra={
                        "event": "mail.delivered",
                        "subject": message["Subject"],
                        "request_id": request_id,
                    },
                )
                return
            except Exception as error:  # noqa: BLE001 - any failure is retried, then logged
                logger.warning(
                    "mail delivery failed (attempt %d of %d): %s",
                    attempt,
                    self.attempts,
                    error,
                    extra={"request_id": request_id},
                )
                if attempt < self.attempts:
                    time.sleep(self.retry_delays[min(attempt, len(self.retry_delays)) - 1])
        logger.error(
            "mail given up after %d attempts",
            self.attempts,
            extra={"event": "mail.failed", "request_id": request_id},
        )
