"""The decision table, cell by cell, without I/O."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from gcal_engine import planner
from gcal_engine.local import Binding, LocalChange
from gcal_engine.model import CONTENT_FIELDS, Access, Event, EventTime, deleted
from gcal_engine.report import ConflictKind
from gcal_engine.actions import (
    Bind,
    ConflictPolicy,
    Context,
    CreateLocal,
    CreateRemote,
    DeleteLocal,
    DeleteRemote,
    Item,
    Mode,
    Plan,
    RunKind,
    Unbind,
    UpdateLocal,
    UpdateRemote,
)
from tests.engine.events import all_day, at, day_of, instance_suffix, occurrence, series, timed

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 1, tzinfo=UTC)
FIELDS = frozenset(CONTENT_FIELDS)
BASE = timed("Base", google_id="g1", etag='"1"', updated=T0)


def ctx(mode: Mode = Mode.TWO_WAY, policy: ConflictPolicy = ConflictPolicy.NEWEST, kind: RunKind = RunKind.INCREMENTAL) -> Context:
    return Context(mode, policy, kind, FIELDS, "ns")


def bound() -> Binding:
    return planner.binding_for("L1", BASE, BASE, FIELDS)


def remote(summary: str, minutes: int = 10) -> Event:
    return BASE.replace(summary=summary, etag='"2"', updated=T0 + dt.timedelta(minutes=minutes))


def local(summary: str | None, minutes: int = 5, notify: bool = True) -> LocalChange:
    event = None if summary is None else BASE.replace(summary=summary, google_id=None, etag=None, updated=None)
    return LocalChange("L1", event, T0 + dt.timedelta(minutes=minutes), bound(), notify)


def decide(item: Item, context: Context | None = None) -> Plan:
    return planner.decide(item, context or ctx())


def kinds(plan: Plan) -> list[str]:
    return [type(a).__name__ for a in plan.actions + plan.deletions]


def test_new_google_event_is_created_locally() -> None:
    assert kinds(decide(Item(None, BASE, None))) == ["CreateLocal"]


def test_new_local_event_is_created_on_google_with_a_derived_id() -> None:
    change = LocalChange("L9", BASE.replace(google_id=None), T0)
    plan = decide(Item(None, None, change))
    assert kinds(plan) == ["CreateRemote"]
    assert plan.actions[0].google_id == planner.google_id_for("ns", "L9")
    assert plan.actions[0].google_id == decide(Item(None, None, change)).actions[0].google_id, "same id on retry"


def test_a_google_edit_updates_the_local_event() -> None:
    plan = decide(Item(bound(), remote("Renamed"), None))
    assert kinds(plan) == ["UpdateLocal"] and plan.actions[0].remote.summary == "Renamed"


def test_a_local_edit_patches_google_with_the_etag_and_mails_guests() -> None:
    plan = decide(Item(bound(), None, local("Renamed")))
    action = plan.actions[0]
    assert isinstance(action, UpdateRemote)
    assert (action.etag, action.send_updates) == ('"1"', "all")


def test_a_bulk_local_edit_does_not_mail() -> None:
    assert decide(Item(bound(), None, local("Renamed", notify=False))).actions[0].send_updates == "none"


@pytest.mark.parametrize("kind", [RunKind.FIRST, RunKind.RESYNC])
def test_first_syncs_and_resyncs_never_mail(kind: RunKind) -> None:
    change = LocalChange("L9", BASE.replace(google_id=None), T0)
    assert decide(Item(None, None, change), ctx(kind=kind)).actions[0].send_updates == "none"


def test_a_new_etag_with_the_same_content_only_moves_the_binding() -> None:
    plan = decide(Item(bound(), BASE.replace(etag='"2"'), None))
    assert kinds(plan) == ["Bind"] and plan.actions[0].binding.etag == '"2"'


def test_an_edit_that_leaves_synced_content_alone_sends_nothing() -> None:
    plan = decide(Item(bound(), None, local("Base")))
    assert kinds(plan) == ["Bind"]


def test_deletions_propagate_both_ways_and_wait_for_the_guard() -> None:
    plan = decide(Item(bound(), deleted("g1"), None))
    assert plan.actions == [] and isinstance(plan.deletions[0], DeleteLocal)
    plan = decide(Item(bound(), None, local(None)))
    assert isinstance(plan.deletions[0], DeleteRemote)


def test_deleted_on_both_sides_drops_the_binding() -> None:
    assert kinds(decide(Item(bound(), deleted("g1"), local(None)))) == ["Unbind"]


def test_the_same_edit_on_both_sides_is_no_conflict() -> None:
    plan = decide(Item(bound(), remote("Same"), local("Same")))
    assert kinds(plan) == ["Bind"] and plan.conflicts == []


def test_conflict_newest_wins_and_the_loser_is_reported() -> None:
    google_newer = decide(Item(bound(), remote("Google", minutes=10), local("Local", minutes=5)))
    assert kinds(google_newer) == ["UpdateLocal"]
    assert google_newer.conflicts[0].winner == "google" and google_newer.conflicts[0].loser.summary == "Local"
    local_newer = decide(Item(bound(), remote("Google", minutes=5), local("Local", minutes=10)))
    assert kinds(local_newer) == ["UpdateRemote"]
    assert local_newer.conflicts[0].winner == "local" and local_newer.conflicts[0].loser.summary == "Google"
    assert local_newer.actions[0].etag == '"2"', "the patch is conditional on the version it overrides"


def test_a_tie_goes_to_google() -> None:
    plan = decide(Item(bound(), remote("Google", minutes=7), local("Local", minutes=7)))
    assert kinds(plan) == ["UpdateLocal"]


@pytest.mark.parametrize(("policy", "expected"), [(ConflictPolicy.GOOGLE, "UpdateLocal"), (ConflictPolicy.LOCAL, "UpdateRemote")])
def test_fixed_conflict_policies(policy: ConflictPolicy, expected: str) -> None:
    plan = decide(Item(bound(), remote("Google", minutes=10), local("Local", minutes=5)), ctx(policy=policy))
    assert kinds(plan) == [expected]


def test_a_local_deletion_against_a_newer_google_edit_recreates_the_event_locally() -> None:
    plan = decide(Item(bound(), remote("Google", minutes=10), local(None, minutes=5)))
    assert kinds(plan) == ["CreateLocal"] and plan.actions[0].replaces == bound()


def test_a_google_deletion_against_a_newer_local_edit_restores_it_on_google() -> None:
    plan = decide(Item(bound(), deleted("g1", updated=T0 + dt.timedelta(minutes=5)), local("Keep me", minutes=10)))
    assert kinds(plan) == ["UpdateRemote"]
    assert plan.conflicts[0].kind is ConflictKind.DELETED_GOOGLE_EDITED_LOCAL


def test_google_to_local_mode_leaves_local_changes_pending() -> None:
    """Ignored, not recorded as agreed: the binding stays as it was (the change is still to send)."""
    mode = ctx(mode=Mode.GOOGLE_TO_LOCAL)
    for item in (Item(None, None, LocalChange("L9", BASE, T0)), Item(bound(), None, local("Local edit")),
                 Item(bound(), None, local(None))):
        plan = decide(item, mode)
        assert (kinds(plan), plan.ignored) == ([], 1)
    assert kinds(decide(Item(bound(), remote("G", 1), local("L", 9)), mode)) == ["UpdateLocal"]


def test_local_to_google_mode_leaves_google_changes_pending() -> None:
    mode = ctx(mode=Mode.LOCAL_TO_GOOGLE)
    assert (kinds(decide(Item(None, BASE, None), mode)), decide(Item(None, BASE, None), mode).ignored) == ([], 1)
    for item in (Item(bound(), remote("Google edit"), None), Item(bound(), deleted("g1"), None)):
        plan = decide(item, mode)
        assert (plan.actions, plan.ignored) == ([Bind(bound())], 1), "the binding as it was, not Google's version"
    assert kinds(decide(Item(bound(), remote("G", 9), local("L", 1)), mode)) == ["UpdateRemote"]


def test_an_unbound_google_event_that_is_a_known_local_event_is_rebound_not_duplicated() -> None:
    same = LocalChange("L1", BASE.replace(google_id=None), T0)
    assert kinds(decide(Item(None, BASE, same))) == ["Bind"]
    differs = LocalChange("L1", BASE.replace(summary="Older local"), T0 - dt.timedelta(days=1))
    assert kinds(decide(Item(None, BASE, differs))) == ["UpdateLocal"]


def test_mass_deletion_guard_trips_only_on_big_shares_of_real_calendars() -> None:
    deletions = [DeleteLocal(bound())] * 6
    assert planner.mass_deletion(deletions, total=10, share=0.5, minimum=10) == ("local", 6)
    assert planner.mass_deletion(deletions[:5], total=10, share=0.5, minimum=10) is None
    assert planner.mass_deletion(deletions, total=6, share=0.5, minimum=10) is None


def test_occurrences_are_planned_after_their_series() -> None:
    master = BASE.replace(recurrence=("RRULE:FREQ=DAILY;COUNT=3",))
    exception = BASE.replace(original_start=BASE.start, recurring_event_id="g1", google_id="g1_x")
    plan = planner.plan([Item(None, exception, None), Item(None, master, None)], ctx())
    assert [a.remote.is_instance for a in plan.actions] == [False, True]


def test_an_occurrence_made_locally_gets_its_instance_id() -> None:
    master_change = LocalChange("L1", BASE.replace(recurrence=("RRULE:FREQ=DAILY;COUNT=3",)), T0)
    exception = LocalChange("L2", BASE.replace(original_start=BASE.start), T0, series_local_ref="L1")
    action = decide(Item(None, None, exception)).actions[0]
    master_id = decide(Item(None, None, master_change)).actions[0].google_id
    assert action.google_id == f"{master_id}_{instance_suffix(BASE.start)}"


def test_a_series_running_to_the_last_day_of_year_9999_has_no_end() -> None:
    new_year_eve = dt.date(day_of(1).year, 12, 31)  # every December 31st, until the last one there is
    forever = all_day("Forever", recurrence=("RRULE:FREQ=YEARLY;UNTIL=99991231",)).replace(
        start=EventTime(date=new_year_eve), end=EventTime(date=new_year_eve + dt.timedelta(days=1)))
    assert planner.span(forever) == (dt.datetime.combine(new_year_eve, dt.time(), UTC), None)



def test_a_copy_whose_meeting_was_cancelled_is_deleted_as_google_has_it_now() -> None:
    """The user answered the copy on Google since: the deletion is conditional on that version."""
    copy = dataclasses.replace(bound(), access=Access.COPY)
    answered = remote("Base")
    plan = decide(Item(copy, answered, LocalChange("L1", None, T0, copy, access=Access.COPY)))
    assert kinds(plan) == ["DeleteRemote"]
    assert plan.deletions[0].etag == answered.etag


def test_a_local_edit_is_sent_on_the_etag_of_the_version_google_has_now() -> None:
    """Google's version changed nothing this side reads (a colour): the patch is not refused."""
    recoloured = BASE.replace(etag='"2"')
    plan = decide(Item(bound(), recoloured, local("Renamed")))
    assert kinds(plan) == ["UpdateRemote"] and plan.actions[0].etag == '"2"'


