"""Routes of the old single-file API, kept for its clients under the new rules."""

from flask import request, url_for

from app.framework_workarounds import deprecated_view
from app.http.bearer_auth import current_user, login_required
from app.http.json_body import Blueprint
from app.routes.users import UserItem
from app.schemas.legacy import LegacySearchQuerySchema
from app.schemas.users import UserPageSchema
from app.services import user_listing

blp = Blueprint("legacy", __name__, description="Deprecated routes of the old API.")


@blp.route("/user/<ref>")
class LegacyUser(UserItem):
    """`/user/{id}`: behaves as `/users/{id}`."""

    methods = ["GET", "PUT", "DELETE"]
    get = deprecated_view(UserItem.get)
    put = deprecated_view(UserItem.put)
    delete = deprecated_view(UserItem.delete)


@blp.get("/search")
@blp.response(200, UserPageSchema)
@deprecated_view
@login_required
@blp.arguments(LegacySearchQuerySchema, location="query", as_kwargs=True)
def search(name=None, **query):
    """Search users by name or email (admins); behaves as `GET /users?q=`."""
    items, next_cursor = user_listing.list_users(current_user(), q=name, **query)
    return {"items": items, "next_cursor": next_cursor}


@blp.after_request
def _announce_successor(response):
    ref = (request.view_args or {}).get("ref")
    successor = url_for("users.UserItem", ref=ref) if ref is not None else url_for("users.Users")
    response.headers["Deprecation"] = "true"
    response.headers["Link"] = f'<{successor}>; rel="successor-version"'
    return response
