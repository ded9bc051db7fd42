"""events.watch channels and the push notifications Google POSTs to their addresses.

Notifications carry no body, only ``X-Goog-*`` headers; the first one (``sync``) confirms the
channel, later ones (``exists``) say that something changed. Delivery runs on a background
thread, so a write never waits for a webhook, and a failing receiver is retried with backoff.
A receiver that cannot take a request at any moment (an Odoo test, whose server shares the test's
transaction) has them held and released on demand: then they are delivered in the caller's thread.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import queue
import re
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from .errors import ApiError
from .state import opaque

_logger = logging.getLogger(__name__)

DEFAULT_TTL = dt.timedelta(seconds=604800)
MAX_TTL = dt.timedelta(days=30)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Channel:
    id: str
    resource_id: str
    resource_uri: str
    calendar_id: str
    owner: str
    address: str
    token: str | None
    expiration: dt.datetime
    message_number: int = 0

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "api#channel",
            "id": self.id,
            "resourceId": self.resource_id,
            "resourceUri": self.resource_uri,
            "expiration": str(int(self.expiration.timestamp() * 1000)),
        }
        if self.token is not None:
            body["token"] = self.token
        return body


class PushService:
    def __init__(self, base_url_getter, now) -> None:  # noqa: ANN001 - callables
        self._base_url = base_url_getter
        self._now = now
        self._lock = threading.Lock()
        self._delivered = threading.Condition(self._lock)
        self._queue: queue.Queue[tuple[Channel, str, int] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.deliveries: list[dict[str, Any]] = []
        self.channels: dict[str, Channel] = {}
        self.retry_delays = (0.2, 0.5, 1.0)
        self.held: list[tuple[Channel, str, int]] | None = None

    def reset(self) -> None:
        with self._lock:
            self.channels.clear()
            self.deliveries.clear()
            self.held = None

    def hold(self, on: bool) -> None:
        """Keep notifications back until ``release`` (on), or deliver as they come again (off)."""
        with self._lock:
            held, self.held = self.held or [], [] if on else None
            if not on:
                for item in held:
                    self._queue_delivery(item)

    def release(self) -> list[dict[str, Any]]:
        """Deliver the held notifications now, in order, in the caller's thread; their records."""
        with self._lock:
            items = self.held or []
            if self.held is not None:
                self.held = []
        return [self._deliver(*item) for item in items]

    def watch(self, calendar_id: str, owner: str, body: Any, now: dt.datetime) -> Channel:
        if not isinstance(body, dict):
            raise ApiError(400, "parseError", "Parse Error")
        channel_id = body.get("id")
        address = body.get("address")
        if not isinstance(channel_id, str) or not channel_id or len(channel_id) > 64:
            raise ApiError(400, "required", "Channel id is required (at most 64 characters).", location="id")
        if body.get("type") not in ("web_hook", "webhook"):
            raise ApiError(400, "invalid", "Invalid channel type: only web_hook is supported.", location="type")
        if not isinstance(address, str) or not _valid_address(address):
            raise ApiError(
                400,
                "push.webhookUrlNotHttps",
                "WebHook callback must be HTTPS: " + str(address),
                location="address",
            )
        token = body.get("token")
        if token is not None and (not isinstance(token, str) or len(token) > 256):
            raise ApiError(400, "invalid", "Channel token must be a string of at most 256 characters.", location="token")
        ttl = DEFAULT_TTL
        params = body.get("params") or {}
        digits = params.get("ttl") if isinstance(params, dict) else None
        if isinstance(digits, str) and re.fullmatch(r"[0-9]+", digits, re.ASCII):
            ttl = MAX_TTL if len(digits) > 12 else min(dt.timedelta(seconds=int(digits)), MAX_TTL)
        expiration = now + ttl
        if body.get("expiration") is not None:
            try:
                requested = dt.datetime.fromtimestamp(int(body["expiration"]) / 1000, dt.timezone.utc)
            except (TypeError, ValueError, OverflowError, OSError):
                raise ApiError(400, "invalid", "Invalid channel expiration.", location="expiration") from None
            expiration = min(expiration, requested)
        with self._lock:
            if channel_id in self.channels:
                raise ApiError(400, "channelIdNotUnique", f"Channel id {channel_id} not unique")
            channel = Channel(
                id=channel_id,
                resource_id=opaque(18),
                resource_uri=f"{self._base_url()}/calendar/v3/calendars/{quote(calendar_id, safe='')}/events?alt=json",
                calendar_id=calendar_id,
                owner=owner,
                address=address,
                token=token,
                expiration=expiration,
            )
            self.channels[channel_id] = channel
            self._enqueue(channel, "sync")
        return channel

    def stop(self, body: Any, owner: str) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not isinstance(body.get("resourceId"), str):
            raise ApiError(400, "required", "Channel id and resourceId are required.")
        with self._lock:
            channel = self.channels.get(body["id"])
            if channel is None or channel.resource_id != body["resourceId"] or channel.owner != owner:
                raise ApiError(404, "notFound", f"Channel '{body['id']}' not found for project")
            del self.channels[channel.id]

    def changed(self, calendar_id: str, state: str = "exists") -> None:
        """Tell every live channel on the calendar; expired channels are dropped silently."""
        now = self._now()
        with self._lock:
            for channel in list(self.channels.values()):
                if channel.calendar_id != calendar_id:
                    continue
                if channel.expiration <= now:
                    del self.channels[channel.id]
                    continue
                self._enqueue(channel, state)
                if state == "not_exists":
                    del self.channels[channel.id]

    def _enqueue(self, channel: Channel, state: str) -> None:
        channel.message_number += 1
        item = (channel, state, channel.message_number)
        if self.held is not None:
            self.held.append(item)
        else:
            self._queue_delivery(item)

    def _queue_delivery(self, item: tuple[Channel, str, int]) -> None:
        self._queue.put(item)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="gcal-emulator-push", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._deliver(*item)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5)

    def _deliver(self, channel: Channel, state: str, number: int) -> dict[str, Any]:
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Channel-Expiration": email.utils.format_datetime(channel.expiration, usegmt=True),
            "X-Goog-Message-Number": str(number),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-State": state,
            "X-Goog-Resource-URI": channel.resource_uri,
            "Content-Length": "0",
        }
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        record: dict[str, Any] = {
            "channel_id": channel.id,
            "state": state,
            "message_number": number,
            "address": channel.address,
            "status": None,
            "attempts": 0,
        }
        for delay in (0.0, *self.retry_delays):
            if delay:
                time.sleep(delay)
            record["attempts"] += 1
            try:
                response = requests.post(channel.address, headers=headers, data=b"", timeout=10)
                record["status"] = response.status_code
                if response.status_code in (102, 200, 201, 202, 204):
                    break
            except requests.RequestException as exc:
                record["status"] = None
                record["error"] = type(exc).__name__
        record["delivered_at"] = time.time()
        with self._delivered:
            self.deliveries.append(record)
            self._delivered.notify_all()
        return record

    def wait_for(self, state: str | None, count: int, timeout: float) -> list[dict[str, Any]]:
        """The deliveries, once ``count`` of ``state`` (any state if None) are done or ``timeout``
        seconds passed: tests wait for the background thread without polling."""

        def matching() -> int:
            return sum(1 for d in self.deliveries if state is None or d["state"] == state)

        with self._delivered:
            self._delivered.wait_for(lambda: matching() >= count, timeout=timeout)
            return list(self.deliveries)


def _valid_address(address: str) -> bool:
    parts = urlsplit(address)
    if parts.scheme == "https" and parts.hostname:
        return True
    # Plain http is refused by Google; the emulator allows it on loopback so tests need no TLS.
    return parts.scheme == "http" and parts.hostname in _LOOPBACK
