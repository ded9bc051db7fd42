"""The engine against the emulator over HTTP: a connected account, a client, a memory calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from gcal_emulator.control import EmulatorControl
from gcal_engine.client import CalendarClient
from gcal_engine.endpoints import Endpoints
from gcal_engine.oauth import OAuthClient, OAuthConfig
from gcal_engine.report import RunReport
from gcal_engine.sync import SyncConfig, Synchronizer
from gcal_engine.transport import GoogleSession, RetryPolicy
from tests.engine.memory_calendar import MemoryCalendar

UTC = dt.timezone.utc
ALICE = "alice@example.com"


class SharedClock:
    """One clock for both sides: the emulator's (real time plus what the test advanced)."""

    def __init__(self, emulator: EmulatorControl) -> None:
        self.emulator = emulator
        self.offset = dt.timedelta()

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)
        self.emulator.advance_clock(seconds)


class Harness:
    def __init__(self, emulator: EmulatorControl, token: dict[str, Any], clock: SharedClock) -> None:
        self.emulator = emulator
        self.clock = clock
        self.endpoints = Endpoints.from_base_url(emulator.base_url)
        self.oauth = OAuthClient(OAuthConfig(token["client_id"], token["client_secret"], "http://localhost/callback",
                                             self.endpoints), clock=clock.now)
        self.token = token
        self.sleeps: list[float] = []
        self.refreshed: list[str] = []
        self.local = MemoryCalendar(clock=clock.now)
        self.client = self.new_client()

    def new_client(self, timeout: float | tuple[float, float] = (5, 10)) -> CalendarClient:
        expires = self.clock.now() + dt.timedelta(seconds=self.token["expires_in"])
        credentials = self.oauth.credentials(self.token["access_token"], expires, self.token.get("refresh_token"))
        session = GoogleSession(
            credentials,
            timeout=timeout,
            retry=RetryPolicy(max_attempts=4, sleep=self.sleeps.append),
            on_token_refreshed=lambda creds: self.refreshed.append(creds.token),
        )
        return CalendarClient(session, self.endpoints)

    def sync(self, local: MemoryCalendar | None = None, client: CalendarClient | None = None, **config: Any) -> RunReport:
        return Synchronizer(client or self.client, local or self.local, SyncConfig(**config), clock=self.clock.now).run()

    def google_events(self, calendar_id: str = "primary") -> dict[str, dict[str, Any]]:
        """Every live event on Google (series and their exceptions), by id."""
        events: dict[str, dict[str, Any]] = {}
        for page in self.new_client().list_events(calendar_id):
            events.update({e["id"]: e for e in page.items})
        return {k: v for k, v in events.items() if v.get("status") != "cancelled" or v.get("recurringEventId")}


@pytest.fixture
def clock(emulator: EmulatorControl) -> SharedClock:
    return SharedClock(emulator)


@pytest.fixture
def harness(emulator: EmulatorControl, clock: SharedClock) -> Harness:
    return Harness(emulator, emulator.connect(ALICE), clock)


@pytest.fixture
def run(harness: Harness) -> Callable[..., RunReport]:
    return harness.sync
