"""Invitations as Google keeps them: the organizer's event in every guest's calendar.

When an organizer writes an event whose guests have Google accounts here, each guest's primary
calendar holds the same event, under the same id and iCalUID, whatever ``sendUpdates`` says
(that only decides the e-mails): added when they are invited, updated with each change, and
cancelled when they are removed or the event is. A guest's copy replaces another event of the
same iCalUID in their calendar (a private copy imported earlier), which goes as a deletion.

A guest's own writes to their copy are limited as on Google: they answer (their attendee's
``responseStatus`` and ``comment``) and keep their own reminders and colour; any other change
is refused with 403 ``forbiddenForNonOrganizer`` unless the organizer let guests modify the
event. Deleting their copy removes it from their calendar and declines. An answer reaches the
organizer's event, and from there every guest's copy.

Private copies (events.import, or an event whose organizer is not the calendar's owner) are
not propagated: only an organizer's own event is.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import ApiError
from .events import WriteContext, patch
from .state import Calendar, EmulatorState, StoredEvent, rfc3339

GUEST_FIELDS = ("reminders", "colorId")  # a guest's own, kept across the organizer's changes
# Private extended properties belong to the copy of the calendar that set them.
ANSWER_KEYS = ("responseStatus", "comment")


def organizer_of(resource: dict[str, Any]) -> str:
    return (resource.get("organizer") or {}).get("email", "")


def is_organizers(calendar: Calendar, resource: dict[str, Any]) -> bool:
    """The organizer's own event (propagated), not a guest's or a private copy."""
    return organizer_of(resource) == calendar.owner and not resource.get("privateCopy")


def source(state: EmulatorState, calendar: Calendar, event_id: str) -> tuple[Calendar, StoredEvent] | None:
    """The organizer's calendar and event behind a guest's copy, or None (not an invitation)."""
    stored = calendar.events.get(event_id)
    if stored is None:
        master_id = event_id.rpartition("_")[0]
        stored = calendar.events.get(master_id) if master_id else None
    if stored is None:
        return None
    organizer = organizer_of(stored.resource)
    home = state.calendars.get(organizer)
    if organizer == calendar.owner or home is None:
        return None
    original = home.events.get(stored.resource["id"])
    return (home, original) if original is not None and is_organizers(home, original.resource) else None


def propagate(state: EmulatorState, calendar: Calendar, resource: dict[str, Any], now: Any) -> list[Calendar]:
    """Bring the guests' copies of the organizer's ``resource`` up to date; the calendars changed."""
    if not is_organizers(calendar, resource):
        return []
    invited = {a["email"] for a in resource.get("attendees") or () if not a.get("organizer")}
    live = resource.get("status") != "cancelled"
    changed = []
    for guest_calendar in _guest_calendars(state, calendar, resource):
        current = guest_calendar.events.get(resource["id"])
        if live and guest_calendar.owner in invited:
            if current is not None and _hidden(current.resource, guest_calendar.owner):
                continue  # declined and removed from their calendar: it stays away
            _replace_same_uid(state, guest_calendar, resource, now)
            guest_calendar.store(_guest_copy(state, guest_calendar, resource, current), now)
        elif current is not None and current.resource.get("status") != "cancelled":
            guest_calendar.store(_cancelled(state, current.resource, now), now)
        else:
            continue
        changed.append(guest_calendar)
    return changed


def _private_part(body: dict[str, Any] | None) -> dict[str, Any] | None:
    """Take a guest's private extended properties out of ``body``: they are the guest's copy's own."""
    if body is None or not isinstance(body.get("extendedProperties"), dict):
        return None
    properties = dict(body.pop("extendedProperties"))
    private = properties.pop("private", None)
    if properties:
        body["extendedProperties"] = properties  # shared ones are the organizer's to change
    return private


def _hidden(resource: dict[str, Any], owner: str) -> bool:
    declined = any(a["email"] == owner and a.get("responseStatus") == "declined" for a in resource.get("attendees") or ())
    return resource.get("status") == "cancelled" and declined


