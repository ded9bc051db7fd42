"""The Calendar API calls the sync needs, and nothing else talks to Google's Calendar API.

Lists are streamed page by page (2,500 events a page, Google's maximum), so memory follows the
page size, not the calendar size; the next page is asked for while the caller works on one. Writes
can go one by one or in batches of up to 50, several batches waiting on Google at once (the
session's ``at_once``).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from . import batch
from .endpoints import Endpoints
from .errors import GoogleApiError, RateLimitedError, TransientError, UnauthorizedError
from .transport import GoogleSession, Sent, error_details, error_for, retry_after

PAGE_SIZE = 2500


@dataclass
class EventsPage:
    items: list[dict[str, Any]]
    next_sync_token: str | None = None


@dataclass
class Write:
    """One event write for :meth:`CalendarClient.write_many`."""

    method: str  # POST (insert), IMPORT (events.import: a private copy), PATCH or DELETE
    calendar_id: str
    event_id: str | None = None
    body: dict[str, Any] | None = None
    etag: str | None = None
    send_updates: str = "none"
    conference: bool = False


@dataclass
class WriteResult:
    """The event Google returned (None for a delete), or the typed error of that one write."""

    event: dict[str, Any] | None = None
    error: GoogleApiError | None = None


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CalendarClient:
    def __init__(self, session: GoogleSession, endpoints: Endpoints | None = None,
                 batch_size: int = batch.MAX_CALLS) -> None:
        self.session = session
        self.endpoints = endpoints or Endpoints.google()
        self.batch_size = batch_size

    @property
    def requests_made(self) -> int:
        return self.session.requests_made

    def _events_url(self, calendar_id: str, event_id: str | None = None, suffix: str = "") -> str:
        url = f"{self.endpoints.calendar}/calendars/{quote(calendar_id, safe='')}/events"
        if event_id:
            url += f"/{quote(event_id, safe='')}"
        return url + suffix

    def _pages(self, url: str, params: dict[str, Any], *, listing: bool = False) -> Iterator[dict[str, Any]]:
        """Each page of a paged GET; the next one is asked for before this one is handed over, so
        that its wait on Google overlaps the caller's work on this one. A page token resumes the
        listing as it began (what the caller writes meanwhile moves nothing into or out of the
        next page), so asking early changes no answer; two pages at most are held at once."""
        data = _object(self.session.request("GET", url, params=params, listing=listing))
        while True:
            token = data.get("nextPageToken")
            following = self.session.start("GET", url, params={**params, "pageToken": token},
                                           listing=listing) if token else None
            yield data
            if following is None:
                return
            data = _object(self.session.finish(following))

    # -- reads -----------------------------------------------------------------------------------

    def list_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        time_min: dt.datetime | None = None,
        time_max: dt.datetime | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[EventsPage]:
        """events.list, one page at a time; only the last page carries ``next_sync_token``.

        Incremental (``sync_token``) lists include deletions; full lists may be windowed.
        Raises SyncTokenExpiredError (410) when the token is no longer valid.
        """
        params: dict[str, Any] = {"maxResults": page_size}
        if sync_token:
            params["syncToken"] = sync_token
        else:
            if time_min is not None:
                params["timeMin"] = _rfc3339(time_min)
            if time_max is not None:
                params["timeMax"] = _rfc3339(time_max)
        for data in self._pages(self._events_url(calendar_id), params, listing=True):
            yield EventsPage(items=data.get("items", []), next_sync_token=data.get("nextSyncToken"))

    def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return _object(self.session.request("GET", self._events_url(calendar_id, event_id)))

    def instances(self, calendar_id: str, event_id: str, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"maxResults": page_size, "showDeleted": "true"}
        for data in self._pages(self._events_url(calendar_id, event_id, "/instances"), params):
            yield from data.get("items", [])

    def calendar_entry(self, calendar_id: str) -> dict[str, Any]:
        """The user's calendarList entry of one calendar (its default reminders, its name)."""
        return _object(self.session.request("GET", f"{self.endpoints.calendar}/users/me/calendarList/"
                                                   f"{quote(calendar_id, safe='')}"))

    def calendar_list(self) -> list[dict[str, Any]]:
        url = f"{self.endpoints.calendar}/users/me/calendarList"
        return [item for data in self._pages(url, {}) for item in data.get("items", [])]

    # -- writes ----------------------------------------------------------------------------------

    def _write_request(self, write: Write) -> tuple[str, str, dict[str, str], dict[str, str]]:
        headers = {"If-Match": write.etag} if write.etag else {}
        if write.method == "IMPORT":  # mails nobody: no sendUpdates
            params = {"conferenceDataVersion": "1"} if write.conference else {}
            return "POST", self._events_url(write.calendar_id, suffix="/import"), params, headers
        params = {"sendUpdates": write.send_updates}
        if write.conference:
            params["conferenceDataVersion"] = "1"
        url = self._events_url(write.calendar_id, write.event_id)
        return write.method, url, params, headers

    def write(self, write: Write) -> dict[str, Any] | None:
        """One insert, patch or delete; the event Google returns (None for a delete)."""
        method, url, params, headers = self._write_request(write)
        response = self.session.request(method, url, params=params, json=write.body, headers=headers)
        return _object(response) if response.content else None

    def _written_event(self, write: Write) -> dict[str, Any]:
        """The event an insert or a patch made: Google always answers one."""
        event = self.write(write)
        if event is None:
            raise TransientError(f"no event in the answer to {write.method}")
        return event

    def insert_event(self, calendar_id: str, body: dict[str, Any], *, send_updates: str = "none",
                     conference: bool = False) -> dict[str, Any]:
        return self._written_event(Write("POST", calendar_id, body=body, send_updates=send_updates,
                                         conference=conference))

    def patch_event(self, calendar_id: str, event_id: str, body: dict[str, Any], *, etag: str | None = None,
                    send_updates: str = "none", conference: bool = False) -> dict[str, Any]:
        return self._written_event(Write("PATCH", calendar_id, event_id, body, etag, send_updates, conference))

    def import_event(self, calendar_id: str, body: dict[str, Any], *, conference: bool = False) -> dict[str, Any]:
        """events.import: a private copy of an event (``body`` names its iCalUID and organizer)."""
        return self._written_event(Write("IMPORT", calendar_id, body=body, conference=conference))

    def delete_event(self, calendar_id: str, event_id: str, *, etag: str | None = None, send_updates: str = "none") -> None:
        self.write(Write("DELETE", calendar_id, event_id, etag=etag, send_updates=send_updates))

    def write_many(self, writes: Sequence[Write]) -> list[WriteResult]:
        """Every write, in batches of ``batch_size``; one result per write, in order.

        Items that fail transiently (5xx, rate limits) are sent again in a later batch, with
        backoff, and items that met an expired access token once it is refreshed; a batch request
        that fails as a whole is retried by the session.
        """
        if len(writes) == 1:
            try:
                return [WriteResult(event=self.write(writes[0]))]
            except GoogleApiError as exc:
                return [WriteResult(error=exc)]
        results: dict[int, WriteResult] = {}
        reauthorized: set[int] = set()
        pending = list(range(len(writes)))
        attempt = 0
        while pending:
            retry: list[int] = []
            wait = 0.0
            chunks = [pending[first:first + self.batch_size] for first in range(0, len(pending), self.batch_size)]
            for chunk, answers in zip(chunks, self._batches([[writes[i] for i in chunk] for chunk in chunks])):
                for index, answer in zip(chunk, answers):
                    if isinstance(answer, WriteResult):
                        results[index] = answer
                        continue
                    status, body, headers = answer
                    error = _answer_error(status, body, headers)
                    if error is None:
                        results[index] = WriteResult(event=body if isinstance(body, dict) else None)
                    elif isinstance(error, UnauthorizedError) and index not in reauthorized:
                        reauthorized.add(index)  # sent again with the token refreshed (see _answers)
                        retry.append(index)
                    elif error.retryable and attempt + 1 < self.session.retry.max_attempts:
                        retry.append(index)
                        if isinstance(error, RateLimitedError) and error.retry_after:
                            wait = max(wait, error.retry_after)
                    else:
                        results[index] = WriteResult(error=error)
            pending = retry
            if pending:
                self.session.retry.sleep(self.session.retry.delay(attempt, wait))
                attempt += 1
        return [results[index] for index in range(len(writes))]

    def _batches(self, groups: list[list[Write]]) -> Iterator[list[tuple[int, Any, dict[str, str]] | WriteResult]]:
        """Each group's answers as one batch, in order, with up to the session's ``at_once``
        batches waiting on Google together (each paced as it leaves)."""
        waiting: deque[tuple[list[Write], Sent | GoogleApiError]] = deque()
        for group in groups:
            if len(waiting) >= max(self.session.at_once, 1):
                yield self._answers(*waiting.popleft())
            waiting.append((group, self._send_batch(group)))
        while waiting:
            yield self._answers(*waiting.popleft())

    def _send_batch(self, writes: list[Write]) -> Sent | GoogleApiError:
        calls = []
        for write in writes:
            method, url, params, headers = self._write_request(write)
            calls.append(batch.Call(method, urlsplit(url).path, params, write.body, headers))
        content_type, payload = batch.encode(calls)
        try:
            return self.session.start("POST", self.endpoints.batch, data=payload,
                                      headers={"Content-Type": content_type}, cost=len(calls))
        except GoogleApiError as exc:
            return exc

    def _answers(self, writes: list[Write], sent: Sent | GoogleApiError,
                 ) -> list[tuple[int, Any, dict[str, str]] | WriteResult]:
        if isinstance(sent, GoogleApiError):
            return [WriteResult(error=sent) for _ in writes]
        try:
            response = self.session.finish(sent)
        except GoogleApiError as exc:
            return [WriteResult(error=exc) for _ in writes]
        answers = batch.decode(response.headers.get("Content-Type", ""), response.content, len(writes))
        if any(answer is not None and answer.status == 401 for answer in answers):
            # Google answers a batch sent with an access token that expired early 200, and each part 401.
            self.session.reauthorize(sent.token)
        return [
            (answer.status, answer.body, answer.headers) if answer is not None
            else WriteResult(error=TransientError("no answer for this item in the batch response"))
            for answer in answers
        ]

    # -- push channels -----------------------------------------------------------------------------

    def watch(self, calendar_id: str, channel_id: str, address: str, token: str, ttl_seconds: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"id": channel_id, "type": "web_hook", "address": address, "token": token}
        if ttl_seconds:
            body["params"] = {"ttl": str(ttl_seconds)}
        return _object(self.session.request("POST", self._events_url(calendar_id, suffix="/watch"), json=body))

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        self.session.request("POST", f"{self.endpoints.calendar}/channels/stop",
                             json={"id": channel_id, "resourceId": resource_id})


def _object(response: requests.Response) -> dict[str, Any]:
    """The JSON object of a 2xx answer; anything else is a broken answer, worth trying again."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TransientError("the answer is not a JSON object", response.status_code)
    return body


def _answer_error(status: int, body: Any, headers: dict[str, str]) -> GoogleApiError | None:
    if status < 400:
        return None
    reason, message = error_details(body, f"HTTP {status}")
    return error_for(status, reason, message, retry_after({k.title(): v for k, v in headers.items()}))


def expiry_from_ms(value: str | int | None) -> dt.datetime | None:
    """A channel's ``expiration`` (milliseconds since the epoch) as an aware datetime."""
    if value in (None, ""):
        return None
    return dt.datetime.fromtimestamp(int(value) / 1000, dt.timezone.utc)

