"""Event times (Google's EventDateTime) read as aware datetimes, the way Google reads them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from gcal_engine import recurrence

from .state import UTC


def naive(text: str) -> dt.datetime | None:
    """A dateTime without an offset, which Google reads in the event's ``timeZone``; None otherwise."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is None else None


def instant(value: Mapping[str, Any], zone_name: str = "UTC") -> dt.datetime:
    """An EventDateTime as an aware datetime; dates are midnights in ``zone_name``."""
    if value.get("date"):
        day = dt.date.fromisoformat(value["date"])
        return dt.datetime.combine(day, dt.time(), recurrence.zone(zone_name))
    text = value["dateTime"]
    try:
        return recurrence.parse_rfc3339(text)
    except recurrence.RecurrenceError:
        return naive(text).replace(tzinfo=recurrence.zone(value.get("timeZone") or zone_name))


def utc_key(value: Mapping[str, Any]) -> str | None:
    """The UTC instance-id suffix of a timed EventDateTime; None for a date."""
    if not value.get("dateTime"):
        return None
    return recurrence.parse_rfc3339(value["dateTime"]).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
