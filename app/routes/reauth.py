"""/reauth: proving the credentials again so that the session counts as recent."""

from app.http.bearer_auth import current_session_id, current_user
from app.http.json_body import Blueprint
from app.http.rate_limits import auth_rate_limit
from app.http.recent_auth import session_required
from app.schemas.reauth import ReauthSchema
from app.services import reauthentication

blp = Blueprint("reauth", __name__, description="Recent authentication.")


@blp.post("/reauth")
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@auth_rate_limit
@session_required
@blp.arguments(ReauthSchema)
def reauth(body):
    """Prove the credentials again: the password, or with MFA a code or a passkey.

    The session is then recently authenticated for REAUTH_MAX_AGE seconds. A wrong
    proof is 401 `invalid_credentials` and counts as a failed login of the account.
    """
    reauthentication.reauthenticate(current_user(), current_session_id(), **body)
