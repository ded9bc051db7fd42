"""Event writes as Google stores them: insert, patch, update, delete, and reading one event back.

Everything here works on a :class:`~gcal_emulator.state.Calendar` under the state lock and
raises :class:`~gcal_emulator.errors.ApiError` for anything Google would refuse.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from gcal_engine import recurrence

from . import conference
from .errors import ApiError, not_found
from .instances import materialise
from .state import Calendar, StoredEvent, new_event_id, rfc3339
from .times import naive
from .validation import READ_ONLY, check_id, check_recurrence, check_times, clean_body

# Changes that bump the iCalendar SEQUENCE.
SEQUENCED = ("start", "end", "recurrence", "location", "status")


@dataclass
class WriteContext:
    """When a write happens, and the query parameters that change how it behaves."""

    now: dt.datetime
    etag: str
    conference_version: int = 0
    send_updates: str | None = None
    if_match: str | None = None
    supports_attachments: bool = False


def _person(calendar: Calendar, account_name: str | None = None) -> dict[str, Any]:
    person = {"email": calendar.owner, "self": True}
    if account_name:
        person["displayName"] = account_name
    return person


def _new_event(calendar: Calendar, event_id: str, ctx: WriteContext, owner_name: str | None) -> dict[str, Any]:
    """What Google sets on a new event before the client's fields."""
    return {
        "kind": "calendar#event",
        "id": event_id,
        "status": "confirmed",
        "htmlLink": f"https://www.google.com/calendar/event?eid={_eid(event_id, calendar.id)}",
        "created": rfc3339(ctx.now),
        "creator": _person(calendar, owner_name),
        "organizer": _person(calendar, owner_name),
        "iCalUID": f"{event_id}@google.com",
        "sequence": 0,
        "reminders": {"useDefault": True},
        "eventType": "default",
    }


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields a new event takes from the client: not its original start, nothing null."""
    return {key: value for key, value in fields.items() if value is not None and key != "originalStartTime"}


def insert(calendar: Calendar, body: Any, ctx: WriteContext, owner_name: str | None = None) -> StoredEvent:
    fields = clean_body(body)
    event_id = fields.pop("id", None)
    if event_id is None:
        event_id = new_event_id()
    else:
        check_id(event_id)
    if event_id in calendar.events:
        raise ApiError(409, "duplicate", "The requested identifier already exists.")
    resource = _new_event(calendar, event_id, ctx, owner_name) | _given(fields)
    _finish_write(calendar, resource, None, ctx)
    return calendar.store(resource, ctx.now)


def import_event(calendar: Calendar, body: Any, ctx: WriteContext,
                 owner_name: str | None = None) -> tuple[StoredEvent, dict[str, Any] | None]:
    """events.import: a private copy of someone's event, and the copy it replaced (None if new).

    The copy keeps the organizer the body names (a guest imports the organizer's event); the
    calendar holds one event per iCalUID, so importing one again replaces that copy in place.
    """
    fields = clean_body(body)
    uid = fields.get("iCalUID")
    if not uid:
        raise ApiError(400, "required", "Missing iCalUID.", location="iCalUID")
    fields.pop("id", None)
    existing = next((stored for stored in calendar.events.values()
                     if stored.resource.get("iCalUID") == uid and not stored.resource.get("recurringEventId")), None)
    before = None if existing is None else copy.deepcopy(existing.resource)
    resource = _new_event(calendar, new_event_id() if before is None else before["id"], ctx, owner_name)
    if before is not None:
        resource["created"] = before["created"]
    resource["organizer"] = _organizer(body.get("organizer"), calendar, resource["organizer"])
    resource.update(_given(fields))
    _finish_write(calendar, resource, before, ctx)
    if "sequence" in fields:
        resource["sequence"] = fields["sequence"]
    return calendar.store(resource, ctx.now), before


def _organizer(value: Any, calendar: Calendar, owner: dict[str, Any]) -> dict[str, Any]:
    """An imported event's organizer: the one given, or the calendar's owner when none is."""
    if value is None:
        return owner
    if not isinstance(value, dict) or not isinstance(value.get("email"), str) or "@" not in value["email"]:
        raise ApiError(400, "required", "Missing or invalid organizer email.", location="organizer.email")
    email = value["email"].strip().lower()
    if email == calendar.owner:
        return owner
    name = value.get("displayName")
    return {"email": email, **({"displayName": name} if isinstance(name, str) else {})}


def _eid(event_id: str, calendar_id: str) -> str:
    return base64.urlsafe_b64encode(f"{event_id} {calendar_id}".encode()).decode().rstrip("=")


def find(calendar: Calendar, event_id: str) -> StoredEvent | None:
    """A stored event, or an instance of a stored series materialised as an unsaved exception."""
    stored = calendar.events.get(event_id)
    if stored is not None:
        return stored
    instance = materialise(calendar, event_id)
    return None if instance is None else StoredEvent(instance, seq=-1, pos=-1)


def get(calendar: Calendar, event_id: str) -> dict[str, Any]:
    stored = find(calendar, event_id)
    if stored is None:
        raise not_found()
    return stored.resource


def _check_if_match(stored: StoredEvent, if_match: str | None) -> None:
    if if_match and if_match.strip() != "*" and if_match.strip() != stored.resource["etag"]:
        raise ApiError(412, "conditionNotMet", "Precondition Failed", location="If-Match", location_type="header")


def patch(calendar: Calendar, event_id: str, body: Any, ctx: WriteContext) -> tuple[StoredEvent, dict[str, Any]]:
    """Patch semantics: given fields replace the stored ones; objects merge; null clears."""
    stored = find(calendar, event_id)
    if stored is None:
        raise not_found()
    _check_if_match(stored, ctx.if_match)
    fields = clean_body(body, patch=True)
    fields.pop("id", None)
    before = copy.deepcopy(stored.resource)
    resource = copy.deepcopy(stored.resource)
    for key, value in fields.items():
        if value is None:
            resource.pop(key, None)
        elif key in ("extendedProperties", "source") and isinstance(value, dict):
            resource[key] = _merge(resource.get(key) or {}, value)
            if key == "extendedProperties":  # a scope whose last property went is gone too
                resource[key] = {scope: values for scope, values in resource[key].items() if values}
        else:
            resource[key] = value
    _protect_instance_fields(resource, before)
    _finish_write(calendar, resource, before, ctx)
    return calendar.store(resource, ctx.now), before


def update(calendar: Calendar, event_id: str, body: Any, ctx: WriteContext) -> tuple[StoredEvent, dict[str, Any]]:
    """PUT semantics: every writable field not given returns to its default."""
    stored = find(calendar, event_id)
    if stored is None:
        raise not_found()
    _check_if_match(stored, ctx.if_match)
    fields = clean_body(body)
    fields.pop("id", None)
    before = copy.deepcopy(stored.resource)
    keep = {key: before[key] for key in READ_ONLY | {"id", "iCalUID", "originalStartTime"} if key in before}
    resource = {"status": "confirmed", "sequence": before.get("sequence", 0), "reminders": {"useDefault": True},
                "eventType": before.get("eventType", "default")}
    resource.update({key: value for key, value in fields.items() if value is not None})
    resource.update(keep)
    if "conferenceData" in before and ctx.conference_version == 0:
        resource["conferenceData"] = before["conferenceData"]
    _finish_write(calendar, resource, before, ctx)
    return calendar.store(resource, ctx.now), before


def delete(calendar: Calendar, event_id: str, ctx: WriteContext) -> StoredEvent:
    """Delete = mark cancelled; the tombstone stays for incremental syncs (with its exceptions')."""
    stored = find(calendar, event_id)
    if stored is None:
        raise not_found()
    _check_if_match(stored, ctx.if_match)
    if stored.cancelled:
        raise ApiError(410, "deleted", "Resource has been deleted")
    cancelled = _cancel(calendar, stored, ctx)
    if stored.resource.get("recurrence"):
        for other in list(calendar.events.values()):
            if other.resource.get("recurringEventId") == event_id and not other.cancelled:
                _cancel(calendar, other, ctx)
    return cancelled


def _cancel(calendar: Calendar, stored: StoredEvent, ctx: WriteContext) -> StoredEvent:
    resource = copy.deepcopy(stored.resource)
    resource["status"] = "cancelled"
    resource["updated"] = rfc3339(ctx.now)
    resource["etag"] = ctx.etag
    return calendar.store(resource, ctx.now)


def _merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict):
            merged[key] = _merge(merged[key] if isinstance(merged.get(key), dict) else {}, value)
        else:
            merged[key] = value
    return merged


def _protect_instance_fields(resource: dict[str, Any], before: dict[str, Any]) -> None:
    for key in ("recurringEventId", "originalStartTime", "iCalUID"):
        if key in before:
            resource[key] = before[key]
        else:
            resource.pop(key, None)
    if before.get("recurringEventId"):
        resource.pop("recurrence", None)


def _finish_write(calendar: Calendar, resource: dict[str, Any], before: dict[str, Any] | None, ctx: WriteContext) -> None:
    check_times(resource, complete=resource.get("status") != "cancelled" or before is None)
    _normalise_times(resource)
    check_recurrence(resource)
    if not resource.get("recurrence"):
        resource.pop("recurrence", None)
    _normalise_reminders(resource)
    _normalise_attendees(calendar, resource)
    conference.apply(resource, before, ctx.conference_version)
    _attachments(resource, before, ctx.supports_attachments)
    if before is not None and any(resource.get(key) != before.get(key) for key in SEQUENCED):
        resource["sequence"] = before.get("sequence", 0) + 1
    resource["updated"] = rfc3339(ctx.now)
    resource["etag"] = ctx.etag


def _normalise_times(resource: dict[str, Any]) -> None:
    """Google stores dateTimes with an offset; a naive one is read in its ``timeZone``."""
    for name in ("start", "end", "originalStartTime"):
        value = resource.get(name)
        if value and value.get("dateTime") and value.get("timeZone"):
            local = naive(value["dateTime"])
            if local is not None:
                value["dateTime"] = recurrence.format_rfc3339(local.replace(tzinfo=recurrence.zone(value["timeZone"])))
        if value:
            for key in [k for k, v in value.items() if v is None or k not in ("date", "dateTime", "timeZone")]:
                del value[key]


def _attachments(resource: dict[str, Any], before: dict[str, Any] | None, supported: bool) -> None:
    """Without supportsAttachments=true a write leaves attachments as they were, as Google does."""
    if supported:
        return
    if before is not None and "attachments" in before:
        resource["attachments"] = before["attachments"]
    else:
        resource.pop("attachments", None)


def _normalise_reminders(resource: dict[str, Any]) -> None:
    """Keys an Event's reminders do not have are dropped, as Google's parser drops them."""
    reminders = resource.get("reminders")
    if not reminders:
        return
    kept = {key: value for key, value in reminders.items() if key in ("useDefault", "overrides")}
    if kept.get("overrides"):
        kept["overrides"] = [{"method": item["method"], "minutes": item["minutes"]} for item in kept["overrides"]]
    resource["reminders"] = kept


def _normalise_attendees(calendar: Calendar, resource: dict[str, Any]) -> None:
    attendees = resource.get("attendees")
    if not attendees:
        resource.pop("attendees", None)
        return
    organizer = resource.get("organizer", {}).get("email", calendar.owner)
    seen = set()
    cleaned = []
    for attendee in attendees:
        email = attendee["email"].strip().lower()
        if email in seen:
            continue
        seen.add(email)
        item = {key: value for key, value in attendee.items() if key not in ("organizer", "self", "id")}
        item["email"] = email
        if email == organizer:
            item["organizer"] = True
            item.setdefault("responseStatus", "accepted")
        if email == calendar.owner:
            item["self"] = True
        item.setdefault("responseStatus", "needsAction")
        cleaned.append(item)
    resource["attendees"] = cleaned