def _guest_calendars(state: EmulatorState, calendar: Calendar, resource: dict[str, Any]) -> list[Calendar]:
    """The primary calendars of the guests, now or before (a removed guest's copy is cancelled).
    Ids are a calendar's own: another calendar's event of the same id is not a copy of this one
    unless this calendar's owner organizes it."""
    emails = {a["email"] for a in resource.get("attendees") or ()}
    emails |= {other.id for other in state.calendars.values() if resource["id"] in other.events
               and organizer_of(other.events[resource["id"]].resource) == calendar.owner}
    return [state.calendars[email] for email in sorted(emails)
            if email != calendar.owner and email in state.calendars and state.calendars[email].primary]


def _guest_copy(state: EmulatorState, calendar: Calendar, resource: dict[str, Any],
                current: StoredEvent | None) -> dict[str, Any]:
    guest = copy.deepcopy(resource)
    guest["etag"] = state.next_etag()
    guest["organizer"] = {k: v for k, v in guest.get("organizer", {}).items() if k != "self"}
    for attendee in guest.get("attendees") or ():
        attendee.pop("self", None)
        if attendee["email"] == calendar.owner:
            attendee["self"] = True
    for key in GUEST_FIELDS:
        if current is not None and key in current.resource:
            guest[key] = current.resource[key]
    properties = guest.pop("extendedProperties", {})
    properties.pop("private", None)
    own = ((current.resource.get("extendedProperties") or {}).get("private") if current is not None else None)
    if own:
        properties["private"] = own
    if properties:
        guest["extendedProperties"] = properties
    return guest


def _cancelled(state: EmulatorState, resource: dict[str, Any], now: Any) -> dict[str, Any]:
    gone = copy.deepcopy(resource)
    gone.update(status="cancelled", etag=state.next_etag(), updated=rfc3339(now))
    return gone


def _replace_same_uid(state: EmulatorState, calendar: Calendar, resource: dict[str, Any], now: Any) -> None:
    """A private copy of the same event (same iCalUID, another id) gives way to the invitation;
    an occurrence shares its series' iCalUID and replaces nothing."""
    if resource.get("recurringEventId"):
        return
    for other in list(calendar.events.values()):
        same = other.resource.get("iCalUID") == resource.get("iCalUID") and not other.resource.get("recurringEventId")
        if same and other.resource["id"] != resource["id"] and other.resource.get("status") != "cancelled":
            calendar.store(_cancelled(state, other.resource, now), now)


def guest_write(state: EmulatorState, calendar: Calendar, home: Calendar, original: StoredEvent,
                body: dict[str, Any] | None, ctx: WriteContext) -> list[Calendar]:
    """A guest's patch (``body``) or deletion (None) of their copy; the calendars it changed."""
    organizers = original.resource
    body = dict(body) if body is not None else None
    private = _private_part(body)
    changes = {key: value for key, value in (body or {}).items()
               if key not in GUEST_FIELDS and key != "attendees" and value != organizers.get(key)}
    if changes and not organizers.get("guestsCanModify"):
        raise ApiError(403, "forbiddenForNonOrganizer",
                       "Only the organizer can change this event; a guest can only answer.")
    if changes:  # the organizer let guests modify the event: it changes for everyone
        organizers = patch(home, organizers["id"], changes, ctx)[0].resource
    answer: dict[str, Any] = {"responseStatus": "declined"} if body is None else {}
    for attendee in (body or {}).get("attendees") or ():
        if isinstance(attendee, dict) and str(attendee.get("email", "")).lower() == calendar.owner:
            answer = {key: attendee[key] for key in ANSWER_KEYS if key in attendee}
    updated = copy.deepcopy(organizers)
    for attendee in updated.get("attendees") or ():
        if attendee["email"] == calendar.owner:
            attendee.update(answer)
    updated.update(etag=ctx.etag, updated=rfc3339(ctx.now))
    home.store(updated, ctx.now)
    current = calendar.events.get(organizers["id"])
    if current is not None:
        own = _guest_copy(state, calendar, updated, current)
        if body is None:
            own = _cancelled(state, own, ctx.now)  # gone from their calendar, declined
        else:
            own.update({key: body[key] for key in GUEST_FIELDS if key in body})
            if private is not None:
                own.setdefault("extendedProperties", {})["private"] = private
        calendar.store(own, ctx.now)
    return [home, calendar, *propagate(state, home, updated, ctx.now)]
