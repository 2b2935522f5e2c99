"""Minimal pages the mailed links open by default (no PASSWORD_RESET_URL/EMAIL_VERIFY_URL).

Each page only posts the token from its link to the JSON API; nothing is done on GET,
so mail scanners that follow links change nothing.
"""

from flask import render_template

from app.http.json_body import Blueprint
from app.services.account_mail import RESET_PAGE_PATH, VERIFY_PAGE_PATH

blp = Blueprint(
    "account_pages",
    __name__,
    static_folder="../static",
    static_url_path="/static/account",
    description="HTML pages the mailed links open when no link template is set.",
)
HTML_PAGE = {
    "200": {
        "description": "An HTML page.",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}
TOKEN_PARAMETER = [
    {
        "in": "query",
        "name": "token",
        "schema": {"type": "string"},
        "description": "The token from the mail (read by the page's script).",
    }
]
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self';"
    " style-src 'unsafe-inline'; form-action 'none';"
    " base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@blp.get(RESET_PAGE_PATH)
@blp.doc(responses=HTML_PAGE, parameters=TOKEN_PARAMETER)
def reset_password_page():
    """A form that sends the link's token and a new password to POST /password/reset."""
    return render_template("reset_password.html"), PAGE_HEADERS


@blp.get(VERIFY_PAGE_PATH)
@blp.doc(responses=HTML_PAGE, parameters=TOKEN_PARAMETER)
def verify_email_page():
    """A button that sends the link's token to POST /email/verify."""
    return render_template("verify_email.html"), PAGE_HEADERS
