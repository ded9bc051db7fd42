"""Event resources: validation, writes, recurring instances and events.list, as Google does them.

Everything here works on a :class:`~gcal_emulator.state.Calendar` under the state lock and
raises :class:`~gcal_emulator.errors.ApiError` for anything Google would refuse.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from gcal_engine import recurrence

from .errors import ApiError, bad_request, not_found
from .state import UTC, Calendar, StoredEvent, new_event_id, rfc3339

EVENT_FIELDS = frozenset(
    "anyoneCanAddSelf attachments attendees attendeesOmitted birthdayProperties colorId conferenceData "
    "created creator description end endTimeUnspecified etag eventLabelId eventType extendedProperties "
    "focusTimeProperties gadget guestsCanInviteOthers guestsCanModify guestsCanSeeOtherGuests hangoutLink "
    "htmlLink iCalUID id kind location locked organizer originalStartTime outOfOfficeProperties privateCopy "
    "recurrence recurringEventId reminders sequence source start status summary transparency updated "
    "visibility workingLocationProperties".split()
)
# Set by the server, whatever the client sends.
READ_ONLY = frozenset("kind etag created updated htmlLink hangoutLink creator organizer locked recurringEventId".split())
# Changes that make Google mail attendees an update (sendUpdates=all).
NOTIFYING = ("summary", "description", "location", "start", "end", "recurrence", "status", "conferenceData")
# Changes that bump the iCalendar SEQUENCE.
SEQUENCED = ("start", "end", "recurrence", "location", "status")

_ID = re.compile(r"^[a-v0-9]{5,1024}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Years whose occurrences, instance ids and list windows stay far inside what datetime can hold
# (years 1 to 9999), whatever time zone or duration shifts them.
_YEARS = (1000, 8999)
_TYPES: dict[str, type | tuple[type, ...]] = {
    "summary": str, "description": str, "location": str, "colorId": str, "visibility": str,
    "transparency": str, "status": str, "iCalUID": str, "eventType": str, "id": str,
    "anyoneCanAddSelf": bool, "attendeesOmitted": bool, "endTimeUnspecified": bool,
    "guestsCanInviteOthers": bool, "guestsCanModify": bool, "guestsCanSeeOtherGuests": bool,
    "privateCopy": bool, "sequence": int, "start": dict, "end": dict, "originalStartTime": dict,
    "reminders": dict, "extendedProperties": dict, "conferenceData": dict, "source": dict,
    "attendees": list, "recurrence": list, "attachments": list, "gadget": dict,
    "workingLocationProperties": dict, "outOfOfficeProperties": dict, "focusTimeProperties": dict,
}
_ENUMS = {
    "visibility": ("default", "public", "private", "confidential"),
    "transparency": ("opaque", "transparent"),
    "status": ("confirmed", "tentative", "cancelled"),
    "eventType": ("default", "outOfOffice", "focusTime", "workingLocation", "fromGmail", "birthday"),
}
_RESPONSE_STATUSES = ("needsAction", "declined", "tentative", "accepted")
EVENT_COLORS = {str(i): color for i, color in enumerate(
    ["#a4bdfc", "#7ae7bf", "#dbadff", "#ff887c", "#fbd75b", "#ffb878", "#46d6db", "#e1e1e1", "#5484ed",
     "#51b749", "#dc2127"], start=1)}


@dataclass
class WriteContext:
    """When a write happens, and the query parameters that change how it behaves."""

    now: dt.datetime
    etag: str
    conference_version: int = 0
    send_updates: str | None = None
    if_match: str | None = None


# ---------------------------------------------------------------------------------------------
# Validation


def _check_types(body: Mapping[str, Any]) -> None:
    _check_fields(body, "", _TYPES)
    for key, allowed in _ENUMS.items():
        if body.get(key) is not None and body[key] not in allowed:
            raise bad_request(f"Invalid value for field '{key}': {body[key]!r}.", key)
    if body.get("colorId") is not None and body["colorId"] not in EVENT_COLORS:
        raise bad_request("Invalid color id.", "colorId")
    for index, attendee in enumerate(body.get("attendees") or ()):
        if not isinstance(attendee, dict):
            raise bad_request("Invalid attendee.", f"attendees[{index}]")
        if not isinstance(attendee.get("email"), str) or "@" not in attendee["email"]:
            raise bad_request("Missing or invalid attendee email.", f"attendees[{index}].email", "required")
        if attendee.get("responseStatus", "needsAction") not in _RESPONSE_STATUSES:
            raise bad_request("Invalid attendee response status.", f"attendees[{index}].responseStatus")
        for flag in ("optional", "resource"):
            if flag in attendee and not isinstance(attendee[flag], bool):
                raise bad_request(f"Invalid attendee field '{flag}'.", f"attendees[{index}].{flag}")
        for text in ("displayName", "comment"):
            if attendee.get(text) is not None and not isinstance(attendee[text], str):
                raise bad_request(f"Invalid attendee field '{text}'.", f"attendees[{index}].{text}")
        _check_fields(attendee, f"attendees[{index}]", {"additionalGuests": int})
    for index, line in enumerate(body.get("recurrence") or ()):
        if not isinstance(line, str):
            raise bad_request("Invalid recurrence rule.", f"recurrence[{index}]")
    for name in ("start", "end", "originalStartTime"):
        _check_fields(body.get(name), name, {"date": str, "dateTime": str, "timeZone": str})
    _check_fields(body.get("source"), "source", {"url": str, "title": str})
    _check_items(body.get("attachments"), "attachments",
                 {"fileUrl": str, "title": str, "mimeType": str, "iconLink": str, "fileId": str})
    _check_reminders(body.get("reminders"))
    _check_extended_properties(body.get("extendedProperties"))
    _check_conference_types(body.get("conferenceData"))


def _check_fields(value: Any, path: str, types: Mapping[str, type | tuple[type, ...]]) -> None:
    """Fields of ``value`` (an object at ``path``; "" for the event) of the wrong JSON type,
    refused as Google's parser refuses them. A boolean is not an integer there."""
    if not isinstance(value, dict):
        return
    for key, expected in types.items():
        field = value.get(key)
        if field is not None and (not isinstance(field, expected) or expected is int and isinstance(field, bool)):
            name = f"{path}.{key}" if path else key
            raise bad_request(f"Invalid value for field '{name}'.", name)


