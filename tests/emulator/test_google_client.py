"""The emulator driven by Google's own client library (google-api-python-client)."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from gcal_emulator.control import EmulatorControl
from tests.emulator.conftest import Receiver


def timed(summary: str, start: str, end: str, tz: str = "Europe/Paris", **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "start": {"dateTime": start, "timeZone": tz}, "end": {"dateTime": end, "timeZone": tz}, **extra}


def list_all(service: Any, **params: Any) -> tuple[list[dict[str, Any]], str, int]:
    """Every item of events.list across pages, the final sync token and the number of pages."""
    items: list[dict[str, Any]] = []
    pages = 0
    token = None
    while True:
        page = service.events().list(calendarId="primary", pageToken=token, **params).execute()
        pages += 1
        items += page["items"]
        token = page.get("nextPageToken")
        if token is None:
            assert "nextSyncToken" in page
            return items, page["nextSyncToken"], pages
        assert "nextSyncToken" not in page, "nextSyncToken must only come with the last page"


def reason(error: HttpError) -> str:
    return error.error_details[0]["reason"] if error.error_details else ""


def test_insert_with_client_id_then_get_returns_it(service: Any) -> None:
    body = timed("Standup", "2026-12-01T09:00:00+01:00", "2026-12-01T09:15:00+01:00", id="odoo0123456789abcdef")
    created = service.events().insert(calendarId="primary", body=body).execute()
    assert created["id"] == "odoo0123456789abcdef"
    assert created["iCalUID"] == "odoo0123456789abcdef@google.com"
    fetched = service.events().get(calendarId="primary", eventId=created["id"]).execute()
    assert fetched["summary"] == "Standup"
    assert fetched["start"] == {"dateTime": "2026-12-01T09:00:00+01:00", "timeZone": "Europe/Paris"}
    assert fetched["etag"] == created["etag"]


def test_insert_of_an_existing_client_id_is_409_duplicate(service: Any) -> None:
    body = timed("Once", "2026-12-01T09:00:00+01:00", "2026-12-01T10:00:00+01:00", id="onceonce00001")
    service.events().insert(calendarId="primary", body=body).execute()
    with pytest.raises(HttpError) as error:
        service.events().insert(calendarId="primary", body=body).execute()
    assert error.value.resp.status == 409
    assert reason(error.value) == "duplicate"


def test_full_then_incremental_list_reports_exactly_what_changed(service: Any) -> None:
    ids = [
        service.events().insert(calendarId="primary", body=timed(f"E{i}", "2026-12-0%dT10:00:00+01:00" % (i + 1),
                                "2026-12-0%dT11:00:00+01:00" % (i + 1))).execute()["id"]
        for i in range(3)
    ]
    items, sync_token, _ = list_all(service)
    assert sorted(i["id"] for i in items) == sorted(ids)

    service.events().patch(calendarId="primary", eventId=ids[0], body={"summary": "E0 renamed"}).execute()
    service.events().delete(calendarId="primary", eventId=ids[1]).execute()
    added = service.events().insert(calendarId="primary", body=timed("New", "2026-12-09T10:00:00Z", "2026-12-09T11:00:00Z")).execute()

    changes, next_token, _ = list_all(service, syncToken=sync_token)
    by_id = {item["id"]: item for item in changes}
    assert set(by_id) == {ids[0], ids[1], added["id"]}
    assert by_id[ids[0]]["summary"] == "E0 renamed"
    assert by_id[ids[1]]["status"] == "cancelled"
    assert by_id[added["id"]]["summary"] == "New"

    assert list_all(service, syncToken=next_token)[0] == []


def test_pages_are_bounded_and_only_the_last_one_has_a_sync_token(service: Any) -> None:
    for i in range(7):
        service.events().insert(calendarId="primary", body=timed(f"P{i}", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z")).execute()
    first = service.events().list(calendarId="primary", maxResults=3).execute()
    assert len(first["items"]) == 3 and "nextPageToken" in first
    items, _, pages = list_all(service, maxResults=3)
    assert pages == 3
    assert len({item["id"] for item in items}) == 7


def test_an_edit_made_while_paging_is_never_lost(service: Any) -> None:
    ids = [service.events().insert(calendarId="primary", body=timed(f"W{i}", "2026-12-01T10:00:00Z",
                                   "2026-12-01T11:00:00Z")).execute()["id"] for i in range(5)]
    first = service.events().list(calendarId="primary", maxResults=2).execute()
    seen = {item["id"] for item in first["items"]}
    pending = next(i for i in ids if i not in seen)
    service.events().patch(calendarId="primary", eventId=pending, body={"summary": "edited mid-page"}).execute()
    token = first["nextPageToken"]
    rest: list[dict[str, Any]] = []
    while token:
        page = service.events().list(calendarId="primary", maxResults=2, pageToken=token).execute()
        rest += page["items"]
        token = page.get("nextPageToken")
    changes = service.events().list(calendarId="primary", syncToken=page["nextSyncToken"]).execute()["items"]
    final = {item["id"]: item for item in first["items"] + rest}
    final.update({item["id"]: item for item in changes})
    assert set(final) == set(ids)
    assert final[pending]["summary"] == "edited mid-page"


def test_invalidated_sync_token_gives_410_full_sync_required(service: Any, emulator: EmulatorControl) -> None:
    _, token, _ = list_all(service)
    emulator.invalidate_sync_tokens()
    with pytest.raises(HttpError) as error:
        service.events().list(calendarId="primary", syncToken=token).execute()
    assert error.value.resp.status == 410
    assert reason(error.value) == "fullSyncRequired"
    _, fresh, _ = list_all(service)
    assert service.events().list(calendarId="primary", syncToken=fresh).execute()["items"] == []


def test_recurring_series_instances_and_exceptions(service: Any) -> None:
    body = timed("Weekly", "2026-03-20T09:00:00+01:00", "2026-03-20T10:00:00+01:00",
                 recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"])
    master = service.events().insert(calendarId="primary", body=body).execute()
    instances = service.events().instances(calendarId="primary", eventId=master["id"]).execute()["items"]
    # 09:00 Paris is 08:00Z before the DST change (29 March) and 07:00Z after it.
    assert [i["id"] for i in instances] == [
        f"{master['id']}_20260320T080000Z",
        f"{master['id']}_20260327T080000Z",
        f"{master['id']}_20260403T070000Z",
        f"{master['id']}_20260410T070000Z",
    ]
    assert all(i["recurringEventId"] == master["id"] and i["iCalUID"] == master["iCalUID"] for i in instances)
    assert instances[2]["start"]["dateTime"] == "2026-04-03T09:00:00+02:00"

    moved = service.events().patch(
        calendarId="primary", eventId=instances[1]["id"],
        body={"summary": "Moved", "start": {"dateTime": "2026-03-27T14:00:00+01:00", "timeZone": "Europe/Paris"},
              "end": {"dateTime": "2026-03-27T15:00:00+01:00", "timeZone": "Europe/Paris"}},
    ).execute()
    assert moved["originalStartTime"]["dateTime"] == "2026-03-27T09:00:00+01:00"
    service.events().delete(calendarId="primary", eventId=instances[2]["id"]).execute()

    listed = {item["id"]: item for item in list_all(service)[0]}
    assert set(listed) == {master["id"], instances[1]["id"], instances[2]["id"]}
    assert listed[instances[2]["id"]]["status"] == "cancelled"
    assert listed[instances[2]["id"]]["recurringEventId"] == master["id"]
    after = service.events().instances(calendarId="primary", eventId=master["id"]).execute()["items"]
    assert [i["summary"] for i in after] == ["Weekly", "Moved", "Weekly"]
    singles = list_all(service, singleEvents=True)[0]
    assert sorted(i["id"] for i in singles) == sorted(i["id"] for i in after)


def test_all_day_instances_use_date_suffixes(service: Any) -> None:
    master = service.events().insert(calendarId="primary", body={
        "summary": "Holiday", "start": {"date": "2026-12-24"}, "end": {"date": "2026-12-25"},
        "recurrence": ["RRULE:FREQ=YEARLY;COUNT=2"]}).execute()
    instances = service.events().instances(calendarId="primary", eventId=master["id"]).execute()["items"]
    assert [i["id"] for i in instances] == [f"{master['id']}_20261224", f"{master['id']}_20271224"]
    assert instances[1]["end"] == {"date": "2027-12-25"}


def test_conference_create_request_gives_a_meet_link(service: Any) -> None:
    body = timed("Call", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z",
                 conferenceData={"createRequest": {"requestId": "req-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}})
    with_meet = service.events().insert(calendarId="primary", body=body, conferenceDataVersion=1).execute()
    assert with_meet["hangoutLink"].startswith("https://meet.google.com/")
    assert with_meet["conferenceData"]["entryPoints"][0]["uri"] == with_meet["hangoutLink"]
    without = service.events().insert(calendarId="primary", body=body).execute()
    assert "hangoutLink" not in without and "conferenceData" not in without


def test_batch_runs_each_call_and_reports_each_result(service: Any, emulator: EmulatorControl) -> None:
    results: dict[str, Any] = {}

    def collect(request_id: str, response: Any, exception: Exception | None) -> None:
        results[request_id] = exception or response

    batch = BatchHttpRequest(callback=collect, batch_uri=f"{emulator.base_url}/batch/calendar/v3")
    for i in range(3):
        batch.add(service.events().insert(calendarId="primary", body=timed(
            f"B{i}", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", id=f"batch0000{i}")), request_id=str(i))
    batch.add(service.events().insert(calendarId="primary", body=timed(
        "dup", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", id="batch00000")), request_id="dup")
    emulator.clear_requests()
    batch.execute()
    assert [results[str(i)]["id"] for i in range(3)] == ["batch00000", "batch00001", "batch00002"]
    assert isinstance(results["dup"], HttpError) and results["dup"].resp.status == 409
    log = emulator.requests()
    assert [(r["path"], r["batch"]) for r in log if not r["batch"]] == [("/batch/calendar/v3", False)]
    assert sum(1 for r in log if r["batch"]) == 4


def test_calendar_list_and_a_secondary_calendar(service: Any) -> None:
    created = service.calendars().insert(body={"summary": "Clinic"}).execute()
    entries = service.calendarList().list().execute()["items"]
    assert {e["id"]: e.get("primary", False) for e in entries} == {"alice@example.com": True, created["id"]: False}
    event = service.events().insert(calendarId=created["id"], body=timed("Room", "2026-12-01T10:00:00Z",
                                    "2026-12-01T11:00:00Z")).execute()
    assert service.events().list(calendarId=created["id"]).execute()["items"][0]["id"] == event["id"]
    assert service.events().list(calendarId="primary").execute()["items"] == []
    assert service.colors().get().execute()["event"]["11"]["background"]


def test_watch_pushes_sync_then_exists_and_stop_ends_it(service: Any, receiver: Receiver) -> None:
    channel = service.events().watch(calendarId="primary", body={
        "id": "chan-1", "type": "web_hook", "address": receiver.url, "token": "secret-token"}).execute()
    assert channel["resourceId"] and int(channel["expiration"]) > 0
    handshake = receiver.next()
    assert (handshake["X-Goog-Channel-Id"], handshake["X-Goog-Resource-State"], handshake["X-Goog-Message-Number"]) == (
        "chan-1", "sync", "1")
    assert handshake["X-Goog-Channel-Token"] == "secret-token"
    assert handshake["X-Goog-Resource-Id"] == channel["resourceId"]
    assert handshake["body"] == ""

    service.events().insert(calendarId="primary", body=timed("Ping", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z")).execute()
    change = receiver.next()
    assert (change["X-Goog-Resource-State"], change["X-Goog-Message-Number"]) == ("exists", "2")

    service.channels().stop(body={"id": "chan-1", "resourceId": channel["resourceId"]}).execute()
    service.events().insert(calendarId="primary", body=timed("Quiet", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z")).execute()
    # Deliveries are in order: once the next channel's handshake arrives, nothing else is on its way.
    service.events().watch(calendarId="primary", body={"id": "chan-2", "type": "web_hook", "address": receiver.url}).execute()
    assert receiver.next()["X-Goog-Channel-Id"] == "chan-2"
    assert receiver.received.empty()
    with pytest.raises(HttpError) as error:
        service.channels().stop(body={"id": "chan-1", "resourceId": channel["resourceId"]}).execute()
    assert error.value.resp.status == 404


def test_the_delivery_log_waits_for_the_background_deliveries(service: Any, receiver: Receiver, emulator: Any) -> None:
    service.events().watch(calendarId="primary", body={"id": "chan-w", "type": "web_hook", "address": receiver.url}).execute()
    service.events().insert(calendarId="primary", body=timed("Ping", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z")).execute()
    done = emulator.notifications(state="exists", wait=10)
    assert [(d["channel_id"], d["state"], d["status"]) for d in done] == [("chan-w", "sync", 200), ("chan-w", "exists", 200)]
    assert emulator.notifications(state="exists", count=5, wait=0.2) == done, "a timeout answers with what was done"


def test_held_notifications_wait_for_their_release(service: Any, receiver: Receiver, emulator: Any) -> None:
    emulator.hold_push()
    service.events().watch(calendarId="primary", body={"id": "chan-h", "type": "web_hook", "address": receiver.url}).execute()
    service.events().insert(calendarId="primary", body=timed("Ping", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z")).execute()
    assert receiver.received.empty() and emulator.notifications() == []
    released = emulator.release_push()
    assert [(d["state"], d["message_number"], d["status"]) for d in released] == [("sync", 1, 200), ("exists", 2, 200)]
    assert [receiver.next()["X-Goog-Resource-State"] for _ in range(2)] == ["sync", "exists"]
    assert emulator.release_push() == []

    emulator.hold_push(False)
    service.events().insert(calendarId="primary", body=timed("Pong", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z")).execute()
    assert receiver.next()["X-Goog-Message-Number"] == "3"
    with pytest.raises(RuntimeError, match="400"):
        emulator._call("POST", "push", {"hold": "yes"})
