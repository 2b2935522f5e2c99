"""The domain errors services raise; `app.http.error_handlers` turns them into problem details."""


class DomainError(Exception):
    """Base of the service errors: a machine-readable `code` and a human `detail`."""

    code = "error"

    def __init__(self, detail, *, code=None, errors=None, subject=None):
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.code
        self.errors = errors
        self.subject = subject  # the user concerned, for the log only


class InvalidRequest(DomainError):
    """A value the client handed back to us (a cursor, a one-time token) is not valid."""

    code = "bad_request"


class InvalidInput(DomainError):
    """The request is well formed but its content breaks a rule (`errors` per field)."""

    code = "validation_error"


class AuthenticationFailed(DomainError):
    """The caller could not be identified: bad credentials or an unusable token."""

    code = "invalid_token"


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class NotFound(DomainError):
    """The addressed resource does not exist."""

    code = "not_found"


class Conflict(DomainError):
    """The change would break a uniqueness or safety rule (`email_taken`, `last_admin`)."""

    code = "conflict"


class PreconditionFailed(DomainError):
    """The client's `If-Match` names a representation that is no longer current."""

    code = "precondition_failed"


class RateLimited(DomainError):
    """Too many attempts; `retry_after` says how many seconds to wait."""

    code = "rate_limited"

    def __init__(self, detail, *, retry_after):
        super().__init__(detail)
        self.retry_after = retry_after
