"""Property: concurrent edits of different fields are never lost.

Hypothesis draws events made on either side, then edits of their title, location and description
on either side, interleaved with sync runs. Between two runs a field edited on one side only must
end with that side's last value on both sides; a field edited on both sides ends with the value of
the side that edited the event last (the conflict rule: the newest edit wins, a tie goes to Google;
every edit happens at a distinct second here), and the run reports the conflict. Nothing else may
change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcal_emulator.control import EmulatorControl
from gcal_engine.mapping import from_google
from tests.engine.conftest import Harness, SharedClock
from tests.engine.convergence import assert_converged
from tests.engine.events import timed

FIELDS = ("summary", "location", "description")
SIDES = ("local", "google")

steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.sampled_from(SIDES)),
        st.tuples(st.just("edit"), st.sampled_from(SIDES), st.integers(0, 3), st.sampled_from(FIELDS)),
        st.tuples(st.just("sync")),
    ),
    min_size=1,
    max_size=16,
)


@dataclass
class Tracked:
    """One event: what each field must be, and the edits since the last run, per side."""

    name: str
    values: dict[str, set[str]]
    edits: dict[str, dict[str, str]] = field(default_factory=lambda: {"local": {}, "google": {}})
    edited_at: dict[str, int] = field(default_factory=dict)  # per side, its last edit since the last run


class World:
    def __init__(self, emulator: EmulatorControl) -> None:
        emulator.reset()
        self.harness = Harness(emulator, emulator.connect("alice@example.com"), SharedClock(emulator))
        self.events: list[Tracked] = []
        self.version = 0
        self.conflicts = 0
        self.both_sides = 0

    def create(self, side: str) -> None:
        name = f"E{len(self.events)}"
        event = timed(name, day=1 + len(self.events), location="", description="")
        self.harness.clock.advance(1)
        if side == "local":
            self.harness.local.add(event)
        else:
            self.harness.client.insert_event("primary", {"summary": name, "start": {"dateTime": event.start.date_time.isoformat()},
                                                         "end": {"dateTime": event.end.date_time.isoformat()}})
        self.sync()
        self.events.append(Tracked(name, {"summary": {name}, "location": {""}, "description": {""}}))

    def edit(self, side: str, index: int, name: str) -> None:
        if not self.events:
            return
        target = self.events[index % len(self.events)]
        self.version += 1
        text = f"{name} {self.version}"
        value = f"{target.name} {text}" if name == "summary" else text
        self.harness.clock.advance(1)
        if side == "local":
            local_ref = self._local_ref(target)
            self.harness.local.edit(local_ref, **{name: value})
        else:
            google_id = self._google_id(target)
            self.harness.client.patch_event("primary", google_id, {name: value})
        target.edits[side][name] = value
        target.edited_at[side] = self.version

    def sync(self) -> None:
        self.harness.clock.advance(1)
        report = self.harness.sync()
        assert report.complete and not report.problems, report.problems
        self.conflicts += len(report.conflicts)
        for target in self.events:
            for name in FIELDS:
                local, google = target.edits["local"].get(name), target.edits["google"].get(name)
                if local is not None and google is not None and local != google:
                    newest = max(SIDES, key=lambda side: target.edited_at[side])
                    target.values[name] = {local if newest == "local" else google}
                    self.both_sides += 1
                elif local is not None or google is not None:
                    target.values[name] = {local if local is not None else google}
            target.edits = {"local": {}, "google": {}}
            target.edited_at = {}

    def _local_ref(self, target: Tracked) -> str:
        return next(ref for ref, e in self.harness.local.events().items() if e.summary.split(" ")[0] == target.name)

    def _google_id(self, target: Tracked) -> str:
        return next(gid for gid, e in self.harness.google_events().items()
                    if e.get("summary", "").split(" ")[0] == target.name)


@settings(max_examples=int(os.environ.get("GCAL_PROPERTY_EXAMPLES", "300")) // 2, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps)
def test_no_edit_is_lost_when_both_sides_change_an_event(emulator: EmulatorControl, steps: list[tuple]) -> None:
    world = World(emulator)
    for step in steps:
        getattr(world, step[0])(*step[1:])
    world.sync()
    assert_converged(world.harness)
    local = {e.summary.split(" ")[0]: e for e in world.harness.local.events().values()}
    google = {e["summary"].split(" ")[0]: from_google(e) for e in world.harness.google_events().values()}
    for target in world.events:
        for name in FIELDS:
            kept = getattr(local[target.name], name)
            assert kept == getattr(google[target.name], name)
            assert kept in target.values[name], f"{target.name}.{name}: {kept!r} not in {target.values[name]}"
    assert world.conflicts >= 1 if world.both_sides else world.conflicts == 0
    assert world.harness.sync().requests == 1, "a converged pair has nothing left to do"
