"""Expansion of Google's recurrence lines with python-dateutil."""

from __future__ import annotations

import datetime as dt

import pytest

from gcal_engine import recurrence

PARIS = {"dateTime": "2026-03-27T09:00:00+01:00", "timeZone": "Europe/Paris"}


def starts(lines: list[str], start: dict, **bounds: dt.datetime) -> list[str]:
    return [m.isoformat() for m in recurrence.occurrences(lines, start, **bounds)]


def test_wall_clock_time_survives_a_dst_change() -> None:
    assert starts(["RRULE:FREQ=DAILY;COUNT=3"], PARIS) == [
        "2026-03-27T09:00:00+01:00", "2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00"]


def test_exdate_and_rdate_in_every_form() -> None:
    lines = ["RRULE:FREQ=DAILY;COUNT=4", "EXDATE;TZID=Europe/Paris:20260328T090000", "EXDATE:20260329T070000Z",
             "RDATE;VALUE=DATE:20260405"]
    assert starts(lines, PARIS) == ["2026-03-27T09:00:00+01:00", "2026-03-30T09:00:00+02:00", "2026-04-05T09:00:00+02:00"]


def test_an_rdate_only_series_starts_at_its_start() -> None:
    assert starts(["RDATE;VALUE=DATE:20200110,20200115"], {"date": "2020-01-06"}) == [
        "2020-01-06T00:00:00", "2020-01-10T00:00:00", "2020-01-15T00:00:00"]


@pytest.mark.parametrize("until", ["UNTIL=20260329", "UNTIL=20260329T090000", "UNTIL=20260329T070000Z"])
def test_until_as_date_floating_or_utc(until: str) -> None:
    assert len(starts([f"RRULE:FREQ=DAILY;{until}"], PARIS)) == 3


def test_x_parameters_are_ignored_and_all_day_series_are_naive_dates() -> None:
    line = "RRULE;X-EVOLUTION-ENDDATE=20200120T080000Z;X-RELATIVE=1:FREQ=WEEKLY;COUNT=3;BYDAY=MO"
    assert starts([line], {"date": "2020-01-06"}) == ["2020-01-06T00:00:00", "2020-01-13T00:00:00", "2020-01-20T00:00:00"]


def test_an_endless_series_needs_bounds() -> None:
    found = starts(["RRULE:FREQ=WEEKLY"], PARIS, after=dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc),
                   before=dt.datetime(2027, 1, 15, tzinfo=dt.timezone.utc))
    assert found == ["2027-01-01T09:00:00+01:00", "2027-01-08T09:00:00+01:00"]
    assert recurrence.last_occurrence(["RRULE:FREQ=WEEKLY"], PARIS) is None
    assert recurrence.last_occurrence(["RRULE:FREQ=WEEKLY;COUNT=2"], PARIS).isoformat() == "2026-04-03T09:00:00+02:00"


@pytest.mark.parametrize(
    ("rule", "last"),
    [
        ("RRULE:FREQ=SECONDLY;UNTIL=20991231T000000Z", "2099-12-31T00:00:00+00:00"),
        ("RRULE:FREQ=MINUTELY;UNTIL=20991231", "2099-12-31T22:59:59+00:00"),
        ("RRULE:FREQ=DAILY;COUNT=1000000000", None),
    ],
)
def test_a_series_too_long_to_walk_ends_at_its_until_or_never(rule: str, last: str | None) -> None:
    # Walked, any of these would take hours: how fast its end is found is benchmarks/engine_bench's.
    found = recurrence.last_occurrence([rule], PARIS)
    assert (found.isoformat() if found else None) == last


def test_a_long_series_ends_no_earlier_than_its_last_rdate() -> None:
    lines = ["RRULE:FREQ=SECONDLY;UNTIL=20300101T000000Z", "RDATE;TZID=Europe/Paris:20310601T090000"]
    assert recurrence.last_occurrence(lines, PARIS).isoformat() == "2031-06-01T09:00:00+02:00"


def test_a_series_within_the_walk_limit_ends_at_its_true_last_occurrence() -> None:
    lines = [f"RRULE:FREQ=HOURLY;COUNT={recurrence.WALK_LIMIT}", "EXDATE;TZID=Europe/Paris:20270518T000000"]
    assert recurrence.last_occurrence(lines, PARIS).isoformat() == "2027-05-17T23:00:00+02:00"


def test_instance_ids_match_googles() -> None:
    moment = dt.datetime(2026, 3, 29, 9, tzinfo=recurrence.zone("Europe/Paris"))
    assert recurrence.instance_id("abc", moment, False) == "abc_20260329T070000Z"
    assert recurrence.instance_id("abc", dt.datetime(2026, 12, 24), True) == "abc_20261224"
    assert recurrence.split_instance_id("abc_20260329T070000Z") == ("abc", "20260329T070000Z")
    assert recurrence.split_instance_id("abc_def") is None


@pytest.mark.parametrize("lines", [["RRULE:FREQ=SOMETIMES"], ["FOO:BAR"], ["EXDATE:20260101"], ["RDATE;VALUE=PERIOD:20260101T000000Z/PT1H"]])
def test_unreadable_lines_are_refused(lines: list[str]) -> None:
    with pytest.raises(recurrence.RecurrenceError):
        starts(lines, PARIS)
