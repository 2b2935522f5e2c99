"""No cookie sessions: the API is stateless and authenticates with Bearer tokens."""

from flask.sessions import SessionInterface


class NoCookieSessions(SessionInterface):
    """Skip Flask's signed-cookie session on every request; `session` stays a null one."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        return None


def init_app(app):
    """Turn cookie sessions off."""
    app.session_interface = NoCookieSessions()
