"""Google JSON <-> neutral event: every field round-trips; malformed payloads are named, not crashed on."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from gcal_engine.mapping import LINK_PROPERTY, MappingError, from_google, to_google
from gcal_engine.model import CONTENT_FIELDS, Attendee, Event, EventTime, Person, Reminder, Reminders, content_hash

FULL: dict[str, Any] = {
    "kind": "calendar#event",
    "id": "abc123def456",
    "etag": '"3000000000000001"',
    "status": "tentative",
    "summary": "Budget",
    "description": "<p>Agenda</p>",
    "location": "Room 1",
    "start": {"dateTime": "2026-03-29T09:00:00+02:00", "timeZone": "Europe/Paris"},
    "end": {"dateTime": "2026-03-29T10:30:00+02:00", "timeZone": "Europe/Paris"},
    "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=SU;UNTIL=20260630T000000Z", "EXDATE;TZID=Europe/Paris:20260405T090000"],
    "attendees": [
        {"email": "boss@example.com", "displayName": "Boss", "responseStatus": "accepted", "organizer": True},
        {"email": "Me@Example.com", "responseStatus": "tentative", "self": True, "optional": True, "comment": "maybe"},
        {"email": "room@resource.example.com", "resource": True, "responseStatus": "accepted"},
    ],
    "organizer": {"email": "boss@example.com", "displayName": "Boss"},
    "hangoutLink": "https://meet.google.com/abc-defg-hij",
    "reminders": {"useDefault": False, "overrides": [{"method": "email", "minutes": 1440}, {"method": "popup", "minutes": 10}]},
    "visibility": "confidential",
    "transparency": "transparent",
    "colorId": "11",
    "guestsCanModify": True,
    "iCalUID": "abc123def456@google.com",
    "extendedProperties": {"private": {"mine": "1", LINK_PROPERTY: "ns:42"}, "shared": {"ours": "2"}},
    "updated": "2026-11-20T10:00:00.000Z",
    "eventType": "default",
}


def test_every_field_is_read() -> None:
    event = from_google(FULL)
    assert (event.summary, event.description, event.location, event.status) == ("Budget", "<p>Agenda</p>", "Room 1", "tentative")
    assert event.start.time_zone == "Europe/Paris" and event.start.date_time.utcoffset() == dt.timedelta(hours=2)
    assert event.end.instant() - event.start.instant() == dt.timedelta(minutes=90)
    assert event.recurrence == tuple(FULL["recurrence"])
    assert [a.email for a in event.attendees] == ["boss@example.com", "me@example.com", "room@resource.example.com"]
    assert event.attendees[0] == Attendee("boss@example.com", "Boss", "accepted", organizer=True)
    assert event.attendees[1] == Attendee("me@example.com", "", "tentative", optional=True, is_self=True, comment="maybe")
    assert event.attendees[2].resource
    assert event.organizer == Person("boss@example.com", "Boss")
    assert event.meet_url == "https://meet.google.com/abc-defg-hij"
    assert event.reminders == Reminders(False, (Reminder("email", 1440), Reminder("popup", 10)))
    assert (event.visibility, event.transparency, event.color_id, event.guests_can_modify) == ("confidential", "transparent", "11", True)
    assert event.private_properties == (("mine", "1"),) and event.shared_properties == (("ours", "2"),)
    assert event.link == "ns:42" and event.ical_uid == "abc123def456@google.com"
    assert event.updated == dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc)


def test_writing_then_reading_gives_the_same_content() -> None:
    event = from_google(FULL)
    body = to_google(event, CONTENT_FIELDS, link="ns:42")
    # Google adds what it owns to the answer: the organizer and the Meet link.
    echoed = from_google(body | {"id": FULL["id"], "organizer": FULL["organizer"], "hangoutLink": FULL["hangoutLink"]})
    assert content_hash(echoed) == content_hash(event)
    # Each guest's organizer and self flags are Google's to set; everything else comes back as written.
    assert echoed.attendees == tuple(dataclasses.replace(a, organizer=False, is_self=False) for a in event.attendees)
    assert body["extendedProperties"]["private"][LINK_PROPERTY] == "ns:42"
    assert "organizer" not in body and "hangoutLink" not in body, "read-only fields are never sent"


def test_only_managed_fields_are_written() -> None:
    body = to_google(from_google(FULL), {"summary", "start", "end"})
    assert set(body) == {"status", "summary", "start", "end"}


def test_all_day_events_keep_their_exclusive_end() -> None:
    event = from_google({"id": "a1b2c3d4e5", "start": {"date": "2026-12-24"}, "end": {"date": "2026-12-26"}})
    assert event.start == EventTime(date=dt.date(2026, 12, 24)) and event.end.date == dt.date(2026, 12, 26)
    assert to_google(event, {"start", "end"})["end"] == {"date": "2026-12-26"}


def test_a_series_without_zone_is_written_in_utc_as_google_requires() -> None:
    start = EventTime(date_time=dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc))
    event = Event(start=start, end=start, recurrence=("RRULE:FREQ=DAILY",))
    assert to_google(event, {"start"})["start"] == {"dateTime": "2026-01-05T09:00:00+00:00", "timeZone": "UTC"}


def test_a_time_in_local_mean_time_is_written_in_utc_as_rfc_3339_requires() -> None:
    """Paris ran 9 min 21 s ahead of UTC before 1911: an offset with seconds, which Google refuses."""
    start = EventTime(date_time=dt.datetime(1900, 6, 1, 9, tzinfo=dt.timezone.utc), time_zone="Europe/Paris")
    body = to_google(Event(start=start, end=start), {"start"})["start"]
    assert body == {"dateTime": "1900-06-01T09:00:00+00:00", "timeZone": "Europe/Paris"}
    assert from_google({"id": "a1b2c3d4e5", "start": body, "end": body}).start == start


def test_a_meet_link_is_requested_only_when_missing() -> None:
    start = EventTime(date=dt.date(2026, 1, 5))
    wanted = Event(start=start, end=start, create_meet=True)
    assert to_google(wanted, {"summary"}, request_id="rid")["conferenceData"]["createRequest"]["requestId"] == "rid"
    assert "conferenceData" not in to_google(wanted.replace(meet_url="https://meet.google.com/x"), {"summary"})


def test_a_patch_removing_the_meet_link_removes_the_meet_and_only_then() -> None:
    start = EventTime(date=dt.date(2026, 12, 1))
    removed = Event(start=start, end=start)
    assert to_google(removed, {"meet_url"}, patch=True)["conferenceData"] is None
    assert "conferenceData" not in to_google(removed, {"summary"}, patch=True)
    assert "conferenceData" not in to_google(removed, {"meet_url", "summary"})  # an insert has none to remove


def test_a_conference_video_entry_point_is_a_meet_link_too() -> None:
    data = {"id": "a1b2c3d4e5", "start": {"date": "2026-12-24"}, "end": {"date": "2026-12-25"},
            "conferenceData": {"entryPoints": [{"entryPointType": "phone", "uri": "tel:+1"},
                                               {"entryPointType": "video", "uri": "https://meet.google.com/x"}]}}
    assert from_google(data).meet_url == "https://meet.google.com/x"


def test_tombstones_and_cancelled_occurrences() -> None:
    gone = from_google({"id": "a1b2c3d4e5", "status": "cancelled"})
    assert gone.cancelled and not gone.is_instance
    skipped = from_google({"id": "a1b2c3d4e5_20261201T090000Z", "status": "cancelled", "recurringEventId": "a1b2c3d4e5",
                           "originalStartTime": {"dateTime": "2026-12-01T10:00:00+01:00"}})
    assert skipped.cancelled and skipped.is_instance and skipped.recurring_event_id == "a1b2c3d4e5"
    full = from_google({"id": "a1b2c3d4e5_20261201T090000Z", "status": "cancelled", "recurringEventId": "a1b2c3d4e5",
                        "originalStartTime": {"dateTime": "2026-12-01T10:00:00+01:00"}, "summary": "x",
                        "start": {"dateTime": "2026-12-01T10:00:00+01:00"}, "end": {"dateTime": "2026-12-01T11:00:00+01:00"}})
    assert content_hash(full) == content_hash(skipped), "a cancelled occurrence has no other content"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({}, "no id"),
        ({"id": "a1b2c3d4e5"}, "start is missing"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"dateTime": "2026-12-01T10:00:00Z"}}, "not both"),
        ({"id": "a1b2c3d4e5", "start": {"date": "tomorrow"}, "end": {"date": "2026-12-02"}}, "not a date"),
        ({"id": "a1b2c3d4e5", "start": {"dateTime": "2026-12-01T10:00:00"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}, "not a date-time"),
        ({"id": "a1b2c3d4e5", "start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": "Mars/Base"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}, "unknown time zone"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-02"}, "end": {"date": "2026-12-01"}}, "ends before"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "recurrence": ["RRULE:FREQ=OFTEN"]}, "recurrence"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "recurrence": ["RRULE:FREQ=DAILY;UNTIL=20261340"]}, "UNTIL"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "attendees": [{"displayName": "x"}]}, "no email"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "summary": 5}, "not text"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "reminders": {"overrides": [{"method": "sms", "minutes": 5}]}}, "reminder"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "reminders": {"overrides": [{"method": "popup", "minutes": m} for m in range(6)]}}, "more than 5 reminders"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "reminders": {"overrides": [{"method": "popup", "minutes": 40321}]}}, "out of Google's range"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "reminders": {"overrides": [{"method": "email", "minutes": -5}]}}, "out of Google's range"),
        ({"id": "a1b2c3d4e5", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}, "recurrence": ["RRULE:FREQ=DAILY", "RDATE;VALUE=DATE:" + ",".join(["20270101"] * 6000)]}, "over 50000 characters"),
        ({"id": "x_1", "status": "cancelled", "recurringEventId": "x"}, "originalStartTime"),
        ({"id": "x_1", "recurringEventId": "x", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}},
         "without its originalStartTime"),
        ({"id": "x_1", "originalStartTime": {"date": "2026-12-01"}, "start": {"date": "2026-12-01"},
          "end": {"date": "2026-12-02"}}, "without its recurringEventId"),
        ("not an object", "no id"),
    ],
)
def test_malformed_events_are_refused_with_a_reason(payload: Any, reason: str) -> None:
    with pytest.raises(MappingError, match=reason):
        from_google(payload)


@pytest.mark.parametrize("rule", ["RRULE:FREQ=MINUTELY;COUNT=100000", "RRULE:FREQ=SECONDLY;COUNT=100000",
                                  "RRULE:FREQ=HOURLY", "RRULE:FREQ=DAILY;BYHOUR=9,13,17"])
def test_a_series_that_repeats_more_than_once_a_day_is_refused_with_its_own_reason(rule: str) -> None:
    with pytest.raises(MappingError) as refused:
        from_google(FULL | {"recurrence": [rule]})
    assert (refused.value.code, refused.value.reason) == ("unreadable_event", "repeats_within_a_day")
    assert from_google(FULL | {"recurrence": ["RRULE:FREQ=DAILY;COUNT=100000"]}).recurrence == (
        "RRULE:FREQ=DAILY;COUNT=100000",), "a daily one is read, however long"
