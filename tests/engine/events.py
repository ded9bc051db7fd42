"""Small builders for neutral events in tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gcal_engine.model import Event, EventTime

UTC = dt.timezone.utc
PARIS = "Europe/Paris"


def at(day: int, hour: int = 10, month: int = 12, year: int = 2026, zone: str | None = PARIS) -> EventTime:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone) if zone else UTC
    return EventTime(date_time=dt.datetime(year, month, day, hour, tzinfo=tz), time_zone=zone)


def timed(summary: str, day: int = 1, hour: int = 10, hours: int = 1, month: int = 12, zone: str | None = PARIS,
          **extra: Any) -> Event:
    return Event(start=at(day, hour, month, zone=zone), end=at(day, hour + hours, month, zone=zone), summary=summary, **extra)


def all_day(summary: str, day: int = 1, days: int = 1, month: int = 12, **extra: Any) -> Event:
    start = dt.date(2026, month, day)
    return Event(start=EventTime(date=start), end=EventTime(date=start + dt.timedelta(days=days)), summary=summary, **extra)


def series(summary: str, rule: str = "RRULE:FREQ=WEEKLY;COUNT=4", day: int = 1, hour: int = 10, **extra: Any) -> Event:
    return timed(summary, day, hour, recurrence=(rule,), **extra)


def occurrence(master: Event, original: EventTime, **changes: Any) -> Event:
    """An exception of ``master``: its occurrence at ``original``, changed."""
    duration = master.end.instant() - master.start.instant()
    if original.all_day:
        base = master.replace(start=original, end=EventTime(date=original.date + duration), recurrence=(), original_start=original)
    else:
        end = EventTime(date_time=original.date_time + duration, time_zone=original.time_zone)
        base = master.replace(start=original, end=end, recurrence=(), original_start=original)
    return base.replace(**changes)
