"""Fault injection: errors, slow answers and lost answers, on the paths and methods asked for."""

from __future__ import annotations

import pytest
import requests
from werkzeug.wrappers import Request, Response

from gcal_emulator import EmulatorServer
from gcal_emulator.control import EmulatorControl
from tests.emulator.conftest import Api, error_reason

EVENT = {"summary": "Faulty", "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}


@pytest.mark.parametrize(
    ("status", "reason", "domain"),
    [
        (500, None, "global"),
        (503, None, "global"),
        (429, None, "usageLimits"),
        (403, "rateLimitExceeded", "usageLimits"),
        (403, "userRateLimitExceeded", "usageLimits"),
        (403, "quotaExceeded", "usageLimits"),
        (410, "fullSyncRequired", "calendar"),
        (412, None, "global"),
    ],
)
def test_an_error_fault_answers_like_google_and_writes_nothing(
    api: Api, emulator: EmulatorControl, status: int, reason: str | None, domain: str
) -> None:
    emulator.fault(method="POST", path_regex=r"/events$", status=status, reason=reason)
    answer = api("POST", "/calendars/primary/events", json=EVENT)
    error = answer.json()["error"]
    assert answer.status_code == status and error["code"] == status
    assert error["errors"][0]["domain"] == domain
    if reason:
        assert error["errors"][0]["reason"] == reason
    assert api("GET", "/calendars/primary/events").json()["items"] == []
    assert api("POST", "/calendars/primary/events", json=EVENT).status_code == 200, "times=1: the next call works"


def test_a_fault_matches_only_its_method_and_path_and_counts_down(api: Api, emulator: EmulatorControl) -> None:
    emulator.fault(method="GET", path_regex=r"/events$", status=503, times=2)
    assert api("POST", "/calendars/primary/events", json=EVENT).status_code == 200
    assert api("GET", "/calendars/primary/events/unknown1").status_code == 404
    assert [api("GET", "/calendars/primary/events").status_code for _ in range(3)] == [503, 503, 200]
    assert emulator.faults() == []


def test_retry_after_is_sent_when_asked(api: Api, emulator: EmulatorControl) -> None:
    emulator.fault(status=429, retry_after=7)
    answer = api("GET", "/calendars/primary/events")
    assert error_reason(answer) == (429, "rateLimitExceeded") and answer.headers["Retry-After"] == "7"


def test_a_dropped_response_still_applies_the_write(api: Api, emulator: EmulatorControl) -> None:
    emulator.fault(method="POST", path_regex=r"/events$", drop_response=True)
    with pytest.raises(requests.ConnectionError):
        api("POST", "/calendars/primary/events", json=EVENT | {"id": "dropped00001"})
    assert api("GET", "/calendars/primary/events/dropped00001").json()["summary"] == "Faulty"
    assert error_reason(api("POST", "/calendars/primary/events", json=EVENT | {"id": "dropped00001"})) == (409, "duplicate")


def test_a_delayed_response_times_the_client_out_after_the_write(api: Api, emulator: EmulatorControl) -> None:
    # The answer comes long after the client stopped listening, however loaded the machine.
    emulator.fault(method="POST", delay_ms=30_000)
    with pytest.raises(requests.Timeout):
        api("POST", "/calendars/primary/events", json=EVENT | {"id": "late00000001"}, timeout=2)
    assert api("GET", "/calendars/primary/events/late00000001").status_code == 200


def test_a_fault_inside_a_batch_fails_only_that_part(api: Api, emulator: EmulatorControl) -> None:
    api.insert(EVENT | {"id": "batchfault001"})
    emulator.fault(method="DELETE", path_regex=r"batchfault001$", status=500)
    answer = api.batch([("DELETE", f"/calendars/primary/events/{event_id}", None)
                        for event_id in ("batchfault001", "nosuchevent01")])
    assert answer.status_code == 200
    assert "HTTP/1.1 500" in answer.text and "HTTP/1.1 404" in answer.text
    assert answer.text.index("response-1") < answer.text.index("response-2")
    assert api("GET", "/calendars/primary/events/batchfault001").json()["status"] == "confirmed"


def test_a_dropped_part_of_a_batch_loses_the_whole_answer_but_every_part_is_applied(
    api: Api, emulator: EmulatorControl
) -> None:
    emulator.fault(method="POST", path_regex=r"/events$", drop_response=True)
    ids = ["batchdrop001", "batchdrop002"]
    with pytest.raises(requests.ConnectionError):
        api.batch([("POST", "/calendars/primary/events", EVENT | {"id": event_id}) for event_id in ids])
    assert [api("GET", f"/calendars/primary/events/{event_id}").json()["summary"] for event_id in ids] == ["Faulty"] * 2
    parts = [(r["method"], r["status"]) for r in emulator.requests() if r["batch"]]
    assert parts == [("POST", 200), ("POST", 200)]
    assert emulator.faults() == [], "the fault was used up by the first part, not the batch envelope"


def test_token_endpoint_faults_use_oauth_error_bodies(emulator: EmulatorControl) -> None:
    emulator.fault(path_regex=r"^/token$", status=400, reason="invalid_grant", message="Token has been expired or revoked.")
    answer = requests.post(emulator.base_url + "/token", data={"grant_type": "refresh_token"}, timeout=10)
    assert (answer.status_code, answer.json()) == (
        400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})


def test_faults_can_be_listed_and_cleared(emulator: EmulatorControl) -> None:
    emulator.fault(status=500, times=3)
    assert emulator.faults()[0]["times"] == 3
    emulator.clear_faults()
    assert emulator.faults() == []


@pytest.mark.parametrize("spec", [{}, {"status": 200}, {"status": 500, "times": 0}, {"status": 500, "path_regex": "("}])
def test_an_invalid_fault_is_refused(emulator: EmulatorControl, spec: dict) -> None:
    answer = requests.post(emulator.base_url + "/_emulator/faults", json=spec, timeout=10)
    assert answer.status_code == 400


def test_a_failure_of_the_emulator_is_googles_500_and_kept_until_taken(
    api: Api, emulator: EmulatorControl, emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: Request) -> Response:
        raise KeyError("a bug")

    # A bug stands in for one here: the emulator has none known.
    monkeypatch.setitem(emulator_server.app._handlers, "colors", broken)
    assert error_reason(api("GET", "/colors")) == (500, "backendError"), "as Google answers its own failures"
    emulator.reset()
    [crash] = emulator.crashes()
    assert crash.startswith("GET /calendar/v3/colors\n") and "KeyError: 'a bug'" in crash, "kept across a reset"
    assert emulator.crashes(clear=True) == [crash] and emulator.crashes() == [], "taken once"
