"""One error family: ApplicationError carries a stable code, a user message and optional detail."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CONFLICT_MESSAGE = _(
    "This record was changed by someone else while you were editing it. "
    "Your changes were not saved: reload the page, check their changes, then apply yours again."
)
FORBIDDEN_MESSAGE = _("You do not have access to this page or data.")
NOT_FOUND_MESSAGE = _("The data you are looking for does not exist or is outside your access.")


class ApplicationError(Exception):
    """A refusal the user can act on; `message` says what to fix, `code` is stable for clients."""

    status = 400
    code = "invalid"

    def __init__(self, message: str | Promise, *, code: str | None = None, detail: Any = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "detail": self.detail}


class ConflictError(ApplicationError):
    """Someone else saved the same record first (optimistic concurrency)."""

    status = 409
    code = "conflict"

    def __init__(self, message: str | Promise = CONFLICT_MESSAGE, *, detail: Any = None) -> None:
        super().__init__(message, detail=detail)


class ForbiddenError(ApplicationError):
    """The actor's role or scope does not allow this action on this record (403, whoever calls)."""

    status = 403
    code = "forbidden"

    def __init__(self, message: str | Promise = FORBIDDEN_MESSAGE, *, detail: Any = None) -> None:
        super().__init__(message, detail=detail)


class NotFoundError(ApplicationError):
    """The record does not exist, or the actor's scope does not include it."""

    status = 404
    code = "not_found"

    def __init__(self, message: str | Promise = NOT_FOUND_MESSAGE, *, detail: Any = None) -> None:
        super().__init__(message, detail=detail)


def error_body(status: int, detail: Any = None) -> dict[str, Any]:
    """The standard error body for an HTTP status without a more specific error."""
    codes = {
        400: ("bad_request", _("The request is not valid.")),
        401: ("unauthenticated", _("Send a valid API token: Authorization: Bearer <token>.")),
        403: ("forbidden", _("Your role or work area does not allow this.")),
        404: ("not_found", _("The data you are looking for does not exist or is outside your access.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        422: ("invalid", _("Some fields are not valid; see detail.")),
        500: ("server_error", _("An unexpected error occurred. Nothing was half-saved. Try again later.")),
    }
    code, message = codes.get(status, ("error", _("The request failed.")))
    return {"code": code, "message": str(message), "detail": detail}
