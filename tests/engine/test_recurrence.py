"""Expansion of Google's recurrence lines with python-dateutil, and the bounds of its work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from dateutil import rrule

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


class Work:
    """What python-dateutil does for an expansion: the candidates its rules produce, and the
    months it walks through (it rebuilds its masks at each). Past a ceiling, the walk is taken for
    one that would not end, and stopped."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, ceiling: int) -> None:
        self.candidates = self.months = 0
        iterate, rebuild = rrule.rrule._iter, rrule._iterinfo.rebuild  # noqa: SLF001 - observed, not changed

        def counted_iter(rule: rrule.rrule) -> Iterator[dt.datetime]:
            for moment in iterate(rule):
                self.candidates += 1
                assert self.candidates <= ceiling, "a walk that does not end"
                yield moment

        def counted_rebuild(info: Any, year: int, month: int) -> None:
            self.months += 1
            assert self.months <= ceiling, "a walk that does not end"
            rebuild(info, year, month)

        monkeypatch.setattr(rrule.rrule, "_iter", counted_iter)
        monkeypatch.setattr(rrule._iterinfo, "rebuild", counted_rebuild)  # noqa: SLF001


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Work:
    return Work(monkeypatch, ceiling=10 * recurrence.WALK_LIMIT)


@pytest.mark.parametrize(
    ("rule", "last"),
    [
        ("RRULE:FREQ=SECONDLY;UNTIL=20991231T000000Z", "2099-12-31T00:00:00+00:00"),
        ("RRULE:FREQ=MINUTELY;UNTIL=20991231", "2099-12-31T22:59:59+00:00"),
        ("RRULE:FREQ=DAILY;COUNT=1000000000", None),
    ],
)
def test_a_series_too_long_to_walk_ends_at_its_until_or_never(work: Work, rule: str, last: str | None) -> None:
    found = recurrence.last_occurrence([rule], PARIS)
    assert (found.isoformat() if found else None) == last
    assert work.candidates <= recurrence.WALK_LIMIT + 1, "not walked to its end"


def test_a_long_series_ends_no_earlier_than_its_last_rdate() -> None:
    lines = ["RRULE:FREQ=SECONDLY;UNTIL=20300101T000000Z", "RDATE;TZID=Europe/Paris:20310601T090000"]
    assert recurrence.last_occurrence(lines, PARIS).isoformat() == "2031-06-01T09:00:00+02:00"


def test_a_series_within_the_walk_limit_ends_at_its_true_last_occurrence() -> None:
    lines = [f"RRULE:FREQ=DAILY;COUNT={recurrence.WALK_LIMIT}", "EXDATE;TZID=Europe/Paris:20801227T090000"]
    assert recurrence.last_occurrence(lines, PARIS).isoformat() == "2080-12-26T09:00:00+01:00"


@pytest.mark.parametrize("rule", [
    "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
    "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "RRULE:FREQ=DAILY;BYWEEKNO=1;BYMONTH=7",
    "RRULE:FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31;BYDAY=MO",
])
def test_a_rule_that_matches_no_day_is_its_start_alone_found_in_a_cycle_not_in_eight_thousand_years(
        work: Work, rule: str) -> None:
    assert starts([rule], PARIS) == ["2026-03-27T09:00:00+01:00"]
    assert recurrence.last_occurrence([rule], PARIS) in (None, recurrence.series_start(PARIS)[0])
    # dateutil would walk every month to year 9999 (95,000 of them) to find nothing.
    assert work.months <= 2 * 12 * recurrence.CYCLE


def test_a_rule_that_never_lands_on_its_days_is_walked_no_further_than_past_its_reach(work: Work) -> None:
    never = ["RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU"]  # every seventh day from a Friday: always a Friday
    two_years = dt.datetime(2028, 3, 27, tzinfo=dt.timezone.utc)
    assert starts(never, PARIS, before=two_years) == ["2026-03-27T09:00:00+01:00"]
    assert work.months <= 12 * (2 + recurrence.CYCLE)
    assert starts(never, PARIS) == ["2026-03-27T09:00:00+01:00"]
    assert work.months <= 12 * (2 + recurrence.CYCLE) + 12 * (recurrence.REACH + recurrence.CYCLE)


