"""The e-mails Google sends attendees on a write with sendUpdates: invitations, updates, cancellations.

Nothing is sent: each is recorded in the state's ``mails`` for tests and demos to read.
"""

from __future__ import annotations

from typing import Any

from .state import Calendar, EmulatorState

# Changes that make Google mail attendees an update (sendUpdates=all).
NOTIFYING = ("summary", "description", "location", "start", "end", "recurrence", "status", "conferenceData")


def record(state: EmulatorState, calendar: Calendar, before: dict[str, Any] | None, after: dict[str, Any] | None,
           send_updates: str | None) -> None:
    """Record what Google would mail for a write from ``before`` to ``after`` (None: no event)."""
    if send_updates not in ("all", "externalOnly"):
        return
    old, new = _guests(before), _guests(after)
    changed = before is not None and after is not None and any(before.get(key) != after.get(key) for key in NOTIFYING)
    kinds = [(email, "invitation") for email in sorted(new - old)]
    kinds += [(email, "cancellation") for email in sorted(old - new)]
    if changed:
        kinds += [(email, "update") for email in sorted(old & new)]
    resource = after or before or {}
    for email, kind in kinds:
        if send_updates == "externalOnly" and email in state.accounts:
            continue
        state.mails.append({
            "to": email,
            "kind": kind,
            "calendar_id": calendar.id,
            "event_id": resource.get("id"),
            "summary": resource.get("summary", ""),
            "from": calendar.owner,
        })


def _guests(resource: dict[str, Any] | None) -> set[str]:
    if not resource or resource.get("status") == "cancelled":
        return set()
    return {a["email"] for a in resource.get("attendees") or () if not a.get("organizer")}