def _check_items(items: Any, path: str, types: Mapping[str, type]) -> None:
    """A list of objects at ``path``, and the fields of each."""
    if items is None:
        return
    if not isinstance(items, list):
        raise bad_request(f"Invalid value for field '{path}'.", path)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad_request(f"Invalid value for field '{path}[{index}]'.", f"{path}[{index}]")
        _check_fields(item, f"{path}[{index}]", types)


def _check_conference_types(conference: Any) -> None:
    if conference is None:
        return
    _check_fields(conference, "conferenceData", {"conferenceId": str, "signature": str, "notes": str,
                                                 "conferenceSolution": dict, "createRequest": dict})
    create = conference.get("createRequest") or {}
    _check_fields(create, "conferenceData.createRequest", {"requestId": str, "conferenceSolutionKey": dict})
    _check_fields(create.get("conferenceSolutionKey"), "conferenceData.createRequest.conferenceSolutionKey",
                  {"type": str})
    _check_items(conference.get("entryPoints"), "conferenceData.entryPoints",
                 {"entryPointType": str, "uri": str, "label": str})


def _check_reminders(reminders: Any) -> None:
    if reminders is None:
        return
    overrides = reminders.get("overrides")
    if overrides is not None and not isinstance(overrides, list):
        raise bad_request("Invalid reminders.", "reminders.overrides")
    if "useDefault" in reminders and not isinstance(reminders["useDefault"], bool):
        raise bad_request("Invalid reminders.", "reminders.useDefault")
    if reminders.get("useDefault") and overrides:
        raise bad_request("Cannot specify both default reminders and overrides at the same time.", "reminders")
    if overrides and len(overrides) > 5:
        raise bad_request("Too many reminders.", "reminders.overrides")
    for index, item in enumerate(overrides or ()):
        if not isinstance(item, dict) or item.get("method") not in ("email", "popup"):
            raise bad_request("Invalid reminder method.", f"reminders.overrides[{index}].method")
        minutes = item.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= 40320:
            raise bad_request("Invalid reminder minutes.", f"reminders.overrides[{index}].minutes")


