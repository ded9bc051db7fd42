"""The Calendar API v3 endpoints: events, instances, watch channels, calendars, the calendar list, colors.

Each handler authorizes the call, takes the state lock for the whole read or write, and answers
with Google's JSON; the work itself is in :mod:`events`, :mod:`listing` and :mod:`push`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import events, invitations, listing, mail
from .errors import ApiError, bad_request, not_found
from .grants import AccessToken
from .push import PushService
from .scopes import CALENDAR_WRITE_SCOPES, LIST_SCOPES, READ_SCOPES, WRITE_SCOPES
from .state import Calendar, EmulatorState, new_event_id
from .tokens import encode_token
from .validation import EVENT_COLORS
from .wire import check_zone, json_response, read_body, read_bool, read_int, send_updates

_CAL = "/calendar/v3"
RULES = [
    Rule(f"{_CAL}/calendars/<calendar_id>/events", endpoint="events", methods=["GET", "POST"]),
    Rule(f"{_CAL}/calendars/<calendar_id>/events/watch", endpoint="watch", methods=["POST"]),
    Rule(f"{_CAL}/calendars/<calendar_id>/events/import", endpoint="import", methods=["POST"]),
    Rule(f"{_CAL}/calendars/<calendar_id>/events/<event_id>", endpoint="event",
         methods=["GET", "PUT", "PATCH", "DELETE"]),
    Rule(f"{_CAL}/calendars/<calendar_id>/events/<event_id>/instances", endpoint="instances", methods=["GET"]),
    Rule(f"{_CAL}/calendars", endpoint="calendars", methods=["POST"]),
    Rule(f"{_CAL}/calendars/<calendar_id>", endpoint="calendar", methods=["GET", "DELETE"]),
    Rule(f"{_CAL}/users/me/calendarList", endpoint="calendar_list", methods=["GET"]),
    Rule(f"{_CAL}/users/me/calendarList/<calendar_id>", endpoint="calendar_list_entry", methods=["GET"]),
    Rule(f"{_CAL}/channels/stop", endpoint="channels_stop", methods=["POST"]),
    Rule(f"{_CAL}/colors", endpoint="colors", methods=["GET"]),
]

Authorizer = Callable[[Request, frozenset[str]], AccessToken]


class CalendarApi:
    """``on_<endpoint>`` for every rule of :data:`RULES`; ``access`` authorizes a call for some scopes."""

    def __init__(self, state: EmulatorState, push: PushService, access: Authorizer) -> None:
        self.state = state
        self.push = push
        self._access = access

    def _calendar(self, access: AccessToken, calendar_id: str) -> Calendar:
        email = access.grant.email
        if calendar_id == "primary":
            calendar_id = email
        calendar = self.state.calendars.get(calendar_id)
        if calendar is None or calendar.owner != email:
            raise not_found()
        return calendar

    def _write_context(self, request: Request, mails: bool = True) -> events.WriteContext:
        """The write's parameters; ``mails`` is False for a method without sendUpdates."""
        conference = read_int(request.args, "conferenceDataVersion", 0)
        if conference > 1:
            raise bad_request("Invalid conferenceDataVersion.", "conferenceDataVersion")
        if mails and send_updates(request) not in (None, "all", "externalOnly", "none"):
            raise bad_request("Invalid value for sendUpdates.", "sendUpdates")
        return events.WriteContext(
            now=self.state.now(),
            etag=self.state.next_etag(),
            conference_version=conference,
            send_updates=send_updates(request) if mails else None,
            if_match=request.headers.get("If-Match"),
            supports_attachments=read_bool(request.args, "supportsAttachments"),
        )

    def _after_write(self, calendar: Calendar, before: dict[str, Any] | None, after: dict[str, Any] | None,
                     ctx: events.WriteContext) -> None:
        self.push.changed(calendar.id)
        mail.record(self.state, calendar, before, after, ctx.send_updates)
        resource = after or before
        if resource is not None:
            for guest_calendar in invitations.propagate(self.state, calendar, resource, ctx.now):
                self.push.changed(guest_calendar.id)

    def _epoch(self, calendar: Calendar) -> str:
        return f"{self.state.sync_epoch}.{calendar.epoch}"

    # -- events --------------------------------------------------------------------------------

    def on_events(self, request: Request, calendar_id: str) -> Response:
        if request.method == "POST":
            access = self._access(request, WRITE_SCOPES)
            body = read_body(request)
            with self.state.lock:
                calendar = self._calendar(access, calendar_id)
                ctx = self._write_context(request)
                account = self.state.accounts.get(calendar.owner)
                stored = events.insert(calendar, body, ctx, account.name if account else None)
                self._after_write(calendar, None, stored.resource, ctx)
                return json_response(stored.resource)
        access = self._access(request, READ_SCOPES)
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            page = listing.list_page(calendar, request.args, self._epoch(calendar), self.state.now(),
                                     self.state.page_limit)
            return json_response(page, headers={"ETag": page["etag"]})

    def on_import(self, request: Request, calendar_id: str) -> Response:
        """events.import takes no sendUpdates: an imported copy never mails anyone."""
        access = self._access(request, WRITE_SCOPES)
        body = read_body(request)
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            ctx = self._write_context(request, mails=False)
            account = self.state.accounts.get(calendar.owner)
            stored, before = events.import_event(calendar, body, ctx, account.name if account else None)
            self._after_write(calendar, before, stored.resource, ctx)
            return json_response(stored.resource)

    def on_event(self, request: Request, calendar_id: str, event_id: str) -> Response:
        if request.method == "GET":
            access = self._access(request, READ_SCOPES)
            with self.state.lock:
                calendar = self._calendar(access, calendar_id)
                resource = events.get(calendar, event_id)
                if request.headers.get("If-None-Match") == resource["etag"]:
                    return Response(status=304, headers={"ETag": resource["etag"]})
                return json_response(resource, headers={"ETag": resource["etag"]})
        access = self._access(request, WRITE_SCOPES)
        body = read_body(request) if request.method in ("PUT", "PATCH") else None
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            ctx = self._write_context(request)
            invitation = invitations.source(self.state, calendar, event_id)
            if invitation is not None:
                return self._guest_write(calendar, event_id, invitation, body, ctx)
            if request.method == "DELETE":
                before = events.get(calendar, event_id)
                cancelled = events.delete(calendar, event_id, ctx)
                self._after_write(calendar, before, cancelled.resource, ctx)
                return Response(status=204)
            write = events.patch if request.method == "PATCH" else events.update
            stored, before = write(calendar, event_id, body, ctx)
            self._after_write(calendar, before, stored.resource, ctx)
            return json_response(stored.resource, headers={"ETag": stored.resource["etag"]})

    def _guest_write(self, calendar: Calendar, event_id: str, invitation: tuple[Calendar, Any], body: Any,
                     ctx: events.WriteContext) -> Response:
        """A guest answers (or declines by deleting) their copy of someone's event."""
        if body is not None and not isinstance(body, dict):
            raise bad_request("Invalid event body.", "body")
        home, original = invitation
        for changed in invitations.guest_write(self.state, calendar, home, original, body, ctx):
            self.push.changed(changed.id)
        if body is None:
            return Response(status=204)
        resource = events.get(calendar, event_id)
        return json_response(resource, headers={"ETag": resource["etag"]})

    def on_instances(self, request: Request, calendar_id: str, event_id: str) -> Response:
        access = self._access(request, READ_SCOPES)
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            master = calendar.events.get(event_id)
            if master is None or not master.resource.get("recurrence"):
                raise not_found()
            if master.cancelled:
                raise ApiError(410, "deleted", "Resource has been deleted")
            return json_response(listing.instances_page(calendar, master, request.args))

    def on_watch(self, request: Request, calendar_id: str) -> Response:
        access = self._access(request, READ_SCOPES)
        body = read_body(request)
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            channel = self.push.watch(calendar.id, calendar.owner, body, self.state.now())
        return json_response(channel.describe())

    def on_channels_stop(self, request: Request) -> Response:
        access = self._access(request, READ_SCOPES | LIST_SCOPES)
        self.push.stop(read_body(request), access.grant.email)
        return Response(status=204)

    # -- calendars -----------------------------------------------------------------------------

    def _calendar_resource(self, calendar: Calendar, entry: bool = False) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "kind": "calendar#calendarListEntry" if entry else "calendar#calendar",
            "etag": f'"{int(calendar.updated.timestamp() * 1000)}"',
            "id": calendar.id,
            "summary": calendar.summary,
            "timeZone": calendar.time_zone,
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        }
        if entry:
            resource.update({
                "colorId": "14",
                "backgroundColor": "#9fe1e7",
                "foregroundColor": "#000000",
                "selected": True,
                "accessRole": "owner",
                "defaultReminders": [{"method": "popup", "minutes": 30}],
            })
            if calendar.primary:
                resource["primary"] = True
        return resource

    def on_calendars(self, request: Request) -> Response:
        access = self._access(request, CALENDAR_WRITE_SCOPES)
        body = read_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("summary"), str) or not body["summary"].strip():
            raise ApiError(400, "required", "Missing title.", location="summary")
        if body.get("timeZone") is not None:
            check_zone(body["timeZone"], "timeZone")
        with self.state.lock:
            account = self.state.accounts[access.grant.email]
            calendar = self.state.add_calendar(account, f"{new_event_id()}@group.calendar.google.com", body["summary"])
            if body.get("timeZone"):
                calendar.time_zone = body["timeZone"]
            return json_response(self._calendar_resource(calendar))

    def on_calendar(self, request: Request, calendar_id: str) -> Response:
        if request.method == "DELETE":
            access = self._access(request, CALENDAR_WRITE_SCOPES)
            with self.state.lock:
                calendar = self._calendar(access, calendar_id)
                if calendar.primary:
                    raise ApiError(400, "cannotDeletePrimaryCalendar", "Cannot delete primary calendar.")
                self.state.remove_calendar(calendar)
                self.push.changed(calendar.id, "not_exists")
            return Response(status=204)
        access = self._access(request, READ_SCOPES | LIST_SCOPES)
        with self.state.lock:
            return json_response(self._calendar_resource(self._calendar(access, calendar_id)))

    def on_calendar_list(self, request: Request) -> Response:
        access = self._access(request, LIST_SCOPES)
        with self.state.lock:
            account = self.state.accounts[access.grant.email]
            items = [self._calendar_resource(c, entry=True) for c in account.calendars.values()]
        return json_response({"kind": "calendar#calendarList", "etag": '"calendar-list"', "items": items,
                              "nextSyncToken": encode_token({"l": len(items)})})

    def on_calendar_list_entry(self, request: Request, calendar_id: str) -> Response:
        access = self._access(request, LIST_SCOPES)
        with self.state.lock:
            return json_response(self._calendar_resource(self._calendar(access, calendar_id), entry=True))

    def on_colors(self, request: Request) -> Response:
        self._access(request, READ_SCOPES | LIST_SCOPES)
        palette = {key: {"background": value, "foreground": "#1d1d1d"} for key, value in EVENT_COLORS.items()}
        return json_response({"kind": "calendar#colors", "updated": "2012-02-14T00:00:00.000Z",
                              "calendar": {"14": {"background": "#9fe1e7", "foreground": "#000000"}}, "event": palette})
