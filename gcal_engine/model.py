"""The neutral event both sides are compared in, and its content hash.

An :class:`Event` says what an event *is* (title, times, guests...), independent of Google's
JSON or Odoo's records. Changes are detected by hashing the content fields a side manages, so a
new ETag or an unrelated write that leaves the content alone causes no work. :class:`Access`
says which way each part of a bound event may flow (the user's own event, an invitation...).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

UTC = dt.timezone.utc

CONFIRMED, CANCELLED = "confirmed", "cancelled"
RESPONSES = ("needsAction", "declined", "tentative", "accepted")
VISIBILITIES = ("default", "public", "private", "confidential")
TRANSPARENCIES = ("opaque", "transparent")

# The fields that make an event's content. A side hashes only those it manages: a field it
# cannot store (say, a colour) must not make every run look like a change.
CONTENT_FIELDS = (
    "summary",
    "description",
    "location",
    "start",
    "end",
    "recurrence",
    "original_start",
    "attendees",
    "organizer",
    "meet_url",
    "reminders",
    "visibility",
    "transparency",
    "color_id",
    "status",
    "guests_can_modify",
    "guests_can_invite_others",
    "guests_can_see_other_guests",
    "private_properties",
    "shared_properties",
)


@dataclass(frozen=True)
class EventTime:
    """All-day (``date``; an end date is exclusive) or timed (aware ``date_time``, plus its zone)."""

    date: dt.date | None = None
    date_time: dt.datetime | None = None
    time_zone: str | None = None

    def __post_init__(self) -> None:
        if (self.date is None) == (self.date_time is None):
            raise ValueError("An EventTime is either a date or a date_time.")
        if self.date_time is not None and self.date_time.tzinfo is None:
            raise ValueError("date_time must be timezone-aware.")

    @property
    def all_day(self) -> bool:
        return self.date is not None

    def instant(self) -> dt.datetime:
        """A point in time to compare and window with; dates count as UTC midnights."""
        if self.date is not None:
            return dt.datetime.combine(self.date, dt.time(), UTC)
        assert self.date_time is not None  # one of the two, as __post_init__ checked
        return self.date_time.astimezone(UTC)

    def canonical(self) -> str:
        if self.date is not None:
            return f"D{self.date.isoformat()}"
        return f"T{self.instant().isoformat()}|{self.time_zone or ''}"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""
    response: str = "needsAction"
    optional: bool = False
    resource: bool = False
    organizer: bool = False
    is_self: bool = False
    comment: str = ""

    def canonical(self) -> list[Any]:
        return [self.email.lower(), self.name, self.response, self.optional, self.resource, self.comment]


@dataclass(frozen=True)
class Reminder:
    method: str  # "email" or "popup"
    minutes: int


@dataclass(frozen=True)
class Reminders:
    use_default: bool = True
    overrides: tuple[Reminder, ...] = ()

    def canonical(self) -> list[Any]:
        return [self.use_default, sorted([r.method, r.minutes] for r in self.overrides)]


@dataclass(frozen=True)
class Person:
    email: str
    name: str = ""
    is_self: bool = False


@dataclass(frozen=True)
class Event:
    """One Google event resource: a single event, a series master, or one instance of a series.

    The fields after ``shared_properties`` are identity and metadata, never content.
    """

    start: EventTime
    end: EventTime
    summary: str = ""
    description: str = ""
    location: str = ""
    recurrence: tuple[str, ...] = ()
    original_start: EventTime | None = None
    attendees: tuple[Attendee, ...] = ()
    organizer: Person | None = None
    meet_url: str | None = None
    reminders: Reminders = field(default_factory=Reminders)
    visibility: str = "default"
    transparency: str = "opaque"
    color_id: str | None = None
    status: str = CONFIRMED
    guests_can_modify: bool = False
    guests_can_invite_others: bool = True
    guests_can_see_other_guests: bool = True
    private_properties: tuple[tuple[str, str], ...] = ()
    shared_properties: tuple[tuple[str, str], ...] = ()
    # identity and metadata
    google_id: str | None = None
    recurring_event_id: str | None = None
    ical_uid: str | None = None
    etag: str | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    link: str | None = None
    event_type: str = "default"
    create_meet: bool = False

    @property
    def is_series(self) -> bool:
        return bool(self.recurrence)

    @property
    def is_instance(self) -> bool:
        return self.original_start is not None

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    def replace(self, **changes: Any) -> Event:
        return dataclasses.replace(self, **changes)

    def content_hash(self, fields: Iterable[str] = CONTENT_FIELDS) -> str:
        return content_hash(self, fields)


def canonical(value: Any) -> Any:
    """A field's value in a comparable, JSON-ready form (guests and properties in a stable order)."""
    if hasattr(value, "canonical"):
        return value.canonical()
    if isinstance(value, Person):
        return value.email.lower()
    if isinstance(value, tuple):
        items = [canonical(v) for v in value]
        return sorted(items, key=json.dumps) if value and isinstance(value[0], (Attendee, tuple)) else items
    return value


# Fields added to the content after bindings were first recorded: at their default they are left
# out of the hash, so that adding them changed no recorded hash (nothing looks edited for it).
LATER_FIELDS = {"guests_can_modify": False, "guests_can_invite_others": True, "guests_can_see_other_guests": True}


def content_hash(event: Event, fields: Iterable[str] = CONTENT_FIELDS) -> str:
    """A stable digest of the given content fields (order of guests and properties ignored).

    A cancelled occurrence has no content but its cancellation: Google lists it with nothing
    else, and that must not read as a change.
    """
    if event.cancelled and event.is_instance:
        fields = [name for name in fields if name in ("status", "original_start")]
    data = {name: canonical(getattr(event, name)) for name in sorted(fields)
            if not (name in LATER_FIELDS and getattr(event, name) == LATER_FIELDS[name])}
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def google_id_of(event: Event) -> str:
    """The id of an event read from Google; only a local event has none, and is never asked."""
    if event.google_id is None:
        raise ValueError("a local event has no Google id")
    return event.google_id


def deleted(google_id: str, etag: str | None = None, updated: dt.datetime | None = None) -> Event:
    """A tombstone: what is left of a deleted event."""
    epoch = EventTime(date=dt.date(1970, 1, 1))
    return Event(start=epoch, end=epoch, status=CANCELLED, google_id=google_id, etag=etag, updated=updated)


# The merge units of the guest list (see merge.py): the other guests, and the user's own answer.
GUESTS, OWN_RESPONSE = "guests", "own_response"


class Access(str, enum.Enum):
    """What the local calendar may do with the Google event of a binding."""

    ORGANIZER = "organizer"  # the user's own event: everything goes both ways
    ATTENDEE = "attendee"  # an invitation from outside: Google's version comes in; only the user's answer goes out
    INVITED = "invited"  # an invitation whose organizer's own synchronization carries it: nothing moves here
    COPY = "copy"  # a private copy the local side imports for an organizer who does not sync: it goes out; only the answer comes in

    def may_pull(self, unit: str) -> bool:
        return self in (Access.ORGANIZER, Access.ATTENDEE) or (self is Access.COPY and unit == OWN_RESPONSE)

    def may_push(self, unit: str) -> bool:
        return self in (Access.ORGANIZER, Access.COPY) or (self is Access.ATTENDEE and unit == OWN_RESPONSE)