def test_one_occurrence_changed_on_both_sides_for_the_first_time_is_merged_against_its_series() -> None:
    master = series("Weekly", "RRULE:FREQ=DAILY;COUNT=3", google_id="s1", etag='"1"', updated=T0)
    of_series = planner.binding_for("R1", master, master, FIELDS)
    original = occurrence(master, at(2))
    on_google = original.replace(google_id=f"s1_{instance_suffix(at(2))}", summary="Weekly, Google's", location="Room G",
                                 etag='"2"', updated=T0 + dt.timedelta(minutes=10))
    in_odoo = LocalChange("E7", original.replace(summary="Weekly, Odoo's", description="Agenda"),
                          T0 + dt.timedelta(minutes=20), series_local_ref="R1", series_google_id="s1")
    plan = decide(Item(None, on_google, in_odoo, of_series))
    [update] = plan.actions
    assert isinstance(update, UpdateLocal)
    merged = update.merged
    assert (merged.summary, merged.location, merged.description) == ("Weekly, Odoo's", "Room G", "Agenda")
    assert update.push is not None and update.push.fields == frozenset({"summary", "description"})
    [conflict] = plan.conflicts
    assert (conflict.kind, conflict.fields, conflict.loser.summary) == (
        ConflictKind.EDITED_BOTH, ("summary",), "Weekly, Google's")


def test_one_occurrence_changed_on_google_only_comes_in_whole() -> None:
    master = series("Weekly", "RRULE:FREQ=DAILY;COUNT=3", google_id="s1", etag='"1"', updated=T0)
    of_series = planner.binding_for("R1", master, master, FIELDS)
    original = occurrence(master, at(2))
    on_google = original.replace(google_id=f"s1_{instance_suffix(at(2))}", summary="Moved", etag='"2"', updated=T0)
    unchanged = LocalChange("E7", original, dt.datetime(1970, 1, 1, tzinfo=UTC), series_local_ref="R1")
    plan = decide(Item(None, on_google, unchanged, of_series))
    assert kinds(plan) == ["UpdateLocal"] and not plan.conflicts
