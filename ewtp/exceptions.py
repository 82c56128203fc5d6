"""One root error for the whole application.

Services and domain code raise `ApplicationError` (or a subclass) with a machine-readable
code and the field at fault; the API turns it into
`{"error": {"code": ..., "message": ..., "field": ...}}` with a 4xx status, and pages show
the message at the field.
"""

from __future__ import annotations


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def as_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class NotFound(ApplicationError):
    status_code = 404

    def __init__(self, message: str = "Not found.", *, code: str = "not_found", field: str | None = None):
        super().__init__(message, code=code, field=field)


class PermissionDenied(ApplicationError):
    status_code = 403

    def __init__(self, message: str = "You may not do that.", *, code: str = "permission_denied",
                 field: str | None = None):
        super().__init__(message, code=code, field=field)


class Conflict(ApplicationError):
    """The request is valid but the object's current state does not allow it."""

    status_code = 409

    def __init__(self, message: str, *, code: str = "conflict", field: str | None = None):
        super().__init__(message, code=code, field=field)


class Unavailable(ApplicationError):
    """The request is sound but what it needs is not fit to use now (reference rates too old to price
    with): 503, the same answer until an operator or a scheduled task mends it."""

    status_code = 503


class TransientError(Exception):
    """An outside system (a carrier, the customs authority, the payment provider, the database)
    failed in a way that may pass: a timeout, a 5xx, a rate limit, a closed window. Adapters raise
    it, or a subclass saying which system; tasks retry on it alone (`ewtp.tasks.service_task`).
    Anything else is a refusal or a bug, which retrying the same call cannot mend."""
