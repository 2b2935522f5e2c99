"""/audit-events and /users/{ref}/events: the stored security events, newest first."""

from app.http.bearer_auth import current_user, login_required
from app.http.json_body import Blueprint
from app.schemas.audit_events import AuditEventPageSchema, AuditEventQuerySchema
from app.services import audit_trail

blp = Blueprint(
    "audit_events", __name__, description="The audit trail: who did what, when, from where."
)


@blp.get("/audit-events")
@blp.response(200, AuditEventPageSchema)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@login_required
@blp.arguments(AuditEventQuerySchema, location="query", as_kwargs=True)
def list_events(actor=None, subject=None, **query):
    """Page through every event (admins); filter by type, actor, subject and time."""
    items, next_cursor = audit_trail.list_events(
        current_user(), actor_id=actor, subject_id=subject, **query
    )
    return {"items": items, "next_cursor": next_cursor}


@blp.get("/users/<ref>/events")
@blp.response(200, AuditEventPageSchema)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@login_required
@blp.arguments(AuditEventQuerySchema, location="query", as_kwargs=True)
def list_user_events(ref, actor=None, subject=None, **query):
    """Page through the events about one user: yourself, or anyone if you are an admin.

    The filters are those of `/audit-events`; a `subject` other than this user matches
    nothing."""
    items, next_cursor = audit_trail.list_user_events(
        current_user(), ref, actor_id=actor, subject_id=subject, **query
    )
    return {"items": items, "next_cursor": next_cursor}
