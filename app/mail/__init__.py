"""Outgoing mail: a backend chosen by MAIL_URL, fed by a background outbox."""

from flask import current_app

from app.mail.backends import backend_from_url
from app.mail.outbox import Outbox
from app.request_ids import current_request_id


def send(message):
    """Queue a message for delivery; returns at once (delivery runs in the background)."""
    current_app.extensions["mail_outbox"].put(message, request_id=current_request_id())


def init_app(app):
    """Create the app's outbox for the backend MAIL_URL names."""
    backend = backend_from_url(app.config["MAIL_URL"], timeout=app.config["MAIL_TIMEOUT"])
    app.extensions["mail_outbox"] = Outbox(
        backend, attempts=app.config["MAIL_ATTEMPTS"], retry_delays=app.config["MAIL_RETRY_DELAYS"]
    )
