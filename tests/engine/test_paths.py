"""The paths around the plain edits: another calendar and back, one-way modes and back, resyncs
after bindings were forgotten. Each ends with every event once on each side, and no local event
made again (the same local references: in Odoo, the same records with their chatter)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from gcal_emulator.control import DEFAULT_SCOPES
from gcal_engine.local import SyncState
from gcal_engine.model import Event, EventTime, Person
from gcal_engine.actions import Mode
from gcal_engine.report import RunReport
from tests.engine.conftest import ALICE, Harness

UTC = dt.timezone.utc


def moment(harness: Harness, days: int, hour: int = 9) -> dt.datetime:
    """A time ``days`` after the test's today, at ``hour`` UTC."""
    return dt.datetime.combine(harness.clock.now().date() + dt.timedelta(days=days), dt.time(hour), UTC)


def timed(harness: Harness, summary: str, days: int, hour: int = 9, **extra: Any) -> Event:
    """A local event of the user's, as Odoo reads one (the user organizes it)."""
    start = moment(harness, days, hour)
    return Event(start=EventTime(date_time=start, time_zone="UTC"),
                 end=EventTime(date_time=start + dt.timedelta(hours=1), time_zone="UTC"), summary=summary,
                 organizer=Person(ALICE, is_self=True), **extra)


def body(harness: Harness, summary: str, days: int, hour: int = 9, **extra: Any) -> dict[str, Any]:
    start = moment(harness, days, hour)
    return {"summary": summary, "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": (start + dt.timedelta(hours=1)).isoformat(), "timeZone": "UTC"}, **extra}


def ok(report: RunReport) -> RunReport:
    assert report.complete and not report.problems and not report.skipped, (report.problems, report.skipped)
    return report


def google_view(harness: Harness, calendar_id: str = "primary") -> Counter[tuple[str, str, str]]:
    """(title, start, status) of every event Google shows, occurrences' exceptions included."""
    return Counter((e.get("summary", ""), (e.get("start") or e.get("originalStartTime") or {}).get("dateTime", ""),
                    e.get("status", "")) for e in harness.google_events(calendar_id).values())


def local_view(harness: Harness) -> Counter[tuple[str, str, str]]:
    return Counter((e.summary, e.start.instant().isoformat(), e.status) for e in harness.local.events().values())


