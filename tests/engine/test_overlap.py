"""Waiting on Google overlaps: a first import asks for the next page while it writes one, a first
export has several batches waiting on Google at once, and the outcome is the sequential one.

No test measures time: Google's latency, set to hold answers until the test releases them, shows
what waited on Google at once (``EmulatorControl.latency``)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from gcal_emulator.control import EmulatorControl
from gcal_engine.client import Write
from gcal_engine.model import Event
from gcal_engine.report import RunReport
from gcal_engine.transport import Pacer
from tests.engine.conftest import Harness, SharedClock
from tests.engine.events import all_day, at, google_time, series, timed
from tests.engine.memory_calendar import MemoryCalendar

UTC = dt.timezone.utc
HOLD = 3_600_000  # ms: an answer waits until the test releases it
BOB = "bob@example.com"


def on_google(harness: Harness, count: int) -> None:
    """``count`` events on the user's Google calendar, one a weekly series with a moved occurrence."""
    client = harness.new_client()
    for i in range(count - 1):
        client.insert_event("primary", {"summary": f"Google {i}", "start": google_time(at(2 + i % 20, 9)),
                                        "end": google_time(at(2 + i % 20, 10))})
    made = client.insert_event("primary", {"summary": "Weekly", "start": google_time(at(1, 8)),
                                           "end": google_time(at(1, 9)), "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"]})
    second = list(client.instances("primary", made["id"]))[1]
    client.patch_event("primary", second["id"], {"summary": "Weekly, moved"})


def in_odoo(local: MemoryCalendar, count: int) -> None:
    """``count`` local events without binding, one a daily series and one all day."""
    for i in range(count - 2):
        local.add(timed(f"Local {i}", day=3 + i % 20, hour=14))
    local.add(series("Daily", "RRULE:FREQ=DAILY;COUNT=3", day=5, hour=7))
    local.add(all_day("Holiday", day=9))


def outcome(harness: Harness, report: RunReport) -> dict[str, Any]:
    """What a run left on both sides and did, without the ids each user's calendar differs by."""
    def shape(event: Event) -> tuple[str, str, str]:
        return event.summary, str(event.start), ",".join(event.recurrence)

    google = harness.google_events()
    requests = harness.emulator.requests()
    return {
        "local": sorted(shape(e) for e in harness.local.events().values()),
        "bound": [b.google_id in google for b in harness.local.all_bindings()].count(True),
        "google": sorted((e.get("summary", ""), str(e["start"]), ",".join(e.get("recurrence", [])))
                         for e in google.values()),
        "counts": report.counts, "requests": report.requests,
        "batches": sum(r["path"].startswith("/batch/") for r in requests),
        "parts": sum(r["batch"] for r in requests),
        "pages": sum(r["method"] == "GET" and r["path"].endswith("/events") for r in requests),
    }


def first_sync(emulator: EmulatorControl, clock: SharedClock, email: str, at_once: int) -> dict[str, Any]:
    """A first run of ``email``: 23 Google events over pages of 4, 27 local ones over batches of 5."""
    harness = Harness(emulator, emulator.connect(email), clock)
    on_google(harness, 23)
    in_odoo(harness.local, 27)
    emulator.clear_requests()
    report = harness.sync(client=harness.new_client(at_once=at_once, batch_size=5), page_size=4)
    return outcome(harness, report)


def test_a_first_sync_with_waits_overlapping_ends_as_a_sequential_one(emulator: EmulatorControl,
                                                                     clock: SharedClock) -> None:
    sequential = first_sync(emulator, clock, "alice@example.com", at_once=0)
    overlapping = first_sync(emulator, clock, BOB, at_once=4)
    assert overlapping == sequential
    assert sequential["pages"] >= 6 and sequential["batches"] >= 6, "many pages and batches were compared"
    assert len(sequential["local"]) == len(sequential["google"]), "every event on both sides"


def test_a_first_import_asks_for_the_next_page_while_it_writes_one(harness: Harness) -> None:
    on_google(harness, 9)
    asked: list[int] = []

    def writing(operation: str, _payload: Any) -> None:
        """The first event written locally: which pages Google was asked for by then."""
        if operation != "create" or asked:
            return
        harness.emulator.set_latency(page_ms=HOLD)
        if len(lists()) < 2:
            harness.emulator.latency(waiting=1, wait=30)
        asked.append(len(lists()))
        harness.emulator.clear_latency()

    def lists() -> list[dict[str, Any]]:
        return [r for r in harness.emulator.requests() if r["method"] == "GET" and r["path"].endswith("/events")]

    harness.emulator.clear_requests()
    harness.local.fail_on = writing
    harness.sync(page_size=4)
    assert asked == [2], "the second page was asked for before the first one's events were written"
    assert len(lists()) == 3 and len(harness.local.events()) == 10, "9 events and a moved occurrence"


def test_a_first_export_has_batches_waiting_on_google_together_within_the_bound(harness: Harness) -> None:
    in_odoo(harness.local, 40)
    seen: dict[str, Any] = {}

    def release() -> None:
        """Once two batches wait on Google at once, what waited, then every answer released."""
        seen.update(harness.emulator.latency(waiting=2, wait=30))
        harness.emulator.clear_latency()

    harness.emulator.set_latency(batch_part_ms=HOLD)
    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        report = harness.sync(client=harness.new_client(at_once=3, batch_size=5))
    finally:
        releaser.join()
    assert 2 <= seen["waiting"] <= 3, "batches waited on Google together, at most as many as allowed"
    assert report.counts.created_google == 40 and len(harness.google_events()) == 40


def test_batches_sent_together_are_paced_as_sequential_ones(harness: Harness) -> None:
    """The pacer paces each batch as it leaves: overlapping answers do not let more through."""
    def paced(at_once: int) -> list[float]:
        now = [0.0]
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            now[0] += seconds

        client = harness.new_client(at_once=at_once, batch_size=5, pacer=Pacer(per_minute=10, clock=lambda: now[0],
                                                                                 sleep=sleep))
        results = client.write_many([Write("POST", "primary", body={"summary": f"P{at_once}-{i}", "start": when,
                                                                         "end": when}) for i in range(30)])
        assert all(r.error is None for r in results)
        return waits

    when = google_time(at(4, 9))
    assert paced(4) == paced(0) == [60.0, 60.0], "6 batches of 5 under 10 a minute: two a minute"


def test_a_token_expired_before_batches_sent_together_is_refreshed_once_in_the_callers_thread(
        harness: Harness) -> None:
    client = harness.new_client(at_once=4, batch_size=5)
    client.session.credentials.expiry = dt.datetime.now(UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
    harness.clock.advance(3600)  # Google too takes the old token as expired
    saved_in: list[str] = []
    client.session.on_token_refreshed = lambda _credentials: saved_in.append(threading.current_thread().name)
    when = google_time(at(4, 9))
    results = client.write_many([Write("POST", "primary", body={"summary": f"T{i}", "start": when, "end": when})
                                 for i in range(20)])
    assert all(r.error is None for r in results) and len(harness.google_events()) == 20
    assert saved_in == [threading.current_thread().name], "one refresh, saved in the thread that writes the run"
