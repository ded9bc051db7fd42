"""What Google refuses in an event body: wrong JSON types, unknown enum values, impossible times.

Every check raises :class:`~gcal_emulator.errors.ApiError` (400) before anything is written, so
a refused request leaves the calendar as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from gcal_engine import recurrence

from .errors import ApiError, bad_request
from .times import instant, naive

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


def clean_body(body: Any, patch: bool = False) -> dict[str, Any]:
    """The body's writable fields, once every one has the type Google expects. An extended
    property set to null is deleted by a patch (Google's way), and ignored elsewhere."""
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Parse Error")
    _check_types(body)
    fields = {key: copy.deepcopy(value) for key, value in body.items() if key in EVENT_FIELDS and key not in READ_ONLY}
    _stringify_properties(fields.get("extendedProperties"), keep_nulls=patch)
    return fields


def check_id(event_id: str) -> None:
    """A client-supplied id: base32hex (a-v, 0-9), 5 to 1024 characters."""
    if not _ID.match(event_id):
        raise bad_request("Invalid resource id value.", "id")


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
    """Property values are strings; Google also takes a number or a boolean, and stores its JSON text."""
    if props is None:
        return
    for scope in ("private", "shared"):
        values = props.get(scope)
        if values is None:
            continue
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and (v is None or isinstance(v, (str, int, float))) for k, v in values.items()
        ):
            raise bad_request("Extended property values must be strings.", f"extendedProperties.{scope}")


def _stringify_properties(props: Any, keep_nulls: bool) -> None:
    for scope in ("private", "shared"):
        values = props.get(scope) if isinstance(props, dict) else None
        if values:
            props[scope] = {key: value if value is None or isinstance(value, str) else json.dumps(value)
                            for key, value in values.items() if keep_nulls or value is not None}


def check_times(resource: Mapping[str, Any], complete: bool) -> None:
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
            moment = naive(text) if value.get("timeZone") else None
        if moment is None or not _YEARS[0] <= moment.year <= _YEARS[1]:
            raise bad_request(f"Invalid {name} time.", f"{name}.dateTime")
    elif not _DATE.match(value["date"]) or not _YEARS[0] <= int(value["date"][:4]) <= _YEARS[1]:
        raise bad_request(f"Invalid {name} date.", f"{name}.date")
    else:
        try:
            dt.date.fromisoformat(value["date"])
        except ValueError:
            raise bad_request(f"Invalid {name} date.", f"{name}.date") from None


def check_recurrence(resource: Mapping[str, Any]) -> None:
    if not resource.get("recurrence") or not resource.get("start"):
        return
    try:
        recurrence.build_ruleset(resource["recurrence"], recurrence.series_start(resource["start"])[0])
    except ValueError as exc:  # the engine's RecurrenceError, or dateutil's own on a malformed UNTIL
        raise bad_request(f"Invalid recurrence rule: {exc}", "recurrence") from exc