def _check_extended_properties(props: Any) -> None:
    if props is None:
        return
    for scope in ("private", "shared"):
        values = props.get(scope)
        if values is None:
            continue
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise bad_request("Extended property values must be strings.", f"extendedProperties.{scope}")


def _check_times(resource: Mapping[str, Any], complete: bool) -> None:
    """``complete`` is False for a tombstone: Google keeps its times as sent (an all-day
    cancelled exception may end where it starts), but what is there must still parse."""
    for name in ("start", "end"):
        value = resource.get(name)
        if value and (value.get("date") or value.get("dateTime")):
            _check_moment(name, value)
        elif complete:
            raise ApiError(400, "required", f"Missing {name} time.", location=name)
    if not complete:
        return
    start, end = resource["start"], resource["end"]
    if bool(start.get("date")) != bool(end.get("date")):
        raise bad_request("Start and end times must either both be date or both be dateTime.", "end")
    begin, finish = instant(start), instant(end)
    if finish < begin or (start.get("date") and finish == begin):
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.", location="end")
    if resource.get("recurrence"):
        if start.get("dateTime") and not start.get("timeZone"):
            raise bad_request("Missing time zone definition for start time.", "start.timeZone")
        if end.get("dateTime") and not end.get("timeZone"):
            raise bad_request("Missing time zone definition for end time.", "end.timeZone")


def _check_moment(name: str, value: Mapping[str, Any]) -> None:
    if value.get("date") and value.get("dateTime"):
        raise bad_request(f"Only one of date and dateTime may be set in {name}.", name)
    if value.get("timeZone"):
        try:
            recurrence.zone(value["timeZone"])
        except recurrence.RecurrenceError as exc:
            raise bad_request(f"Invalid time zone definition for {name} time.", f"{name}.timeZone") from exc
    if value.get("dateTime"):
        text = value["dateTime"]
        try:
            moment = recurrence.parse_rfc3339(text)
        except recurrence.RecurrenceError:
            moment = _naive(text) if value.get("timeZone") else None
        if moment is None or not _YEARS[0] <= moment.year <= _YEARS[1]:
            raise bad_request(f"Invalid {name} time.", f"{name}.dateTime")
    elif not _DATE.match(value["date"]) or not _YEARS[0] <= int(value["date"][:4]) <= _YEARS[1]:
        raise bad_request(f"Invalid {name} date.", f"{name}.date")
    else:
        try:
            dt.date.fromisoformat(value["date"])
        except ValueError:
            raise bad_request(f"Invalid {name} date.", f"{name}.date") from None


def _check_recurrence(resource: Mapping[str, Any]) -> None:
    if not resource.get("recurrence") or not resource.get("start"):
        return
    try:
        recurrence.build_ruleset(resource["recurrence"], recurrence.series_start(resource["start"])[0])
    except ValueError as exc:  # the engine's RecurrenceError, or dateutil's own on a malformed UNTIL
        raise bad_request(f"Invalid recurrence rule: {exc}", "recurrence") from exc


