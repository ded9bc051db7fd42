"""Bad input gets Google's 4xx JSON errors, never a 500 or a stack trace."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ContractChecker
from tests.emulator.conftest import Api

GOOD = {"summary": "x", "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}

CASES: list[tuple[str, str, str, dict[str, Any], tuple[int, str]]] = [
    ("malformed JSON", "POST", "/calendars/primary/events", {"data": "{not json", "headers": {"Content-Type": "application/json"}}, (400, "parseError")),
    ("JSON that is not an object", "POST", "/calendars/primary/events", {"json": [1, 2]}, (400, "parseError")),
    ("unknown calendar", "GET", "/calendars/nobody%40example.com/events", {}, (404, "notFound")),
    ("unknown event", "GET", "/calendars/primary/events/abcdef12345", {}, (404, "notFound")),
    ("unknown event patch", "PATCH", "/calendars/primary/events/abcdef12345", {"json": {"summary": "y"}}, (404, "notFound")),
    ("missing start", "POST", "/calendars/primary/events", {"json": {"summary": "x", "end": GOOD["end"]}}, (400, "required")),
    ("missing end", "POST", "/calendars/primary/events", {"json": {"summary": "x", "start": GOOD["start"]}}, (400, "required")),
    ("end before start", "POST", "/calendars/primary/events", {"json": GOOD | {"end": {"dateTime": "2026-12-01T09:00:00Z"}}}, (400, "timeRangeEmpty")),
    ("date mixed with dateTime", "POST", "/calendars/primary/events", {"json": GOOD | {"end": {"date": "2026-12-02"}}}, (400, "invalid")),
    ("dateTime without offset or zone", "POST", "/calendars/primary/events", {"json": GOOD | {"start": {"dateTime": "2026-12-01T10:00:00"}}}, (400, "invalid")),
    ("unknown time zone", "POST", "/calendars/primary/events", {"json": GOOD | {"start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": "Mars/Olympus"}}}, (400, "invalid")),
    ("id with invalid characters", "POST", "/calendars/primary/events", {"json": GOOD | {"id": "Not_Valid!"}}, (400, "invalid")),
    ("id too short", "POST", "/calendars/primary/events", {"json": GOOD | {"id": "abcd"}}, (400, "invalid")),
    ("summary of the wrong type", "POST", "/calendars/primary/events", {"json": GOOD | {"summary": 5}}, (400, "invalid")),
    ("attendee without email", "POST", "/calendars/primary/events", {"json": GOOD | {"attendees": [{"displayName": "x"}]}}, (400, "required")),
    ("invalid response status", "POST", "/calendars/primary/events", {"json": GOOD | {"attendees": [{"email": "a@b.c", "responseStatus": "maybe"}]}}, (400, "invalid")),
    ("bad recurrence", "POST", "/calendars/primary/events", {"json": GOOD | {"start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": "UTC"}, "end": {"dateTime": "2026-12-01T11:00:00Z", "timeZone": "UTC"}, "recurrence": ["RRULE:FREQ=SOMETIMES"]}}, (400, "invalid")),
    ("recurrence without time zone", "POST", "/calendars/primary/events", {"json": GOOD | {"recurrence": ["RRULE:FREQ=DAILY"]}}, (400, "invalid")),
    ("too many reminders", "POST", "/calendars/primary/events", {"json": GOOD | {"reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 1}] * 6}}}, (400, "invalid")),
    ("default and override reminders", "POST", "/calendars/primary/events", {"json": GOOD | {"reminders": {"useDefault": True, "overrides": [{"method": "popup", "minutes": 1}]}}}, (400, "invalid")),
    ("non-string extended property", "POST", "/calendars/primary/events", {"json": GOOD | {"extendedProperties": {"private": {"k": 1}}}}, (400, "invalid")),
    ("unknown color", "POST", "/calendars/primary/events", {"json": GOOD | {"colorId": "99"}}, (400, "invalid")),
    ("bad sendUpdates", "POST", "/calendars/primary/events", {"json": GOOD, "params": {"sendUpdates": "everyone"}}, (400, "invalid")),
    ("sync token with timeMin", "GET", "/calendars/primary/events", {"params": {"syncToken": "x", "timeMin": "2026-01-01T00:00:00Z"}}, (400, "invalid")),
    ("sync token with showDeleted=false", "GET", "/calendars/primary/events", {"params": {"syncToken": "eyJzIjogMX0=", "showDeleted": "false"}}, (400, "invalid")),
    ("garbage sync token", "GET", "/calendars/primary/events", {"params": {"syncToken": "%%%"}}, (400, "invalid")),
    ("garbage page token", "GET", "/calendars/primary/events", {"params": {"pageToken": "not-a-token"}}, (400, "invalid")),
    ("orderBy startTime without singleEvents", "GET", "/calendars/primary/events", {"params": {"orderBy": "startTime"}}, (400, "invalid")),
    ("maxResults zero", "GET", "/calendars/primary/events", {"params": {"maxResults": "0"}}, (400, "invalid")),
    ("maxResults not a number", "GET", "/calendars/primary/events", {"params": {"maxResults": "many"}}, (400, "invalid")),
    ("timeMin without offset", "GET", "/calendars/primary/events", {"params": {"timeMin": "2026-01-01T00:00:00"}}, (400, "invalid")),
    ("empty time range", "GET", "/calendars/primary/events", {"params": {"timeMin": "2026-01-02T00:00:00Z", "timeMax": "2026-01-01T00:00:00Z"}}, (400, "timeRangeEmpty")),
    ("bad boolean", "GET", "/calendars/primary/events", {"params": {"showDeleted": "yes"}}, (400, "invalid")),
    ("bad extended property filter", "GET", "/calendars/primary/events", {"params": {"privateExtendedProperty": "novalue"}}, (400, "invalid")),
    ("watch without address", "POST", "/calendars/primary/events/watch", {"json": {"id": "c1", "type": "web_hook"}}, (400, "push.webhookUrlNotHttps")),
    ("watch over plain http", "POST", "/calendars/primary/events/watch", {"json": {"id": "c1", "type": "web_hook", "address": "http://example.com/hook"}}, (400, "push.webhookUrlNotHttps")),
    ("stop of an unknown channel", "POST", "/channels/stop", {"json": {"id": "nope", "resourceId": "nope"}}, (404, "notFound")),
    ("unknown path", "GET", "/calendars/primary/nothing/here", {}, (404, "notFound")),
    ("unsupported method", "POST", "/calendars/primary/events/abcdef12345", {"json": GOOD}, (404, "notFound")),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_a_google_shaped_4xx(
    api: Api, contract: ContractChecker, method: str, path: str, kwargs: dict[str, Any], expected: tuple[int, str]
) -> None:
    contract.check_requests = False  # these requests are wrong on purpose
    answer = api(method, path, **kwargs)
    body = answer.json()
    assert (answer.status_code, body["error"]["errors"][0]["reason"]) == expected
    assert "Traceback" not in answer.text
    assert api("GET", "/calendars/primary/events").json()["items"] == [], "nothing was written"


def test_missing_credentials_are_401_login_required(api: Api) -> None:
    del api.session.headers["Authorization"]
    answer = api("GET", "/calendars/primary/events")
    assert answer.status_code == 401 and answer.json()["error"]["errors"][0]["reason"] == "required"
