"""Whole runs against the emulator over HTTP: both directions, conflicts, modes, resyncs, crashes."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

import pytest

from gcal_emulator import EmulatorServer
from tests.conftest import ContractChecker
from gcal_emulator.control import DEFAULT_SCOPES
from gcal_engine.errors import DeferredError, LocalWriteError, MappingError, MassDeletionError
from gcal_engine.model import CONTENT_FIELDS, Access, Attendee, Event, EventTime, Person, Reminder, Reminders
from gcal_engine.executor import Executor
from gcal_engine.local import SyncState
from gcal_engine.actions import ConflictPolicy, Context, Mode, RunKind, UpdateRemote
from gcal_engine.report import RunCounts, RunReport
from tests.engine.conftest import Harness
from tests.engine.events import (
    all_day, at, day_of, google_time, ical_local, instance_suffix, occurrence, series, timed,
)
from tests.engine.memory_calendar import MemoryCalendar


def google_insert(harness: Harness, summary: str, day: int = 3, **extra: Any) -> dict[str, Any]:
    body = {"summary": summary, "start": google_time(at(day, 9)), "end": google_time(at(day, 10)), **extra}
    return harness.client.insert_event("primary", body)


def summaries(harness: Harness) -> tuple[list[str], list[str]]:
    local = sorted(e.summary for e in harness.local.events().values())
    google = sorted(e.get("summary", "") for e in harness.google_events().values())
    return local, google


def writes(harness: Harness) -> list[tuple[str, str | None]]:
    return [(r["method"], r["sendUpdates"]) for r in harness.emulator.requests()
            if r["method"] in ("POST", "PATCH", "DELETE") and "/events" in r["path"]]


def test_first_sync_merges_both_calendars_without_mailing_anyone(harness: Harness) -> None:
    harness.local.add(timed("Odoo meeting", attendees=(Attendee("guest@example.com"),)))
    google_insert(harness, "Google meeting", attendees=[{"email": "other@example.com"}])
    harness.emulator.clear_requests()
    assert harness.sync().kind == "first"
    assert summaries(harness) == (["Google meeting", "Odoo meeting"], ["Google meeting", "Odoo meeting"])
    assert writes(harness) == [("POST", "none")]
    assert harness.emulator.mails() == []


def test_the_run_after_a_sync_makes_exactly_one_request_and_writes_nothing(harness: Harness) -> None:
    harness.local.add(timed("Odoo meeting"))
    google_insert(harness, "Google meeting")
    harness.sync()
    commits = harness.local.commits
    report = harness.sync()
    assert report.requests == 1
    assert report.counts == RunCounts()
    assert harness.local.durable.records == harness.local.work.records and harness.local.commits > commits


def test_edits_and_deletions_travel_both_ways_and_people_changes_mail_guests(harness: Harness) -> None:
    local_ref = harness.local.add(timed("Odoo meeting", attendees=(Attendee("guest@example.com"),)))
    other_id = harness.local.add(timed("To delete", day=2, attendees=(Attendee("guest@example.com"),)))
    remote = google_insert(harness, "Google meeting")
    harness.sync()
    harness.local.edit(local_ref, summary="Odoo meeting, moved", start=at(1, 14), end=at(1, 15))
    harness.local.remove(other_id)
    harness.client.patch_event("primary", remote["id"], {"summary": "Google meeting, renamed"})
    harness.emulator.clear_requests()
    report = harness.sync()
    assert report.counts == RunCounts(updated_google=1, deleted_google=1, updated_local=1)
    assert summaries(harness) == (["Google meeting, renamed", "Odoo meeting, moved"],) * 2
    assert sorted(writes(harness)) == [("DELETE", "all"), ("PATCH", "all")]
    assert [(m["to"], m["kind"]) for m in harness.emulator.mails()] == [
        ("guest@example.com", "update"), ("guest@example.com", "cancellation")]

    harness.client.delete_event("primary", remote["id"])
    harness.sync()
    assert summaries(harness) == (["Odoo meeting, moved"],) * 2


def test_adding_and_removing_a_guest_in_odoo_makes_google_invite_and_cancel(harness: Harness) -> None:
    local_ref = harness.local.add(timed("Review"))
    harness.sync()
    harness.local.edit(local_ref, attendees=(Attendee("new@example.com"),))
    harness.sync()
    harness.local.edit(local_ref, attendees=())
    harness.sync()
    assert [(m["to"], m["kind"]) for m in harness.emulator.mails()] == [
        ("new@example.com", "invitation"), ("new@example.com", "cancellation")]


def test_a_conflict_keeps_the_latest_edit_and_reports_the_other(harness: Harness) -> None:
    local_ref = harness.local.add(timed("Original"))
    harness.sync()
    google_id = harness.local.binding(local_ref).google_id
    harness.client.patch_event("primary", google_id, {"summary": "Google edit"})
    harness.clock.advance(60)
    harness.local.edit(local_ref, summary="Odoo edit, later")
    report = harness.sync()
    assert summaries(harness) == (["Odoo edit, later"], ["Odoo edit, later"])
    [conflict] = report.conflicts
    assert conflict.winner == "local" and conflict.loser.summary == "Google edit"

    harness.local.edit(local_ref, summary="Odoo edit")
    harness.clock.advance(60)
    harness.client.patch_event("primary", google_id, {"summary": "Google edit, later"})
    report = harness.sync()
    assert summaries(harness) == (["Google edit, later"], ["Google edit, later"])
    assert report.conflicts[0].winner == "google" and report.conflicts[0].loser.summary == "Odoo edit"


def test_an_unrelated_local_write_never_hides_a_google_change(harness: Harness) -> None:
    harness.local = MemoryCalendar(clock=harness.clock.now, fields=set(CONTENT_FIELDS) - {"color_id"})
    local_ref = harness.local.add(timed("Original", color_id="3"))
    harness.sync()
    google_id = harness.local.binding(local_ref).google_id
    harness.client.patch_event("primary", google_id, {"summary": "Changed on Google"})
    harness.clock.advance(60)
    harness.local.edit(local_ref, color_id="5")  # later, but in a field this local side does not sync
    report = harness.sync()
    assert summaries(harness) == (["Changed on Google"], ["Changed on Google"])
    assert report.conflicts == []


@pytest.mark.parametrize("mode", [Mode.GOOGLE_TO_LOCAL, Mode.LOCAL_TO_GOOGLE])
def test_one_way_modes_only_carry_one_direction(harness: Harness, mode: Mode) -> None:
    harness.local.add(timed("Odoo only"))
    google_insert(harness, "Google only")
    report = harness.sync(mode=mode)
    local, google = summaries(harness)
    if mode is Mode.GOOGLE_TO_LOCAL:
        assert (local, google) == (["Google only", "Odoo only"], ["Google only"])
    else:
        assert (local, google) == (["Odoo only"], ["Google only", "Odoo only"])
    assert report.counts.ignored_one_way == 1


def test_the_sync_window_bounds_the_first_import(harness: Harness) -> None:
    old = harness.clock.now() - dt.timedelta(days=400)
    harness.client.insert_event("primary", {"summary": "Too old", "start": {"date": old.date().isoformat()},
                                            "end": {"date": (old.date() + dt.timedelta(days=1)).isoformat()}})
    harness.client.insert_event("primary", {
        "summary": "Old series still running", "recurrence": ["RRULE:FREQ=WEEKLY"],
        "start": {"dateTime": old.replace(microsecond=0).isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (old + dt.timedelta(hours=1)).replace(microsecond=0).isoformat(), "timeZone": "UTC"}})
    google_insert(harness, "Recent")
    harness.sync()
    assert sorted(e.summary for e in harness.local.events().values()) == ["Old series still running", "Recent"]


def test_all_day_and_time_zone_events_round_trip_unchanged(harness: Harness) -> None:
    harness.local.add(all_day("Holiday", day=24, days=2))
    harness.local.add(timed("Tokyo call", hour=9, zone="Asia/Tokyo"))
    harness.sync()
    google = {e["summary"]: e for e in harness.google_events().values()}
    assert google["Holiday"]["start"] == {"date": day_of(24).isoformat()}
    assert google["Holiday"]["end"] == {"date": day_of(26).isoformat()}
    assert google["Tokyo call"]["start"] == google_time(at(1, 9, zone="Asia/Tokyo"))
    assert google["Tokyo call"]["start"]["dateTime"].endswith("T09:00:00+09:00")
    fresh = MemoryCalendar(namespace="other", clock=harness.clock.now)
    harness.sync(local=fresh)
    imported = {e.summary: e for e in fresh.events().values()}
    assert imported["Holiday"].start == EventTime(date=day_of(24))
    assert imported["Tokyo call"].start.time_zone == "Asia/Tokyo"
    assert imported["Tokyo call"].start.date_time.utcoffset() == dt.timedelta(hours=9)


def test_every_field_survives_a_trip_through_google(harness: Harness) -> None:
    rich = timed(
        "Rich", description="<b>Agenda</b>", location="Room 7", visibility="private", transparency="transparent",
        color_id="4", attendees=(Attendee("ann@example.com", "Ann", "accepted", optional=True),),
        reminders=Reminders(False, (Reminder("email", 60), Reminder("popup", 10))),
        private_properties=(("k", "v"),), shared_properties=(("s", "t"),), guests_can_modify=True,
    )
    harness.local.add(rich)
    harness.sync()
    fresh = MemoryCalendar(namespace="other", clock=harness.clock.now)
    harness.sync(local=fresh)
    [back] = fresh.events().values()
    for name in ("summary", "description", "location", "visibility", "transparency", "color_id", "reminders",
                 "private_properties", "shared_properties", "guests_can_modify", "start", "end"):
        assert getattr(back, name) == getattr(rich, name), name
    assert [(a.email, a.name, a.response, a.optional) for a in back.attendees] == [("ann@example.com", "Ann", "accepted", True)]


def test_an_occurrence_cancelled_past_the_new_end_of_its_series_is_not_sent_again(harness: Harness) -> None:
    """Odoo's "Delete this and following": the series ends before the occurrence, which is kept
    as cancelled. Google's series ends there too (the series goes first), so the instance is not
    on Google to cancel: its 404 is the cancellation done, not a problem to retry at every run."""
    master = series("Weekly", "RRULE:FREQ=WEEKLY;COUNT=4")
    master_id = harness.local.add(master)
    harness.sync()
    harness.local.edit(master_id, recurrence=("RRULE:FREQ=WEEKLY;COUNT=2",))
    harness.local.add(occurrence(master, at(15), status="cancelled"), series=master_id)
    report = harness.sync()
    assert report.problems == []
    gid = harness.local.binding(master_id).google_id
    instances = list(harness.client.instances("primary", gid))
    assert [i["start"]["dateTime"][:10] for i in instances] == [google_time(at(d))["dateTime"][:10] for d in (1, 8)]
    assert harness.sync().problems == []

def test_an_edited_occurrence_goes_when_google_ends_its_series_before_it(harness: Harness) -> None:
    """Google's "Delete this and following" from an occurrence edited earlier: the series ends
    before it, and Google no longer shows it, without listing it as cancelled. It goes here too
    (it is as both sides agreed), the occurrences before it stay."""
    master = google_insert(harness, "Daily", day=1, recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    second = f"{master['id']}_{instance_suffix(at(2, 9))}"
    harness.client.patch_event("primary", second, {"summary": "Daily, renamed"})
    harness.sync()
    assert sorted(e.summary for e in harness.local.events().values()) == ["Daily", "Daily, renamed"]
    until = at(2, 9).instant() - dt.timedelta(seconds=1)
    harness.client.patch_event("primary", master["id"], {"recurrence": [f"RRULE:FREQ=DAILY;UNTIL={until:%Y%m%dT%H%M%SZ}"]})
    report = harness.sync()
    assert report.problems == [] and report.conflicts == [] and report.counts.deleted_local == 1
    assert sorted(e.summary for e in harness.local.events().values() if not e.cancelled) == ["Daily"]
    assert harness.sync().counts == RunCounts()

def test_an_occurrence_renamed_on_both_sides_goes_when_google_then_ends_its_series_before_it(harness: Harness) -> None:
    """Renamed here and on Google, then Google's "Delete this and following" from it, before a
    run: Google lists the occurrence (changed) though its series, listed with it, ends before it.
    It is cancelled there; the deletion, newer, wins here too, and the log shows the title lost."""
    master = google_insert(harness, "Daily", day=1, recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    harness.sync()
    [series_ref] = [ref for ref, e in harness.local.events().items() if e.recurrence]
    second = f"{master['id']}_{instance_suffix(at(2, 9))}"
    series_event = harness.local.events()[series_ref]
    harness.local.add(occurrence(series_event, at(2, 9), summary="Daily, here"), series=series_ref)
    harness.client.patch_event("primary", second, {"summary": "Daily, on Google"})
    until = at(2, 9).instant() - dt.timedelta(seconds=1)
    harness.client.patch_event("primary", master["id"], {"recurrence": [f"RRULE:FREQ=DAILY;UNTIL={until:%Y%m%dT%H%M%SZ}"]})
    report = harness.sync()
    assert report.problems == []
    assert sorted(e.summary for e in harness.local.events().values() if not e.cancelled) == ["Daily"]
    assert [(c.kind.value, c.loser.summary if c.loser else None) for c in report.conflicts] == [
        ("deleted_google_edited_local", "Daily, here")]
    assert harness.sync().problems == []

def test_a_meet_link_comes_back_right_after_creation(harness: Harness) -> None:
    local_ref = harness.local.add(timed("Video call", create_meet=True))
    report = harness.sync()
    assert report.counts.created_google == 1
    link = harness.local.events()[local_ref].meet_url
    assert link and link.startswith("https://meet.google.com/")
    assert harness.sync().requests == 1, "bringing the link back does not make the event dirty"


def test_recurring_series_with_exceptions_sync_both_ways(harness: Harness) -> None:
    master = series("Weekly", "RRULE:FREQ=WEEKLY;COUNT=4")
    master_id = harness.local.add(master)
    harness.local.add(occurrence(master, at(8), summary="Weekly (moved)", start=at(8, 15), end=at(8, 16)),
                      series=master_id)
    harness.local.add(occurrence(master, at(15), status="cancelled"), series=master_id)
    harness.sync()
    google = harness.google_events()
    gid = harness.local.binding(master_id).google_id
    assert {k: v.get("status") for k, v in google.items()} == {
        gid: "confirmed", f"{gid}_{instance_suffix(at(8))}": "confirmed", f"{gid}_{instance_suffix(at(15))}": "cancelled"}
    instances = list(harness.client.instances("primary", gid))
    assert [i.get("summary") for i in instances if i.get("status") != "cancelled"] == ["Weekly", "Weekly (moved)", "Weekly"]

    # and from Google: an occurrence edited there arrives as one more exception
    harness.client.patch_event("primary", f"{gid}_{instance_suffix(at(22))}", {"summary": "Weekly (last, edited on Google)"})
    harness.sync()
    exceptions = sorted(e.summary for e in harness.local.events().values() if e.is_instance)
    assert exceptions == ["Weekly", "Weekly (last, edited on Google)", "Weekly (moved)"]


def test_a_google_series_with_rdate_and_exdate_keeps_its_lines_verbatim(harness: Harness) -> None:
    lines = ["RRULE:FREQ=DAILY;COUNT=5", f"EXDATE;TZID=Europe/Paris:{ical_local(at(3, 9))}",
             f"RDATE;TZID=Europe/Paris:{ical_local(at(20, 9))}"]
    google_insert(harness, "Odd series", day=1, recurrence=lines)
    harness.sync()
    [imported] = harness.local.events().values()
    assert list(imported.recurrence) == lines


def test_a_410_resync_rebinds_everything_without_duplicates_or_mails(harness: Harness) -> None:
    for i in range(3):
        harness.local.add(timed(f"Odoo {i}", day=i + 1, attendees=(Attendee("guest@example.com"),)))
        google_insert(harness, f"Google {i}", day=i + 5, attendees=[{"email": "guest@example.com"}])
    harness.sync()
    gone = next(e for e in harness.google_events().values() if e["summary"] == "Google 2")
    harness.client.delete_event("primary", gone["id"])
    harness.emulator.invalidate_sync_tokens()
    harness.local.edit("L1", summary="Odoo 0, edited meanwhile")
    harness.emulator.clear_requests()
    assert harness.sync().resynced
    assert summaries(harness) == (["Google 0", "Google 1", "Odoo 0, edited meanwhile", "Odoo 1", "Odoo 2"],) * 2
    assert [m for m in harness.emulator.mails() if m["kind"] != "cancellation"] == []
    assert all(send == "none" for _, send in writes(harness))
    assert harness.sync().requests == 1


def test_a_412_refetches_and_merges_the_fields_each_side_changed(harness: Harness) -> None:
    local_ref = harness.local.add(timed("Original"))
    harness.sync()
    binding = harness.local.binding(local_ref)
    harness.client.patch_event("primary", binding.google_id, {"location": "Room 9"})  # our ETag is now stale
    harness.clock.advance(30)
    harness.local.edit(local_ref, summary="Odoo edit")
    [change] = harness.local.pending_changes(full=False, window=(harness.clock.now(), harness.clock.now()))
    ctx = Context(Mode.TWO_WAY, ConflictPolicy.NEWEST, RunKind.INCREMENTAL, harness.local.managed_fields, "memory")
    report = RunReport(started_at=harness.clock.now())
    harness.emulator.clear_requests()
    executor = Executor(harness.client, harness.local, "primary", ctx, report, SyncState())
    executor.run([UpdateRemote(change, binding.google_id, "all", etag=binding.etag, binding=binding)])
    executor.flush()
    statuses = [(r["method"], r["status"]) for r in harness.emulator.requests()]
    assert statuses == [("PATCH", 412), ("GET", 200), ("PATCH", 200)]
    assert report.conflicts == [], "different fields: nothing to choose between"
    [event] = harness.google_events().values()
    assert (event["summary"], event.get("location", "")) == ("Odoo edit", "Room 9")
    assert harness.local.events()[local_ref].location == "Room 9"
    assert not report.problems


def test_the_mass_deletion_guard_stops_before_deleting_and_resumes_when_allowed(harness: Harness) -> None:
    ids = [harness.local.add(timed(f"E{i}", day=i + 1)) for i in range(12)]
    harness.sync()
    for event_id in harness.google_events():
        harness.client.delete_event("primary", event_id)
    report = harness.sync(stopped_by=MassDeletionError)
    assert (report.fatal.side, report.fatal.deletions, report.fatal.total) == ("local", 12, 12)
    assert len(harness.local.events()) == 12
    harness.sync(stopped_by=MassDeletionError)  # still stopped: the deletions were not consumed
    report = harness.sync(allow_mass_deletion=True)
    assert report.counts.deleted_local == 12 and harness.local.events() == {}
    assert ids


def test_mass_deletions_in_odoo_stop_before_google_loses_anything_until_confirmed(harness: Harness) -> None:
    ids = [harness.local.add(timed(f"E{i}", day=i + 1)) for i in range(12)]
    harness.sync()
    for local_ref in ids[:10]:
        harness.local.remove(local_ref)
    harness.emulator.clear_requests()
    report = harness.sync(stopped_by=MassDeletionError)
    assert (report.fatal.side, report.fatal.deletions, report.fatal.total) == ("google", 10, 12)
    assert writes(harness) == [] and len(harness.google_events()) == 12
    harness.sync(stopped_by=MassDeletionError)  # still stopped: the deletions are held, not dropped
    report = harness.sync(allow_mass_deletion=True)
    assert report.counts.deleted_google == 10
    assert summaries(harness) == (["E10", "E11"], ["E10", "E11"])


def test_deletions_decided_after_a_412_wait_behind_the_mass_deletion_guard(harness: Harness) -> None:
    ids = [harness.local.add(timed(f"E{i}", day=i + 1)) for i in range(12)]
    harness.sync()
    harness.clock.advance(60)
    for local_ref in ids:
        harness.local.edit(local_ref, location="Room 2")
    raced: list[str] = []

    def delete_on_google_meanwhile(operation: str, payload: Any) -> None:
        # Someone empties the Google calendar after the run listed it, before its patches land.
        if operation == "commit" and not raced:
            raced.append(operation)
            harness.clock.advance(60)
            for event_id in harness.google_events():
                harness.client.delete_event("primary", event_id)

    harness.local.fail_on = delete_on_google_meanwhile
    report = harness.sync(stopped_by=MassDeletionError)
    harness.local.fail_on = None
    assert raced and report.fatal.side == "local"
    assert len(harness.local.events()) == 12, "the 412s' second look deleted nothing yet"
    report = harness.sync(allow_mass_deletion=True)
    assert report.counts.archived_local == 12, "edited here: archived, recoverable"
    assert summaries(harness) == ([], [])


def test_a_410_resync_rebinds_lost_bindings_by_ical_uid_without_duplicates_or_mails(harness: Harness) -> None:
    for i in range(3):
        google_insert(harness, f"Google {i}", day=i + 5, attendees=[{"email": "guest@example.com"}])
    harness.local.add(timed("Odoo", attendees=(Attendee("guest@example.com"),)))
    harness.sync()
    imported = [i for i, e in harness.local.events().items() if e.summary.startswith("Google")]
    google_ids = {i: harness.local.binding(i).google_id for i in imported}
    harness.local.lose_bindings(*imported)
    harness.client.patch_event("primary", google_ids[imported[0]], {"summary": "Google 0, renamed"})
    harness.emulator.invalidate_sync_tokens()
    harness.emulator.clear_requests()
    assert harness.sync().resynced
    assert summaries(harness) == (["Google 0, renamed", "Google 1", "Google 2", "Odoo"],) * 2
    assert {i: harness.local.binding(i).google_id for i in imported} == google_ids
    assert writes(harness) == [] and harness.emulator.mails() == []
    assert harness.sync().requests == 1


def test_the_report_says_how_long_the_run_took(harness: Harness) -> None:
    ticks = itertools.count()
    start = harness.clock.now()
    report = harness.sync(clock=lambda: start + dt.timedelta(seconds=next(ticks)))
    assert report.finished_at is not None
    assert report.duration == (report.finished_at - report.started_at).total_seconds() > 0


def test_a_malformed_google_event_is_skipped_with_its_reason_and_the_run_goes_on(
    harness: Harness, emulator_server: EmulatorServer, contract: ContractChecker
) -> None:
    google_insert(harness, "Good")
    bad = google_insert(harness, "Bad")
    # Make the emulator serve a payload the engine cannot read, as Google occasionally does.
    emulator_server.app.state.calendars["alice@example.com"].events[bad["id"]].resource["attendees"] = [{"id": "x"}]
    contract.enabled = False  # that payload breaks Google's contract on purpose
    report = harness.sync(event_errors=MappingError)
    assert [e.summary for e in harness.local.events().values()] == ["Good"]
    [skipped] = report.skipped
    assert skipped.google_id == bad["id"] and "no email" in str(skipped.error)
    assert (skipped.error.code, skipped.error.reason, skipped.error.field) == (
        "unreadable_event", "bad_attendee", "attendees")


def test_a_local_failure_is_reported_and_retried_next_run(harness: Harness) -> None:
    google_insert(harness, "Flaky")
    calls = {"n": 0}

    def fail_once(operation: str, payload: Any) -> None:
        if operation == "create" and calls["n"] == 0:
            calls["n"] += 1
            raise LocalWriteError("the calendar was locked")

    harness.local.fail_on = fail_once
    report = harness.sync(event_errors=LocalWriteError)
    assert str(report.problems[0].error) == "the calendar was locked" and harness.local.events() == {}
    assert harness.local.durable.state.retry_google_ids
    harness.local.fail_on = None
    harness.sync()
    assert summaries(harness)[0] == ["Flaky"]


def test_special_google_event_types_are_left_alone(harness: Harness) -> None:
    google_insert(harness, "Focus", eventType="focusTime")
    google_insert(harness, "Meeting")
    report = harness.sync()
    assert summaries(harness)[0] == ["Meeting"] and report.counts.skipped_special_events == 1


def test_a_run_that_only_withdrew_an_invitation_did_something(harness: Harness) -> None:
    """The user removed someone's invitation from their Google calendar: the run takes it out of
    the local calendar for them, a change of that calendar, not an idle run."""
    bob = Harness(harness.emulator, harness.emulator.connect("bob@example.com"), harness.clock)
    invitation = google_insert(bob, "Bob's review", attendees=[{"email": "alice@example.com"}])
    harness.sync()
    [ref] = harness.local.events()
    harness.client.delete_event("primary", invitation["id"])
    report = harness.sync()
    assert harness.local.durable.withdrawn == [ref] and harness.local.events() == {}
    assert report.counts.withdrawn_local == 1
    assert report.processed == 1 and report.changed_local


def test_a_secondary_calendar_is_synced_on_its_own(harness: Harness) -> None:
    token = harness.emulator.connect("alice@example.com", scopes=(*DEFAULT_SCOPES, "https://www.googleapis.com/auth/calendar"))
    harness.token = token
    client = harness.new_client()
    created = client.session.request("POST", f"{client.endpoints.calendar}/calendars", json={"summary": "Clinic"}).json()
    harness.local.add(timed("Clinic shift"))
    harness.sync(client=client, calendar_id=created["id"])
    assert [e["summary"] for p in client.list_events(created["id"]) for e in p.items] == ["Clinic shift"]
    assert list(harness.google_events()) == []


def test_policy_google_always_wins(harness: Harness) -> None:
    local_ref = harness.local.add(timed("Original"))
    harness.sync()
    harness.client.patch_event("primary", harness.local.binding(local_ref).google_id, {"summary": "Google"})
    harness.clock.advance(60)
    harness.local.edit(local_ref, summary="Later local")
    harness.sync(policy=ConflictPolicy.GOOGLE)
    assert summaries(harness) == (["Google"], ["Google"])


def test_only_events_created_after_a_cutoff_come_from_google(harness: Harness) -> None:
    google_insert(harness, "Before the reset")
    harness.clock.advance(60)
    cutoff = harness.clock.now()
    harness.clock.advance(60)
    google_insert(harness, "After the reset")
    harness.sync(created_after=cutoff)
    assert summaries(harness)[0] == ["After the reset"]
    old = next(e for e in harness.google_events().values() if e["summary"] == "Before the reset")
    harness.client.patch_event("primary", old["id"], {"location": "edited later"})
    harness.sync(created_after=cutoff)
    assert summaries(harness)[0] == ["After the reset"], "an old event stays out even once edited"


def test_progress_is_reported_while_a_big_import_runs(harness: Harness) -> None:
    for i in range(5):
        google_insert(harness, f"E{i}")
    seen: list[int] = []
    harness.sync(page_size=2, progress=lambda report: seen.append(report.counts.created_local))
    assert seen[:3] == [2, 4, 5]


class Cramped(MemoryCalendar):
    """A local calendar with room for ``room`` new events a run, as Odoo's run budget gives:
    the others wait for the next run."""

    def __init__(self, room: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.room = self.left = room

    def load_state(self) -> SyncState:
        self.left = self.room  # a run begins
        return super().load_state()

    def create_many(self, events: Sequence[Event]) -> list[tuple[str, Event] | LocalWriteError]:
        made = super().create_many(events[:self.left])
        self.left -= len(made)
        return made + [DeferredError("no room left in this run")] * (len(events) - len(made))


def test_events_the_local_side_has_no_room_for_wait_for_the_next_run_and_come_once(harness: Harness) -> None:
    for i in range(5):
        google_insert(harness, f"E{i}")
    local = Cramped(2, clock=harness.clock.now)
    first = harness.sync(local, deferred=True)
    assert (first.complete, first.deferred, first.timed_out, first.problems) == (False, 3, False, [])
    assert first.stopped and len(local.events()) == 2
    assert harness.sync(local, deferred=True).deferred == 1
    last = harness.sync(local)
    assert last.complete and last.deferred == 0
    assert sorted(e.summary for e in local.events().values()) == [f"E{i}" for i in range(5)], "every event once"
    assert harness.sync(local).counts.created_local == 0


def test_a_run_out_of_time_stops_between_pages_and_the_next_one_goes_on(harness: Harness) -> None:
    for i in range(5):
        google_insert(harness, f"E{i}")
    ticks = iter(range(1000))
    harness.sync(page_size=2, time_budget=1.5, monotonic=lambda: next(ticks), out_of_time=True)
    assert 0 < len(harness.local.events()) < 5
    harness.sync()
    assert summaries(harness)[0] == [f"E{i}" for i in range(5)], "every event once"


def test_a_private_copy_of_a_series_goes_with_its_moved_occurrence_in_one_run(harness: Harness) -> None:
    """Someone who does not synchronize organizes the series: the user's calendar gets a private
    copy (events.import, whose id Google chooses), and the occurrence moved here is written to
    that copy's instance, in the same run."""
    partner = Person(email="partner@outside.example")
    master = series("Partner review", "RRULE:FREQ=WEEKLY;COUNT=3", organizer=partner)
    master_ref = harness.local.add(master, access=Access.COPY)
    moved = occurrence(master, at(8), summary="Partner review (moved)", start=at(9, 14), end=at(9, 15))
    harness.local.add(moved, series=master_ref, access=Access.COPY)
    harness.sync()
    [copy] = [e for e in harness.google_events().values() if e.get("recurrence")]
    assert copy["organizer"]["email"] == partner.email
    instances = [(i["summary"], i["start"]["dateTime"]) for i in harness.client.instances("primary", copy["id"])]
    assert instances == [("Partner review", at(1).date_time.isoformat()),
                         ("Partner review (moved)", at(9, 14).date_time.isoformat()),
                         ("Partner review", at(15).date_time.isoformat())]
    assert harness.sync().requests == 1, "nothing left to send"
