"""Every fault against every kind of call: once it clears, the next run converges, with no
duplicate and nothing lost."""

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
    "timeout": [{"delay_ms": 1500}],
    "dropped response": [{"drop_response": True}],
    "410": [{"status": 410, "reason": "fullSyncRequired"}],
    "412": [{"status": 412}],
    "401 then refresh": [{"status": 401}],
    "invalid_grant": [{"status": 401}, {"status": 400, "reason": "invalid_grant", "method": "POST", "path_regex": "^/token$",
                                        "message": "Token has been expired or revoked."}],
}
CALLS = {
    "list": ("GET", r"/events$"),
    "insert": ("POST", r"/events$"),
    "patch": ("PATCH", r"/events/"),
    "delete": ("DELETE", r"/events/"),
    "batch": ("POST", r"^/batch"),
}


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
    harness.client = harness.new_client(timeout=(5, 0.5))
    ids = {name: harness.local.add(timed(name, day=day)) for day, name in enumerate("ABC", start=1)}
    harness.sync()
    google_b = next(gid for gid, e in harness.google_events().items() if e["summary"] == "B")
    harness.client.patch_event("primary", google_b, {"summary": "B, edited on Google"})
    expected = change_locally(harness, call, ids) - {"B"} | {"B, edited on Google"}

    method, path = CALLS[call]
    for spec in FAULTS[fault]:
        harness.emulator.fault(**({"method": method, "path_regex": path} | spec))
    if fault in ("401 then refresh", "invalid_grant"):
        harness.client.session.credentials.expiry = None  # the client believes its token is fresh
    first = harness.sync()
    harness.emulator.clear_faults()

    if fault == "invalid_grant":
        assert isinstance(first.fatal, errors.InvalidGrantError) and first.stopped
        # A session keeps a refused grant refused: the next run is a new one's, once reconnected.
        harness.client = harness.new_client(timeout=(5, 0.5))
    if fault == "403 quotaExceeded" and call != "list":
        assert any(isinstance(p.error, errors.QuotaExceededError) for p in first.problems) or first.fatal is not None
    harness.sync()
    assert_converged(harness)
    assert sorted(e.summary for e in harness.local.events().values()) == sorted(expected)
    final = harness.sync()
    assert final.requests == 1 and final.complete and not final.problems, "nothing left to redo"
