"""The engine against the emulator over HTTP: a connected account, a client, a memory calendar.

A run never raises to its caller: it reports. ``Harness.sync`` therefore checks every run's
report, and a run must succeed unless the test names the failure it expects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from gcal_emulator.control import EmulatorControl
from gcal_engine.client import CalendarClient
from gcal_engine.endpoints import Endpoints
from gcal_engine.errors import EngineError
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

    def sync(
        self,
        local: MemoryCalendar | None = None,
        client: CalendarClient | None = None,
        *,
        stopped_by: type[EngineError] | None = None,
        event_errors: type[EngineError] | None = None,
        out_of_time: bool = False,
        deferred: bool = False,
        clock: Callable[[], dt.datetime] | None = None,
        **options: Any,
    ) -> RunReport:
        """One run (``options``: SyncConfig's fields, and the Synchronizer's ``monotonic`` and
        ``progress``). It must succeed: complete, every event synced, nothing failed. A test about
        a failure names what it expects instead (see ``assert_outcome``)."""
        runner = {key: options.pop(key) for key in ("monotonic", "progress") if key in options}
        report = Synchronizer(client or self.client, local or self.local, SyncConfig(**options),
                              clock=clock or self.clock.now, **runner).run()
        assert_outcome(report, stopped_by=stopped_by, event_errors=event_errors, out_of_time=out_of_time,
                       deferred=deferred)
        return report

    def google_events(self, calendar_id: str = "primary") -> dict[str, dict[str, Any]]:
        """Every live event on Google (series and their exceptions), by id."""
        events: dict[str, dict[str, Any]] = {}
        for page in self.new_client().list_events(calendar_id):
            events.update({e["id"]: e for e in page.items})
        return {k: v for k, v in events.items() if v.get("status") != "cancelled" or v.get("recurringEventId")}


def assert_outcome(report: RunReport, stopped_by: type[EngineError] | None = None,
                   event_errors: type[EngineError] | None = None, out_of_time: bool = False,
                   deferred: bool = False) -> None:
    """A run succeeded (complete, no event failed or skipped, no error), or ended as expected:
    ``stopped_by`` the class of the error that stopped it before it was complete;
    ``event_errors`` the class of every per-event error of a run that completed all the same;
    ``out_of_time`` it stopped between two steps, its time budget spent, for the next run to go on;
    ``deferred`` it stopped after a step that left events the local side had no room for."""
    stop = report.fatal or report.error
    failed = [*report.problems, *report.skipped]
    if stopped_by is not None:
        assert not report.complete and isinstance(stop, stopped_by), \
            f"expected a run stopped by {stopped_by.__name__}: {describe(report)}"
        return
    expected = "run out of time" if out_of_time else "run with deferred events" if deferred else "complete run"
    assert stop is None and report.timed_out == out_of_time and bool(report.deferred) == deferred \
        and report.complete != (out_of_time or deferred), f"expected a {expected}: {describe(report)}"
    if event_errors is None:
        assert not failed, f"expected every event synced: {describe(report)}"
    else:
        assert failed and all(isinstance(p.error, event_errors) for p in failed), \
            f"expected events failed with {event_errors.__name__}: {describe(report)}"


def describe(report: RunReport) -> str:
    failed = [f"{p.summary or p.google_id or p.local_ref}: {type(p.error).__name__} {p.error}"
              for p in (*report.problems, *report.skipped)]
    return (f"complete={report.complete}, timed_out={report.timed_out}, fatal={report.fatal!r}, "
            f"error={report.error!r}, failed events={failed}")


@pytest.fixture
def clock(emulator: EmulatorControl) -> SharedClock:
    return SharedClock(emulator)


@pytest.fixture
def harness(emulator: EmulatorControl, clock: SharedClock) -> Harness:
    return Harness(emulator, emulator.connect(ALICE), clock)


@pytest.fixture
def run(harness: Harness) -> Callable[..., RunReport]:
    return harness.sync
