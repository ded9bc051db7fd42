"""Compare the two calendars as the user sees them: same events, none twice."""

from __future__ import annotations

from collections import Counter

from gcal_engine.mapping import from_google
from gcal_engine.model import Event
from tests.engine.conftest import Harness


def _key(event: Event, series_name: str | None) -> tuple:
    if event.cancelled and event.is_instance:
        return (series_name, "cancelled", event.original_start.instant().isoformat())
    return (
        series_name,
        event.summary,
        event.start.canonical(),
        event.end.canonical(),
        event.recurrence,
        event.original_start.instant().isoformat() if event.original_start else None,
        tuple(sorted(a.email.lower() for a in event.attendees if not a.is_self)),
    )


def local_view(harness: Harness) -> Counter:
    records = harness.local.durable.records
    view: Counter = Counter()
    for record in records.values():
        if record.event is None:
            continue
        series = records.get(record.series_local_ref) if record.series_local_ref else None
        view[_key(record.event, series.event.summary if series and series.event else None)] += 1
    return view


def google_view(harness: Harness) -> Counter:
    events = {gid: from_google(data) for gid, data in harness.google_events().items()}
    view: Counter = Counter()
    for event in events.values():
        master = events.get(event.recurring_event_id) if event.recurring_event_id else None
        if event.recurring_event_id and master is None:
            continue  # an occurrence of a deleted series: Google no longer shows it
        view[_key(event, master.summary if master else None)] += 1
    return view


def assert_converged(harness: Harness) -> None:
    local, google = local_view(harness), google_view(harness)
    assert local == google, f"local only: {local - google}; google only: {google - local}"
    assert all(count == 1 for count in local.values()), f"duplicates: {[k for k, c in local.items() if c > 1]}"
