"""Google's event JSON to and from the neutral :class:`~gcal_engine.model.Event`, in one place.

``from_google`` is strict about structure (an event without usable times cannot be synced and
is reported as skipped, with the reason) and keeps everything else as Google sent it: time
zones, recurrence lines verbatim, guests' answers. ``to_google`` writes only the fields the
local side manages, so a patch never wipes what the other side keeps and we do not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from . import recurrence
from .errors import MappingError, RecurrenceError
from .model import (
    CANCELLED,
    RESPONSES,
    TRANSPARENCIES,
    VISIBILITIES,
    Attendee,
    Event,
    EventTime,
    Person,
    Reminder,
    Reminders,
    deleted,
)

# The private extended property that links a Google event back to its local record. Its value
# is "<namespace>:<local reference>": opaque, no database name, unchanged by a database rename.
LINK_PROPERTY = "odooLink"
MAX_REMINDERS = 5  # Google's own limits on an event's reminder overrides
MAX_REMINDER_MINUTES = 40_320  # four weeks
MAX_RECURRENCE = 50_000  # characters of an event's recurrence lines: thousands of RDATEs and EXDATEs


def parse_time(value: Any, name: str) -> EventTime:
    if not isinstance(value, Mapping):
        raise MappingError("bad_time", name, f"{name} is missing or not an object")
    zone = value.get("timeZone") or None
    if zone is not None:
        try:
            recurrence.zone(zone)
        except RecurrenceError as exc:
            raise MappingError("unknown_time_zone", name, f"{name} has an unknown time zone {zone!r}") from exc
    if value.get("date"):
        try:
            return EventTime(date=dt.date.fromisoformat(value["date"]), time_zone=zone)
        except (TypeError, ValueError) as exc:
            raise MappingError("bad_time", name, f"{name}.date is not a date: {value['date']!r}") from exc
    if value.get("dateTime"):
        try:
            moment = recurrence.parse_rfc3339(value["dateTime"])
        except (RecurrenceError, AttributeError) as exc:
            if zone is None:
                raise MappingError("bad_time", name, f"{name}.dateTime is not a date-time: {value['dateTime']!r}") from exc
            try:
                moment = dt.datetime.fromisoformat(value["dateTime"]).replace(tzinfo=recurrence.zone(zone))
            except (TypeError, ValueError) as exc2:
                raise MappingError("bad_time", name, f"{name}.dateTime is not a date-time: {value['dateTime']!r}") from exc2
        return EventTime(date_time=moment, time_zone=zone)
    raise MappingError("bad_time", name, f"{name} has neither date nor dateTime")


def parse_updated(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return recurrence.parse_rfc3339(value)
    except (RecurrenceError, AttributeError):
        return None


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MappingError("bad_text", key, f"{key} is not text")
    return value


def _properties(data: Mapping[str, Any], scope: str) -> tuple[tuple[str, str], ...]:
    values = (data.get("extendedProperties") or {}).get(scope) or {}
    if not isinstance(values, Mapping):
        raise MappingError("bad_properties", f"extendedProperties.{scope}", f"extendedProperties.{scope} is not an object")
    return tuple(sorted((str(k), str(v)) for k, v in values.items() if not (scope == "private" and k == LINK_PROPERTY)))


def _attendees(data: Mapping[str, Any]) -> tuple[Attendee, ...]:
    items = data.get("attendees") or []
    if not isinstance(items, list):
        raise MappingError("bad_attendee", "attendees", "attendees is not a list")
    attendees = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("email"), str) or "@" not in item["email"]:
            raise MappingError("bad_attendee", "attendees", "an attendee has no email address")
        response = item.get("responseStatus", "needsAction")
        attendees.append(Attendee(
            email=item["email"].strip().lower(),
            name=item.get("displayName") or "",
            response=response if response in RESPONSES else "needsAction",
            optional=bool(item.get("optional", False)),
            resource=bool(item.get("resource", False)),
            organizer=bool(item.get("organizer", False)),
            is_self=bool(item.get("self", False)),
            comment=item.get("comment") or "",
        ))
    return tuple(attendees)


def _reminders(data: Mapping[str, Any]) -> Reminders:
    """An event's reminders, within Google's own bounds: at most MAX_REMINDERS overrides, each
    between 0 and MAX_REMINDER_MINUTES before the event (Google refuses any other)."""
    value = data.get("reminders") or {"useDefault": True}
    if not isinstance(value, Mapping):
        raise MappingError("bad_reminder", "reminders", "reminders is not an object")
    items = value.get("overrides") or []
    if not isinstance(items, list) or len(items) > MAX_REMINDERS:
        raise MappingError("bad_reminder", "reminders", f"more than {MAX_REMINDERS} reminders")
    overrides = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("method") not in ("email", "popup"):
            raise MappingError("bad_reminder", "reminders", "a reminder has no valid method")
        try:
            minutes = int(item.get("minutes", 0))
        except (TypeError, ValueError) as exc:
            raise MappingError("bad_reminder", "reminders", "a reminder has invalid minutes") from exc
        if not 0 <= minutes <= MAX_REMINDER_MINUTES:
            raise MappingError("bad_reminder", "reminders", "a reminder is out of Google's range")
        overrides.append(Reminder(item["method"], minutes))
    return Reminders(use_default=bool(value.get("useDefault", False)), overrides=tuple(overrides))


def default_reminders(entry: Any) -> tuple[Reminder, ...]:
    """A calendarList entry's default reminders (what an event's ``useDefault`` means there)."""
    items = entry.get("defaultReminders") if isinstance(entry, Mapping) else None
    reminders = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, Mapping) and item.get("method") in ("email", "popup") and isinstance(item.get("minutes"), int):
            reminders.append(Reminder(item["method"], item["minutes"]))
    return tuple(reminders)


def meet_url(data: Mapping[str, Any]) -> str | None:
    """The Meet link: ``hangoutLink``, or the video entry point of ``conferenceData``."""
    if data.get("hangoutLink"):
        return str(data["hangoutLink"])
    for entry in (data.get("conferenceData") or {}).get("entryPoints") or ():
        if isinstance(entry, Mapping) and entry.get("entryPointType") == "video" and entry.get("uri"):
            return str(entry["uri"])
    return None


def from_google(data: Any) -> Event:
    """The neutral event for one Google event resource (tombstones included)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("id"), str) or not data["id"]:
        raise MappingError("missing_id", "id", "the event has no id")
    google_id = data["id"]
    updated = parse_updated(data.get("updated"))
    status = data.get("status") or "confirmed"
    is_instance = bool(data.get("recurringEventId") or data.get("originalStartTime"))
    if is_instance and not (data.get("recurringEventId") and data.get("originalStartTime")):
        # Google names both for every occurrence: with one alone, which occurrence of which
        # series this replaces cannot be known.
        missing = "originalStartTime" if data.get("recurringEventId") else "recurringEventId"
        raise MappingError("half_instance", missing, f"an occurrence without its {missing}")
    if status == CANCELLED and not is_instance:
        return deleted(google_id, data.get("etag"), updated)
    original = parse_time(data["originalStartTime"], "originalStartTime") if data.get("originalStartTime") else None
    if status == CANCELLED:
        # A cancelled occurrence of a live series: Google only guarantees its id and original start.
        assert original is not None  # an occurrence has both (above)
        return Event(start=original, end=original, original_start=original, status=CANCELLED, google_id=google_id,
                     recurring_event_id=data.get("recurringEventId") or None, ical_uid=data.get("iCalUID") or None,
                     etag=data.get("etag"), updated=updated)
    else:
        start, end = parse_time(data.get("start"), "start"), parse_time(data.get("end"), "end")
        if start.all_day != end.all_day:
            raise MappingError("mixed_times", "end", "start and end are not both dates or both date-times")
        if end.instant() < start.instant():
            raise MappingError("ends_before_start", "end", "the event ends before it starts")
    lines = data.get("recurrence") or []
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise MappingError("bad_recurrence", "recurrence", "recurrence is not a list of lines")
    if sum(len(line) for line in lines) > MAX_RECURRENCE:
        raise MappingError("long_recurrence", "recurrence", f"the recurrence is over {MAX_RECURRENCE} characters")
    if lines:
        try:
            recurrence.build_ruleset(lines, recurrence.series_start(data["start"])[0])
            within_a_day = recurrence.repeats_within_a_day(lines)
        except RecurrenceError as exc:
            raise MappingError("bad_recurrence", "recurrence", f"the recurrence cannot be read: {exc}") from exc
        if within_a_day:
            # A calendar's series repeats daily at most (Google Calendar's own editor makes no
            # other): one every minute would be thousands of events a day, for a rule no local
            # calendar can show. It stays on Google, and the run says why.
            raise MappingError("repeats_within_a_day", "recurrence", "the series repeats more than once a day")
    organizer = data.get("organizer")
    visibility = data.get("visibility") or "default"
    transparency = data.get("transparency") or "opaque"
    return Event(
        start=start,
        end=end,
        summary=_text(data, "summary"),
        description=_text(data, "description"),
        location=_text(data, "location"),
        recurrence=tuple(lines),
        original_start=original,
        attendees=_attendees(data),
        organizer=Person(
            email=(organizer.get("email") or "").lower(),
            name=organizer.get("displayName") or "",
            is_self=bool(organizer.get("self", False)),
        ) if isinstance(organizer, Mapping) and organizer.get("email") else None,
        meet_url=meet_url(data),
        reminders=_reminders(data),
        visibility=visibility if visibility in VISIBILITIES else "default",
        transparency=transparency if transparency in TRANSPARENCIES else "opaque",
        color_id=data.get("colorId") or None,
        status=status,
        guests_can_modify=bool(data.get("guestsCanModify", False)),
        guests_can_invite_others=bool(data.get("guestsCanInviteOthers", True)),
        guests_can_see_other_guests=bool(data.get("guestsCanSeeOtherGuests", True)),
        private_properties=_properties(data, "private"),
        shared_properties=_properties(data, "shared"),
        google_id=google_id,
        recurring_event_id=data.get("recurringEventId") or None,
        ical_uid=data.get("iCalUID") or None,
        etag=data.get("etag"),
        created=parse_updated(data.get("created")),
        updated=updated,
        link=((data.get("extendedProperties") or {}).get("private") or {}).get(LINK_PROPERTY),
        event_type=data.get("eventType") or "default",
    )


