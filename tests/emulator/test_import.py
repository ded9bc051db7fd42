"""events.import: a guest's private copy of someone else's event, one per iCalUID, that mails no one."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from gcal_emulator.control import EmulatorControl
from tests.emulator.conftest import ALICE, Api, error_reason

BOB = "bob@example.com"
UID = "040000008200E00074C5B7101A82E008@outlook.example"


def invitation(summary: str = "Board meeting", uid: str = UID, **extra: Any) -> dict[str, Any]:
    """Bob's event as Alice's calendar imports it."""
    return {"iCalUID": uid, "summary": summary, "organizer": {"email": BOB, "displayName": "Bob"},
            "attendees": [{"email": BOB, "responseStatus": "accepted"}, {"email": ALICE}],
            "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}, **extra}


def test_an_imported_copy_keeps_its_organizer_and_mails_no_one(service: Any, emulator: EmulatorControl) -> None:
    emulator.clear_requests()
    copy = service.events().import_(calendarId="primary", body=invitation(id="ignoredid0001", sequence=3)).execute()
    assert copy["id"] != "ignoredid0001" and copy["iCalUID"] == UID
    assert copy["organizer"] == {"email": BOB, "displayName": "Bob"}, "the organizer is Bob, not the calendar's owner"
    assert copy["creator"]["email"] == ALICE and copy["sequence"] == 3
    assert {a["email"]: (a.get("organizer", False), a.get("self", False)) for a in copy["attendees"]} == {
        BOB: (True, False), ALICE: (False, True)}
    listed = service.events().list(calendarId="primary").execute()
    assert [e["id"] for e in listed["items"]] == [copy["id"]]
    assert emulator.mails() == []
    log = emulator.requests()
    assert (log[0]["path"], log[0]["sendUpdates"]) == ("/calendar/v3/calendars/primary/events/import", None)


def test_importing_an_ical_uid_again_replaces_the_copy(service: Any) -> None:
    first = service.events().import_(calendarId="primary", body=invitation()).execute()
    token = service.events().list(calendarId="primary").execute()["nextSyncToken"]
    again = service.events().import_(calendarId="primary", body=invitation("Board meeting, moved", sequence=1) | {
        "start": {"dateTime": "2026-12-02T10:00:00Z"}, "end": {"dateTime": "2026-12-02T11:00:00Z"}}).execute()
    assert again["id"] == first["id"] and again["etag"] != first["etag"] and again["created"] == first["created"]
    copies = service.events().list(calendarId="primary", iCalUID=UID).execute()["items"]
    assert [(c["id"], c["summary"]) for c in copies] == [(first["id"], "Board meeting, moved")]
    changes = service.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert [c["id"] for c in changes] == [first["id"]], "a re-import is a change for incremental syncs"
    other = service.events().import_(calendarId="primary", body=invitation(uid="another-uid@example.com")).execute()
    assert other["id"] != first["id"]


def test_a_deleted_copy_comes_back_when_imported_again(api: Api) -> None:
    copy = api("POST", "/calendars/primary/events/import", json=invitation()).json()
    api("DELETE", f"/calendars/primary/events/{copy['id']}")
    back = api("POST", "/calendars/primary/events/import", json=invitation()).json()
    assert (back["id"], back["status"]) == (copy["id"], "confirmed")


def test_a_recurring_event_is_imported_with_its_instances(service: Any) -> None:
    body = invitation(recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"]) | {
        "start": {"dateTime": "2026-12-01T10:00:00+01:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2026-12-01T11:00:00+01:00", "timeZone": "Europe/Paris"}}
    master = service.events().import_(calendarId="primary", body=body).execute()
    instances = service.events().instances(calendarId="primary", eventId=master["id"]).execute()["items"]
    assert [i["id"] for i in instances] == [f"{master['id']}_{day}T090000Z" for day in ("20261201", "20261208", "20261215")]
    assert {(i["iCalUID"], i["organizer"]["email"]) for i in instances} == {(UID, BOB)}


def test_conference_data_and_attachments_follow_their_parameters(api: Api) -> None:
    meet = {"entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"}],
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"}, "conferenceId": "abc-defg-hij"}
    files = [{"fileUrl": "https://drive.google.com/open?id=1", "title": "Agenda"}]
    body = invitation(conferenceData=meet, attachments=files)
    bare = api("POST", "/calendars/primary/events/import", json=body | {"iCalUID": "bare@example.com"}).json()
    assert "conferenceData" not in bare and "attachments" not in bare
    full = api("POST", "/calendars/primary/events/import", json=body,
               params={"conferenceDataVersion": "1", "supportsAttachments": "true"}).json()
    assert full["hangoutLink"] == "https://meet.google.com/abc-defg-hij" and full["attachments"] == files
    kept = api("POST", "/calendars/primary/events/import", json=body | {"summary": "Renamed", "attachments": []}).json()
    assert kept["attachments"] == files, "without supportsAttachments the copy's attachments stay as they were"


@pytest.mark.parametrize(("change", "params", "expected"), [
    ({"iCalUID": None}, {}, (400, "required")),
    ({"organizer": {"displayName": "Nobody"}}, {}, (400, "required")),
    ({"organizer": "bob@example.com"}, {}, (400, "required")),
    ({}, {"supportsAttachments": "maybe"}, (400, "invalid")),
    ({}, {"conferenceDataVersion": "2"}, (400, "invalid")),
], ids=["no iCalUID", "organizer without email", "organizer not an object", "bad supportsAttachments",
        "bad conferenceDataVersion"])
def test_a_bad_import_is_refused_and_imports_nothing(
    api: Api, contract: Any, change: dict[str, Any], params: dict[str, str], expected: tuple[int, str]
) -> None:
    contract.check_requests = False  # wrong on purpose
    answer = api("POST", "/calendars/primary/events/import", json={**invitation(), **change}, params=params)
    assert error_reason(answer) == expected
    assert api("GET", "/calendars/primary/events").json()["items"] == []


def test_sending_updates_is_not_an_imports_business(api: Api, emulator: EmulatorControl) -> None:
    api("POST", "/calendars/primary/events/import", json=invitation(), params={"sendUpdates": "all"})
    assert emulator.mails() == []


def test_imports_run_in_a_batch(service: Any, emulator: EmulatorControl, api: Api) -> None:
    results: dict[str, Any] = {}

    def collect(request_id: str, response: Any, exception: Exception | None) -> None:
        results[request_id] = exception or response

    batch = BatchHttpRequest(callback=collect, batch_uri=f"{emulator.base_url}/batch/calendar/v3")
    batch.add(service.events().import_(calendarId="primary", body=invitation()), request_id="first")
    batch.add(service.events().import_(calendarId="primary", body=invitation("Again")), request_id="again")
    batch.add(service.events().import_(calendarId="primary", body=invitation(uid="x@example.com")), request_id="other")
    batch.add(service.events().import_(calendarId="primary", body=invitation(iCalUID="")), request_id="bad")
    batch.execute()
    assert results["first"]["id"] == results["again"]["id"] != results["other"]["id"]
    assert isinstance(results["bad"], HttpError) and results["bad"].resp.status == 400
    raw = api.batch([("POST", "/calendars/primary/events/import", invitation("Raw"))])
    assert raw.text.count("HTTP/1.1 200") == 1
    assert [e["summary"] for e in api("GET", "/calendars/primary/events").json()["items"]] == ["Raw", "Board meeting"]
