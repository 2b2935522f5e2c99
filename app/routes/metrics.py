"""GET /metrics: the counters of app/metrics.py in Prometheus text, when METRICS_ENABLED."""

import hmac

from flask import Blueprint, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app import metrics
from app.services.domain_errors import AuthenticationFailed

# A plain Flask blueprint: the scrape endpoint is not part of the documented API.
blp = Blueprint("metrics", __name__)


@blp.get("/metrics")
def scrape():
    """Prometheus text format; needs `Authorization: Bearer METRICS_TOKEN` when one is set."""
    token = current_app.config["METRICS_TOKEN"]
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if token and not (
        scheme.lower() == "bearer" and hmac.compare_digest(offered.encode(), token.encode())
    ):
        raise AuthenticationFailed("The metrics token is missing or wrong.", code="unauthorized")
    return generate_latest(metrics.registry()), 200, {"Content-Type": CONTENT_TYPE_LATEST}


def init_app(app):
    """Serve /metrics only when METRICS_ENABLED."""
    if app.config["METRICS_ENABLED"]:
        app.register_blueprint(blp)
