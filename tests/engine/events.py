"""Small builders for neutral events in tests.

Days are counted from ``FIRST_DAY`` (day 1), a day a few weeks after today's date on the test's
clock: every event of a test lies inside the sync window, whatever the date the suite runs on.
Times are wall-clock times in their zone; a test that needs an instant or Google's text of one
computes it from the same builders (``google_time``, ``instance_suffix``), so that a daylight
saving change within a test's days moves expectation and event alike."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from gcal_engine.model import Event, EventTime

UTC = dt.timezone.utc
PARIS = "Europe/Paris"
FIRST_DAY = dt.datetime.now(UTC).date() + dt.timedelta(days=28)


def day_of(day: int) -> dt.date:
    """The date of day ``day`` (1 is ``FIRST_DAY``)."""
    return FIRST_DAY + dt.timedelta(days=day - 1)


def at(day: int, hour: int = 10, zone: str | None = PARIS) -> EventTime:
    tz = ZoneInfo(zone) if zone else UTC
    return EventTime(date_time=dt.datetime.combine(day_of(day), dt.time(hour), tz), time_zone=zone)


def timed(summary: str, day: int = 1, hour: int = 10, hours: int = 1, zone: str | None = PARIS,
          **extra: Any) -> Event:
    return Event(start=at(day, hour, zone=zone), end=at(day, hour + hours, zone=zone), summary=summary, **extra)


def all_day(summary: str, day: int = 1, days: int = 1, **extra: Any) -> Event:
    start = day_of(day)
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


def google_time(value: EventTime) -> dict[str, str]:
    """A timed EventTime as Google writes it: ``{"dateTime": ..., "timeZone": ...}``."""
    assert value.date_time is not None
    return {"dateTime": value.date_time.isoformat(), "timeZone": value.time_zone or "UTC"}


def instance_suffix(value: EventTime) -> str:
    """What Google appends to a series' id for its occurrence at ``value``: its UTC start."""
    assert value.date_time is not None
    return value.date_time.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ical_local(value: EventTime) -> str:
    """``value`` as an iCalendar local time (EXDATE/RDATE with a TZID)."""
    assert value.date_time is not None
    return value.date_time.strftime("%Y%m%dT%H%M%S")
