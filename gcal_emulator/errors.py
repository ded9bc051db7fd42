"""Google's error responses, as the Calendar API and the OAuth endpoints shape them."""

from __future__ import annotations

from typing import Any

# (domain, default message) per reason, from the Calendar API errors guide.
_REASONS: dict[str, tuple[str, str]] = {
    "badRequest": ("global", "Bad Request"),
    "invalid": ("global", "Invalid Value"),
    "required": ("global", "Required"),
    "parseError": ("global", "Parse Error"),
    "timeRangeEmpty": ("calendar", "The specified time range is empty."),
    "authError": ("global", "Invalid Credentials"),
    "insufficientPermissions": ("global", "Insufficient Permission: Request had insufficient authentication scopes."),
    "forbidden": ("global", "Forbidden"),
    "forbiddenForNonOrganizer": ("calendar", "Shared properties can only be changed by the organizer of the event."),
    "rateLimitExceeded": ("usageLimits", "Rate Limit Exceeded"),
    "userRateLimitExceeded": ("usageLimits", "User Rate Limit Exceeded"),
    "quotaExceeded": ("usageLimits", "Calendar usage limits exceeded."),
    "notFound": ("global", "Not Found"),
    "duplicate": ("global", "The requested identifier already exists."),
    "conflict": ("global", "Conflict"),
    "fullSyncRequired": ("calendar", "Sync token is no longer valid, a full sync is required."),
    "updatedMinTooLongAgo": ("calendar", "The requested minimum modification time lies too far in the past."),
    "deleted": ("global", "Resource has been deleted"),
    "conditionNotMet": ("global", "Precondition Failed"),
    "backendError": ("global", "Backend Error"),
    "internalError": ("global", "Internal Error"),
}

_DEFAULT_REASON = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    409: "duplicate",
    410: "deleted",
    412: "conditionNotMet",
    429: "rateLimitExceeded",
    500: "backendError",
    502: "backendError",
    503: "backendError",
    504: "backendError",
}


class ApiError(Exception):
    """A Calendar API error; rendered as Google's JSON error envelope."""

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        message: str | None = None,
        *,
        location: str | None = None,
        location_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.reason = reason or _DEFAULT_REASON.get(status, "backendError")
        domain, default_message = _REASONS.get(self.reason, ("global", self.reason))
        self.domain = domain
        self.message = message or default_message
        self.location = location
        self.location_type = location_type or ("parameter" if location else None)
        self.headers = headers or {}
        super().__init__(f"{status} {self.reason}: {self.message}")

    def body(self) -> dict[str, Any]:
        item: dict[str, Any] = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location:
            item["locationType"] = self.location_type
            item["location"] = self.location
        return {"error": {"errors": [item], "code": self.status, "message": self.message}}


class AuthorizePageError(Exception):
    """An error Google shows on its own page instead of redirecting back to the app."""

    def __init__(self, status: int, error: str, message: str, details: str | None = None) -> None:
        self.status = status
        self.error = error
        self.message = message
        self.details = details
        super().__init__(f"Error {status}: {error}")


class OAuthError(Exception):
    """An OAuth endpoint error: ``{"error": ..., "error_description": ...}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(f"{status} {error}: {description}")

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def bad_request(message: str, location: str | None = None, reason: str = "invalid") -> ApiError:
    return ApiError(400, reason, message, location=location)


def not_found() -> ApiError:
    return ApiError(404, "notFound", "Not Found")
