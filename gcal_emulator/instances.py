"""A recurring series expanded into its instances, as Google numbers and shows them.

An instance's id is ``{series id}_{original start}`` (UTC ``YYYYMMDDTHHMMSSZ``, or ``YYYYMMDD``
all day); a stored exception (an instance edited or cancelled on its own) takes its place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from gcal_engine import recurrence

from .state import UTC, Calendar, StoredEvent
from .times import instant, utc_key


def instances_of(
    calendar: Calendar,
    master: StoredEvent,
    *,
    show_deleted: bool = False,
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
    horizon: dt.datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """The instances of a series in order, exceptions replacing the instances they modify.

    Lazy and unbounded but by ``before`` (or ``horizon``): a bounded series yields every
    instance wherever it lies in time, an endless one keeps yielding until the caller stops.
    """
    resource = master.resource
    all_day, duration = _shape(resource)
    exceptions = {
        other.resource.get("originalStartTime", {}).get("date")
        or utc_key(other.resource.get("originalStartTime", {})): other.resource
        for other in calendar.events.values()
        if other.resource.get("recurringEventId") == resource["id"]
    }
    # Instances are found by start; widen the lower bound by the duration so that an instance
    # that started before `after` but is still running is kept, as Google's timeMin does.
    low = after
    if after is not None:
        try:
            low = after - (dt.timedelta(days=duration.days) if all_day else duration)
        except OverflowError:  # a window opening near year 1: no instance starts before it anyway
            low = None
    for occurrence in recurrence.occurrences(resource["recurrence"], resource["start"], after=low, before=before or horizon):
        try:
            instance = _instance(resource, occurrence, all_day, duration)
        except OverflowError:  # it would end after year 9999, where no time can be written
            return
        exception = exceptions.get(instance["originalStartTime"].get("date") or utc_key(instance["originalStartTime"]))
        if exception is None:
            yield instance
        elif exception.get("status") != "cancelled" or show_deleted:
            yield exception


def materialise(calendar: Calendar, event_id: str) -> dict[str, Any] | None:
    """The unedited instance of a stored, live series that ``event_id`` names, or None.

    Found from the id's original start, so an instance decades into an endless series costs
    no more than the first one.
    """
    parts = recurrence.split_instance_id(event_id)
    if parts is None:
        return None
    master = calendar.events.get(parts[0])
    if master is None or master.cancelled or not master.resource.get("recurrence"):
        return None
    resource = master.resource
    original, all_day = recurrence.parse_instance_suffix(parts[1])
    series_all_day, duration = _shape(resource)
    if all_day != series_all_day:
        return None
    try:
        window = original + (dt.timedelta(days=1) if all_day else dt.timedelta(seconds=1))
        found = next(recurrence.occurrences(resource["recurrence"], resource["start"], after=original, before=window), None)
        instance = None if found is None else _instance(resource, found, all_day, duration)
    except OverflowError:  # an id at the very end of year 9999
        return None
    return instance if instance is not None and instance["id"] == event_id else None


def _shape(master: dict[str, Any]) -> tuple[bool, dt.timedelta]:
    """Whether the series is all-day, and how long each instance lasts."""
    start, end = master["start"], master["end"]
    first, all_day = recurrence.series_start(start)
    return all_day, (dt.date.fromisoformat(end["date"]) - first.date()) if all_day else (instant(end) - instant(start))


def _instance(master: dict[str, Any], occurrence: dt.datetime, all_day: bool, duration: dt.timedelta) -> dict[str, Any]:
    instance = {key: value for key, value in master.items() if key not in ("recurrence", "id")}
    instance["id"] = recurrence.instance_id(master["id"], occurrence, all_day)
    instance["recurringEventId"] = master["id"]
    if all_day:
        day = occurrence.date()
        instance["start"] = {"date": day.isoformat()}
        instance["end"] = {"date": (day + duration).isoformat()}
        instance["originalStartTime"] = {"date": day.isoformat()}
    else:
        zone = master["start"].get("timeZone")
        instance["start"] = {"dateTime": recurrence.format_rfc3339(occurrence), **({"timeZone": zone} if zone else {})}
        end_zone = master["end"].get("timeZone")
        end = (occurrence.astimezone(UTC) + duration).astimezone(occurrence.tzinfo)
        instance["end"] = {"dateTime": recurrence.format_rfc3339(end), **({"timeZone": end_zone} if end_zone else {})}
        instance["originalStartTime"] = dict(instance["start"])
    return instance
