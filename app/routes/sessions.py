"""/users/{ref}/sessions: where a user is signed in, and ending one of those sessions."""

from app.http.bearer_auth import current_session_id, current_user, login_required
from app.http.json_body import Blueprint
from app.schemas.sessions import SessionListSchema
from app.services import login_sessions as sessions_service

blp = Blueprint(
    "sessions", __name__, url_prefix="/users", description="Login sessions: list them, end one."
)


@blp.get("/<ref>/sessions")
@blp.response(200, SessionListSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@login_required
def list_sessions(ref):
    """List the user's live sessions, newest first; `current` marks the caller's."""
    own = current_session_id()
    sessions = sessions_service.list_sessions(current_user(), ref)
    return {"items": [{**_fields(session), "current": session.id == own} for session in sessions]}


@blp.delete("/<ref>/sessions/<id>")
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@login_required
def end_session(ref, id):  # noqa: A002 - the contract's name: /users/{ref}/sessions/{id}
    """End one session at once: its refresh token and access tokens stop working."""
    sessions_service.end_session(current_user(), ref, id)


def _fields(session):
    return {name: getattr(session, name) for name in session.__slots__}
