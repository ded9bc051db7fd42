"""Expand Google Calendar ``recurrence`` lines into occurrences.

Google stores a series as RFC 5545 lines (RRULE, EXRULE, RDATE, EXDATE) without DTSTART: the
first occurrence is the event's ``start``. Timed series are expanded in ``start.timeZone`` so
wall-clock times survive DST changes; all-day series are expanded on naive dates. The lines
themselves are never rewritten here: callers keep them verbatim and only ask for occurrences.

Any line can come from anyone who invites the user, so an expansion's work is bounded, whatever
the rule: it walks at most WALK_LIMIT occurrences, and no further than REACH years past the
series' start. python-dateutil looks for a rule's next occurrence until year 9999, which for a
rule that never matches (every second of February 30th) is seconds of work: each walk runs in a
calendar moved by whole 400-year cycles (the Gregorian calendar repeats itself every 400 years:
the same weekdays, leap days and week numbers, so the same occurrences), placed so that its year
9999 comes less than 400 years after the walk's end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from .errors import RecurrenceError

UTC = dt.timezone.utc

_PROPERTY = re.compile(r"^(?P<name>[A-Za-z-]+)(?P<params>(;[^:]*)?):(?P<value>.+)$", re.S)
_UNTIL = re.compile(r"UNTIL=(?P<value>[0-9]{8}(T[0-9]{6}Z?)?)", re.I)
_X_PART = re.compile(r"(^|;)X-[^;]*", re.I)
_FREQ = re.compile(r"(^|;)FREQ=(?P<value>[A-Z]+)", re.I)
_BY_TIME = re.compile(r"(^|;)BY(HOUR|MINUTE|SECOND)=(?P<value>[^;]*)", re.I)
WALK_LIMIT = 20_000  # occurrences one expansion walks, at most (those before the part asked for included)
REACH = 200  # years past a series' start that an expansion looks, at most
CYCLE = 400  # years after which the Gregorian calendar repeats itself
SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
# What decides the days of a rule that walks day by day (or finer) without BYSETPOS.
_DAY_PARTS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY", "WKST")


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises RecurrenceError for names Google would reject too."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RecurrenceError("unknown_time_zone", name, f"Unknown time zone {name!r}.") from exc


def parse_rfc3339(value: str) -> dt.datetime:
    """An aware datetime from an RFC 3339 string (``Z`` or an offset; fractions allowed)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(_trim_fraction(text))
    except ValueError as exc:
        raise RecurrenceError("bad_time", value, f"Invalid date-time {value!r}.") from exc
    if parsed.tzinfo is None:
        raise RecurrenceError("bad_time", value, f"Date-time {value!r} has no UTC offset.")
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
            raise RecurrenceError("bad_time", start["date"], f"Invalid date {start['date']!r}.") from exc
        return dt.datetime.combine(day, dt.time()), True
    if not start.get("dateTime"):
        raise RecurrenceError("bad_time", None, "The series start has neither date nor dateTime.")
    moment = parse_rfc3339(start["dateTime"])
    if start.get("timeZone"):
        moment = moment.astimezone(zone(start["timeZone"]))
    return moment, False


def _properties(lines: Sequence[str]) -> Iterator[tuple[str, dict[str, str], str]]:
    """(name, parameters, value) of each recurrence line."""
    for raw in lines:
        match = _PROPERTY.match(raw.strip())
        if not match:
            raise RecurrenceError("bad_rule", raw, f"Invalid recurrence line {raw!r}.")
        yield match["name"].upper(), _params(match["params"]), match["value"].strip()


def build_ruleset(lines: Sequence[str], dtstart: dt.datetime) -> rrule.rruleset:
    """A dateutil rruleset for Google's recurrence lines, starting at ``dtstart``: the lines
    read, not walked (an expansion walks within bounds: see _Walk)."""
    return _ruleset(lines, dtstart, 0, lambda rule: rule)


def _ruleset(lines: Sequence[str], dtstart: dt.datetime, years: int,
             wrap: Callable[[rrule.rrule], Iterable[dt.datetime]]) -> rrule.rruleset:
    """The rruleset ``years`` ahead on the wall clock (dates past year 9999 left out; the start
    fits: see _Walk), each rule as ``wrap`` makes it."""
    first = _moved(dtstart, years)
    assert first is not None  # a walk moves its start no further than year 9999
    ruleset = rrule.rruleset()
    has_rule = False
    for name, params, value in _properties(lines):
        if name in ("RRULE", "EXRULE"):
            # A ruleset only iterates its rules: whatever ``wrap`` makes of one serves.
            rule = cast(rrule.rrule, wrap(_rule(value, dtstart, first, years)))
            if name == "RRULE":
                has_rule = True
                if not _no_day_matches(value):
                    ruleset.rrule(rule)
            else:
                ruleset.exrule(rule)
        elif name in ("RDATE", "EXDATE"):
            moments = [_moment(part, params, dtstart) for part in value.split(",") if part]
            for moment in moments:
                moved = _moved(moment, years)
                if moved is not None:
                    (ruleset.rdate if name == "RDATE" else ruleset.exdate)(moved)
            has_rule = has_rule or name == "RDATE"
        else:
            raise RecurrenceError("unsupported", name, f"Unsupported recurrence property {name!r}.")
    if not has_rule:
        raise RecurrenceError("bad_rule", None, "A recurrence needs at least one RRULE or RDATE line.")
    # RFC 5545: the start is the first instance even where the rule would not produce it.
    ruleset.rdate(first)
    return ruleset


