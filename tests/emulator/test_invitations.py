"""Invitations: the organizer's event in each guest's calendar, under the same id, answered there."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from gcal_emulator.control import DEFAULT_SCOPES, EmulatorControl
from tests.emulator.conftest import ALICE, Api, error_reason

BOB = "bob@example.com"
CAROL = "carol@example.com"
TIMES = {"start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}


@pytest.fixture
def bob(emulator: EmulatorControl) -> Api:
    token = emulator.connect(BOB, scopes=(*DEFAULT_SCOPES, "https://www.googleapis.com/auth/calendar"))
    return Api(emulator.base_url, token["access_token"])


def listed(api: Api, **params: Any) -> dict[str, Any]:
    answer = api("GET", "/calendars/primary/events", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_invitation_is_the_organizers_event_in_the_guests_calendar_whatever_sendupdates_says(
        api: Api, bob: Api, emulator: EmulatorControl) -> None:
    event = api.insert({"summary": "Review", **TIMES, "attendees": [{"email": BOB}], "extendedProperties": {
        "private": {"link": "alice's"}, "shared": {"room": "2"}}}, sendUpdates="none")
    [copy] = listed(bob)["items"]
    assert copy["extendedProperties"] == {"shared": {"room": "2"}}, "private properties stay on the organizer's copy"
    assert (copy["id"], copy["iCalUID"], copy["summary"]) == (event["id"], event["iCalUID"], "Review")
    assert copy["organizer"] == {"email": ALICE, "displayName": "alice"}
    assert {a["email"]: a.get("self", False) for a in copy["attendees"]} == {BOB: True}
    assert emulator.mails() == [], "sendUpdates=none: no mail, the invitation is in the calendar all the same"


def test_the_organizers_changes_reach_the_guest_and_a_removal_cancels_the_copy(api: Api, bob: Api) -> None:
    event = api.insert({"summary": "Review", **TIMES, "attendees": [{"email": BOB}, {"email": CAROL}]})
    token = listed(bob)["nextSyncToken"]
    api("PATCH", f"/calendars/primary/events/{event['id']}", json={"summary": "Review, moved"})
    assert [c["summary"] for c in listed(bob, syncToken=token)["items"]] == ["Review, moved"]
    token = listed(bob, syncToken=token)["nextSyncToken"]
    api("PATCH", f"/calendars/primary/events/{event['id']}", json={"attendees": [{"email": CAROL}]})
    [gone] = listed(bob, syncToken=token, showDeleted="true")["items"]
    assert (gone["id"], gone["status"]) == (event["id"], "cancelled")


def test_a_cancelled_meeting_is_cancelled_in_every_guests_calendar(api: Api, bob: Api) -> None:
    event = api.insert({"summary": "Review", **TIMES, "attendees": [{"email": BOB}]})
    api("DELETE", f"/calendars/primary/events/{event['id']}")
    assert listed(bob)["items"] == []
    assert listed(bob, showDeleted="true")["items"][0]["status"] == "cancelled"


def test_a_guest_answers_on_their_copy_and_the_organizer_sees_it(api: Api, bob: Api) -> None:
    event = api.insert({"summary": "Review", **TIMES, "attendees": [{"email": BOB}, {"email": CAROL}]})
    answer = bob("PATCH", f"/calendars/primary/events/{event['id']}",
                 json={"attendees": [{"email": BOB, "responseStatus": "accepted"}, {"email": CAROL, "responseStatus": "declined"}]})
    assert answer.status_code == 200, answer.text
    organizers = api("GET", f"/calendars/primary/events/{event['id']}").json()
    answers = {a["email"]: a["responseStatus"] for a in organizers["attendees"]}
    assert answers == {BOB: "accepted", CAROL: "needsAction"}, "a guest answers for themselves only"
    assert organizers["etag"] != event["etag"], "the organizer's event changed: their sync sees it"


def test_a_guest_cannot_change_the_meeting_unless_the_organizer_lets_guests_modify_it(
        service: Any, api: Api, bob: Api) -> None:
    event = api.insert({"summary": "Review", **TIMES, "attendees": [{"email": BOB}]})
    answer = bob("PATCH", f"/calendars/primary/events/{event['id']}", json={"summary": "Bob's title"})
    assert error_reason(answer) == (403, "forbiddenForNonOrganizer")
    shared = bob("PATCH", f"/calendars/primary/events/{event['id']}", json={"extendedProperties": {"shared": {"k": "v"}}})
    assert error_reason(shared) == (403, "forbiddenForNonOrganizer")
    assert bob("PATCH", f"/calendars/primary/events/{event['id']}", json={
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5}]},
        "extendedProperties": {"private": {"mine": "yes"}}}).ok
    api("PATCH", f"/calendars/primary/events/{event['id']}", json={"guestsCanModify": True})
    assert bob("PATCH", f"/calendars/primary/events/{event['id']}", json={"summary": "Bob's title"}).ok
    assert service.events().get(calendarId="primary", eventId=event["id"]).execute()["summary"] == "Bob's title"
    [copy] = listed(bob)["items"]
    assert copy["reminders"]["overrides"] == [{"method": "popup", "minutes": 5}], "the guest's own"
    assert copy["extendedProperties"]["private"] == {"mine": "yes"}


def test_a_guest_who_deletes_their_copy_declines_and_keeps_it_out_of_their_calendar(api: Api, bob: Api) -> None:
    event = api.insert({"summary": "Review", **TIMES, "attendees": [{"email": BOB}]})
    assert bob("DELETE", f"/calendars/primary/events/{event['id']}").status_code == 204
    organizers = api("GET", f"/calendars/primary/events/{event['id']}").json()
    assert organizers["attendees"][0]["responseStatus"] == "declined"
    api("PATCH", f"/calendars/primary/events/{event['id']}", json={"summary": "Review, moved"})
    assert listed(bob)["items"] == [], "the organizer's next change does not bring it back"


def test_an_invitation_takes_the_place_of_a_private_copy_of_the_same_event(api: Api, bob: Api) -> None:
    uid = "ab12cd34ef56ab78@google.com"
    copy = bob("POST", "/calendars/primary/events/import", json={
        "iCalUID": uid, "summary": "Review", **TIMES, "organizer": {"email": ALICE},
        "attendees": [{"email": ALICE}, {"email": BOB}]}).json()
    event = api.insert({"id": "ab12cd34ef56ab78", "summary": "Review", **TIMES, "attendees": [{"email": BOB}]})
    assert event["iCalUID"] == uid
    items = {e["id"]: e["status"] for e in listed(bob, showDeleted="true")["items"]}
    assert items == {copy["id"]: "cancelled", event["id"]: "confirmed"}, "one event in Bob's calendar, not two"


def test_the_client_library_reads_and_answers_an_invitation(service: Any, bob: Api, emulator: EmulatorControl) -> None:
    event = bob.insert({"summary": "Bob's party", **TIMES, "attendees": [{"email": ALICE}]})
    [copy] = service.events().list(calendarId="primary").execute()["items"]
    assert copy["id"] == event["id"] and copy["organizer"]["email"] == BOB
    service.events().patch(calendarId="primary", eventId=event["id"],
                           body={"attendees": [{"email": ALICE, "responseStatus": "tentative"}]}).execute()
    organizers = bob("GET", f"/calendars/primary/events/{event['id']}").json()
    assert organizers["attendees"][0]["responseStatus"] == "tentative"
    with pytest.raises(HttpError) as refused:
        service.events().patch(calendarId="primary", eventId=event["id"], body={"location": "Elsewhere"}).execute()
    assert refused.value.resp.status == 403


def test_another_calendars_event_under_the_same_id_is_no_guests_copy(api: Api, bob: Api) -> None:
    """Ids are unique per calendar: a client that gives its events ids of its own (Odoo's derived
    ids) may give one to an event of Bob's and to an unrelated event of Alice's."""
    mine = bob.insert({"id": "sameid00deadbeef", "summary": "Bob's own", **TIMES})
    api.insert({"id": "sameid00deadbeef", "summary": "Alice's own", **TIMES})
    api("PATCH", "/calendars/primary/events/sameid00deadbeef", json={"summary": "Alice's, renamed"})
    assert [(e["id"], e["summary"], e["status"]) for e in listed(bob, showDeleted="true")["items"]] == [
        (mine["id"], "Bob's own", "confirmed")]
