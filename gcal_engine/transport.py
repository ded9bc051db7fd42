"""Authorized HTTP to Google: refresh on 401, retry what can be retried, pace below the quotas.

Built on google-auth's ``AuthorizedSession``. Tokens travel only in the Authorization header;
logs name the method, the path and the status, never a token or a query string. A grant Google
refused (``invalid_grant`` on a refresh, or a 401 that refreshed tokens did not cure) is told
once to the application, and every later call of the session fails the same way without asking
Google again: no call can work before a person connects again.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.credentials import Credentials

from .errors import (
    BadRequestError,
    DeletedError,
    DuplicateIdError,
    ForbiddenError,
    GoogleApiError,
    InvalidClientError,
    InvalidGrantError,
    NotFoundError,
    OAuthError,
    OAuthTransientError,
    PreconditionFailedError,
    QuotaExceededError,
    RateLimitedError,
    SyncTokenExpiredError,
    TransientError,
    UnauthorizedError,
)

_logger = logging.getLogger(__name__)

RATE_LIMIT_REASONS = ("rateLimitExceeded", "userRateLimitExceeded")


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter; ``Retry-After`` is honoured when it asks for longer."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 32.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        backoff = self.random() * min(self.max_delay, self.base_delay * 2.0**attempt)
        return max(backoff, retry_after or 0.0)


class Pacing(Protocol):
    """What paces a session's requests: ``acquire(cost)`` returns once ``cost`` more fit under the
    quotas, with the seconds it waited. ``Pacer`` paces one process; an application running on
    several processes shares its own (the Odoo addon's lives in PostgreSQL)."""

    def acquire(self, cost: int = 1) -> float: ...


@dataclass
class Pacer:
    """Keeps the calls of any sliding minute under a quota (a batch of n counts as n).

    Google's defaults are 600 requests/minute per user and 10,000 per project; staying below
    them costs waiting here instead of 403/429 walls there.
    """

    per_minute: int = 600
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _sent: deque[tuple[float, int]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, cost: int = 1) -> float:
        """Wait until ``cost`` more calls fit in the window; returns the seconds waited."""
        waited = 0.0
        cost = min(cost, self.per_minute)
        with self._lock:
            while True:
                now = self.clock()
                while self._sent and self._sent[0][0] <= now - 60:
                    self._sent.popleft()
                used = sum(c for _, c in self._sent)
                if used + cost <= self.per_minute:
                    self._sent.append((now, cost))
                    return waited
                pause = self._sent[0][0] + 60 - now
                self.sleep(pause)
                waited += pause


def error_from_response(response: requests.Response, *, listing: bool = False) -> GoogleApiError:
    """The typed error for a Calendar API error answer."""
    try:
        body = response.json()
    except ValueError:
        body = None
    reason, message = error_details(body, response.reason or f"HTTP {response.status_code}")
    return error_for(response.status_code, reason, message, retry_after(response.headers), listing=listing)


def error_details(body: Any, default_message: str) -> tuple[str | None, str]:
    """(reason, message) of Google's JSON error envelope; tolerant of any other body."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, default_message
    items = error.get("errors") or []
    reason = items[0].get("reason") if items and isinstance(items[0], dict) else None
    return reason, error.get("message") or default_message


def error_for(status: int, reason: str | None, message: str, retry: float | None = None,
              *, listing: bool = False) -> GoogleApiError:
    if status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS):
        return RateLimitedError(message, status, reason, retry)
    if status >= 500 or status == 408:
        return TransientError(message, status, reason)
    if status == 403 and reason == "quotaExceeded":
        return QuotaExceededError(message, status, reason)
    if status == 403:
        return ForbiddenError(message, status, reason)
    if status == 401:
        return UnauthorizedError(message, status, reason)
    if status == 404:
        return NotFoundError(message, status, reason)
    if status == 409:
        return DuplicateIdError(message, status, reason)
    if status == 410:
        if listing or reason in ("fullSyncRequired", "updatedMinTooLongAgo"):
            return SyncTokenExpiredError(message, status, reason)
        return DeletedError(message, status, reason)
    if status == 412:
        return PreconditionFailedError(message, status, reason)
    if status == 400:
        return BadRequestError(message, status, reason)
    return GoogleApiError(message, status, reason)


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def refresh_error(exc: RefreshError) -> OAuthError:
    """google-auth's RefreshError as our typed OAuth error."""
    text = str(exc)
    if "invalid_grant" in text:
        return InvalidGrantError("Token has been expired or revoked.")
    if "invalid_client" in text or "unauthorized_client" in text:
        return InvalidClientError(text)
    if getattr(exc, "retryable", False):
        return OAuthTransientError(text)
    return OAuthError(text, error="refresh_failed")


def refuses_grant(error: Exception) -> bool:
    """Whether ``error`` says Google no longer accepts the grant itself (only a new consent helps)."""
    return isinstance(error, InvalidGrantError | UnauthorizedError)


class GoogleSession:
    """One user's authorized HTTP session to Google, with retries, pacing and a request count.

    ``on_token_refreshed(credentials)`` runs whenever google-auth refreshed the access token, so
    the caller can save it; ``on_grant_refused(error)`` runs once when Google refuses the grant
    (see ``refuses_grant``), so the caller can say it needs a new consent. ``requests_made``
    counts HTTP round trips, retries included.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout: float | tuple[float, float] = (10, 60),
        retry: RetryPolicy | None = None,
        pacer: Pacing | None = None,
        on_token_refreshed: Callable[[Credentials], None] | None = None,
        on_grant_refused: Callable[[OAuthError | GoogleApiError], None] | None = None,
        http: requests.Session | None = None,
    ) -> None:
        self.credentials = credentials
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.pacer = pacer
        self.on_token_refreshed = on_token_refreshed
        self.on_grant_refused = on_grant_refused
        self.refused: OAuthError | GoogleApiError | None = None  # Google's refusal of the grant, once met
        self.requests_made = 0
        self._session = AuthorizedSession(credentials, auth_request=Request(http or requests.Session()))

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        cost: int = 1,
        listing: bool = False,
    ) -> requests.Response:
        """A 2xx (or 304) answer, or the typed error once retries are used up or cannot help."""
        if self.refused is not None:
            raise self.refused
        path = url.split("://", 1)[-1].partition("/")[2]
        attempt = 0
        while True:
            if self.pacer is not None:
                self.pacer.acquire(cost)
            token = self.credentials.token
            try:
                self.requests_made += 1
                response: requests.Response = self._session.request(
                    method, url, params=params, json=json, data=data, headers=dict(headers or {}), timeout=self.timeout
                )
            except RefreshError as exc:
                raise self._refused(refresh_error(exc)) from exc
            except (requests.Timeout, requests.ConnectionError, TransportError) as exc:
                error: GoogleApiError = TransientError(f"{type(exc).__name__} on {method} /{path}")
            else:
                if self.credentials.token != token and self.on_token_refreshed is not None:
                    self.on_token_refreshed(self.credentials)
                _logger.debug("%s /%s -> %s (attempt %s)", method, path, response.status_code, attempt + 1)
                if response.status_code < 400:
                    return response
                error = error_from_response(response, listing=listing)
            if not error.retryable or attempt + 1 >= self.retry.max_attempts:
                raise self._refused(error)
            delay = self.retry.delay(attempt, getattr(error, "retry_after", None))
            _logger.info("%s /%s failed (%s); retry %s in %.1fs", method, path, error.status or "network",
                         attempt + 1, delay)
            self.retry.sleep(delay)
            attempt += 1

    def _refused(self, error: OAuthError | GoogleApiError) -> OAuthError | GoogleApiError:
        """``error``, remembered and told once when it refuses the grant."""
        if refuses_grant(error) and self.refused is None:
            self.refused = error
            if self.on_grant_refused is not None:
                self.on_grant_refused(error)
        return error