def _no_day_matches(value: str) -> bool:
    """Whether a rule that walks day by day, or finer, can match no day at all (February 30th,
    week 1 in July): dateutil would walk every day of 400 years to find that out. The days such
    a rule may match are those its BY parts let through, which a yearly rule made of the same
    parts lists a year at a time: found in one 400-year cycle, or never."""
    parts = dict(part.split("=", 1) for part in _X_PART.sub("", value).upper().split(";") if "=" in part)
    if parts.get("FREQ") not in ("WEEKLY", "DAILY", *SUB_DAILY) or "BYSETPOS" in parts:
        return False
    if not {"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"} & set(parts) or re.search(r"[0-9]", parts.get("BYDAY", "")):
        return False  # no part that can rule out every day (an ordinal BYDAY is not a plain filter)
    probe = ";".join(["FREQ=YEARLY", *(f"{key}={parts[key]}" for key in _DAY_PARTS if key in parts)])
    try:
        days = rrule.rrulestr(probe, dtstart=dt.datetime(dt.MAXYEAR + 1 - CYCLE, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError):
        return False  # the rule itself says what is wrong with it
    return next(iter(days), None) is None


def _moved(moment: dt.datetime, years: int) -> dt.datetime | None:
    """``moment`` ``years`` later on the wall clock (whole 400-year cycles: February 29th stays a
    day), or None past year 9999."""
    try:
        return moment.replace(year=moment.year + years) if years else moment
    except ValueError:
        return None


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
        raise RecurrenceError("bad_time", value, f"Invalid UNTIL {value!r}.") from exc


def _rule(value: str, dtstart: dt.datetime, first: dt.datetime, years: int) -> rrule.rrule:
    """One RRULE or EXRULE of a series that starts at ``dtstart``, walked ``years`` ahead on
    the wall clock from ``first`` (its UNTIL moved as much)."""
    value = _X_PART.sub("", value).strip(";")

    def fix_until(match: re.Match[str]) -> str:
        until = _until(match["value"], dtstart)
        if until.tzinfo is None:
            return "UNTIL=" + (_moved(until, years) or dt.datetime.max).strftime("%Y%m%dT%H%M%S")
        # Moved on the series' wall clock, where its occurrences are found.
        local = _moved(until.astimezone(dtstart.tzinfo), years)
        try:
            moved = dt.datetime.max.replace(tzinfo=UTC) if local is None else local.astimezone(UTC)
        except OverflowError:
            moved = dt.datetime.max.replace(tzinfo=UTC)
        return "UNTIL=" + moved.strftime("%Y%m%dT%H%M%SZ")

    value = _UNTIL.sub(fix_until, value)
    frequency = _FREQ.search(value)
    if frequency and frequency["value"].upper() in SUB_DAILY and re.search(r"(^|;)BYSETPOS=", value, re.I):
        # Each hour, minute or second would be a set of one: python-dateutil would walk them
        # all, for ever, to find a second one. Google Calendar's own editor makes none.
        raise RecurrenceError("unsupported", value,
                              f"BYSETPOS with a frequency finer than daily is not supported: {value!r}.")
    try:
        rule = rrule.rrulestr(value, dtstart=first)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RecurrenceError("bad_rule", value, f"Invalid recurrence rule {value!r}: {exc}") from exc
    if not isinstance(rule, rrule.rrule):
        raise RecurrenceError("bad_rule", value, f"Invalid recurrence rule {value!r}.")
    return rule


def _moment(text: str, params: Mapping[str, str], dtstart: dt.datetime) -> dt.datetime:
    text = text.strip().upper()
    if params.get("VALUE") == "PERIOD" or "/" in text:
        raise RecurrenceError("unsupported", text, "RDATE periods are not supported.")
    try:
        if len(text) == 8:
            day = dt.datetime.strptime(text, "%Y%m%d")
            if dtstart.tzinfo is None:
                return day
            # A date on a timed series means the occurrence on that day, at the series' time.
            return dt.datetime.combine(day.date(), dtstart.timetz())
        moment = dt.datetime.strptime(text.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise RecurrenceError("bad_time", text, f"Invalid recurrence date {text!r}.") from exc
    if text.endswith("Z"):
        moment = moment.replace(tzinfo=UTC)
    elif params.get("TZID"):
        moment = moment.replace(tzinfo=zone(params["TZID"]))
    if dtstart.tzinfo is None:
        return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dtstart.tzinfo)
    return moment.astimezone(dtstart.tzinfo)


class _Counted:
    """A rule's candidates, WALK_LIMIT at most: those a ruleset excludes (EXRULE, EXDATE) are
    walked too, and an EXRULE is walked beside its rule."""

    def __init__(self, rule: rrule.rrule) -> None:
        self.rule = rule
        self.cut = False

    def __iter__(self) -> Iterator[dt.datetime]:
        for walked, moment in enumerate(self.rule):
            if walked == WALK_LIMIT:
                self.cut = True
                return
            yield moment


class _Walk:
    """The occurrences of a series from its start, in order, before ``horizon``. ``cut`` says,
    once walked, whether the series went on past the horizon or past what a walk takes:
    WALK_LIMIT occurrences, and as many candidates of each rule.

    The walk runs ``cycles`` 400-year cycles ahead, so that python-dateutil, which gives up on a
    rule at the end of year 9999, gives up less than 400 years after the horizon.
    """

    def __init__(self, lines: Sequence[str], dtstart: dt.datetime, horizon: dt.datetime) -> None:
        self.lines, self.dtstart, self.horizon = lines, dtstart, horizon
        end = max(horizon, dtstart)
        local = end if end.tzinfo is None else end.astimezone(dtstart.tzinfo)
        self.cycles = (dt.MAXYEAR - local.year) // CYCLE
        self.cut = False

    def __iter__(self) -> Iterator[dt.datetime]:
        years = CYCLE * self.cycles
        rules: list[_Counted] = []

        def counted(rule: rrule.rrule) -> _Counted:
            rules.append(_Counted(rule))
            return rules[-1]

        for walked, moved in enumerate(_ruleset(self.lines, self.dtstart, years, counted)):
            moment = _moved(moved, -years)
            if walked == WALK_LIMIT or moment is None or moment >= self.horizon:
                self.cut = True
                return
            yield moment
        self.cut = any(rule.cut for rule in rules)


def _reach(dtstart: dt.datetime) -> dt.datetime:
    """How far an expansion of a series that starts at ``dtstart`` looks, at most."""
    return _moved(dtstart, REACH) or dt.datetime(dt.MAXYEAR, 1, 1, tzinfo=dtstart.tzinfo)


def occurrences(
    lines: Sequence[str],
    start: Mapping[str, Any],
    *,
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
    limit: int | None = None,
) -> Iterator[dt.datetime]:
    """Occurrence starts of a series, in order, within the bounds of a walk (see _Walk).

    ``after``/``before`` bound the starts (inclusive/exclusive) and are compared in UTC for
    timed series and as naive datetimes for all-day ones.
    """
    dtstart, all_day = series_start(start)
    low = _comparable(after, all_day)
    high = _comparable(before, all_day)
    horizon = _reach(dtstart) if high is None else min(high, _reach(dtstart))
    count = 0
    for moment in _Walk(lines, dtstart, horizon):
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


def repeats_within_a_day(lines: Sequence[str]) -> bool:
    """Whether some RRULE repeats more than once a day: every hour, minute or second, or at
    several times of a day (BYHOUR, BYMINUTE, BYSECOND with more than one value between them)."""
    for name, _params, value in _properties(lines):
        if name != "RRULE":
            continue
        frequency = _FREQ.search(value)
        if frequency and frequency["value"].upper() in SUB_DAILY:
            return True
        times = 1
        for part in _BY_TIME.finditer(value):
            times *= len([item for item in part["value"].split(",") if item.strip()]) or 1
        if times > 1:
            return True
    return False


def last_occurrence(lines: Sequence[str], start: Mapping[str, Any]) -> dt.datetime | None:
    """The last occurrence start, or None when the series never ends.

    Walking a series costs its length, so one that goes on past a walk (more than WALK_LIMIT
    occurrences: every second until 2099, a COUNT of millions; or beyond REACH years) is not
    walked to its end: it ends at its latest UNTIL or RDATE, or never when a COUNT keeps it
    going, as no sync window sees that far.
    """
    if is_endless(lines):
        return None
    dtstart, _ = series_start(start)
    latest = _latest_bound(lines, dtstart)
    horizon = _reach(dtstart)
    if latest is not None and latest < horizon:
        horizon = latest + dt.timedelta(seconds=1)
    walk = _Walk(lines, dtstart, horizon)
    last = None
    for last in walk:
        pass
    return latest if walk.cut else last


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


def has_instance(lines: Sequence[str], start: Mapping[str, Any], event_id: str) -> bool:
    """Whether the series of ``lines`` and Google's ``start`` has the occurrence whose instance
    id is ``event_id`` (one that is no instance id, or an unreadable rule, has them all: the
    series itself says what is wrong with it)."""
    parts = split_instance_id(event_id)
    if parts is None:
        return True
    original, all_day = parse_instance_suffix(parts[1])
    try:
        found = occurrences(lines, start, after=original, before=original + dt.timedelta(seconds=1))
        return any(instance_id(parts[0], moment, all_day) == event_id for moment in found)
    except RecurrenceError:
        return True
