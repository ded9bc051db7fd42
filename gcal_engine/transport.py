"""Authorized HTTP to Google: refresh on 401, retry what can be retried, pace below the quotas.

Built on google-auth's ``AuthorizedSession``. Tokens travel only in the Authorization header;
logs name the method, the path and the status, never a token or a query string. A grant Google
refused (``invalid_grant`` on a refresh, or a 401 that refreshed tokens did not cure) is told
once to the application, and every later call of the session fails the same way without asking
Google again: no call can work before a person connects again.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
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
EXPIRED = dt.datetime(1970, 1, 1)  # an expiry google-auth refreshes before (naive UTC, as it keeps them)


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


@dataclass(frozen=True)
class _Call:
    method: str
    url: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: bytes | None = None
    headers: Mapping[str, str] | None = None
    cost: int = 1
    listing: bool = False

    @property
    def path(self) -> str:
        return self.url.split("://", 1)[-1].partition("/")[2]


_Outcome = requests.Response | Exception  # an answer, or the network error that stood for one


@dataclass
class Sent:
    """A request started by :meth:`GoogleSession.start`: its answer, or the network error it met,
    comes in a worker thread (no future when it could not be sent from one)."""

    call: _Call
    future: Future[requests.Response] | None
    token: str | None = None  # the access token it was sent with


class GoogleSession:
    """One user's authorized HTTP session to Google, with retries, pacing and a request count.

    ``on_token_refreshed(credentials)`` runs whenever google-auth refreshed the access token, so
    the caller can save it; ``on_grant_refused(error)`` runs once when Google refuses the grant
    (see ``refuses_grant``), so the caller can say it needs a new consent. ``requests_made``
    counts HTTP round trips, retries included.

    ``start`` and ``finish`` let up to ``at_once`` requests wait on Google together (0: none, each
    is sent by ``finish``). Only the HTTP wait leaves the caller's thread: pacing, the token's
    refresh, the callbacks (which write the caller's database), retries and errors stay in it, and
    each worker thread has its own HTTP session (a ``requests.Session`` is not thread-safe).
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
        at_once: int = 4,
    ) -> None:
        self.credentials = credentials
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.pacer = pacer
        self.on_token_refreshed = on_token_refreshed
        self.on_grant_refused = on_grant_refused
        self.at_once = at_once
        self.refused: OAuthError | GoogleApiError | None = None  # Google's refusal of the grant, once met
        self.requests_made = 0
        self._auth_request = Request(http or requests.Session())
        self._session = AuthorizedSession(credentials, auth_request=self._auth_request)
        self._workers: ThreadPoolExecutor | None = None
        self._worker_http = threading.local()
        self._worker_sessions: list[requests.Session] = []
        self._worker_lock = threading.Lock()

    def close(self) -> None:
        """Close the HTTP sessions, once the requests started are answered."""
        if self._workers is not None:
            self._workers.shutdown(wait=True, cancel_futures=True)
            self._workers = None
        for http in self._worker_sessions:
            http.close()
        self._worker_sessions.clear()
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
        return self._complete(_Call(method, url, params, json, data, headers, cost, listing), None)

    def start(
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
    ) -> Sent:
        """Send a request from a worker thread and return at once, paced and with a valid token
        (refreshed here first when it expires); :meth:`finish` gives its answer as
        :meth:`request` would. Raises as :meth:`request` does when the grant is refused."""
        call = _Call(method, url, params, json, data, headers, cost, listing)
        if self.refused is not None:
            raise self.refused
        if not self.at_once:
            return Sent(call, None)
        if self.pacer is not None:
            self.pacer.acquire(cost)
        sent_headers = dict(headers or {})
        token = self.credentials.token
        try:
            self.credentials.before_request(self._auth_request, method, url, sent_headers)
        except RefreshError as exc:
            raise self._refused(refresh_error(exc)) from exc
        except TransportError:
            return Sent(call, None)  # the refresh met the network: finish sends it, with retries
        self._saw_refresh(token)
        if self._workers is None:
            self._workers = ThreadPoolExecutor(self.at_once, thread_name_prefix="google-http")
        self.requests_made += 1
        return Sent(call, self._workers.submit(self._send_from_worker, call, sent_headers), self.credentials.token)

    def finish(self, sent: Sent) -> requests.Response:
        """The answer to a started request: sent again from here when it failed in a way worth
        retrying, or met a 401 (the token is refreshed here first, unless another answer's 401
        had it refreshed already, as google-auth does for a request of this thread)."""
        if sent.future is None:
            return self._complete(sent.call, None)
        try:
            outcome: _Outcome = sent.future.result()
        except (requests.Timeout, requests.ConnectionError, TransportError) as exc:
            outcome = exc
        if isinstance(outcome, requests.Response) and outcome.status_code == 401:
            self.reauthorize(sent.token)
            return self._complete(sent.call, None)
        return self._complete(sent.call, outcome)

    def reauthorize(self, token: str | None) -> None:
        """An answer sent with ``token`` met a 401: refresh the access token, unless another
        answer's 401 had it refreshed already (``token`` is no longer the current one)."""
        if token is None or self.credentials.token == token:
            self._refresh()

    def _refresh(self) -> None:
        token = self.credentials.token
        try:
            self.credentials.refresh(self._auth_request)
        except RefreshError as exc:
            raise self._refused(refresh_error(exc)) from exc
        except TransportError:
            # The network failed the refresh: the token is taken as expired, so that the request
            # sent again refreshes it first (a batch's parts meet their 401 inside a 200).
            self.credentials.expiry = EXPIRED
            return
        self._saw_refresh(token)

    def _send_from_worker(self, call: _Call, headers: dict[str, str]) -> requests.Response:
        http: requests.Session | None = getattr(self._worker_http, "session", None)
        if http is None:
            http = self._worker_http.session = requests.Session()
            with self._worker_lock:
                self._worker_sessions.append(http)
        return http.request(call.method, call.url, params=call.params, json=call.json, data=call.data,
                            headers=headers, timeout=self.timeout)

    def _send(self, call: _Call) -> _Outcome:
        """One paced round trip from this thread (google-auth refreshes the token as needed)."""
        if self.pacer is not None:
            self.pacer.acquire(call.cost)
        token = self.credentials.token
        self.requests_made += 1
        try:
            response: requests.Response = self._session.request(
                call.method, call.url, params=call.params, json=call.json, data=call.data,
                headers=dict(call.headers or {}), timeout=self.timeout,
            )
        except RefreshError as exc:
            raise self._refused(refresh_error(exc)) from exc
        except (requests.Timeout, requests.ConnectionError, TransportError) as exc:
            return exc
        self._saw_refresh(token)
        return response

    def _saw_refresh(self, token_before: str | None) -> None:
        if self.credentials.token != token_before and self.on_token_refreshed is not None:
            self.on_token_refreshed(self.credentials)

    def _complete(self, call: _Call, outcome: _Outcome | None) -> requests.Response:
        """The answer to ``call`` given its first ``outcome`` (None: not sent yet), retried here
        as long as it can help."""
        attempt = 0
        while True:
            if outcome is None:
                if self.refused is not None:
                    raise self.refused
                outcome = self._send(call)
            if isinstance(outcome, requests.Response):
                _logger.debug("%s /%s -> %s (attempt %s)", call.method, call.path, outcome.status_code, attempt + 1)
                if outcome.status_code < 400:
                    return outcome
                error = error_from_response(outcome, listing=call.listing)
            else:
                error = TransientError(f"{type(outcome).__name__} on {call.method} /{call.path}")
            if not error.retryable or attempt + 1 >= self.retry.max_attempts:
                raise self._refused(error)
            delay = self.retry.delay(attempt, getattr(error, "retry_after", None))
            _logger.info("%s /%s failed (%s); retry %s in %.1fs", call.method, call.path, error.status or "network",
                         attempt + 1, delay)
            self.retry.sleep(delay)
            attempt += 1
            outcome = None
    def _refused(self, error: OAuthError | GoogleApiError) -> OAuthError | GoogleApiError:
        """``error``, remembered and told once when it refuses the grant."""
        if refuses_grant(error) and self.refused is None:
            self.refused = error
            if self.on_grant_refused is not None:
                self.on_grant_refused(error)
        return error
