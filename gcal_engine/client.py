"""The Calendar API calls the sync needs, and nothing else talks to Google's Calendar API.

Lists are streamed page by page (2,500 events a page, Google's maximum), so memory follows the
page size, not the calendar size. Writes can go one by one or in batches of up to 50.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from . import batch
from .endpoints import Endpoints
from .errors import GoogleApiError, TransientError
from .transport import GoogleSession, error_details, error_for, retry_after

PAGE_SIZE = 2500


@dataclass
class EventsPage:
    items: list[dict[str, Any]]
    next_sync_token: str | None = None
    time_zone: str | None = None
    default_reminders: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Write:
    """One event write for :meth:`CalendarClient.write_many`."""

    method: str  # POST (insert), PATCH or DELETE
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
    def __init__(self, session: GoogleSession, endpoints: Endpoints | None = None, batch_size: int = batch.MAX_CALLS):
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
        while True:
            data = self.session.request("GET", self._events_url(calendar_id), params=params, listing=True).json()
            yield EventsPage(
                items=data.get("items", []),
                next_sync_token=data.get("nextSyncToken"),
                time_zone=data.get("timeZone"),
                default_reminders=data.get("defaultReminders", []),
            )
            if not data.get("nextPageToken"):
                return
            params["pageToken"] = data["nextPageToken"]

    def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return self.session.request("GET", self._events_url(calendar_id, event_id)).json()

    def instances(self, calendar_id: str, event_id: str, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"maxResults": page_size, "showDeleted": "true"}
        while True:
            data = self.session.request("GET", self._events_url(calendar_id, event_id, "/instances"), params=params).json()
            yield from data.get("items", [])
            if not data.get("nextPageToken"):
                return
            params["pageToken"] = data["nextPageToken"]

    def calendar_list(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        while True:
            data = self.session.request("GET", f"{self.endpoints.calendar}/users/me/calendarList", params=params).json()
            items += data.get("items", [])
            if not data.get("nextPageToken"):
                return items
            params["pageToken"] = data["nextPageToken"]

    # -- writes ----------------------------------------------------------------------------------

    def _write_request(self, write: Write) -> tuple[str, str, dict[str, str], dict[str, str]]:
        params = {"sendUpdates": write.send_updates}
        if write.conference:
            params["conferenceDataVersion"] = "1"
        headers = {"If-Match": write.etag} if write.etag else {}
        url = self._events_url(write.calendar_id, write.event_id)
        return write.method, url, params, headers

    def write(self, write: Write) -> dict[str, Any] | None:
        """One insert, patch or delete; the event Google returns (None for a delete)."""
        method, url, params, headers = self._write_request(write)
        response = self.session.request(method, url, params=params, json=write.body, headers=headers)
        return response.json() if response.content else None

    def insert_event(self, calendar_id: str, body: dict[str, Any], *, send_updates: str = "none",
                     conference: bool = False) -> dict[str, Any]:
        return self.write(Write("POST", calendar_id, body=body, send_updates=send_updates, conference=conference))

    def patch_event(self, calendar_id: str, event_id: str, body: dict[str, Any], *, etag: str | None = None,
                    send_updates: str = "none", conference: bool = False) -> dict[str, Any]:
        return self.write(Write("PATCH", calendar_id, event_id, body, etag, send_updates, conference))

    def delete_event(self, calendar_id: str, event_id: str, *, etag: str | None = None, send_updates: str = "none") -> None:
        self.write(Write("DELETE", calendar_id, event_id, etag=etag, send_updates=send_updates))

    def write_many(self, writes: Sequence[Write]) -> list[WriteResult]:
        """Every write, in batches of ``batch_size``; one result per write, in order.

        Items that fail transiently (5xx, rate limits) are sent again in a later batch, with
        backoff; a batch request that fails as a whole is retried by the session.
        """
        results: list[WriteResult | None] = [None] * len(writes)
        if len(writes) == 1:
            try:
                results[0] = WriteResult(event=self.write(writes[0]))
            except GoogleApiError as exc:
                results[0] = WriteResult(error=exc)
            return results  # type: ignore[return-value]
        pending = list(range(len(writes)))
        attempt = 0
        while pending:
            retry: list[int] = []
            wait = None
            for first in range(0, len(pending), self.batch_size):
                chunk = pending[first:first + self.batch_size]
                for index, answer in zip(chunk, self._batch([writes[i] for i in chunk])):
                    if isinstance(answer, WriteResult):
                        results[index] = answer
                        continue
                    status, body, headers = answer
                    error = _answer_error(status, body, headers)
                    if error is None:
                        results[index] = WriteResult(event=body if isinstance(body, dict) else None)
                    elif error.retryable and attempt + 1 < self.session.retry.max_attempts:
                        retry.append(index)
                        wait = max(wait or 0.0, getattr(error, "retry_after", None) or 0.0)
                    else:
                        results[index] = WriteResult(error=error)
            pending = retry
            if pending:
                self.session.retry.sleep(self.session.retry.delay(attempt, wait))
                attempt += 1
        return results  # type: ignore[return-value]

    def _batch(self, writes: Sequence[Write]) -> list[tuple[int, Any, dict[str, str]] | WriteResult]:
        calls = []
        for write in writes:
            method, url, params, headers = self._write_request(write)
            calls.append(batch.Call(method, urlsplit(url).path, params, write.body, headers))
        content_type, payload = batch.encode(calls)
        try:
            response = self.session.request(
                "POST", self.endpoints.batch, data=payload, headers={"Content-Type": content_type}, cost=len(calls)
            )
        except GoogleApiError as exc:
            return [WriteResult(error=exc) for _ in writes]
        answers = batch.decode(response.headers.get("Content-Type", ""), response.content, len(calls))
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
        return self.session.request("POST", self._events_url(calendar_id, suffix="/watch"), json=body).json()

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        self.session.request("POST", f"{self.endpoints.calendar}/channels/stop",
                             json={"id": channel_id, "resourceId": resource_id})


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