def test_an_expansion_walks_a_bounded_number_of_occurrences_and_candidates(work: Work) -> None:
    assert len(starts(["RRULE:FREQ=SECONDLY;COUNT=100000"], PARIS)) == recurrence.WALK_LIMIT
    # Every occurrence excluded: the rule and its exclusion are each walked no further than the limit.
    assert starts(["RRULE:FREQ=SECONDLY", "EXRULE:FREQ=SECONDLY"], PARIS) == []
    assert work.candidates <= 3 * (recurrence.WALK_LIMIT + 1)


def test_a_series_far_from_its_start_is_expanded_within_its_reach() -> None:
    birthday = {"date": "1900-05-01"}
    window = {"after": dt.datetime(2026, 1, 1), "before": dt.datetime(2027, 1, 1)}
    assert starts(["RRULE:FREQ=YEARLY"], birthday, **window) == ["2026-05-01T00:00:00"]
    ancient = {"date": "1500-05-01"}
    assert starts(["RRULE:FREQ=YEARLY"], ancient, **window) == [], f"more than {recurrence.REACH} years after its start"


def test_bysetpos_finer_than_daily_is_refused() -> None:
    # Every second would be a set of one: dateutil would walk them all to find a second one.
    with pytest.raises(recurrence.RecurrenceError, match="BYSETPOS") as refused:
        recurrence.build_ruleset(["RRULE:FREQ=SECONDLY;BYSETPOS=2"], recurrence.series_start(PARIS)[0])
    assert (refused.value.code, refused.value.reason, refused.value.value) == (
        "bad_recurrence", "unsupported", "FREQ=SECONDLY;BYSETPOS=2")


@pytest.mark.parametrize(("rule", "within"), [
    ("RRULE:FREQ=HOURLY;COUNT=3", True),
    ("RRULE:FREQ=MINUTELY", True),
    ("RRULE:FREQ=secondly;COUNT=100000", True),
    ("RRULE:FREQ=DAILY;BYHOUR=9,17", True),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,30", True),
    ("RRULE:FREQ=DAILY;BYHOUR=9;BYMINUTE=30", False),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE", False),
    ("RRULE:FREQ=YEARLY;COUNT=100000", False),
])
def test_rules_that_repeat_within_a_day_are_told_apart(rule: str, within: bool) -> None:
    assert recurrence.repeats_within_a_day([rule, "EXDATE:20260328T080000Z"]) is within


def test_instance_ids_match_googles() -> None:
    moment = dt.datetime(2026, 3, 29, 9, tzinfo=recurrence.zone("Europe/Paris"))
    assert recurrence.instance_id("abc", moment, False) == "abc_20260329T070000Z"
    assert recurrence.instance_id("abc", dt.datetime(2026, 12, 24), True) == "abc_20261224"
    assert recurrence.split_instance_id("abc_20260329T070000Z") == ("abc", "20260329T070000Z")
    assert recurrence.split_instance_id("abc_def") is None


@pytest.mark.parametrize(("lines", "reason", "value"), [
    (["RRULE:FREQ=SOMETIMES"], "bad_rule", "FREQ=SOMETIMES"),
    (["FOO:BAR"], "unsupported", "FOO"),
    (["EXDATE:20260101"], "bad_rule", None),
    (["RDATE;VALUE=PERIOD:20260101T000000Z/PT1H"], "unsupported", "20260101T000000Z/PT1H"),
    (["RRULE:FREQ=DAILY;UNTIL=20261340"], "bad_time", "20261340"),
])
def test_unreadable_lines_are_refused_with_their_reason_and_text(lines: list[str], reason: str,
                                                                 value: str | None) -> None:
    with pytest.raises(recurrence.RecurrenceError) as refused:
        starts(lines, PARIS)
    assert (refused.value.code, refused.value.reason, refused.value.value) == ("bad_recurrence", reason, value)


def test_an_unknown_time_zone_is_refused_with_its_name() -> None:
    with pytest.raises(recurrence.RecurrenceError) as refused:
        recurrence.zone("Mars/Olympus_Mons")
    assert (refused.value.reason, refused.value.value) == ("unknown_time_zone", "Mars/Olympus_Mons")
