"""/users/{ref}/api-keys: long-lived keys for scripts, acting as their owner within scopes."""

from flask.views import MethodView

from app.http.bearer_auth import current_user, login_required
from app.http.json_body import Blueprint
from app.http.recent_auth import recent_auth_required
from app.schemas.api_keys import ApiKeyCreateSchema, ApiKeyListSchema, NewApiKeySchema
from app.services import api_keys as api_keys_service

blp = Blueprint(
    "api_keys",
    __name__,
    url_prefix="/users",
    description="API keys: `Authorization: Bearer usk_...` for scripts and integrations. "
    "A key never manages credentials or sessions (these routes included).",
)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
NO_STORE_HEADER = {"Cache-Control": {"schema": {"type": "string", "enum": ["no-store"]}}}


@blp.route("/me/api-keys")
class OwnApiKeys(MethodView):
    @blp.response(201, NewApiKeySchema, headers=NO_STORE_HEADER)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT")
    @recent_auth_required
    @blp.arguments(ApiKeyCreateSchema, as_kwargs=True)
    def post(self, **data):
        """Create a key for yourself (recent authentication): the only answer with `key`."""
        return api_keys_service.create(current_user(), **data), NO_STORE


@blp.route("/<ref>/api-keys")
class ApiKeys(MethodView):
    @blp.response(200, ApiKeyListSchema)
    @login_required
    def get(self, ref):
        """List a user's keys (not the keys themselves): yourself, or anyone as an admin."""
        return {"items": api_keys_service.list_keys(current_user(), ref)}


@blp.route("/<ref>/api-keys/<int:id>")
class ApiKeyItem(MethodView):
    @blp.response(204)
    @login_required
    def delete(self, ref, id):  # noqa: A002 (the contract names it `{id}`)
        """Revoke a key; it stops working at once."""
        api_keys_service.revoke(current_user(), ref, id)
