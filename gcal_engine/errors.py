"""Typed errors: each class says what happened, whether trying again can help, and whether the
run can go on.

Every error the engine raises on purpose is an :class:`EngineError` with a ``code``, one per
class, and the data of the case as attributes (Google's ``status`` and ``reason``, the OAuth
``error``, why an event or a recurrence could not be read...). The messages are for developers
and logs; the words a person reads, and how to fix what happened, belong to the application that
shows them (the Odoo addons), which chooses them by class, ``code`` and data.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose.

    ``retryable``: the same call may work later. ``ends_run``: every further call of this run
    would fail the same way (the connection is gone, the quota is used up), so the run stops.
    """

    code = "engine_error"
    retryable = False
    ends_run = False


class GoogleApiError(EngineError):
    """A Calendar API call failed; ``status`` and ``reason`` are Google's."""

    code = "google_api_error"

    def __init__(self, message: str, status: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason

    def __str__(self) -> str:
        where = f"{self.status} {self.reason}" if self.reason else str(self.status or "network")
        return f"Google Calendar error ({where}): {self.message}"


class TransientError(GoogleApiError):
    """5xx, a timeout, or a connection that broke: the same call may work later."""

    code = "transient"
    retryable = True


class RateLimitedError(TransientError):
    """429, or 403 rateLimitExceeded/userRateLimitExceeded: slow down and retry."""

    code = "rate_limited"

    def __init__(self, message: str, status: int | None, reason: str | None, retry_after: float | None = None) -> None:
        super().__init__(message, status, reason)
        self.retry_after = retry_after


class QuotaExceededError(GoogleApiError):
    """403 quotaExceeded: the account hit Google Calendar's usage limits; retrying soon will not help."""

    code = "quota_exceeded"
    ends_run = True


class ForbiddenError(GoogleApiError):
    """403 for another reason (``reason`` says which, e.g. forbiddenForNonOrganizer)."""

    code = "forbidden"


class NotFoundError(GoogleApiError):
    """404: the calendar or event does not exist, or this account cannot see it."""

    code = "not_found"


class DeletedError(GoogleApiError):
    """410 deleted: the event was already deleted."""

    code = "deleted"


class SyncTokenExpiredError(GoogleApiError):
    """410 on events.list: the sync token is no longer valid; a full sync is needed."""

    code = "sync_token_expired"


class PreconditionFailedError(GoogleApiError):
    """412: the event changed since the ETag we sent; refetch and decide again."""

    code = "precondition_failed"


class DuplicateIdError(GoogleApiError):
    """409 duplicate: an event with this id already exists (maybe from an earlier, lost answer)."""

    code = "duplicate_id"


class BadRequestError(GoogleApiError):
    """400: Google refused the request as invalid; the same request will fail again."""

    code = "bad_request"


class UnauthorizedError(GoogleApiError):
    """401 that a token refresh did not cure: the access token is expired or revoked."""

    code = "unauthorized"
    ends_run = True


class OAuthError(EngineError):
    """An OAuth failure; ``error`` is OAuth's own (access_denied, invalid_grant...), the class's
    ``code`` when it has a class of its own."""

    code = "oauth_error"
    ends_run = True

    def __init__(self, description: str = "", *, error: str | None = None) -> None:
        self.error = error or self.code
        self.description = description
        super().__init__(f"{self.error}: {description}" if description else self.error)


class AccessDeniedError(OAuthError):
    """The person said no on Google's page, or is not a test user of an app in testing."""

    code = "access_denied"


class RedirectUriMismatchError(OAuthError):
    """Google does not know the redirect URI (``redirect_uri``) for this OAuth client."""

    code = "redirect_uri_mismatch"

    def __init__(self, description: str = "", *, redirect_uri: str | None = None) -> None:
        super().__init__(description)
        self.redirect_uri = redirect_uri


class InvalidClientError(OAuthError):
    """Google does not recognize the client id or secret."""

    code = "invalid_client"


class InvalidGrantError(OAuthError):
    """The grant (a refresh token, an authorization code) was revoked, expired or used."""

    code = "invalid_grant"


class OAuthTransientError(OAuthError):
    """The token endpoint failed on its side (5xx, timeout): try again later."""

    code = "temporarily_unavailable"
    retryable = True


class ScopeNotGrantedError(OAuthError):
    """The person unticked the calendar access on Google's consent page."""

    code = "scope_not_granted"


class MassDeletionError(EngineError):
    """A run would delete too much of a calendar at once; it stopped before deleting anything.

    ``side`` ("local" or "google") would have lost ``deletions`` of ``total`` synchronized
    events. Held deletions stay pending: each run stops again until one runs with mass
    deletions allowed.
    """

    code = "mass_deletion"

    def __init__(self, side: str, deletions: int, total: int) -> None:
        self.side = side
        self.deletions = deletions
        self.total = total
        super().__init__(f"stopped before deleting {deletions} of {total} events on the {side} side")


class LocalWriteError(EngineError):
    """The local calendar could not apply one event (its message, from the local side, says
    why); the run goes on."""

    code = "local_write"


class DeferredError(LocalWriteError):
    """The local calendar made as many records as one run may: the event waits for the next
    run, which starts at once and goes on where this one stopped."""

    code = "deferred"


class MappingError(EngineError, ValueError):
    """A Google event the engine cannot represent; the run skips it and reports why.

    ``reason`` says what is wrong (see gcal_engine.mapping) and ``field`` where.
    """

    code = "unreadable_event"

    def __init__(self, reason: str, field: str | None, message: str) -> None:
        self.reason = reason
        self.field = field
        super().__init__(message)


class RecurrenceError(EngineError, ValueError):
    """A recurrence line, a date or a time zone that cannot be read or expanded.

    ``reason`` says what is wrong: ``unknown_time_zone``, ``bad_time`` (a date or time, an
    UNTIL), ``bad_rule`` (a line or rule), ``unsupported`` (what Google's lines may hold and the
    engine does not expand: another property, RDATE periods, BYSETPOS finer than daily); ``value``
    is the text at fault, when there is one.
    """

    code = "bad_recurrence"

    def __init__(self, reason: str, value: str | None, message: str) -> None:
        self.reason = reason
        self.value = value
        super().__init__(message)
