"""Bad input gets Google's 4xx JSON errors, never a 500 or a stack trace."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
import requests

from gcal_emulator.control import EmulatorControl
from tests.conftest import ContractChecker
from tests.emulator.conftest import Api, error_reason

GOOD = {"summary": "x", "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}
UTC_SERIES = {"start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": "UTC"},
              "end": {"dateTime": "2026-12-01T11:00:00Z", "timeZone": "UTC"}}
MEET = {"json": GOOD, "params": {"conferenceDataVersion": "1"}}  # with version 0 conferenceData is ignored
CENTURY = 36525 * 86400  # the emulator's clock moves at most this far, in seconds

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
    ("extended property that is an object", "POST", "/calendars/primary/events", {"json": GOOD | {"extendedProperties": {"private": {"k": {"v": 1}}}}}, (400, "invalid")),
    ("extended property that is a list", "POST", "/calendars/primary/events", {"json": GOOD | {"extendedProperties": {"shared": {"k": ["1"]}}}}, (400, "invalid")),
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
    ("time zone that is not a string", "POST", "/calendars/primary/events", {"json": GOOD | {"start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": 5}}}, (400, "invalid")),
    ("date that is not a string", "POST", "/calendars/primary/events", {"json": {"summary": "x", "start": {"date": 20261201}, "end": {"date": "2026-12-02"}}}, (400, "invalid")),
    ("conference create request that is not an object", "POST", "/calendars/primary/events", MEET | {"json": GOOD | {"conferenceData": {"createRequest": "x"}}}, (400, "invalid")),
    ("conference solution key that is not an object", "POST", "/calendars/primary/events", MEET | {"json": GOOD | {"conferenceData": {"createRequest": {"requestId": "r", "conferenceSolutionKey": "x"}}}}, (400, "invalid")),
    ("conference entry points that are not a list", "POST", "/calendars/primary/events", MEET | {"json": GOOD | {"conferenceData": {"entryPoints": "x"}}}, (400, "invalid")),
    ("conference entry point that is not an object", "POST", "/calendars/primary/events", MEET | {"json": GOOD | {"conferenceData": {"entryPoints": ["x"]}}}, (400, "invalid")),
    ("date in year 0", "POST", "/calendars/primary/events", {"json": {"summary": "x", "start": {"date": "0000-01-01"}, "end": {"date": "0000-01-02"}}}, (400, "invalid")),
    ("date in year 10000", "POST", "/calendars/primary/events", {"json": {"summary": "x", "start": {"date": "10000-01-01"}, "end": {"date": "10000-01-02"}}}, (400, "invalid")),
    ("dateTime in year 0", "POST", "/calendars/primary/events", {"json": GOOD | {"start": {"dateTime": "0000-12-01T10:00:00Z"}}}, (400, "invalid")),
    ("dateTime in year 10000", "POST", "/calendars/primary/events", {"json": GOOD | {"end": {"dateTime": "10000-12-01T11:00:00Z"}}}, (400, "invalid")),
    ("date in year 999", "POST", "/calendars/primary/events", {"json": {"summary": "x", "start": {"date": "0999-12-30"}, "end": {"date": "0999-12-31"}}}, (400, "invalid")),
    ("dateTime in year 9000", "POST", "/calendars/primary/events", {"json": GOOD | {"end": {"dateTime": "9000-01-01T11:00:00Z"}}}, (400, "invalid")),
    ("source url that is not a string", "POST", "/calendars/primary/events", {"json": GOOD | {"source": {"url": 5}}}, (400, "invalid")),
    ("gadget that is not an object", "POST", "/calendars/primary/events", {"json": GOOD | {"gadget": "x"}}, (400, "invalid")),
    ("attachment that is not an object", "POST", "/calendars/primary/events", {"json": GOOD | {"attachments": [5]}}, (400, "invalid")),
    ("attendee's additional guests not a number", "POST", "/calendars/primary/events", {"json": GOOD | {"attendees": [{"email": "a@example.com", "additionalGuests": "x"}]}}, (400, "invalid")),
    ("conference id that is not a string", "POST", "/calendars/primary/events", MEET | {"json": GOOD | {"conferenceData": {"conferenceId": 5}}}, (400, "invalid")),
    ("working location that is not an object", "POST", "/calendars/primary/events", {"json": GOOD | {"workingLocationProperties": "x"}}, (400, "invalid")),
    ("ISO week date", "POST", "/calendars/primary/events", {"json": {"summary": "x", "start": {"date": "2026-W49-2"}, "end": {"date": "2026-W49-3"}}}, (400, "invalid")),
    ("date without dashes", "POST", "/calendars/primary/events", {"json": {"summary": "x", "start": {"date": "20261201"}, "end": {"date": "20261202"}}}, (400, "invalid")),
    ("recurrence with a malformed UNTIL", "POST", "/calendars/primary/events", {"json": GOOD | UTC_SERIES | {"recurrence": ["RRULE:FREQ=DAILY;UNTIL=20261399T000000Z"]}}, (400, "invalid")),
    ("calendar time zone that is not a string", "POST", "/calendars", {"json": {"summary": "Clinic", "timeZone": 5}}, (400, "invalid")),
    ("stop of a channel id that is not a string", "POST", "/channels/stop", {"json": {"id": ["c1"], "resourceId": "r1"}}, (400, "required")),
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


def forged(token: str, **changes: Any) -> str:
    """``token`` (the emulator's base64 JSON) with fields changed, as a client could forge it."""
    data = json.loads(base64.urlsafe_b64decode(token + "=="))
    data.update(changes)
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


@pytest.mark.parametrize("order", [None, "updated"])
@pytest.mark.parametrize("change", [{"b": "3"}, {"b": None}, {"p": "x"}, {"i": 1.5}, {"o": "1"}, {"o": True},
                                    {"o": -2}, {"p": -5}, {"b": 10**30}, {"b": 4}],
                         ids=["bound string", "bound null", "position string", "index float", "offset string",
                              "offset bool", "offset negative", "position negative", "bound huge",
                              "bound beyond the calendar"])
def test_a_forged_list_page_token_is_400(api: Api, order: str | None, change: dict[str, Any]) -> None:
    for _ in range(3):
        api.insert(GOOD)
    params = {"maxResults": "1"} | ({"orderBy": order} if order else {})
    token = api("GET", "/calendars/primary/events", params=params).json()["nextPageToken"]
    assert api("GET", "/calendars/primary/events", params=params | {"pageToken": forged(token)}).status_code == 200
    answer = api("GET", "/calendars/primary/events", params=params | {"pageToken": forged(token, **change)})
    assert error_reason(answer) == (400, "invalid")


@pytest.mark.parametrize("offset", ["2", True, 1.5, [2], -1])
def test_a_forged_instances_page_token_is_400(api: Api, offset: Any) -> None:
    master = api.insert(GOOD | UTC_SERIES | {"recurrence": ["RRULE:FREQ=DAILY;COUNT=5"]})
    path = f"/calendars/primary/events/{master['id']}/instances"
    token = api("GET", path, params={"maxResults": "2"}).json()["nextPageToken"]
    assert len(api("GET", path, params={"maxResults": "2", "pageToken": forged(token)}).json()["items"]) == 2
    answer = api("GET", path, params={"maxResults": "2", "pageToken": forged(token, o=offset)})
    assert error_reason(answer) == (400, "invalid")


@pytest.mark.parametrize("change", [
    {"start": {"dateTime": "garbage"}},
    UTC_SERIES | {"recurrence": ["RRULE:FREQ=DAILY;UNTIL=20261399T000000Z"]},
], ids=["unparsable start", "malformed UNTIL"])
def test_a_cancelling_patch_still_checks_what_it_sends(
    api: Api, contract: ContractChecker, change: dict[str, Any]
) -> None:
    contract.check_requests = False  # wrong on purpose
    created = api.insert(GOOD)
    path = f"/calendars/primary/events/{created['id']}"
    assert error_reason(api("PATCH", path, json={"status": "cancelled"} | change)) == (400, "invalid")
    assert api("GET", path).json()["status"] == "confirmed"
    window = api("GET", "/calendars/primary/events", params={"timeMin": "2026-01-01T00:00:00Z", "showDeleted": "true"})
    assert [i["id"] for i in window.json()["items"]] == [created["id"]]


# The control API (/_emulator/...): (id, method, path, requests kwargs, (status, reason)).
CONTROL_CASES: list[tuple[str, str, str, dict[str, Any], tuple[int, str]]] = [
    *[(f"{path} with an array body", "POST", path, {"json": [{"email": "a@example.com"}]}, (400, "invalid"))
      for path in ("clients", "users", "consent", "faults", "sync-tokens/invalidate", "tokens/revoke", "clock",
                   "push", "quotas")],
    ("quotas with a zero limit", "POST", "quotas", {"json": {"per_user_per_minute": 0}}, (400, "invalid")),
    ("quotas with a limit as a string", "POST", "quotas", {"json": {"per_project_per_minute": "10"}}, (400, "invalid")),
    ("quotas with a limit as a boolean", "POST", "quotas", {"json": {"per_user_per_minute": True}}, (400, "invalid")),
    ("quotas with an unknown setting", "POST", "quotas", {"json": {"per_day": 5}}, (400, "invalid")),
    ("client with redirect_uris not a list", "POST", "clients", {"json": {"client_id": "c", "client_secret": "s", "redirect_uris": "https://x"}}, (400, "invalid")),
    ("client with a numeric client_id", "POST", "clients", {"json": {"client_id": 5, "client_secret": "s"}}, (400, "required")),
    ("user with a numeric time zone", "POST", "users", {"json": {"email": "b@example.com", "time_zone": 5}}, (400, "invalid")),
    ("user with a numeric name", "POST", "users", {"json": {"email": "b@example.com", "name": 5}}, (400, "invalid")),
    ("consent with scopes not a list", "POST", "consent", {"json": {"email": "a@example.com", "decision": "allow", "scopes": "openid"}}, (400, "invalid")),
    ("fault whose method is a number", "POST", "faults", {"json": {"status": 500, "method": 5}}, (400, "invalid")),
    ("fault whose path_regex is a number", "POST", "faults", {"json": {"status": 500, "path_regex": 5}}, (400, "invalid")),
    ("fault whose reason is a number", "POST", "faults", {"json": {"status": 500, "reason": 5}}, (400, "invalid")),
    ("fault with a negative retry_after", "POST", "faults", {"json": {"status": 429, "retry_after": -1}}, (400, "invalid")),
    ("fault with a boolean retry_after", "POST", "faults", {"json": {"status": 429, "retry_after": True}}, (400, "invalid")),
    ("invalidate with a numeric calendar_id", "POST", "sync-tokens/invalidate", {"json": {"calendar_id": 5}}, (400, "invalid")),
    ("revoke with a numeric email", "POST", "tokens/revoke", {"json": {"email": 5}}, (400, "required")),
    ("clock advanced beyond a century", "POST", "clock", {"json": {"advance_seconds": CENTURY + 1}}, (400, "invalid")),
    ("clock advanced by infinity", "POST", "clock", {"data": '{"advance_seconds": Infinity}'}, (400, "invalid")),
    ("clock advanced by NaN", "POST", "clock", {"data": '{"advance_seconds": NaN}'}, (400, "invalid")),
    ("notifications wait of nan", "GET", "notifications", {"params": {"wait": "nan"}}, (400, "invalid")),
    ("notifications wait below zero", "GET", "notifications", {"params": {"wait": "-1"}}, (400, "invalid")),
]


def emulator_now(emulator: EmulatorControl) -> dt.datetime:
    now = requests.get(f"{emulator.base_url}/_emulator/clock", timeout=10).json()["now"]
    return dt.datetime.fromisoformat(now.replace("Z", "+00:00"))


@pytest.mark.parametrize(("method", "path", "kwargs", "expected"), [c[1:] for c in CONTROL_CASES],
                         ids=[c[0] for c in CONTROL_CASES])
def test_bad_control_calls_get_a_google_shaped_4xx(
    emulator: EmulatorControl, method: str, path: str, kwargs: dict[str, Any], expected: tuple[int, str]
) -> None:
    answer = requests.request(method, f"{emulator.base_url}/_emulator/{path}", timeout=10, **kwargs)
    assert error_reason(answer) == expected
    assert "Traceback" not in answer.text
    assert emulator.faults() == [], "no fault was added"
    moved = emulator_now(emulator) - dt.datetime.now(dt.timezone.utc)
    assert abs(moved) < dt.timedelta(minutes=1), "the clock did not move"


def test_the_clock_moves_at_most_a_century_in_all(emulator: EmulatorControl) -> None:
    emulator.advance_clock(CENTURY - 60)
    refused = requests.post(f"{emulator.base_url}/_emulator/clock", json={"advance_seconds": 61}, timeout=10)
    assert error_reason(refused) == (400, "invalid")
    emulator.advance_clock(60)
    assert emulator_now(emulator) - dt.datetime.now(dt.timezone.utc) > dt.timedelta(days=36524)
    token = emulator.connect("alice@example.com")
    api = Api(emulator.base_url, token["access_token"])
    assert api("GET", "/calendars/primary/events").status_code == 200, "a century on, the API still answers"


@pytest.mark.parametrize("start, end, zone, rule", [
    ({"date": "8999-12-30"}, {"date": "8999-12-31"}, None, "RRULE:FREQ=DAILY"),
    ({"dateTime": "1000-01-01T00:30:00+01:00"}, {"dateTime": "1000-01-01T01:30:00+01:00"}, "Europe/Paris",
     "RRULE:FREQ=DAILY;COUNT=3"),
    ({"dateTime": "8999-12-31T20:00:00-05:00"}, {"dateTime": "8999-12-31T21:00:00-05:00"}, "America/New_York",
     "RRULE:FREQ=DAILY"),
], ids=["all-day at the last year", "Paris at the first year", "New York at the last year"])
def test_series_at_the_edge_of_the_calendar_answer_without_error(
    api: Api, start: dict[str, str], end: dict[str, str], zone: str | None, rule: str
) -> None:
    """Near years 1 and 9999 a time zone or a duration pushes times past what datetime holds:
    the accepted years leave room for both."""
    if zone:
        start, end = start | {"timeZone": zone}, end | {"timeZone": zone}
    master = api.insert({"summary": "Edge", "start": start, "end": end, "recurrence": [rule]})
    window = {"timeMin": "0001-01-01T00:00:00Z", "timeMax": "9999-12-31T00:00:00Z"}
    instances = api("GET", f"/calendars/primary/events/{master['id']}/instances", params=window).json()["items"]
    assert len(instances) >= 2
    assert api("GET", f"/calendars/primary/events/{instances[-1]['id']}").status_code == 200
    suffix = "_20270101" if "date" in start else "_20270101T100000Z"
    assert error_reason(api("GET", f"/calendars/primary/events/{master['id']}{suffix}")) == (404, "notFound")
    listed = api("GET", "/calendars/primary/events", params=window | {"singleEvents": "true"})
    assert listed.status_code == 200 and len(listed.json()["items"]) == len(instances)


def test_keys_that_times_and_reminders_do_not_have_are_dropped(api: Api, contract: ContractChecker) -> None:
    event = api.insert(GOOD | {
        "start": GOOD["start"] | {"colour": "red"},
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5, "sound": "bell"}],
                      "snooze": True},
    })
    contract.violations.clear()  # what this test sent, on purpose; the answers are checked from here on
    stored = api("GET", f"/calendars/primary/events/{event['id']}").json()
    assert stored["start"] == GOOD["start"]
    assert stored["reminders"] == {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5}]}
