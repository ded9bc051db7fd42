"""Google semantics the client library hides: ETags, patch vs update, tombstones, filters, mails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gcal_emulator.listing import UPDATED_MIN_HORIZON
from gcal_emulator.control import EmulatorControl
from tests.emulator.conftest import ALICE, Api, error_reason

UTC = dt.timezone.utc
# Google refuses each of these list parameters together with a syncToken.
SYNC_INCOMPATIBLE = {
    "iCalUID": "abcdef@google.com",
    "orderBy": "updated",
    "privateExtendedProperty": "odoo=k1",
    "q": "budget",
    "sharedExtendedProperty": "odoo=k1",
    "timeMin": "2026-01-01T00:00:00Z",
    "timeMax": "2027-01-01T00:00:00Z",
    "updatedMin": (dt.datetime.now(UTC) - dt.timedelta(hours=1)).isoformat(),
}


def event(summary: str = "Review", start: str = "2026-12-01T10:00:00Z", end: str = "2026-12-01T11:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "start": {"dateTime": start}, "end": {"dateTime": end}, **extra}


def test_if_match_with_a_stale_etag_is_412_and_star_overwrites(api: Api) -> None:
    created = api.insert(event())
    api("PATCH", f"/calendars/primary/events/{created['id']}", json={"summary": "Changed elsewhere"})
    stale = api("PATCH", f"/calendars/primary/events/{created['id']}", json={"summary": "Mine"},
                headers={"If-Match": created["etag"]})
    assert error_reason(stale) == (412, "conditionNotMet")
    assert stale.json()["error"]["errors"][0]["location"] == "If-Match"
    forced = api("PATCH", f"/calendars/primary/events/{created['id']}", json={"summary": "Mine"}, headers={"If-Match": "*"})
    assert forced.json()["summary"] == "Mine"
    current = forced.json()["etag"]
    assert error_reason(api("DELETE", f"/calendars/primary/events/{created['id']}", headers={"If-Match": created["etag"]})) == (
        412, "conditionNotMet")
    assert api("DELETE", f"/calendars/primary/events/{created['id']}", headers={"If-Match": current}).status_code == 204


def test_if_none_match_with_the_current_etag_is_304(api: Api) -> None:
    created = api.insert(event())
    answer = api("GET", f"/calendars/primary/events/{created['id']}", headers={"If-None-Match": created["etag"]})
    assert answer.status_code == 304 and answer.content == b""


def test_patch_keeps_what_it_does_not_name_and_update_resets_it(api: Api) -> None:
    created = api.insert(event(location="Room 1", colorId="5", extendedProperties={"private": {"a": "1", "b": "2"}}))
    patched = api("PATCH", f"/calendars/primary/events/{created['id']}", json={
        "summary": "Renamed", "colorId": None, "extendedProperties": {"private": {"b": "3"}}}).json()
    assert (patched["summary"], patched["location"], "colorId" in patched) == ("Renamed", "Room 1", False)
    assert patched["extendedProperties"]["private"] == {"a": "1", "b": "3"}
    assert patched["sequence"] == created["sequence"]
    updated = api("PUT", f"/calendars/primary/events/{created['id']}", json=event("Replaced", "2026-12-02T10:00:00Z",
                                                                                "2026-12-02T11:00:00Z")).json()
    assert "location" not in updated and "extendedProperties" not in updated
    assert updated["iCalUID"] == created["iCalUID"] and updated["sequence"] == created["sequence"] + 1


def test_a_deleted_event_is_a_tombstone_and_deleting_it_again_is_410(api: Api) -> None:
    created = api.insert(event())
    assert api("DELETE", f"/calendars/primary/events/{created['id']}").status_code == 204
    assert api("GET", f"/calendars/primary/events/{created['id']}").json()["status"] == "cancelled"
    assert error_reason(api("DELETE", f"/calendars/primary/events/{created['id']}")) == (410, "deleted")
    assert api("GET", "/calendars/primary/events").json()["items"] == []
    shown = api("GET", "/calendars/primary/events", params={"showDeleted": "true"}).json()["items"]
    assert [(i["id"], i["status"]) for i in shown] == [(created["id"], "cancelled")]
    assert set(shown[0]) <= {"kind", "etag", "id", "status", "updated"}, "tombstones carry only what Google guarantees"


def test_a_deleted_event_can_be_restored_by_its_organizer(api: Api) -> None:
    created = api.insert(event())
    api("DELETE", f"/calendars/primary/events/{created['id']}")
    restored = api("PATCH", f"/calendars/primary/events/{created['id']}", json={"status": "confirmed"}).json()
    assert restored["status"] == "confirmed" and restored["summary"] == "Review"


def test_time_window_bounds_are_exclusive(api: Api) -> None:
    api.insert(event("Morning", "2026-12-01T08:00:00Z", "2026-12-01T09:00:00Z"))
    api.insert(event("Noon", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z"))
    api.insert({"summary": "All day", "start": {"date": "2026-12-02"}, "end": {"date": "2026-12-03"}})
    window = api("GET", "/calendars/primary/events", params={
        "timeMin": "2026-12-01T09:00:00Z", "timeMax": "2026-12-01T12:00:00Z"}).json()["items"]
    assert window == [], "timeMin excludes an event ending at it, timeMax one starting at it"
    day = api("GET", "/calendars/primary/events", params={
        "timeMin": "2026-12-01T08:30:00Z", "timeMax": "2026-12-02T00:00:01Z"}).json()["items"]
    assert sorted(i["summary"] for i in day) == ["All day", "Morning", "Noon"]


def test_a_series_that_overlaps_the_window_is_listed_whole(api: Api) -> None:
    master = api.insert({"summary": "Daily", "recurrence": ["RRULE:FREQ=DAILY"],
                         "start": {"dateTime": "2026-01-05T09:00:00+01:00", "timeZone": "Europe/Paris"},
                         "end": {"dateTime": "2026-01-05T10:00:00+01:00", "timeZone": "Europe/Paris"}})
    listed = api("GET", "/calendars/primary/events", params={
        "timeMin": "2027-06-01T00:00:00Z", "timeMax": "2027-06-02T00:00:00Z"}).json()["items"]
    assert [i["id"] for i in listed] == [master["id"]] and listed[0]["recurrence"] == ["RRULE:FREQ=DAILY"]
    singles = api("GET", "/calendars/primary/events", params={
        "timeMin": "2027-06-01T00:00:00Z", "timeMax": "2027-06-02T00:00:00Z", "singleEvents": "true",
        "orderBy": "startTime"}).json()["items"]
    assert [i["id"] for i in singles] == [f"{master['id']}_20270601T070000Z"]


def test_filters_on_extended_properties_ical_uid_and_text(api: Api) -> None:
    tagged = api.insert(event("Budget review", extendedProperties={"private": {"odoo": "k1"}}))
    api.insert(event("Other"))
    def ids(**params: str) -> list[str]:
        return [i["id"] for i in api("GET", "/calendars/primary/events", params=params).json()["items"]]
    assert ids(privateExtendedProperty="odoo=k1") == [tagged["id"]]
    assert ids(privateExtendedProperty="odoo=k2") == []
    assert ids(iCalUID=tagged["iCalUID"]) == [tagged["id"]]
    assert ids(q="budget") == [tagged["id"]]


def test_send_updates_is_recorded_and_attendees_get_the_mails_google_sends(api: Api, emulator: EmulatorControl) -> None:
    created = api.insert(event(attendees=[{"email": ALICE}, {"email": "Guest@Example.com"}]), sendUpdates="all")
    assert created["attendees"] == [
        {"email": ALICE, "organizer": True, "self": True, "responseStatus": "accepted"},
        {"email": "guest@example.com", "responseStatus": "needsAction"},
    ]
    path = f"/calendars/primary/events/{created['id']}"
    api("PATCH", path, params={"sendUpdates": "none"}, json={"summary": "Quiet change"})
    api("PATCH", path, params={"sendUpdates": "all"}, json={"attendees": [{"email": ALICE}, {"email": "new@example.com"}]})
    api("DELETE", path, params={"sendUpdates": "all"})
    assert [(m["to"], m["kind"]) for m in emulator.mails()] == [
        ("guest@example.com", "invitation"),
        ("new@example.com", "invitation"),
        ("guest@example.com", "cancellation"),
        ("new@example.com", "cancellation"),
    ]
    writes = [r["sendUpdates"] for r in emulator.requests() if r["method"] != "GET" and "/events" in r["path"]]
    assert writes == ["all", "none", "all", "all"]


def test_another_accounts_calendar_is_not_found(api: Api, emulator: EmulatorControl) -> None:
    emulator.add_user("bob@example.com")
    assert error_reason(api("GET", "/calendars/bob@example.com/events")) == (404, "notFound")


@pytest.mark.parametrize("order", ["updated", None])
def test_listing_order_is_stable(api: Api, order: str | None) -> None:
    ids = [api.insert(event(f"E{i}"))["id"] for i in range(4)]
    params = {"orderBy": order} if order else {}
    assert [i["id"] for i in api("GET", "/calendars/primary/events", params=params).json()["items"]] == ids


def parse(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))


def test_updated_min_lists_only_what_changed_since_deletions_included(api: Api, emulator: EmulatorControl) -> None:
    api.insert(event("Untouched"))
    doomed = api.insert(event("Deleted later"))
    since = emulator.advance_clock(60)
    added = api.insert(event("Added later"))
    api("DELETE", f"/calendars/primary/events/{doomed['id']}")
    listed = api("GET", "/calendars/primary/events", params={"updatedMin": since}).json()["items"]
    assert sorted((i["id"], i["status"]) for i in listed) == sorted([
        (added["id"], "confirmed"), (doomed["id"], "cancelled")])


def test_updated_min_older_than_the_horizon_is_410_updated_min_too_long_ago(
    api: Api, emulator: EmulatorControl
) -> None:
    now = parse(emulator.advance_clock(0))
    inside = (now - UPDATED_MIN_HORIZON + dt.timedelta(minutes=1)).isoformat()
    assert api("GET", "/calendars/primary/events", params={"updatedMin": inside}).status_code == 200
    outside = (now - UPDATED_MIN_HORIZON - dt.timedelta(minutes=1)).isoformat()
    answer = api("GET", "/calendars/primary/events", params={"updatedMin": outside})
    assert error_reason(answer) == (410, "updatedMinTooLongAgo")


@pytest.mark.parametrize(("name", "value"), SYNC_INCOMPATIBLE.items(), ids=list(SYNC_INCOMPATIBLE))
def test_a_list_parameter_incompatible_with_a_sync_token_is_400(api: Api, name: str, value: str) -> None:
    token = api("GET", "/calendars/primary/events").json()["nextSyncToken"]
    assert api("GET", "/calendars/primary/events", params={name: value}).status_code == 200, "fine on its own"
    answer = api("GET", "/calendars/primary/events", params={"syncToken": token, name: value})
    assert error_reason(answer) == (400, "invalid")
    assert answer.json()["error"]["errors"][0]["location"] == name


def test_max_results_defaults_to_250(api: Api) -> None:
    answer = api.batch([("POST", "/calendars/primary/events", event(f"E{i}")) for i in range(251)])
    assert answer.text.count("HTTP/1.1 200") == 251
    first = api("GET", "/calendars/primary/events").json()
    assert len(first["items"]) == 250 and "nextSyncToken" not in first
    last = api("GET", "/calendars/primary/events", params={"pageToken": first["nextPageToken"]}).json()
    assert len(last["items"]) == 1 and "nextSyncToken" in last


@pytest.mark.parametrize("listing", ["events", "instances"])
def test_max_results_is_capped_at_2500(api: Api, listing: str) -> None:
    hourly = api.insert({"summary": "Hourly", "recurrence": ["RRULE:FREQ=HOURLY;COUNT=2600"],
                         "start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": "UTC"},
                         "end": {"dateTime": "2026-12-01T10:30:00Z", "timeZone": "UTC"}})
    path, params = {
        "events": ("/calendars/primary/events", {"singleEvents": "true"}),
        "instances": (f"/calendars/primary/events/{hourly['id']}/instances", {}),
    }[listing]
    assert len(api("GET", path, params=params).json()["items"]) == 250
    capped = api("GET", path, params=params | {"maxResults": "5000"}).json()
    assert len(capped["items"]) == 2500
    rest = api("GET", path, params=params | {"maxResults": "5000", "pageToken": capped["nextPageToken"]}).json()
    assert len(rest["items"]) == 100 and "nextPageToken" not in rest


def test_invalidating_one_calendars_sync_tokens_leaves_the_others_working(api: Api, emulator: EmulatorControl) -> None:
    clinic = api("POST", "/calendars", json={"summary": "Clinic"}).json()["id"]
    tokens = {calendar: api("GET", f"/calendars/{calendar}/events").json()["nextSyncToken"]
              for calendar in ("primary", clinic)}
    emulator.invalidate_sync_tokens(clinic)
    stale = api("GET", f"/calendars/{clinic}/events", params={"syncToken": tokens[clinic]})
    assert error_reason(stale) == (410, "fullSyncRequired")
    assert api("GET", "/calendars/primary/events", params={"syncToken": tokens["primary"]}).json()["items"] == []
    with pytest.raises(RuntimeError, match="404"):
        emulator.invalidate_sync_tokens("nobody@group.calendar.google.com")



def test_a_patch_deletes_an_extended_property_set_to_null(api: Api) -> None:
    created = api.insert(event(extendedProperties={"shared": {"old": "1", "kept": "2"}, "private": {"old": "1"}}))
    patched = api("PATCH", f"/calendars/primary/events/{created['id']}", json={"extendedProperties": {
        "shared": {"old": None}, "private": {"old": None, "new": "3"}}}).json()
    assert patched["extendedProperties"] == {"shared": {"kept": "2"}, "private": {"new": "3"}}


def test_a_page_limit_makes_pages_smaller_than_asked_and_the_listing_whole(api: Api, emulator: EmulatorControl) -> None:
    for i in range(5):
        api.insert({"summary": f"E{i}", "start": {"dateTime": "2026-12-01T10:00:00Z"},
                    "end": {"dateTime": "2026-12-01T11:00:00Z"}})
    emulator.set_page_limit(2)
    sizes, seen, params = [], [], {"maxResults": 2500}
    while True:
        page = api("GET", "/calendars/primary/events", params=params).json()
        sizes.append(len(page["items"]))
        seen += [e["summary"] for e in page["items"]]
        if "nextPageToken" not in page:
            break
        params = {"maxResults": 2500, "pageToken": page["nextPageToken"]}
    assert sizes == [2, 2, 1] and sorted(seen) == [f"E{i}" for i in range(5)] and page["nextSyncToken"]
    emulator.set_page_limit(None)
    assert len(api("GET", "/calendars/primary/events").json()["items"]) == 5
