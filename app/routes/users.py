"""/users: registration and user administration."""

from flask.views import MethodView

from app.http import conditional
from app.http.bearer_auth import current_api_key, current_user, login_optional, login_required
from app.http.json_body import Blueprint
from app.http.rate_limits import auth_rate_limit
from app.schemas.account import AcceptedSchema
from app.schemas.users import (
    UserCreateSchema,
    UserListQuerySchema,
    UserPageSchema,
    UserPatchSchema,
    UserReplaceSchema,
    UserSchema,
)
from app.services import user_listing
from app.services import users as users_service

blp = Blueprint(
    "users",
    __name__,
    url_prefix="/users",
    description="Users, addressed as `/users/{ref}` where `ref` is an id, an email or `me`.",
)
LOCATION = {"Location": {"description": "URL of the new user.", "schema": {"type": "string"}}}


@blp.route("")
class Users(MethodView):
    @blp.response(200, UserPageSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    @login_required
    @blp.arguments(UserListQuerySchema, location="query", as_kwargs=True)
    def get(self, **query):
        """List users (admins): filter, search with `q`, sort, page with `cursor`."""
        items, next_cursor = user_listing.list_users(current_user(), **query)
        return {"items": items, "next_cursor": next_cursor}

    @blp.response(201, UserSchema, headers=LOCATION)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @auth_rate_limit
    @login_optional
    @blp.arguments(UserCreateSchema)
    def post(self, data):
        """Register a user; an admin may also set `role` and `is_active`."""
        user = users_service.register(data, actor=current_user())
        return user, {"Location": f"/users/{user.id}"}


@blp.route("/<ref>")
class UserItem(MethodView):
    @blp.response(200, UserSchema, headers=conditional.ETAG_HEADER)
    @blp.alt_response(304, **conditional.NOT_MODIFIED, success=True)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(parameters=[conditional.IF_NONE_MATCH])
    @login_required
    def get(self, ref):
        """Show a user: yourself, or anyone if you are an admin."""
        user = users_service.get_user(current_user(), ref)
        if conditional.is_not_modified(user.etag):
            return conditional.not_modified(user.etag)
        return user, conditional.etag_header(user.etag)

    @blp.response(200, UserSchema, headers=conditional.ETAG_HEADER)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    @blp.doc(parameters=[conditional.IF_MATCH])
    @login_required
    @blp.arguments(UserReplaceSchema)
    def put(self, data, ref):
        """Replace `name` and `email` (and optionally password, role, status)."""
        return _update(ref, data)

    @blp.response(200, UserSchema, headers=conditional.ETAG_HEADER)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    @blp.doc(parameters=[conditional.IF_MATCH])
    @login_required
    @blp.arguments(UserPatchSchema)
    def patch(self, data, ref):
        """Change any subset of the fields PUT takes."""
        return _update(ref, data)

    @blp.response(204)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    @blp.doc(parameters=[conditional.IF_MATCH])
    @login_required
    def delete(self, ref):
        """Delete a user; its sessions end with it. The last active admin stays."""
        users_service.delete_user(current_user(), ref, precondition=conditional.if_match())


def _update(ref, data):
    user = users_service.update_user(
        current_user(),
        ref,
        data,
        by_api_key=current_api_key() is not None,
        precondition=conditional.if_match(),
    )
    return user, conditional.etag_header(user.etag)


@blp.post("/<ref>/verification-email")
@blp.response(202, AcceptedSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@auth_rate_limit
@login_required
def resend_verification(ref):
    """Mail a fresh verification token (nothing is sent for a verified address)."""
    users_service.resend_verification(current_user(), ref)
    return {"detail": "A verification mail is on its way unless the address is verified."}
