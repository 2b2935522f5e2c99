"""The service's own endpoints: index and health checks."""

from flask import current_app

from app.http.json_body import Blueprint
from app.problems import problem
from app.schemas.meta import HealthSchema, IndexSchema
from app.services import health

blp = Blueprint("meta", __name__, description="What this service is and whether it is well.")


@blp.get("/")
@blp.response(200, IndexSchema)
def index():
    """Name, version and where the API documentation is."""
    config = current_app.config
    return {"name": config["SERVICE_NAME"], "version": config["SERVICE_VERSION"], "docs": "/docs"}


@blp.get("/health")
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def readiness():
    """Readiness: the database answers and no migration is pending (503 otherwise)."""
    checks = health.run_checks()
    if all(result == "ok" for result in checks.values()):
        return {"status": "ok", "checks": checks}
    return problem(503, "A health check failed.", extra={"checks": checks})


@blp.get("/health/live")
@blp.response(200, HealthSchema)
def liveness():
    """Liveness: the process answers; touches no database."""
    return {"status": "ok", "checks": {}}
