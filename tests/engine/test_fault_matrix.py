"""Every fault against every kind of call: the run that meets it ends as it should (retried to a
success, or stopped, or with the events it could not sync named), and once the fault clears the
next run converges, with no duplicate and nothing lost."""

from __future__ import annotations

from typing import Any

import pytest

from gcal_engine import errors
from tests.engine.conftest import Harness
from tests.engine.convergence import assert_converged
from tests.engine.events import at, timed

FAULTS: dict[str, list[dict[str, Any]]] = {
    "500": [{"status": 500}],
    "503": [{"status": 503}],
    "429": [{"status": 429, "retry_after": 1}],
    "403 rateLimitExceeded": [{"status": 403, "reason": "rateLimitExceeded"}],
    "403 quotaExceeded": [{"status": 403, "reason": "quotaExceeded"}],
    # Far longer than the faulted run's read timeout (SLOW_READ), itself far longer than any reply.
    "timeout": [{"delay_ms": 30_000}],
    "dropped response": [{"drop_response": True}],
    "410": [{"status": 410, "reason": "fullSyncRequired"}],
    "412": [{"status": 412}],
    "401 then refresh": [{"status": 401}],
    "invalid_grant": [{"status": 401}, {"status": 400, "reason": "invalid_grant", "method": "POST", "path_regex": "^/token$",
                                        "message": "Token has been expired or revoked."}],
}
SLOW_READ = 2.0
CALLS = {
    "list": ("GET", r"/events$"),
    "insert": ("POST", r"/events$"),
    "patch": ("PATCH", r"/events/"),
    "delete": ("DELETE", r"/events/"),
    "batch": ("POST", r"^/batch"),
}


def first_outcome(fault: str, call: str) -> dict[str, Any]:
    """How the run that meets the fault ends (Harness.sync's expectation); a success otherwise:
    transient errors, timeouts and lost answers are retried, a 401 refreshes the token."""
    if fault == "403 quotaExceeded":
        return {"stopped_by": errors.QuotaExceededError}
    if fault == "invalid_grant":
        return {"stopped_by": errors.InvalidGrantError}
    if fault == "412":  # a write's 412 is refetched and merged; a failed insert is retried next run
        return {"list": {"stopped_by": errors.PreconditionFailedError}, "insert": {"event_errors": errors.PreconditionFailedError},
                "batch": {"event_errors": errors.PreconditionFailedError}}.get(call, {})
    if fault == "410" and call != "list":  # a listing's 410 is a resync; a write's, that event's error
        return {"event_errors": errors.SyncTokenExpiredError}
    return {}


def change_locally(harness: Harness, call: str, ids: dict[str, str]) -> set[str]:
    """The local edits whose sync meets the fault; returns the summaries expected in the end."""
    if call in ("insert", "batch"):
        harness.local.add(timed("D, new", day=4))
    if call in ("patch", "batch", "list"):
        harness.local.edit(ids["A"], summary="A, edited", start=at(1, 15), end=at(1, 16))
    if call in ("delete", "batch"):
        harness.local.remove(ids["C"])
    expected = {"A", "B", "C"}
    if call in ("insert", "batch"):
        expected.add("D, new")
    if call in ("patch", "batch", "list"):
        expected = expected - {"A"} | {"A, edited"}
    if call in ("delete", "batch"):
        expected.discard("C")
    return expected


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_the_next_run_converges_after_a_fault(harness: Harness, fault: str, call: str) -> None:
    ids = {name: harness.local.add(timed(name, day=day)) for day, name in enumerate("ABC", start=1)}
    harness.sync()
    google_b = next(gid for gid, e in harness.google_events().items() if e["summary"] == "B")
    harness.client.patch_event("primary", google_b, {"summary": "B, edited on Google"})
    expected = change_locally(harness, call, ids) - {"B"} | {"B, edited on Google"}

    method, path = CALLS[call]
    for spec in FAULTS[fault]:
        harness.emulator.fault(**({"method": method, "path_regex": path} | spec))
    client = harness.new_client(timeout=(5, SLOW_READ))
    if fault in ("401 then refresh", "invalid_grant"):
        client.session.credentials.expiry = None  # the client believes its token is fresh
    harness.sync(client=client, **first_outcome(fault, call))
    assert harness.emulator.faults() == [], "the run met the fault"
    harness.sync()
    assert_converged(harness)
    assert sorted(e.summary for e in harness.local.events().values()) == sorted(expected)
    assert harness.sync().requests == 1, "nothing left to redo"
