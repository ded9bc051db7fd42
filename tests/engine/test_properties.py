"""Property: whatever people do on both sides, whatever fails in between, the calendars converge.

Hypothesis draws interleavings of creates, edits and deletes on each side (single, all-day,
other-time-zone and recurring events with an exception), sync runs that meet faults, expired
tokens, lost sync tokens or a kill, and then checks, after two clean runs, that both sides show
the same events, none twice, and that each event is in the state of the last thing done to it
(the conflict rule: the newest change wins; every change happens at a distinct second here).
"""

from __future__ import annotations

import dataclasses
import os
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcal_emulator.control import EmulatorControl
from gcal_engine.mapping import from_google, to_google
from gcal_engine.model import CONTENT_FIELDS, Event, EventTime
from tests.engine.conftest import Harness, SharedClock
from tests.engine.convergence import assert_converged
from tests.engine.events import all_day, occurrence, series, timed

KINDS = ("timed", "all_day", "tokyo", "series")
FAULTS = (None, None, "503", "429", "drop_post", "drop_patch", "timeout_list", "410", "token_expiry", "kill")


class Killed(BaseException):
    pass


@dataclasses.dataclass
class Logical:
    name: str
    kind: str
    summary: str
    deleted: bool = False


def build(kind: str, summary: str, day: int) -> Event:
    if kind == "all_day":
        return all_day(summary, day=day)
    if kind == "tokyo":
        return timed(summary, day=day, hour=9, zone="Asia/Tokyo")
    if kind == "series":
        return series(summary, "RRULE:FREQ=DAILY;COUNT=3", day=day)
    return timed(summary, day=day)


def moved(event: Event, hours: int) -> Event:
    def shift(value: EventTime) -> EventTime:
        if value.all_day:
            return EventTime(date=value.date + dt.timedelta(days=hours % 3))
        return EventTime(date_time=value.date_time + dt.timedelta(hours=hours), time_zone=value.time_zone)

    return event.replace(start=shift(event.start), end=shift(event.end))


steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.sampled_from(("local", "google")), st.sampled_from(KINDS)),
        st.tuples(st.just("edit"), st.sampled_from(("local", "google")), st.integers(0, 5), st.integers(-2, 2)),
        st.tuples(st.just("delete"), st.sampled_from(("local", "google")), st.integers(0, 5)),
        st.tuples(st.just("sync"), st.sampled_from(FAULTS), st.integers(0, 12)),
    ),
    min_size=1,
    max_size=12,
)


class World:
    def __init__(self, emulator: EmulatorControl) -> None:
        emulator.reset()
        self.emulator = emulator
        self.harness = Harness(emulator, emulator.connect("alice@example.com"), SharedClock(emulator))
        self.harness.client = self.harness.new_client(timeout=(5, 0.5))
        self.logical: list[Logical] = []
        self.version = 0

    def tick(self) -> None:
        self.harness.clock.advance(1)

    def local_refs(self, name: str) -> list[str]:
        return [i for i, e in self.harness.local.events().items() if e.summary.split(" ")[0] == name and not e.is_instance]

    def google_ids(self, name: str) -> list[str]:
        return [gid for gid, e in self.harness.google_events().items()
                if e.get("summary", "").split(" ")[0] == name and not e.get("recurringEventId")]

    def create(self, side: str, kind: str) -> None:
        self.tick()
        name = f"E{len(self.logical)}"
        event = build(kind, f"{name} v0", day=1 + len(self.logical) % 20)
        if side == "local":
            local_ref = self.harness.local.add(event)
            if kind == "series":
                self.harness.local.add(occurrence(event, event.start, summary=f"{name} exception"), series=local_ref)
        else:
            body = _body(event)
            created = self.harness.client.insert_event("primary", body)
            if kind == "series":
                first = next(self.harness.client.instances("primary", created["id"]))
                self.harness.client.patch_event("primary", first["id"], {"summary": f"{name} exception"})
        self.logical.append(Logical(name, kind, f"{name} v0"))

    def edit(self, side: str, index: int, hours: int) -> None:
        if not self.logical:
            return
        target = self.logical[index % len(self.logical)]
        self.version += 1
        summary = f"{target.name} v{self.version}"
        if side == "local":
            ids = self.local_refs(target.name)
            if not ids:
                return
            self.tick()
            current = self.harness.local.events()[ids[0]]
            changed = current.replace(summary=summary) if target.kind == "series" else moved(current, hours).replace(summary=summary)
            self.harness.local.edit(ids[0], summary=changed.summary, start=changed.start, end=changed.end)
        else:
            ids = self.google_ids(target.name)
            if not ids:
                return
            self.tick()
            current = from_google(self.harness.client.get_event("primary", ids[0]))
            changed = current.replace(summary=summary) if target.kind == "series" else moved(current, hours).replace(summary=summary)
            self.harness.client.patch_event("primary", ids[0], {k: v for k, v in _body(changed).items()
                                                                if k in ("summary", "start", "end")})
        target.summary, target.deleted = summary, False

    def delete(self, side: str, index: int) -> None:
        if not self.logical:
            return
        target = self.logical[index % len(self.logical)]
        ids = self.local_refs(target.name) if side == "local" else self.google_ids(target.name)
        if not ids:
            return
        self.tick()
        if side == "local":
            self.harness.local.remove(ids[0])
        else:
            self.harness.client.delete_event("primary", ids[0])
        target.deleted = True

    def sync(self, fault: str | None, kill_at: int) -> None:
        self.tick()
        harness = self.harness
        if fault == "503":
            harness.emulator.fault(status=503, times=2)
        elif fault == "429":
            harness.emulator.fault(status=429)
        elif fault == "drop_post":
            harness.emulator.fault(method="POST", drop_response=True)
        elif fault == "drop_patch":
            harness.emulator.fault(method="PATCH", drop_response=True)
        elif fault == "timeout_list":
            harness.emulator.fault(method="GET", delay_ms=800)
        elif fault == "410":
            harness.emulator.invalidate_sync_tokens()
        elif fault == "token_expiry":
            harness.clock.advance(3600)
            harness.client.session.credentials.expiry = None
        seen: list[str] = []
        if fault == "kill":
            def kill(operation: str, payload: Any) -> None:
                seen.append(operation)
                if len(seen) == kill_at + 1:
                    raise Killed()
            harness.local.fail_on = kill
        try:
            harness.sync()
        except Killed:
            harness.local.crash()
        finally:
            harness.local.fail_on = None
            harness.emulator.clear_faults()


def _body(event: Event) -> dict[str, Any]:
    return to_google(event, CONTENT_FIELDS)


@settings(max_examples=int(os.environ.get("GCAL_PROPERTY_EXAMPLES", "300")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps)
def test_any_interleaving_converges_to_the_newest_change(emulator: EmulatorControl, steps: list[tuple]) -> None:
    world = World(emulator)
    for step in steps:
        getattr(world, step[0])(*step[1:])
    world.harness.sync()
    final = world.harness.sync()
    assert final.complete and not final.problems, final.problems
    assert_converged(world.harness)
    expected = sorted(t.summary for t in world.logical if not t.deleted)
    local = sorted(e.summary for e in world.harness.local.events().values() if not e.is_instance)
    assert local == expected
    assert world.harness.sync().requests == 1, "a converged pair has nothing left to do"
