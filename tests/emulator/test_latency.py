"""Google's latency: what each answer waits, and that one answer waiting holds no other."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from gcal_emulator.control import EmulatorControl
from gcal_emulator.latency import MAX_MS
from tests.emulator.conftest import Api

EVENT = {"summary": "x", "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}
EVENTS = "/calendars/primary/events"


def waited(emulator: EmulatorControl, call: Any) -> float:
    """The milliseconds the emulator made ``call``'s answer wait."""
    before = emulator.latency()["delayed_ms"]
    call()
    return emulator.latency()["delayed_ms"] - before


def test_answers_come_at_once_unless_latency_is_set(api: Api, emulator: EmulatorControl) -> None:
    assert emulator.latency() == {"request_ms": 0, "batch_part_ms": 0, "page_ms": 0, "write_ms": 0,
                                  "waiting": 0, "most_waiting": 0, "delayed": 0, "delayed_ms": 0}
    api.insert(EVENT)
    api("GET", EVENTS)
    assert emulator.latency()["delayed"] == 0


def test_an_answer_waits_per_request_batch_part_page_and_event_written(api: Api, emulator: EmulatorControl) -> None:
    # Powers of two: each sum tells what was counted.
    emulator.set_latency(request_ms=1, batch_part_ms=2, page_ms=4, write_ms=8)
    assert waited(emulator, lambda: api("GET", "/colors")) == 1
    assert waited(emulator, lambda: api("GET", EVENTS)) == 1 + 4, "a page listed"
    assert waited(emulator, lambda: api("GET", "/users/me/calendarList")) == 1 + 4
    assert waited(emulator, lambda: api.insert(EVENT)) == 1 + 8, "an event written"
    assert waited(emulator, lambda: api.batch([("POST", EVENTS, EVENT), ("POST", EVENTS, EVENT), ("GET", EVENTS, None)])) \
        == 1 + 3 * 2 + 2 * 8 + 4, "one request for the envelope, and its parts"
    assert waited(emulator, lambda: api("PATCH", f"{EVENTS}/missing", json={"summary": "y"})) == 1, \
        "a write refused wrote nothing"
    assert waited(emulator, lambda: emulator.mails()) == 0, "the control API is no Google call"
    assert emulator.latency()["delayed"] == 6


def test_an_answer_waiting_holds_no_other(api: Api, emulator: EmulatorControl, alice_token: dict[str, Any]) -> None:
    """Two answers wait at once, and the control API still answers; turning latency off releases
    both. On a server that served one request at a time, the second would never start waiting."""
    emulator.set_latency(request_ms=MAX_MS)
    statuses: list[int] = []

    def colors() -> None:
        answer = requests.get(f"{api.base}/colors", headers={"Authorization": f"Bearer {alice_token['access_token']}"},
                              timeout=60)
        statuses.append(answer.status_code)

    callers = [threading.Thread(target=colors) for _ in range(2)]
    try:
        callers[0].start()
        assert emulator.latency(waiting=1)["waiting"] == 1
        callers[1].start()
        assert emulator.latency(waiting=2)["waiting"] == 2, "the second request waits beside the first"
    finally:
        emulator.clear_latency()
        for caller in callers:
            caller.join(timeout=30)
    assert statuses == [200, 200]
    assert emulator.latency()["waiting"] == 0


@pytest.mark.parametrize("body", [{"request_ms": -1}, {"page_ms": MAX_MS + 1}, {"write_ms": True},
                                  {"request_ms": "150"}, {"per_event_ms": 1}])
def test_bad_settings_are_refused_and_change_nothing(emulator: EmulatorControl, body: dict[str, Any]) -> None:
    answer = requests.post(f"{emulator.base_url}/_emulator/latency", json=body, timeout=10)
    assert answer.status_code == 400
    assert emulator.latency()["request_ms"] == 0


def test_a_reset_turns_latency_off(emulator: EmulatorControl) -> None:
    assert emulator.set_latency(request_ms=150.5, write_ms=20)["request_ms"] == 150.5
    assert emulator.latency()["write_ms"] == 20
    emulator.reset()
    assert {key: emulator.latency()[key] for key in ("request_ms", "write_ms")} == {"request_ms": 0, "write_ms": 0}
