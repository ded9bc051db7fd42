"""Extended properties another tool left on Google (Odoo's own module's ``<db>_odoo_id``) go from
an event as it is next written, never by a write of their own."""

from __future__ import annotations

from tests.engine.conftest import Harness
from tests.engine.events import timed

ODOO_MARKERS = ("prod_odoo_id", "prod_owner_id")


def properties(harness: Harness, summary: str) -> dict:
    event = next(e for e in harness.google_events().values() if e.get("summary") == summary)
    return event.get("extendedProperties") or {}


def test_a_written_event_loses_the_old_markers_and_an_unchanged_one_keeps_them(harness: Harness) -> None:
    edited = harness.local.add(timed("Edited"))
    harness.local.add(timed("Unchanged", day=2))
    harness.sync()
    for summary in ("Edited", "Unchanged"):
        google_id = next(i for i, e in harness.google_events().items() if e.get("summary") == summary)
        harness.client.patch_event("primary", google_id, {"extendedProperties": {
            "shared": {"prod_odoo_id": "7", "prod_owner_id": "2"}, "private": {"prod_odoo_id": "7"}}})
    harness.sync()
    harness.local.retired_properties = ODOO_MARKERS
    harness.local.edit(edited, summary="Edited again")
    harness.emulator.clear_requests()

    harness.sync()

    assert [r["method"] for r in harness.emulator.requests() if r["method"] != "GET"] == ["PATCH"]
    assert properties(harness, "Edited again") == {"private": {"odooLink": f"memory:{edited}"}}
    kept = properties(harness, "Unchanged")
    assert kept["shared"] == {"prod_odoo_id": "7", "prod_owner_id": "2"} and kept["private"]["prod_odoo_id"] == "7"