def format_time(value: EventTime, series: bool = False) -> dict[str, str]:
    if value.date is not None:
        return {"date": value.date.isoformat()}
    assert value.date_time is not None  # an EventTime is a date or a date_time
    zone = value.time_zone or ("UTC" if series else None)
    moment = value.date_time.astimezone(recurrence.zone(zone)) if zone else value.date_time
    body = {"dateTime": recurrence.format_rfc3339(moment)}
    if zone:
        body["timeZone"] = zone
    return body


def to_google(event: Event, fields: Iterable[str], link: str | None = None, request_id: str | None = None,
              patch: bool = False) -> dict[str, Any]:
    """The JSON body of an insert (or, with ``patch``, a patch) carrying ``fields`` of ``event``.

    Instances never carry ``recurrence``. A patch clears an unset colour with null. A Meet link
    is created on Google's side when ``event.create_meet`` is set and none exists yet, and a
    patch that removes the link removes the Meet (conferenceDataVersion=1 is needed for both).
    """
    fields = set(fields)
    body: dict[str, Any] = {"status": event.status}
    series = bool(event.recurrence)
    if "summary" in fields:
        body["summary"] = event.summary
    if "description" in fields:
        body["description"] = event.description
    if "location" in fields:
        body["location"] = event.location
    if "start" in fields:
        body["start"] = format_time(event.start, series)
    if "end" in fields:
        body["end"] = format_time(event.end, series)
    if "recurrence" in fields and not event.is_instance:
        body["recurrence"] = list(event.recurrence)
    if "attendees" in fields:
        body["attendees"] = [
            {k: v for k, v in {
                "email": a.email,
                "displayName": a.name or None,
                "responseStatus": a.response,
                "optional": a.optional or None,
                "resource": a.resource or None,
                "comment": a.comment or None,
            }.items() if v is not None}
            for a in event.attendees
        ]
    if "reminders" in fields:
        reminders: dict[str, Any] = {"useDefault": event.reminders.use_default}
        if not event.reminders.use_default:
            reminders["overrides"] = [{"method": r.method, "minutes": r.minutes} for r in event.reminders.overrides]
        body["reminders"] = reminders
    if "visibility" in fields:
        body["visibility"] = event.visibility
    if "transparency" in fields:
        body["transparency"] = event.transparency
    if "color_id" in fields and (event.color_id or patch):
        body["colorId"] = event.color_id
    if "guests_can_modify" in fields:
        body["guestsCanModify"] = event.guests_can_modify
    if "guests_can_invite_others" in fields:
        body["guestsCanInviteOthers"] = event.guests_can_invite_others
    if "guests_can_see_other_guests" in fields:
        body["guestsCanSeeOtherGuests"] = event.guests_can_see_other_guests
    private = dict(event.private_properties) if "private_properties" in fields else {}
    if link:
        private[LINK_PROPERTY] = link
    properties: dict[str, Any] = {}
    if private or "private_properties" in fields:
        properties["private"] = private
    if "shared_properties" in fields:
        properties["shared"] = dict(event.shared_properties)
    if properties:
        body["extendedProperties"] = properties
    if event.create_meet and not event.meet_url:
        body["conferenceData"] = {"createRequest": {
            "requestId": request_id or event.google_id or "meet",
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
        }}
    elif patch and "meet_url" in fields and not event.meet_url:
        body["conferenceData"] = None  # the Meet was removed: Google drops it too
    return body


def retire_properties(body: dict[str, Any], keys: Iterable[str], shared: bool) -> None:
    """Have a patch delete the extended properties ``keys`` (a patch deletes a key set to null):
    private ones always, shared ones when the event is the writer's (a guest may not change them)."""
    keys = tuple(keys)
    if not keys:
        return
    properties = body.setdefault("extendedProperties", {})
    for scope in ("private", "shared") if shared else ("private",):
        values = properties.setdefault(scope, {})
        for key in keys:
            values.setdefault(key, None)


def wants_conference(body: Mapping[str, Any]) -> bool:
    return "conferenceData" in body
