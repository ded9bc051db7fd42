"""Recurring series at any distance in time: every instance of a bounded series, endless ones paged on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.emulator.conftest import Api, error_reason

UTC = dt.timezone.utc


def start_in(years: int) -> dt.datetime:
    """Ten o'clock UTC on the first of June, ``years`` from now."""
    return dt.datetime(dt.datetime.now(UTC).year + years, 6, 1, 10, tzinfo=UTC)


def series(start: dt.datetime, rule: str, hours: int = 1) -> dict[str, Any]:
    end = start + dt.timedelta(hours=hours)
    return {"summary": "Series", "recurrence": [rule],
            "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": end.isoformat(), "timeZone": "UTC"}}


def suffix(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def every_page(service: Any, method: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """All items of events.list or events.instances across pages, and how many pages it took."""
    items: list[dict[str, Any]] = []
    pages, token = 0, None
    while True:
        page = getattr(service.events(), method)(calendarId="primary", pageToken=token, **params).execute()
        pages += 1
        items += page["items"]
        token = page.get("nextPageToken")
        if token is None:
            return items, pages


@pytest.mark.parametrize("years", [3, 30])
@pytest.mark.parametrize("bound", ["COUNT=6", "UNTIL"])
def test_a_bounded_series_far_ahead_has_all_its_instances(service: Any, years: int, bound: str) -> None:
    first = start_in(years)
    if bound == "UNTIL":
        bound = f"UNTIL={suffix(first + dt.timedelta(weeks=5))}"
    master = service.events().insert(calendarId="primary", body=series(first, f"RRULE:FREQ=WEEKLY;{bound}")).execute()
    expected = [f"{master['id']}_{suffix(first + dt.timedelta(weeks=week))}" for week in range(6)]
    instances = service.events().instances(calendarId="primary", eventId=master["id"]).execute()
    assert [i["id"] for i in instances["items"]] == expected and "nextPageToken" not in instances
    singles, _ = every_page(service, "list", singleEvents=True)
    assert [i["id"] for i in singles] == expected, "events.list expands a bounded series wherever it lies"


def test_a_long_bounded_series_is_paged_whole_by_max_results(service: Any) -> None:
    first = start_in(5)
    master = service.events().insert(calendarId="primary", body=series(first, "RRULE:FREQ=DAILY;COUNT=3000")).execute()
    instances, pages = every_page(service, "instances", eventId=master["id"], maxResults=2500)
    assert (len(instances), pages) == (3000, 2)
    assert instances[-1]["id"] == f"{master['id']}_{suffix(first + dt.timedelta(days=2999))}"
    singles, pages = every_page(service, "list", singleEvents=True, maxResults=2500, orderBy="startTime")
    assert (len(singles), pages) == (3000, 2)
    assert [i["id"] for i in singles] == [i["id"] for i in instances]


def test_an_endless_series_keeps_paging_and_stops_at_time_max(service: Any) -> None:
    first = start_in(0)
    master = service.events().insert(calendarId="primary", body=series(first, "RRULE:FREQ=DAILY")).execute()
    token = None
    for _ in range(2):
        page = service.events().instances(calendarId="primary", eventId=master["id"], maxResults=2500,
                                          pageToken=token).execute()
        assert len(page["items"]) == 2500 and page["nextPageToken"], "an endless series has no last page"
        token = page["nextPageToken"]
    assert page["items"][-1]["id"] == f"{master['id']}_{suffix(first + dt.timedelta(days=4999))}"
    ten_years = first + dt.timedelta(days=3653)
    bounded, _ = every_page(service, "instances", eventId=master["id"], maxResults=2500, timeMax=ten_years.isoformat())
    assert len(bounded) == 3653
    window = {"timeMin": (first + dt.timedelta(days=3000)).isoformat(), "timeMax": ten_years.isoformat()}
    singles, _ = every_page(service, "list", singleEvents=True, maxResults=2500, **window)
    assert len(singles) == 653, "events.list expands an endless series within timeMin and timeMax"


def test_without_time_max_events_list_expands_an_endless_series_to_a_horizon(service: Any) -> None:
    service.events().insert(calendarId="primary", body=series(start_in(0), "RRULE:FREQ=DAILY")).execute()
    singles, _ = every_page(service, "list", singleEvents=True, maxResults=2500)
    assert 365 < len(singles) < 3650


def test_any_instance_of_a_series_is_read_by_its_id(api: Api) -> None:
    first = start_in(1)
    endless = api.insert(series(first, "RRULE:FREQ=DAILY"))
    forty_years = first + dt.timedelta(days=14610)
    read = api("GET", f"/calendars/primary/events/{endless['id']}_{suffix(forty_years)}").json()
    assert dt.datetime.fromisoformat(read["start"]["dateTime"].replace("Z", "+00:00")) == forty_years
    assert read["recurringEventId"] == endless["id"]
    hourly = api.insert(series(first, "RRULE:FREQ=HOURLY;COUNT=6000", hours=0) | {
        "end": {"dateTime": (first + dt.timedelta(minutes=30)).isoformat(), "timeZone": "UTC"}})
    last = first + dt.timedelta(hours=5999)
    assert api("GET", f"/calendars/primary/events/{hourly['id']}_{suffix(last)}").status_code == 200
    for missing in (
        f"{hourly['id']}_{suffix(last + dt.timedelta(hours=1))}",  # past the COUNT
        f"{endless['id']}_{suffix(forty_years + dt.timedelta(minutes=1))}",  # not at an occurrence's time
        f"{endless['id']}_{forty_years:%Y%m%d}",  # an all-day suffix on a timed series
    ):
        assert error_reason(api("GET", f"/calendars/primary/events/{missing}")) == (404, "notFound"), missing
