"""Expand Google Calendar ``recurrence`` lines into occurrences.

Google stores a series as RFC 5545 lines (RRULE, EXRULE, RDATE, EXDATE) without DTSTART: the
first occurrence is the event's ``start``. Timed series are expanded in ``start.timeZone`` so
wall-clock times survive DST changes; all-day series are expanded on naive dates. The lines
themselves are never rewritten here: callers keep them verbatim and only ask for occurrences.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from .errors import RecurrenceError

UTC = dt.timezone.utc

_PROPERTY = re.compile(r"^(?P<name>[A-Za-z-]+)(?P<params>(;[^:]*)?):(?P<value>.+)$", re.S)
_UNTIL = re.compile(r"UNTIL=(?P<value>[0-9]{8}(T[0-9]{6}Z?)?)", re.I)
_X_PART = re.compile(r"(^|;)X-[^;]*", re.I)
# Occurrences last_occurrence walks before it settles for the bounds a series states.
WALK_LIMIT = 10_000


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises RecurrenceError for names Google would reject too."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RecurrenceError(f"Unknown time zone {name!r}.") from exc


def parse_rfc3339(value: str) -> dt.datetime:
    """An aware datetime from an RFC 3339 string (``Z`` or an offset; fractions allowed)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(_trim_fraction(text))
    except ValueError as exc:
        raise RecurrenceError(f"Invalid date-time {value!r}.") from exc
    if parsed.tzinfo is None:
        raise RecurrenceError(f"Date-time {value!r} has no UTC offset.")
    return parsed


def format_rfc3339(moment: dt.datetime) -> str:
    """``moment`` in RFC 3339, in its own offset; in UTC where that offset has seconds (local
    mean time, as in Paris before 1911), which RFC 3339 cannot write."""
    offset = moment.utcoffset()
    if offset is not None and offset.seconds % 60:
        moment = moment.astimezone(UTC)
    return moment.isoformat()


def _trim_fraction(text: str) -> str:
    # Python 3.10's fromisoformat accepts only 3 or 6 fraction digits.
    match = re.match(r"^(.*T\d{2}:\d{2}:\d{2})\.(\d+)(.*)$", text)
    if not match:
        return text
    head, fraction, tail = match.groups()
    return f"{head}.{(fraction + '000000')[:6]}{tail}"


def series_start(start: Mapping[str, Any]) -> tuple[dt.datetime, bool]:
    """The first occurrence of a series as (datetime, all_day).

    Timed starts come back aware in the series' time zone (``timeZone`` wins over the offset,
    as Google expands in that zone); all-day starts come back as naive midnights.
    """
    if start.get("date"):
        try:
            day = dt.date.fromisoformat(start["date"])
        except ValueError as exc:
            raise RecurrenceError(f"Invalid date {start['date']!r}.") from exc
        return dt.datetime.combine(day, dt.time()), True
    if not start.get("dateTime"):
        raise RecurrenceError("The series start has neither date nor dateTime.")
    moment = parse_rfc3339(start["dateTime"])
    if start.get("timeZone"):
        moment = moment.astimezone(zone(start["timeZone"]))
    return moment, False


def _properties(lines: Sequence[str]) -> Iterator[tuple[str, dict[str, str], str]]:
    """(name, parameters, value) of each recurrence line."""
    for raw in lines:
        match = _PROPERTY.match(raw.strip())
        if not match:
            raise RecurrenceError(f"Invalid recurrence line {raw!r}.")
        yield match["name"].upper(), _params(match["params"]), match["value"].strip()


def build_ruleset(lines: Sequence[str], dtstart: dt.datetime) -> rrule.rruleset:
    """A dateutil rruleset for Google's recurrence lines, starting at ``dtstart``."""
    ruleset = rrule.rruleset()
    has_rule = False
    for name, params, value in _properties(lines):
        if name in ("RRULE", "EXRULE"):
            rule = _rule(value, dtstart)
            if name == "RRULE":
                ruleset.rrule(rule)
                has_rule = True
            else:
                ruleset.exrule(rule)
        elif name in ("RDATE", "EXDATE"):
            moments = [_moment(part, params, dtstart) for part in value.split(",") if part]
            for moment in moments:
                (ruleset.rdate if name == "RDATE" else ruleset.exdate)(moment)
            has_rule = has_rule or name == "RDATE"
        else:
            raise RecurrenceError(f"Unsupported recurrence property {name!r}.")
    if not has_rule:
        raise RecurrenceError("A recurrence needs at least one RRULE or RDATE line.")
    # RFC 5545: the start is the first instance even where the rule would not produce it.
    ruleset.rdate(dtstart)
    return ruleset


def _params(text: str | None) -> dict[str, str]:
    params = {}
    for part in (text or "").split(";"):
        if "=" in part:
            key, _, val = part.partition("=")
            params[key.strip().upper()] = val.strip()
    return params


def _until(value: str, dtstart: dt.datetime) -> dt.datetime:
    """An UNTIL as the occurrences are expressed: in UTC for a timed series (a date UNTIL
    includes its whole day, in the series' zone), naive for an all-day one."""
    until = value.upper()
    try:
        if len(until) == 8:
            day = dt.datetime.strptime(until, "%Y%m%d")
            if dtstart.tzinfo is None:
                return day.replace(hour=23, minute=59, second=59)
            return (day + dt.timedelta(days=1, seconds=-1)).replace(tzinfo=dtstart.tzinfo).astimezone(UTC)
        moment = dt.datetime.strptime(until.rstrip("Z"), "%Y%m%dT%H%M%S")
        if dtstart.tzinfo is None:
            return moment
        return moment.replace(tzinfo=UTC if until.endswith("Z") else dtstart.tzinfo).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise RecurrenceError(f"Invalid UNTIL {value!r}.") from exc


