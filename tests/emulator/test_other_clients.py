"""What other clients send, accepted as Google accepts it; Odoo 18's own google_calendar module first.

The Odoo-shaped calls below are built as ``google_calendar/utils/google_calendar.py`` and the
``_google_values`` of its models build them: plain ``requests``, the token as ``access_token``
on GET and DELETE, integers in extended properties, nulls in start and end, next pages asked
for with the page token alone.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
import requests

from gcal_emulator.control import EmulatorControl
from tests.conftest import ContractChecker
from tests.emulator.conftest import ALICE, Api, error_reason

UTC = dt.timezone.utc
DB = "odoo_db"


@pytest.fixture(autouse=True)
def odoo_shaped(contract: ContractChecker) -> None:
    """These requests depart from the discovery document as Odoo's do; the answers are still checked."""
    contract.check_requests = False


class OdooService:
    """Odoo 18's GoogleCalendarService over the emulator, down to how ``_do_request`` sends each call."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url
        self.token = token

    def _do_request(self, uri: str, params: Any, headers: dict[str, str], method: str) -> Any:
        if method in ("GET", "DELETE"):
            answer = requests.request(method.lower(), self.base + uri, params=params, timeout=10)
        else:
            answer = requests.request(method.lower(), self.base + uri, data=params, headers=headers, timeout=10)
        answer.raise_for_status()
        return False if answer.status_code == 204 else answer.json()

    def get_events(self, sync_token: str | None = None, event_id: str | None = None) -> tuple[list[dict], str | None, int]:
        """Every item, the next sync token and the number of requests, as Odoo's get_events pages."""
        url = "/calendar/v3/calendars/primary/events" + (f"/{event_id}" if event_id else "")
        params = {"access_token": self.token}
        if sync_token:
            params["syncToken"] = sync_token
        else:
            now = dt.datetime.now(UTC).replace(tzinfo=None, microsecond=0)
            params["timeMin"] = (now - dt.timedelta(days=365)).isoformat() + "Z"
            params["timeMax"] = (now + dt.timedelta(days=365)).isoformat() + "Z"
        data = self._do_request(url, params, {"Content-type": "application/json"}, "GET")
        if event_id:
            return [data], None, 1
        events, calls = data.get("items", []), 1
        while data.get("nextPageToken"):
            data = self._do_request(url, {"access_token": self.token, "pageToken": data["nextPageToken"]},
                                    {"Content-type": "application/json"}, "GET")
            events += data.get("items", [])
            calls += 1
        return events, data.get("nextSyncToken"), calls

    def insert(self, values: dict[str, Any]) -> dict[str, Any]:
        url = "/calendar/v3/calendars/primary/events?conferenceDataVersion=1&sendUpdates=all"
        if not values.get("id"):
            values["id"] = uuid.uuid4().hex
        return self._do_request(url, json.dumps(values), self._json_headers(), "POST")

    def patch(self, event_id: str, values: dict[str, Any]) -> None:
        self._do_request(f"/calendar/v3/calendars/primary/events/{event_id}?sendUpdates=all", json.dumps(values),
                         self._json_headers(), "PATCH")

    def delete(self, event_id: str) -> None:
        self._do_request(f"/calendar/v3/calendars/primary/events/{event_id}?sendUpdates=all",
                         {"access_token": self.token, "singleEvents": "true"}, {"Content-type": "application/json"},
                         "DELETE")

    def _json_headers(self) -> dict[str, str]:
        return {"Content-type": "application/json", "Authorization": f"Bearer {self.token}"}


def odoo_values(odoo_id: int, start: dt.datetime, all_day: bool = False, **extra: Any) -> dict[str, Any]:
    """calendar.event._google_values of an event Alice organizes."""
    if all_day:
        times = ({"date": start.date().isoformat(), "dateTime": None},
                 {"date": (start.date() + dt.timedelta(days=1)).isoformat(), "dateTime": None})
    else:
        times = ({"dateTime": start.isoformat(), "date": None},
                 {"dateTime": (start + dt.timedelta(hours=1)).isoformat(), "date": None})
    return {
        "id": False, "start": times[0], "end": times[1], "summary": f"Odoo {odoo_id}", "description": "",
        "location": "", "guestsCanModify": True, "organizer": {"email": ALICE, "self": True},
        "attendees": [{"email": ALICE, "responseStatus": "accepted"},
                      {"email": "guest@example.com", "responseStatus": "needsAction"}],
        "extendedProperties": {"shared": {f"{DB}_odoo_id": odoo_id}},
        "reminders": {"overrides": [{"method": "popup", "minutes": 30}], "useDefault": False},
        "transparency": "opaque", **extra,
    }


@pytest.fixture
def odoo(emulator: EmulatorControl, alice_token: dict[str, Any]) -> OdooService:
    return OdooService(emulator.base_url, alice_token["access_token"])


def soon(days: int = 3) -> dt.datetime:
    return dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=days)


def test_numbers_and_booleans_in_extended_properties_are_stored_as_strings(api: Api) -> None:
    created = api.insert({"summary": "x", "start": {"dateTime": "2026-12-01T10:00:00Z"},
                          "end": {"dateTime": "2026-12-01T11:00:00Z"},
                          "extendedProperties": {"shared": {"odoo_id": 42, "ratio": 1.5}, "private": {"synced": True}}})
    assert created["extendedProperties"] == {"shared": {"odoo_id": "42", "ratio": "1.5"}, "private": {"synced": "true"}}
    path = f"/calendars/primary/events/{created['id']}"
    patched = api("PATCH", path, json={"extendedProperties": {"shared": {"owner_id": 7}}}).json()
    assert patched["extendedProperties"]["shared"] == {"odoo_id": "42", "ratio": "1.5", "owner_id": "7"}
    found = api("GET", "/calendars/primary/events", params={"sharedExtendedProperty": "owner_id=7"}).json()["items"]
    assert [i["id"] for i in found] == [created["id"]]


