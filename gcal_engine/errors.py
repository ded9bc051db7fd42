"""Typed errors: each class says what happened and whether trying again can help.

Calendar API errors derive from :class:`GoogleApiError`; OAuth errors from :class:`OAuthError`,
whose ``fix`` tells an administrator or user what to change, in the words of the setup guide.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    retryable = False


class GoogleApiError(EngineError):
    """A Calendar API call failed; ``status`` and ``reason`` are Google's."""

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

    retryable = True


class RateLimitedError(TransientError):
    """429, or 403 rateLimitExceeded/userRateLimitExceeded: slow down and retry."""

    def __init__(self, message: str, status: int | None, reason: str | None, retry_after: float | None = None) -> None:
        super().__init__(message, status, reason)
        self.retry_after = retry_after


class QuotaExceededError(GoogleApiError):
    """403 quotaExceeded: the account hit Google Calendar's usage limits; retrying soon will not help."""


class ForbiddenError(GoogleApiError):
    """403 for another reason (``reason`` says which, e.g. forbiddenForNonOrganizer)."""


class NotFoundError(GoogleApiError):
    """404: the calendar or event does not exist, or this account cannot see it."""


class DeletedError(GoogleApiError):
    """410 deleted: the event was already deleted."""


class SyncTokenExpiredError(GoogleApiError):
    """410 on events.list: the sync token is no longer valid; a full sync is needed."""


class PreconditionFailedError(GoogleApiError):
    """412: the event changed since the ETag we sent; refetch and decide again."""


class DuplicateIdError(GoogleApiError):
    """409 duplicate: an event with this id already exists (maybe from an earlier, lost answer)."""


class BadRequestError(GoogleApiError):
    """400: Google refused the request as invalid; the same request will fail again."""


class UnauthorizedError(GoogleApiError):
    """401 that a token refresh did not cure: the access token is expired or revoked."""


class OAuthError(EngineError):
    """An OAuth failure, with the fix a person has to make."""

    error = "oauth_error"
    fix = "Check the Google Calendar settings and try connecting again."

    def __init__(self, description: str = "", *, error: str | None = None, fix: str | None = None) -> None:
        if error:
            self.error = error
        if fix:
            self.fix = fix
        self.description = description
        super().__init__(f"{self.error}: {description}" if description else self.error)

    @property
    def user_message(self) -> str:
        return self.fix


class AccessDeniedError(OAuthError):
    error = "access_denied"
    fix = (
        "Access was not allowed on Google's page (Error 403: access_denied). After Cancel, connect again "
        "and choose Continue. If Google said the app is blocked or being tested, the account must be "
        "a test user: in Google Cloud Console, open APIs & Services > OAuth consent screen and add it "
        "under Test users (or publish the app)."
    )


class RedirectUriMismatchError(OAuthError):
    error = "redirect_uri_mismatch"

    def __init__(self, description: str = "", *, redirect_uri: str | None = None) -> None:
        where = f" exactly {redirect_uri}" if redirect_uri else " exactly this Odoo's Redirect URL"
        fix = (
            "Google refused the redirect URL (Error 400: redirect_uri_mismatch). In Google Cloud Console > "
            "Credentials, use an OAuth client of type Web application (not Desktop app) and add"
            f"{where} under Authorized redirect URIs."
        )
        super().__init__(description, fix=fix)
        self.redirect_uri = redirect_uri


class InvalidClientError(OAuthError):
    error = "invalid_client"
    fix = (
        "Google does not recognise the OAuth client (invalid_client). Check the Client ID and Client "
        "Secret in Settings > General Settings > Integrations > Google Calendar: they must be copied "
        "exactly from Google Cloud Console > Credentials."
    )


class InvalidGrantError(OAuthError):
    error = "invalid_grant"
    fix = (
        "Google no longer accepts this connection (invalid_grant): access was revoked or has expired. "
        "Apps in Testing mode get refresh tokens that last 7 days; publish the app to avoid this. "
        "Reconnect Google Calendar to continue."
    )


class OAuthTransientError(OAuthError):
    """The token endpoint failed on its side (5xx, timeout): try again later."""

    retryable = True
    error = "temporarily_unavailable"
    fix = "Google's sign-in service did not answer. Try again in a few minutes."


class ScopeNotGrantedError(OAuthError):
    error = "scope_not_granted"
    fix = (
        "Google Calendar access was not granted: on Google's consent screen, tick the boxes that let "
        "Odoo see and edit your calendar events, then connect again."
    )


class MassDeletionError(EngineError):
    """A run would delete too much of a calendar at once; it stopped before deleting anything.

    Held deletions stay pending: each run stops again until one runs with mass deletions allowed.
    """

    def __init__(self, side: str, deletions: int, total: int) -> None:
        self.side = side
        self.deletions = deletions
        self.total = total
        super().__init__(
            f"Stopped before deleting {deletions} of {total} synchronized events in {side}: that looks like a "
            "mistake. Nothing was deleted; confirm the deletions to go ahead."
        )


class LocalWriteError(EngineError):
    """The local calendar could not apply one event (its message says why); the run goes on."""