def world(harness: Harness) -> None:
    """On Google: a single event and a weekly series with a moved occurrence; locally the same."""
    client = harness.client
    client.insert_event("primary", body(harness, "Google single", 2))
    master = client.insert_event("primary", body(harness, "Google weekly", 3, recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"]))
    second = list(client.instances("primary", master["id"]))[1]
    client.patch_event("primary", second["id"], {"summary": "Google weekly (moved)", **{
        key: value for key, value in body(harness, "", 10, 15).items() if key in ("start", "end")}})
    harness.local.add(timed(harness, "Local single", 4))
    weekly = timed(harness, "Local weekly", 5, recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",))
    weekly_ref = harness.local.add(weekly)
    original = EventTime(date_time=moment(harness, 12), time_zone="UTC")
    moved = timed(harness, "Local weekly (moved)", 12, 16).replace(original_start=original)
    harness.local.add(moved, series=weekly_ref)


def secondary_calendar(harness: Harness) -> str:
    """A calendar made on Google's web page; the harness's client may then write to it."""
    harness.token = harness.emulator.connect(ALICE, scopes=(*DEFAULT_SCOPES, "https://www.googleapis.com/auth/calendar"))
    harness.client = harness.new_client()
    answer = harness.client.session.request("POST", f"{harness.client.endpoints.calendar}/calendars",
                                            json={"summary": "Clinic"})
    return str(answer.json()["id"])


def drop_sync_token(harness: Harness) -> None:
    """What the addon does when the direction changes: the next run lists the calendar again."""
    harness.local.save_state(SyncState())
    harness.local.commit()


@pytest.mark.parametrize("mode", [Mode.TWO_WAY, Mode.LOCAL_TO_GOOGLE])
def test_a_calendar_taken_to_another_and_back_keeps_each_event_once(harness: Harness, mode: Mode) -> None:
    world(harness)
    ok(harness.sync())
    primary, local, refs = google_view(harness), local_view(harness), set(harness.local.events())
    assert set(primary.values()) == {1} and set(local.values()) == {1}
    clinic = secondary_calendar(harness)

    harness.local.forget_bindings(clinic)
    ok(harness.sync(calendar_id=clinic, mode=mode))
    harness.local.forget_bindings("primary")
    report = ok(harness.sync(mode=mode))

    assert google_view(harness) == primary, "nothing twice on the first calendar"
    assert local_view(harness) == local and set(harness.local.events()) == refs, "nothing twice, nothing made again"
    assert report.counts.created_google == report.counts.created_local == 0
    assert ok(harness.sync(mode=mode)).requests == 1


@pytest.mark.parametrize("page_size", [2500, 1])
def test_a_series_deleted_here_is_deleted_whole_from_the_calendar_it_was_on_before(harness: Harness,
                                                                                   page_size: int) -> None:
    """A series with a moved occurrence, taken to another calendar and back, then deleted here:
    when the user chooses that other calendar again, the series found there (as remembered) goes,
    its moved occurrence with it (on the same page or a later one), and nothing comes back:
    hypothesis found it made the occurrence again here, without its series."""
    weekly = timed(harness, "Weekly", 5, recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",))
    weekly_ref = harness.local.add(weekly)
    original = EventTime(date_time=moment(harness, 12), time_zone="UTC")
    harness.local.add(timed(harness, "Weekly (moved)", 12, 16).replace(original_start=original), series=weekly_ref)
    ok(harness.sync())
    clinic = secondary_calendar(harness)
    harness.local.forget_bindings(clinic)
    ok(harness.sync(calendar_id=clinic))
    assert google_view(harness, clinic)[("Weekly (moved)", moment(harness, 12, 16).isoformat(), "confirmed")] == 1
    harness.local.forget_bindings("primary")
    ok(harness.sync())

    harness.local.remove(weekly_ref)
    ok(harness.sync())
    harness.local.forget_bindings(clinic)
    ok(harness.sync(calendar_id=clinic, page_size=page_size))

    assert harness.local.events() == {}, "nothing made again here"
    assert google_view(harness, clinic) == Counter() and google_view(harness) == Counter()


@pytest.mark.parametrize("mode", [Mode.TWO_WAY, Mode.LOCAL_TO_GOOGLE])
def test_the_calendar_and_back_with_changes_on_each_side_meanwhile(harness: Harness, mode: Mode) -> None:
    ref = harness.local.add(timed(harness, "Kept", 2))
    made = harness.client.insert_event("primary", body(harness, "Made on Google", 3))
    ok(harness.sync())
    clinic = secondary_calendar(harness)
    harness.local.forget_bindings(clinic)
    ok(harness.sync(calendar_id=clinic, mode=mode))
    harness.local.edit(ref, summary="Kept, renamed on the clinic's side")
    ok(harness.sync(calendar_id=clinic, mode=mode))
    harness.client.patch_event("primary", made["id"], {"summary": "Made on Google, renamed there"})
    harness.clock.advance(60)
    harness.local.forget_bindings("primary")
    ok(harness.sync(mode=mode))
    titles = sorted(e.get("summary") for e in harness.google_events().values())
    local = sorted(e.summary for e in harness.local.events().values())
    both = ["Kept, renamed on the clinic's side", "Made on Google, renamed there"]
    if mode is Mode.TWO_WAY:
        assert titles == local == both
    else:
        # One way: Google's edit made while the calendar was away waits for both ways (not overwritten).
        assert (titles, local) == (both, ["Kept, renamed on the clinic's side", "Made on Google"])
        drop_sync_token(harness)
        ok(harness.sync())
        assert sorted(e.summary for e in harness.local.events().values()) == both


def test_events_deleted_on_google_while_another_calendar_was_chosen_are_deleted_here_when_back(
        harness: Harness) -> None:
    """Back on a calendar, a pair remembered from it whose Google event was deleted meanwhile is
    a deletion, as if it had stayed bound: a newer edit here wins over it; it is never sent as new."""
    sent = harness.local.add(timed(harness, "Sent from here", 2))
    harness.client.insert_event("primary", body(harness, "Made on Google", 3))
    edited = harness.local.add(timed(harness, "Edited here", 4))
    ok(harness.sync())
    clinic = secondary_calendar(harness)
    harness.local.forget_bindings(clinic)
    ok(harness.sync(calendar_id=clinic))
    for google_id in harness.google_events("primary"):
        harness.client.delete_event("primary", google_id)
    harness.clock.advance(60)
    harness.local.edit(edited, summary="Edited here, after Google's deletion")
    harness.local.forget_bindings("primary")
    report = ok(harness.sync())
    assert sorted(e.summary for e in harness.local.events().values()) == ["Edited here, after Google's deletion"]
    assert sorted(e["summary"] for e in harness.google_events().values()) == ["Edited here, after Google's deletion"]
    assert sent not in harness.local.events()
    assert (report.counts.deleted_local, report.counts.created_google) == (2, 0), report.counts


def test_google_changes_made_in_local_to_google_mode_arrive_once_both_ways_again(harness: Harness) -> None:
    edited = harness.client.insert_event("primary", body(harness, "Edited on Google", 2))
    gone = harness.client.insert_event("primary", body(harness, "Deleted on Google", 3))
    ok(harness.sync())
    harness.client.insert_event("primary", body(harness, "Made on Google", 4))
    harness.client.patch_event("primary", edited["id"], {"summary": "Edited on Google, renamed"})
    harness.client.delete_event("primary", gone["id"])
    report = ok(harness.sync(mode=Mode.LOCAL_TO_GOOGLE))
    assert report.counts.ignored_one_way == 3
    assert sorted(e.summary for e in harness.local.events().values()) == ["Deleted on Google", "Edited on Google"]
    assert ok(harness.sync(mode=Mode.LOCAL_TO_GOOGLE)).requests == 1, "an ignored change is not fetched again"

    drop_sync_token(harness)
    ok(harness.sync())
    assert sorted(e.summary for e in harness.local.events().values()) == ["Edited on Google, renamed", "Made on Google"]
    assert sorted(e["summary"] for e in harness.google_events().values()) == ["Edited on Google, renamed",
                                                                              "Made on Google"]
    assert ok(harness.sync()).requests == 1


def test_each_side_changed_another_field_local_to_google_googles_change_waits(harness: Harness) -> None:
    """"Local to Google only", a title edited here and a place changed on Google: the title goes,
    the place waits (it was overwritten with the local version: lost); both ways again, it
    arrives. Nothing is a conflict."""
    ref = harness.local.add(timed(harness, "Review", 2))
    ok(harness.sync())
    [google_id] = harness.google_events()
    harness.client.patch_event("primary", google_id, {"location": "Room 4"})
    harness.clock.advance(60)
    harness.local.edit(ref, summary="Review, renamed")
    report = ok(harness.sync(mode=Mode.LOCAL_TO_GOOGLE))
    assert (report.counts.ignored_one_way, report.conflicts) == (1, [])
    local, google = harness.local.events()[ref], harness.google_events()[google_id]
    assert (local.summary, local.location) == ("Review, renamed", "")
    assert (google["summary"], google.get("location")) == ("Review, renamed", "Room 4")
    assert ok(harness.sync(mode=Mode.LOCAL_TO_GOOGLE)).counts.changes == 0, "the waiting change still waits"

    drop_sync_token(harness)
    ok(harness.sync())
    local, google = harness.local.events()[ref], harness.google_events()[google_id]
    assert (local.summary, local.location) == (google["summary"], google.get("location")) == (
        "Review, renamed", "Room 4")


def test_local_changes_made_in_google_to_local_mode_go_once_both_ways_again(harness: Harness) -> None:
    edited = harness.local.add(timed(harness, "Edited locally", 2))
    gone = harness.local.add(timed(harness, "Deleted locally", 3))
    ok(harness.sync())
    harness.local.add(timed(harness, "Made locally", 4))
    harness.local.edit(edited, summary="Edited locally, renamed")
    harness.local.remove(gone)
    report = ok(harness.sync(mode=Mode.GOOGLE_TO_LOCAL))
    assert report.counts.ignored_one_way == 3
    assert sorted(e["summary"] for e in harness.google_events().values()) == ["Deleted locally", "Edited locally"]
    harness.emulator.clear_requests()
    ok(harness.sync(mode=Mode.GOOGLE_TO_LOCAL))
    assert [r["method"] for r in harness.emulator.requests()] == ["GET"], "nothing sent while ignored"

    drop_sync_token(harness)
    ok(harness.sync())
    assert sorted(e["summary"] for e in harness.google_events().values()) == ["Edited locally, renamed", "Made locally"]
    assert sorted(e.summary for e in harness.local.events().values()) == ["Edited locally, renamed", "Made locally"]
    assert ok(harness.sync()).requests == 1


def test_a_google_edit_ignored_one_way_loses_to_a_later_local_edit_and_says_so(harness: Harness) -> None:
    ref = harness.local.add(timed(harness, "Shared", 2))
    ok(harness.sync())
    google_id = harness.local.binding(ref).google_id
    harness.client.patch_event("primary", google_id, {"summary": "Shared, renamed on Google"})
    ok(harness.sync(mode=Mode.LOCAL_TO_GOOGLE))
    harness.clock.advance(60)
    harness.local.edit(ref, summary="Shared, renamed locally")
    report = ok(harness.sync(mode=Mode.LOCAL_TO_GOOGLE))
    assert [(c.winner, c.rule) for c in report.conflicts] == [("local", "one_way")]
    assert [e["summary"] for e in harness.google_events().values()] == ["Shared, renamed locally"]


@pytest.mark.parametrize("seen", ["in the same run", "in an earlier run"])
def test_an_occurrence_edited_here_of_a_series_deleted_on_google_one_way_waits_for_the_deletion(
        harness: Harness, seen: str) -> None:
    """Local to Google: Google's deletion of the series waits, and so does a change here to one of
    its occurrences, which Google has no longer (its patch meets 404: not a failure, and no run's
    end); both ways again, the series' deletion takes the occurrence with it, and the log says so."""
    weekly = timed(harness, "Weekly", 2, recurrence=("RRULE:FREQ=DAILY;COUNT=3",))
    weekly_ref = harness.local.add(weekly)
    ok(harness.sync())
    series_binding = harness.local.binding(weekly_ref)
    assert series_binding is not None
    harness.client.delete_event("primary", series_binding.google_id)
    if seen == "in an earlier run":
        assert ok(harness.sync(mode=Mode.LOCAL_TO_GOOGLE)).counts.ignored_one_way == 1
    original = EventTime(date_time=moment(harness, 3), time_zone="UTC")
    harness.clock.advance(60)
    harness.local.add(timed(harness, "Weekly, second one", 3).replace(original_start=original), series=weekly_ref)
    for run in range(2):  # (the next one alike: the change still waits)
        report = ok(harness.sync(mode=Mode.LOCAL_TO_GOOGLE))
        # (the series' deletion too, in the run that lists it)
        assert report.counts.ignored_one_way == (2 if seen == "in the same run" and run == 0 else 1)
        assert sorted(e.summary for e in harness.local.events().values()) == ["Weekly", "Weekly, second one"]

    drop_sync_token(harness)
    report = ok(harness.sync())
    assert [(c.winner, c.kind.value, c.rule) for c in report.conflicts] == [
        ("google", "deleted_google_edited_local", "series")]
    assert harness.local.events() == {}
    assert not [e for e in harness.google_events().values() if e.get("status") != "cancelled"]
    assert ok(harness.sync()).requests == 1


def test_an_occurrence_sent_as_google_deletes_its_series_waits_for_the_next_run_both_ways(harness: Harness) -> None:
    """Both ways, the series deleted on Google after the run listed its changes, before it sent an
    occurrence changed here: the occurrence's 404 is no failure; the next run has the series
    fetched, and its deletion takes the occurrence with it."""
    weekly_ref = harness.local.add(timed(harness, "Weekly", 2, recurrence=("RRULE:FREQ=DAILY;COUNT=3",)))
    ok(harness.sync())
    series_binding = harness.local.binding(weekly_ref)
    assert series_binding is not None
    original = EventTime(date_time=moment(harness, 3), time_zone="UTC")
    harness.local.add(timed(harness, "Weekly, second one", 3).replace(original_start=original), series=weekly_ref)
    deleted: list[str] = []

    def delete_series_once(_: RunReport) -> None:  # (told after the local writes, before Google's)
        if not deleted:
            deleted.append(series_binding.google_id)
            harness.client.delete_event("primary", series_binding.google_id)

    report = ok(harness.sync(progress=delete_series_once))
    assert deleted and report.counts.updated_google == report.counts.created_google == 0
    report = ok(harness.sync())
    assert [(c.winner, c.kind.value, c.rule) for c in report.conflicts] == [
        ("google", "deleted_google_edited_local", "series")]
    assert harness.local.events() == {}
    assert ok(harness.sync()).requests == 1


@pytest.mark.parametrize("resync", ["410", "window"])
def test_a_resync_after_lost_bindings_rebinds_series_and_moved_occurrences(harness: Harness, resync: str) -> None:
    world(harness)
    ok(harness.sync())
    primary, local, refs = google_view(harness), local_view(harness), set(harness.local.events())
    harness.local.lose_bindings(*[ref for ref in refs if harness.local.binding(ref) is not None])
    if resync == "410":
        harness.emulator.invalidate_sync_tokens()
    else:
        drop_sync_token(harness)
    harness.emulator.clear_requests()
    report = ok(harness.sync(past=dt.timedelta(days=500)))
    assert google_view(harness) == primary and local_view(harness) == local
    assert set(harness.local.events()) == refs, "no local event made again"
    assert report.processed == 0 and harness.emulator.mails() == []
    assert ok(harness.sync()).requests == 1


def test_a_wider_window_lists_only_the_span_it_grew_by_and_a_narrower_one_nothing(harness: Harness) -> None:
    harness.client.insert_event("primary", body(harness, "Old on Google", -500))
    harness.local.add(timed(harness, "Old here", -450), dirty=False)
    harness.client.insert_event("primary", body(harness, "Recent on Google", 2))
    ok(harness.sync(past=dt.timedelta(days=365)))
    assert sorted(e.summary for e in harness.local.events().values()) == ["Old here", "Recent on Google"]
    assert sorted(e["summary"] for e in harness.google_events().values()) == ["Old on Google", "Recent on Google"]
    assert ok(harness.sync(past=dt.timedelta(days=365))).requests == 1

    # What the addon records when an administrator widens the window from 365 to 730 days back.
    now = harness.clock.now()
    state = harness.local.load_state()
    state.added_ranges = [(now - dt.timedelta(days=730), now - dt.timedelta(days=365))]
    harness.local.save_state(state)
    harness.local.commit()
    harness.emulator.clear_requests()
    report = ok(harness.sync(past=dt.timedelta(days=730)))
    lists = [r["query"] for r in harness.emulator.requests() if r["method"] == "GET"]
    assert len(lists) == 2 and "syncToken" in lists[0] and "timeMin" in lists[1], "the token goes on, the span is listed"
    assert report.kind == "incremental" and report.counts.created_local == report.counts.created_google == 1
    assert sorted(e.summary for e in harness.local.events().values()) == ["Old here", "Old on Google", "Recent on Google"]
    assert sorted(e["summary"] for e in harness.google_events().values()) == ["Old here", "Old on Google",
                                                                              "Recent on Google"]
    assert harness.local.load_state().added_ranges == [], "listed once"
    assert ok(harness.sync(past=dt.timedelta(days=730))).requests == 1

    report = ok(harness.sync(past=dt.timedelta(days=30)))
    assert report.requests == 1 and report.processed == 0, "a narrower window lists nothing, deletes nothing"


def test_an_occurrence_edited_on_both_sides_before_another_calendar_and_back_shows_its_conflict(
        harness: Harness) -> None:
    """One occurrence renamed on both sides, then another calendar chosen and the first again
    before any run: the occurrence is merged against its series as remembered, and the title not
    kept is in the report (test_user_paths found it resolved silently: its series, found again
    in the same batch, was not bound yet, so the occurrence had no base)."""
    weekly = harness.local.add(timed(harness, "Weekly", 3, recurrence=("RRULE:FREQ=DAILY;COUNT=3",)))
    ok(harness.sync())
    [master] = [e for e in harness.google_events().values() if e.get("recurrence")]
    second = list(harness.client.instances("primary", master["id"]))[1]
    original = EventTime(date_time=moment(harness, 4), time_zone="UTC")
    harness.local.add(timed(harness, "Weekly, Odoo's", 4).replace(original_start=original), series=weekly)
    harness.client.patch_event("primary", second["id"], {"summary": "Weekly, Google's"})
    clinic = secondary_calendar(harness)
    harness.local.forget_bindings(clinic)
    harness.local.forget_bindings("primary")

    report = ok(harness.sync())

    assert [(c.kind.value, c.fields, c.loser and c.loser.summary) for c in report.conflicts] == [
        ("edited_both", ("summary",), "Weekly, Odoo's")]
    assert sorted(e.summary for e in harness.local.events().values()) == ["Weekly", "Weekly, Google's"]
