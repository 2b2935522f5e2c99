"""Listing users: filters, search and keyset paging, for admins."""

from flask import current_app

from app.database import get_db
from app.repositories import user_pages
from app.services import cursors
from app.services.domain_errors import PermissionDenied


def list_users(actor, *, limit, sort="id", cursor=None, q=None, role=None, is_active=None):
    """Return (users, next_cursor) for one page of the listing."""
    if not actor.is_admin:
        raise PermissionDenied("Only admins may list users.")
    key = current_app.config["SECRET_KEY"]
    column = sort.lstrip("-")
    after = cursors.decode(key, cursor, sort=sort) if cursor else None
    rows = user_pages.list_page(
        get_db(),
        sort=column,
        descending=sort.startswith("-"),
        limit=limit + 1,
        after=after,
        q=q,
        role=role,
        is_active=is_active,
    )
    page, more = rows[:limit], len(rows) > limit
    next_cursor = _cursor_after(key, sort, column, page[-1]) if more else None
    return page, next_cursor


def _cursor_after(key, sort, column, last):
    value = user_pages.sort_value(last, column)
    return cursors.encode(key, sort=sort, value=value, last_id=last.id)
