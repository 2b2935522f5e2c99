"""Minimal pages the mailed links open by default (no PASSWORD_RESET_URL/EMAIL_VERIFY_URL).

Each page only posts the token from its link to the JSON API; nothing is done on GET,
so mail scanners that follow links change nothing.
"""

from flask import Blueprint, render_template

blp = Blueprint("account_pages", __name__, static_folder="../static",
                static_url_path="/static/account")
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self';"
                               " style-src 'unsafe-inline'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@blp.get("/password/reset")
def reset_password_page():
    """A form that sends the link's token and a new password to POST /password/reset."""
    return render_template("reset_password.html"), PAGE_HEADERS


@blp.get("/email/verify")
def verify_email_page():
    """A button that sends the link's token to POST /email/verify."""
    return render_template("verify_email.html"), PAGE_HEADERS