def _naive(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is None else None


def _normalise_times(resource: dict[str, Any]) -> None:
    """Google stores dateTimes with an offset; a naive one is read in its ``timeZone``."""
    for name in ("start", "end", "originalStartTime"):
        value = resource.get(name)
        if value and value.get("dateTime") and value.get("timeZone"):
            naive = _naive(value["dateTime"])
            if naive is not None:
                value["dateTime"] = recurrence.format_rfc3339(naive.replace(tzinfo=recurrence.zone(value["timeZone"])))
        if value:
            for key in [k for k, v in value.items() if v is None or k not in ("date", "dateTime", "timeZone")]:
                del value[key]


def instant(value: Mapping[str, Any], zone_name: str = "UTC") -> dt.datetime:
    """An EventDateTime as an aware datetime; dates are midnights in ``zone_name``."""
    if value.get("date"):
        day = dt.date.fromisoformat(value["date"])
        return dt.datetime.combine(day, dt.time(), recurrence.zone(zone_name))
    text = value["dateTime"]
    try:
        return recurrence.parse_rfc3339(text)
    except recurrence.RecurrenceError:
        return _naive(text).replace(tzinfo=recurrence.zone(value.get("timeZone") or zone_name))


# ---------------------------------------------------------------------------------------------
# Writes


def _clean_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Parse Error")
    _check_types(body)
    return {key: copy.deepcopy(value) for key, value in body.items() if key in EVENT_FIELDS and key not in READ_ONLY}


def _person(calendar: Calendar, account_name: str | None = None) -> dict[str, Any]:
    person = {"email": calendar.owner, "self": True}
    if account_name:
        person["displayName"] = account_name
    return person


def insert(calendar: Calendar, body: Any, ctx: WriteContext, owner_name: str | None = None) -> StoredEvent:
    fields = _clean_body(body)
    event_id = fields.pop("id", None)
    if event_id is None:
        event_id = new_event_id()
    elif not _ID.match(event_id):
        raise bad_request("Invalid resource id value.", "id")
    elif event_id in calendar.events:
        raise ApiError(409, "duplicate", "The requested identifier already exists.")
    fields.pop("originalStartTime", None)
    fields = {key: value for key, value in fields.items() if value is not None}
    resource: dict[str, Any] = {
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
    resource.update(fields)
    _finish_write(calendar, resource, None, ctx)
    return calendar.store(resource, ctx.now)


def _eid(event_id: str, calendar_id: str) -> str:
    return base64.urlsafe_b64encode(f"{event_id} {calendar_id}".encode()).decode().rstrip("=")


def find(calendar: Calendar, event_id: str) -> StoredEvent | None:
    """A stored event, or an instance of a stored series materialised as an unsaved exception."""
    stored = calendar.events.get(event_id)
    if stored is not None:
        return stored
    parts = recurrence.split_instance_id(event_id)
    if parts is None:
        return None
    master = calendar.events.get(parts[0])
    if master is None or master.cancelled or not master.resource.get("recurrence"):
        return None
    for instance in instances_of(calendar, master, include_exceptions=False):
        if instance["id"] == event_id:
            return StoredEvent(instance, seq=-1, pos=-1)
    return None


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
    fields = _clean_body(body)
    fields.pop("id", None)
    before = copy.deepcopy(stored.resource)
    resource = copy.deepcopy(stored.resource)
    for key, value in fields.items():
        if value is None:
            resource.pop(key, None)
        elif key in ("extendedProperties", "source") and isinstance(resource.get(key), dict):
            resource[key] = _merge(resource[key], value)
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
    fields = _clean_body(body)
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
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
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
    _check_times(resource, complete=resource.get("status") != "cancelled" or before is None)
    _normalise_times(resource)
    _check_recurrence(resource)
    if not resource.get("recurrence"):
        resource.pop("recurrence", None)
    _normalise_reminders(resource)
    _normalise_attendees(calendar, resource)
    _conference(resource, before, ctx)
    if before is not None and any(resource.get(key) != before.get(key) for key in SEQUENCED):
        resource["sequence"] = before.get("sequence", 0) + 1
    resource["updated"] = rfc3339(ctx.now)
    resource["etag"] = ctx.etag


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


def _conference(resource: dict[str, Any], before: dict[str, Any] | None, ctx: WriteContext) -> None:
    """conferenceDataVersion=1 lets a client create a Meet; with 0 its conferenceData is ignored."""
    requested = resource.get("conferenceData")
    if ctx.conference_version < 1:
        if before is not None and "conferenceData" in before:
            resource["conferenceData"] = before["conferenceData"]
            if "hangoutLink" in before:
                resource["hangoutLink"] = before["hangoutLink"]
        else:
            resource.pop("conferenceData", None)
        return
    if not requested:
        resource.pop("conferenceData", None)
        resource.pop("hangoutLink", None)
        return
    create = requested.get("createRequest")
    if create and not requested.get("entryPoints"):
        key = (create.get("conferenceSolutionKey") or {}).get("type", "hangoutsMeet")
        if key != "hangoutsMeet":
            raise bad_request("Invalid conference type value.", "conferenceData.createRequest.conferenceSolutionKey.type")
        code = _meet_code(create.get("requestId") or resource["id"])
        uri = f"https://meet.google.com/{code}"
        resource["conferenceData"] = {
            "createRequest": {
                "requestId": create.get("requestId", ""),
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
                "status": {"statusCode": "success"},
            },
            "entryPoints": [{"entryPointType": "video", "uri": uri, "label": f"meet.google.com/{code}"}],
            "conferenceSolution": {
                "key": {"type": "hangoutsMeet"},
                "name": "Google Meet",
                "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png",
            },
            "conferenceId": code,
        }
        resource["hangoutLink"] = uri
    else:
        video = [e for e in requested.get("entryPoints") or () if e.get("entryPointType") == "video"]
        if video and "meet.google.com" in (video[0].get("uri") or ""):
            resource["hangoutLink"] = video[0]["uri"]


def _meet_code(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    letters = "".join(chr(ord("a") + b % 26) for b in digest[:10])
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:10]}"


# ---------------------------------------------------------------------------------------------
# Recurring instances


def instances_of(
    calendar: Calendar,
    master: StoredEvent,
    *,
    include_exceptions: bool = True,
    show_deleted: bool = False,
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
    horizon: dt.datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """The instances of a series in order, exceptions replacing the instances they modify.

    ``horizon`` bounds endless series when ``before`` is not given.
    """
    resource = master.resource
    start, end = resource["start"], resource["end"]
    first, all_day = recurrence.series_start(start)
    duration = (dt.date.fromisoformat(end["date"]) - first.date()) if all_day else (instant(end) - instant(start))
    limit_before = before or horizon
    exceptions = {}
    if include_exceptions:
        exceptions = {
            other.resource.get("originalStartTime", {}).get("date")
            or _utc_key(other.resource.get("originalStartTime", {})): other.resource
            for other in calendar.events.values()
            if other.resource.get("recurringEventId") == resource["id"]
        }
    # Instances are found by start; widen the lower bound by the duration so that an instance
    # that started before `after` but is still running is kept, as Google's timeMin does.
    low = after
    if after is not None:
        try:
            low = after - (dt.timedelta(days=duration.days) if all_day else duration)
        except OverflowError:  # a window opening near year 1: no instance starts before it anyway
            low = None
    for occurrence in recurrence.occurrences(resource["recurrence"], start, after=low, before=limit_before, limit=5000):
        key = (occurrence.strftime("%Y-%m-%d") if all_day
               else _utc_key({"dateTime": recurrence.format_rfc3339(occurrence)}))
        exception = exceptions.get(key)
        if exception is not None:
            if exception.get("status") == "cancelled" and not show_deleted:
                continue
            yield exception
            continue
        yield _instance(resource, occurrence, all_day, duration)


def _utc_key(value: Mapping[str, Any]) -> str | None:
    if not value.get("dateTime"):
        return None
    return recurrence.parse_rfc3339(value["dateTime"]).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _instance(master: dict[str, Any], occurrence: dt.datetime, all_day: bool, duration: dt.timedelta) -> dict[str, Any]:
    instance = {key: value for key, value in master.items() if key not in ("recurrence", "id")}
    instance["id"] = recurrence.instance_id(master["id"], occurrence, all_day)
    instance["recurringEventId"] = master["id"]
    if all_day:
        day = occurrence.date()
        instance["start"] = {"date": day.isoformat()}
        instance["end"] = {"date": (day + duration).isoformat()}
        instance["originalStartTime"] = {"date": day.isoformat()}
    else:
        zone = master["start"].get("timeZone")
        instance["start"] = {"dateTime": recurrence.format_rfc3339(occurrence), **({"timeZone": zone} if zone else {})}
        end_zone = master["end"].get("timeZone")
        end = (occurrence.astimezone(UTC) + duration).astimezone(occurrence.tzinfo)
        instance["end"] = {"dateTime": recurrence.format_rfc3339(end), **({"timeZone": end_zone} if end_zone else {})}
        instance["originalStartTime"] = dict(instance["start"])
    return instance


# ---------------------------------------------------------------------------------------------
# events.list


@dataclass
class ListQuery:
    max_results: int = 250
    sync_seq: int | None = None
    time_min: dt.datetime | None = None
    time_max: dt.datetime | None = None
    updated_min: dt.datetime | None = None
    show_deleted: bool = False
    single_events: bool = False
    order_by: str | None = None
    ical_uid: str | None = None
    q: str | None = None
    private_properties: list[tuple[str, str]] = field(default_factory=list)
    shared_properties: list[tuple[str, str]] = field(default_factory=list)

    def fingerprint(self) -> str:
        data = {k: v for k, v in self.__dict__.items() if k != "max_results"}
        return hashlib.sha1(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()[:12]


def encode_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_token(text: str, name: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(text.encode() + b"=="))
        if isinstance(data, dict):
            return data
    except (ValueError, UnicodeError):
        pass
    raise bad_request(f"Invalid {name} value.", name)


def token_int(token: Mapping[str, Any], key: str, default: int | None, name: str,
              minimum: int = 0, maximum: int = 2**53) -> int:
    """An integer field of a page token; tokens come back from clients, so a forged one is a 400."""
    value = token.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise bad_request(f"Invalid {name} value.", name)
    return value


def _tombstone(resource: dict[str, Any]) -> dict[str, Any]:
    """What a list shows of a deleted event: only what Google guarantees."""
    keep = ("kind", "etag", "id", "status", "updated", "recurringEventId", "originalStartTime")
    return {key: resource[key] for key in keep if key in resource}


def _overlaps(calendar: Calendar, stored: StoredEvent, query: ListQuery) -> bool:
    resource = stored.resource
    if query.time_min is None and query.time_max is None:
        return True
    zone = calendar.time_zone
    if resource.get("status") == "cancelled" and "start" not in resource:
        original = resource.get("originalStartTime")
        if not original:
            return True
        begin = finish = instant(original, zone)
    elif resource.get("recurrence"):
        begin = instant(resource["start"], zone)
        last = recurrence.last_occurrence(resource["recurrence"], resource["start"])
        span = instant(resource["end"], zone) - begin
        if last is None:
            finish = dt.datetime.max.replace(tzinfo=UTC)
        else:
            last_aware = last if last.tzinfo else last.replace(tzinfo=recurrence.zone(zone))
            finish = last_aware + span
    else:
        begin, finish = instant(resource["start"], zone), instant(resource["end"], zone)
    if query.time_min is not None and not finish > query.time_min:
        return False
    return query.time_max is None or begin < query.time_max


def _matches(resource: dict[str, Any], query: ListQuery) -> bool:
    if query.ical_uid is not None and resource.get("iCalUID") != query.ical_uid:
        return False
    props = resource.get("extendedProperties") or {}
    for scope, wanted in (("private", query.private_properties), ("shared", query.shared_properties)):
        values = props.get(scope) or {}
        if any(values.get(key) != value for key, value in wanted):
            return False
    if query.updated_min is not None and recurrence.parse_rfc3339(resource["updated"]) < query.updated_min:
        return False
    if query.q:
        text = " ".join(
            [resource.get("summary", ""), resource.get("description", ""), resource.get("location", "")]
            + [a.get("email", "") for a in resource.get("attendees") or ()]
        ).lower()
        if not all(word in text for word in query.q.lower().split()):
            return False
    return True


def _visible(calendar: Calendar, stored: StoredEvent, query: ListQuery) -> bool:
    if not stored.cancelled:
        return True
    if query.sync_seq is not None or query.updated_min is not None or query.show_deleted:
        return True
    master_id = stored.resource.get("recurringEventId")
    if master_id and not query.single_events:
        master = calendar.events.get(master_id)
        return master is not None and not master.cancelled
    return False


def _rows(calendar: Calendar, query: ListQuery, bound: int, now: dt.datetime) -> Iterator[tuple[tuple[int, int], dict[str, Any]]]:
    """(key, resource) in the list's stable order; keys make page tokens immune to concurrent writes."""
    low_seq = query.sync_seq if query.sync_seq is not None else -1
    horizon = max(now, calendar.updated) + dt.timedelta(days=730)
    for stored in calendar.events.values():
        if not low_seq < stored.seq <= bound:
            continue
        if not _visible(calendar, stored, query):
            continue
        resource = stored.resource
        if query.single_events and resource.get("recurringEventId"):
            master = calendar.events.get(resource["recurringEventId"])
            if query.sync_seq is None or (master is not None and low_seq < master.seq <= bound):
                continue  # it comes out of its series' expansion below
        if not _overlaps(calendar, stored, query) or not _matches(resource, query):
            continue
        if query.single_events and resource.get("recurrence") and not stored.cancelled:
            expanded = instances_of(
                calendar, stored, show_deleted=query.show_deleted or query.sync_seq is not None,
                after=query.time_min, before=query.time_max, horizon=horizon,
            )
            for index, instance in enumerate(expanded):
                if _matches(instance, query) and (query.time_min is None or _ends_after(instance, query.time_min, calendar)):
                    yield (stored.pos, index), instance
            continue
        yield (stored.pos, 0), resource


def _ends_after(resource: dict[str, Any], moment: dt.datetime, calendar: Calendar) -> bool:
    return "end" not in resource or instant(resource["end"], calendar.time_zone) > moment


def list_page(calendar: Calendar, query: ListQuery, page_token: str | None, epoch: int, now: dt.datetime) -> dict[str, Any]:
    """One page of events.list: ``nextPageToken`` or, on the last page only, ``nextSyncToken``."""
    fingerprint = query.fingerprint()
    if page_token:
        token = decode_token(page_token, "pageToken")
        if token.get("f") != fingerprint or token.get("c") != calendar.id:
            raise bad_request("Invalid pageToken value.", "pageToken")
        bound = token_int(token, "b", None, "pageToken", maximum=calendar.seq)
        after = (token_int(token, "p", -1, "pageToken", minimum=-1), token_int(token, "i", -1, "pageToken", minimum=-1))
        offset = token_int(token, "o", 0, "pageToken")
    else:
        bound, after, offset = calendar.seq, (-1, -1), 0
    rows = _rows(calendar, query, bound, now)
    if query.order_by:
        ordered = sorted(rows, key=_order_key(query.order_by, calendar))
        page = ordered[offset:offset + query.max_results + 1]
        more = len(page) > query.max_results
        page = page[:query.max_results]
        next_token = {"o": offset + len(page)}
    else:
        page = []
        more = False
        for key, resource in rows:
            if key <= after:
                continue
            if len(page) == query.max_results:
                more = True
                break
            page.append((key, resource))
        last = page[-1][0] if page else after
        next_token = {"p": last[0], "i": last[1]}
    items = [_tombstone(r) if r.get("status") == "cancelled" else r for _, r in page]
    result: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"p{bound:016d}"',
        "summary": calendar.summary,
        "description": "",
        "updated": rfc3339(calendar.updated),
        "timeZone": calendar.time_zone,
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 30}],
        "items": items,
    }
    if more:
        next_token.update({"b": bound, "f": fingerprint, "c": calendar.id})
        result["nextPageToken"] = encode_token(next_token)
    else:
        result["nextSyncToken"] = encode_token({"c": calendar.id, "s": bound, "e": epoch})
    return result


def _order_key(order_by: str, calendar: Calendar):  # noqa: ANN202 - a sort key function
    if order_by == "updated":
        return lambda row: (row[1].get("updated", ""), row[0])

    def by_start(row: tuple[tuple[int, int], dict[str, Any]]) -> tuple[dt.datetime, tuple[int, int]]:
        resource = row[1]
        value = resource.get("start") or resource.get("originalStartTime") or {}
        moment = instant(value, calendar.time_zone) if value else dt.datetime.min.replace(tzinfo=UTC)
        return moment, row[0]

    return by_start
