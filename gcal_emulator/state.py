"""The emulator's in-memory world: accounts, calendars, stored events, logs and the clock.

One lock guards everything; handlers hold it for the whole of a request's read or write, so a
request sees and leaves a consistent state, as a single Google backend would.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

UTC = dt.timezone.utc


class Clock:
    """Wall-clock time plus an offset that tests move forward (token and channel expiry)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)


def rfc3339(moment: dt.datetime) -> str:
    """Google's ``updated``/``created`` format: UTC with milliseconds and ``Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_event_id() -> str:
    """A random event id in Google's alphabet (base32hex, lower case), 26 characters."""
    return base64.b32hexencode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def opaque(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


@dataclass
class StoredEvent:
    resource: dict[str, Any]
    seq: int
    pos: int

    @property
    def cancelled(self) -> bool:
        return self.resource.get("status") == "cancelled"


@dataclass
class Calendar:
    id: str
    owner: str
    summary: str
    time_zone: str
    primary: bool = False
    events: dict[str, StoredEvent] = field(default_factory=dict)
    seq: int = 0
    epoch: int = 0
    next_pos: int = 0
    updated: dt.datetime = field(default_factory=lambda: dt.datetime.now(UTC))

    def bump(self, now: dt.datetime) -> int:
        self.seq += 1
        self.updated = now
        return self.seq

    def store(self, resource: dict[str, Any], now: dt.datetime) -> StoredEvent:
        """Insert or replace an event, giving it the next change sequence number."""
        seq = self.bump(now)
        current = self.events.get(resource["id"])
        if current is None:
            current = StoredEvent(resource, seq, self.next_pos)
            self.next_pos += 1
            self.events[resource["id"]] = current
        else:
            current.resource = resource
            current.seq = seq
        return current


@dataclass
class Account:
    email: str
    name: str
    time_zone: str
    calendars: dict[str, Calendar] = field(default_factory=dict)


class EmulatorState:
    """Everything the emulator knows; ``reset()`` empties it."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self._etag_counter = 0
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.accounts: dict[str, Account] = {}
            self.calendars: dict[str, Calendar] = {}
            self.requests: list[dict[str, Any]] = []
            self.mails: list[dict[str, Any]] = []
            self.sync_epoch = 0
            # The most events a page of events.list holds, whatever maxResults asks: Google's own
            # pages may hold fewer than asked ("even if there are more events matching the query").
            self.page_limit: int | None = None

    def now(self) -> dt.datetime:
        return self.clock.now()

    def next_etag(self) -> str:
        with self.lock:
            self._etag_counter += 1
            return f'"{3_000_000_000_000_000 + self._etag_counter}"'

    def add_account(self, email: str, name: str | None = None, time_zone: str = "UTC") -> Account:
        with self.lock:
            email = email.strip().lower()
            account = self.accounts.get(email)
            if account is None:
                account = Account(email=email, name=name or email.split("@")[0], time_zone=time_zone)
                self.accounts[email] = account
                self.add_calendar(account, email, summary=email, primary=True)
            return account

    def add_calendar(self, account: Account, calendar_id: str, summary: str, primary: bool = False) -> Calendar:
        calendar = Calendar(
            id=calendar_id,
            owner=account.email,
            summary=summary,
            time_zone=account.time_zone,
            primary=primary,
            updated=self.now(),
        )
        account.calendars[calendar_id] = calendar
        self.calendars[calendar_id] = calendar
        return calendar

    def remove_calendar(self, calendar: Calendar) -> None:
        self.accounts[calendar.owner].calendars.pop(calendar.id, None)
        self.calendars.pop(calendar.id, None)