def test_odoo_18_inserts_patches_and_deletes_as_its_module_sends_them(odoo: OdooService, emulator: EmulatorControl) -> None:
    timed = odoo.insert(odoo_values(1, soon(), conferenceData={"createRequest": {"requestId": uuid.uuid4().hex}},
                                    visibility="private"))
    assert timed["extendedProperties"]["shared"] == {f"{DB}_odoo_id": "1"}
    assert timed["organizer"]["email"] == ALICE and timed["hangoutLink"]
    all_day = odoo.insert(odoo_values(2, soon(), all_day=True))
    assert set(all_day["start"]) == {"date"}
    series = odoo_values(3, soon(), recurrence=["RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;UNTIL=20991231T235959Z"])
    series["start"]["timeZone"] = series["end"]["timeZone"] = "Etc/UTC"
    master = odoo.insert(series)
    odoo.patch(timed["id"], odoo_values(1, soon(4)) | {"id": timed["id"], "summary": "Moved"})
    odoo.delete(master["id"])
    events, _, _ = odoo.get_events(event_id=timed["id"])
    assert events[0]["summary"] == "Moved" and events[0]["extendedProperties"]["shared"][f"{DB}_odoo_id"] == "1"
    assert [(m["to"], m["kind"]) for m in emulator.mails()] == [
        ("guest@example.com", "invitation"), ("guest@example.com", "invitation"), ("guest@example.com", "invitation"),
        ("guest@example.com", "update"), ("guest@example.com", "cancellation")]


def test_odoo_18_pages_full_and_incremental_syncs_with_the_page_token_alone(api: Api, odoo: OdooService) -> None:
    start = soon()
    calls = [("POST", "/calendars/primary/events", odoo_values(i, start + dt.timedelta(hours=i)) | {"id": f"odoo{i:04d}"})
             for i in range(251)]
    calls.append(("POST", "/calendars/primary/events", odoo_values(999, start + dt.timedelta(days=400)) | {"id": "later0001"}))
    assert api.batch(calls).text.count("HTTP/1.1 200") == 252
    events, sync_token, requests_made = odoo.get_events()
    assert (len(events), requests_made) == (251, 2), "the second page kept the first one's time window"
    assert sync_token
    api.batch([("PATCH", f"/calendars/primary/events/odoo{i:04d}", {"summary": f"Renamed {i}"}) for i in range(251)])
    changes, next_token, requests_made = odoo.get_events(sync_token)
    assert (len(changes), requests_made) == (251, 2), "the second page kept the first one's sync token"
    assert all(e["summary"].startswith("Renamed") for e in changes)
    assert odoo.get_events(next_token)[0] == []


def test_a_page_token_carries_the_listings_parameters(api: Api) -> None:
    for day in range(1, 8):
        api.insert({"summary": f"D{day}", "start": {"dateTime": f"2026-12-0{day}T10:00:00Z"},
                    "end": {"dateTime": f"2026-12-0{day}T11:00:00Z"}})
    window = {"timeMin": "2026-12-02T00:00:00Z", "timeMax": "2026-12-07T00:00:00Z", "maxResults": "2"}
    page = api("GET", "/calendars/primary/events", params=window).json()
    summaries = [i["summary"] for i in page["items"]]
    while "nextPageToken" in page:
        page = api("GET", "/calendars/primary/events", params={"pageToken": page["nextPageToken"]}).json()
        assert len(page["items"]) <= 2, "maxResults is carried too"
        summaries += [i["summary"] for i in page["items"]]
    assert summaries == ["D2", "D3", "D4", "D5", "D6"]
    first = api("GET", "/calendars/primary/events", params=window).json()
    larger = api("GET", "/calendars/primary/events", params={"pageToken": first["nextPageToken"], "maxResults": "10"})
    assert [i["summary"] for i in larger.json()["items"]] == ["D4", "D5", "D6"], "maxResults may change page to page"
    other = api("GET", "/calendars/primary/events", params={"pageToken": first["nextPageToken"], "timeMin": "2026-12-01T00:00:00Z"})
    assert error_reason(other) == (400, "invalid"), "a repeated parameter must be the first request's"


def test_an_instances_page_token_carries_the_listings_parameters(api: Api) -> None:
    master = api.insert({"summary": "Daily", "recurrence": ["RRULE:FREQ=DAILY;COUNT=10"],
                         "start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": "UTC"},
                         "end": {"dateTime": "2026-12-01T11:00:00Z", "timeZone": "UTC"}})
    path = f"/calendars/primary/events/{master['id']}/instances"
    page = api("GET", path, params={"timeMin": "2026-12-05T00:00:00Z", "maxResults": "2"}).json()
    days = [i["start"]["dateTime"][:10] for i in page["items"]]
    while "nextPageToken" in page:
        page = api("GET", path, params={"pageToken": page["nextPageToken"]}).json()
        days += [i["start"]["dateTime"][:10] for i in page["items"]]
    assert days == [f"2026-12-{d:02d}" for d in range(5, 11)]
    other = api.insert({"summary": "Other", "recurrence": ["RRULE:FREQ=DAILY;COUNT=10"],
                        "start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": "UTC"},
                        "end": {"dateTime": "2026-12-01T11:00:00Z", "timeZone": "UTC"}})
    token = api("GET", path, params={"maxResults": "2"}).json()["nextPageToken"]
    answer = api("GET", f"/calendars/primary/events/{other['id']}/instances", params={"pageToken": token})
    assert error_reason(answer) == (400, "invalid"), "a page token belongs to its series"