def _rule(value: str, dtstart: dt.datetime) -> rrule.rrule:
    value = _X_PART.sub("", value).strip(";")

    def fix_until(match: re.Match[str]) -> str:
        until = _until(match["value"], dtstart)
        return "UNTIL=" + until.strftime("%Y%m%dT%H%M%SZ" if until.tzinfo is not None else "%Y%m%dT%H%M%S")

    value = _UNTIL.sub(fix_until, value)
    try:
        rule = rrule.rrulestr(value, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RecurrenceError(f"Invalid recurrence rule {value!r}: {exc}") from exc
    if not isinstance(rule, rrule.rrule):
        raise RecurrenceError(f"Invalid recurrence rule {value!r}.")
    return rule


def _moment(text: str, params: Mapping[str, str], dtstart: dt.datetime) -> dt.datetime:
    text = text.strip().upper()
    if params.get("VALUE") == "PERIOD" or "/" in text:
        raise RecurrenceError("RDATE periods are not supported.")
    try:
        if len(text) == 8:
            day = dt.datetime.strptime(text, "%Y%m%d")
            if dtstart.tzinfo is None:
                return day
            # A date on a timed series means the occurrence on that day, at the series' time.
            return dt.datetime.combine(day.date(), dtstart.timetz())
        moment = dt.datetime.strptime(text.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise RecurrenceError(f"Invalid recurrence date {text!r}.") from exc
    if text.endswith("Z"):
        moment = moment.replace(tzinfo=UTC)
    elif params.get("TZID"):
        moment = moment.replace(tzinfo=zone(params["TZID"]))
    if dtstart.tzinfo is None:
        return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dtstart.tzinfo)
    return moment.astimezone(dtstart.tzinfo)


def occurrences(
    lines: Sequence[str],
    start: Mapping[str, Any],
    *,
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
    limit: int | None = None,
) -> Iterator[dt.datetime]:
    """Occurrence starts of a series, in order.

    ``after``/``before`` bound the starts (inclusive/exclusive) and are compared in UTC for
    timed series and as naive datetimes for all-day ones. An endless rule needs a bound.
    """
    dtstart, all_day = series_start(start)
    ruleset = build_ruleset(lines, dtstart)
    low = _comparable(after, all_day)
    high = _comparable(before, all_day)
    count = 0
    for moment in ruleset:
        if high is not None and moment >= high:
            return
        if low is not None and moment < low:
            continue
        yield moment
        count += 1
        if limit is not None and count >= limit:
            return


def _comparable(value: dt.datetime | None, all_day: bool) -> dt.datetime | None:
    if value is None:
        return None
    if all_day:
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def is_endless(lines: Sequence[str]) -> bool:
    """Whether some RRULE has neither COUNT nor UNTIL."""
    for line in lines:
        match = _PROPERTY.match(line.strip())
        if match and match["name"].upper() == "RRULE":
            value = match["value"].upper()
            if "COUNT=" not in value and "UNTIL=" not in value:
                return True
    return False


def last_occurrence(lines: Sequence[str], start: Mapping[str, Any]) -> dt.datetime | None:
    """The last occurrence start, or None when the series never ends.

    Walking a series costs its length, so one of more than WALK_LIMIT occurrences (every second
    until 2099, a COUNT of millions) is not walked to its end: it ends at its latest UNTIL or
    RDATE, or never when a COUNT keeps it going, as no sync window sees that far.
    """
    if is_endless(lines):
        return None
    dtstart, _ = series_start(start)
    last = None
    for walked, last in enumerate(build_ruleset(lines, dtstart)):
        if walked == WALK_LIMIT:
            return _latest_bound(lines, dtstart)
    return last


def _latest_bound(lines: Sequence[str], dtstart: dt.datetime) -> dt.datetime | None:
    """The latest a series can end by its UNTILs and RDATEs; None when an RRULE has a COUNT."""
    bounds = [dtstart]
    for name, params, value in _properties(lines):
        if name == "RRULE":
            until = _UNTIL.search(_X_PART.sub("", value))
            if until is None:
                return None
            bounds.append(_until(until["value"], dtstart))
        elif name == "RDATE":
            bounds += [_moment(part, params, dtstart) for part in value.split(",") if part]
    return max(bounds)


def instance_suffix(original_start: dt.datetime, all_day: bool) -> str:
    """Google's instance-id suffix: ``YYYYMMDD`` for all-day, UTC ``YYYYMMDDTHHMMSSZ`` otherwise."""
    if all_day:
        return original_start.strftime("%Y%m%d")
    return original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def instance_id(master_id: str, original_start: dt.datetime, all_day: bool) -> str:
    return f"{master_id}_{instance_suffix(original_start, all_day)}"


def split_instance_id(event_id: str) -> tuple[str, str] | None:
    """(master id, suffix) when ``event_id`` looks like an instance id, else None."""
    master, sep, suffix = event_id.rpartition("_")
    if not sep or not master:
        return None
    if re.fullmatch(r"[0-9]{8}(T[0-9]{6}Z)?", suffix):
        return master, suffix
    return None


def parse_instance_suffix(suffix: str) -> tuple[dt.datetime, bool]:
    """The original start encoded in an instance suffix, as (datetime, all_day)."""
    if len(suffix) == 8:
        return dt.datetime.strptime(suffix, "%Y%m%d"), True
    return dt.datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC), False
