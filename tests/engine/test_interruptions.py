"""A run killed at any local step (as a worker is, mid-transaction) is finished by the next one."""

from __future__ import annotations

from typing import Any

from gcal_emulator.control import EmulatorControl
from tests.engine.conftest import Harness, SharedClock
from tests.engine.convergence import assert_converged
from tests.engine.events import at, google_time, occurrence, series, timed


class Killed(BaseException):
    """Not an Exception: nothing in the engine may catch it, as nothing catches SIGKILL."""


def prepare(harness: Harness) -> set[str]:
    ids = {name: harness.local.add(timed(name, day=day)) for day, name in enumerate("ABCE", start=1)}
    master = series("Weekly", "RRULE:FREQ=WEEKLY;COUNT=3", day=7)
    master_id = harness.local.add(master)
    harness.local.add(occurrence(master, at(14), summary="Weekly (moved)", start=at(14, 16), end=at(14, 17)),
                      series=master_id)
    harness.sync()
    harness.local.add(timed("D, new in Odoo", day=4))
    harness.local.edit(ids["A"], summary="A, edited in Odoo")
    harness.local.remove(ids["C"])
    client = harness.client
    client.insert_event("primary", {"summary": "G, new in Google", "start": google_time(at(5, 9)),
                                    "end": google_time(at(5, 10))})
    google = {e["summary"]: gid for gid, e in harness.google_events().items()}
    client.patch_event("primary", google["B"], {"summary": "B, edited in Google"})
    client.delete_event("primary", google["Weekly (moved)"])
    client.delete_event("primary", google["E"])
    return {"A, edited in Odoo", "B, edited in Google", "D, new in Odoo", "G, new in Google", "Weekly"}


def run_killed_at(emulator: EmulatorControl, step: int | None) -> tuple[Harness, set[str], list[str]]:
    """Prepare a fresh scenario and run it, killed before local step ``step`` (None: never)."""
    emulator.reset()
    harness = Harness(emulator, emulator.connect("alice@example.com"), SharedClock(emulator))
    expected = prepare(harness)
    seen: list[str] = []

    def kill(operation: str, payload: Any) -> None:
        seen.append(operation)
        if step is not None and len(seen) == step + 1:
            raise Killed(f"killed at {operation}")

    harness.local.fail_on = kill
    try:
        harness.sync()
    except Killed:
        harness.local.crash()
    harness.local.fail_on = None
    return harness, expected, seen


def test_a_run_killed_at_any_step_is_finished_by_the_next(emulator: EmulatorControl) -> None:
    _, _, steps = run_killed_at(emulator, None)
    assert len(steps) >= 10 and {"create", "update", "delete", "bind", "unbind", "commit"} <= set(steps)
    for step, operation in enumerate(steps):
        harness, expected, _ = run_killed_at(emulator, step)
        harness.sync()  # (which asserts that the run succeeded)
        where = f"killed at step {step} ({operation})"
        assert_converged(harness)
        assert sorted(e.summary for e in harness.local.events().values() if not e.is_instance) == sorted(expected), where
        assert harness.sync().requests == 1, where
