"""The emulator's WSGI application: Google's paths, the ``/_emulator/`` control API, faults, logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gcal_engine import recurrence

from . import batch, events
from .errors import ApiError, OAuthError, bad_request, not_found
from .faults import Faults
from .oauth import (
    CALENDAR_WRITE_SCOPES,
    LIST_SCOPES,
    READ_SCOPES,
    WRITE_SCOPES,
    AccessToken,
    AuthorizePageError,
    OAuthProvider,
    render_consent_page,
    render_error_page,
    require_scope,
)
from .push import PushService
from .state import Calendar, EmulatorState, new_event_id, rfc3339

_logger = logging.getLogger(__name__)

_CAL = "/calendar/v3"
_OAUTH_PATHS = ("/token", "/o/oauth2/token", "/revoke", "/o/oauth2/revoke", "/v1/userinfo", "/oauth2/v3/userinfo")
_SYNC_INCOMPATIBLE = ("iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty",
                      "timeMin", "timeMax", "updatedMin")
UPDATED_MIN_HORIZON = dt.timedelta(days=28)
# Beyond any expiry a test needs, and far from where datetime overflows.
MAX_CLOCK_OFFSET = dt.timedelta(days=36525)

URLS = Map(
    [
        Rule(f"{_CAL}/calendars/<calendar_id>/events", endpoint="events", methods=["GET", "POST"]),
        Rule(f"{_CAL}/calendars/<calendar_id>/events/watch", endpoint="watch", methods=["POST"]),
        Rule(f"{_CAL}/calendars/<calendar_id>/events/<event_id>", endpoint="event",
             methods=["GET", "PUT", "PATCH", "DELETE"]),
        Rule(f"{_CAL}/calendars/<calendar_id>/events/<event_id>/instances", endpoint="instances", methods=["GET"]),
        Rule(f"{_CAL}/calendars", endpoint="calendars", methods=["POST"]),
        Rule(f"{_CAL}/calendars/<calendar_id>", endpoint="calendar", methods=["GET", "DELETE"]),
        Rule(f"{_CAL}/users/me/calendarList", endpoint="calendar_list", methods=["GET"]),
        Rule(f"{_CAL}/users/me/calendarList/<calendar_id>", endpoint="calendar_list_entry", methods=["GET"]),
        Rule(f"{_CAL}/channels/stop", endpoint="channels_stop", methods=["POST"]),
        Rule(f"{_CAL}/colors", endpoint="colors", methods=["GET"]),
        Rule("/batch/calendar/v3", endpoint="batch", methods=["POST"]),
        Rule("/batch", endpoint="batch", methods=["POST"]),
        Rule("/o/oauth2/v2/auth", endpoint="authorize", methods=["GET"]),
        Rule("/o/oauth2/auth", endpoint="authorize", methods=["GET"]),
        Rule("/o/oauth2/v2/auth/decision", endpoint="decision", methods=["POST"]),
        Rule("/token", endpoint="token", methods=["POST"]),
        Rule("/o/oauth2/token", endpoint="token", methods=["POST"]),
        Rule("/revoke", endpoint="revoke", methods=["GET", "POST"]),
        Rule("/o/oauth2/revoke", endpoint="revoke", methods=["GET", "POST"]),
        Rule("/v1/userinfo", endpoint="userinfo", methods=["GET"]),
        Rule("/oauth2/v3/userinfo", endpoint="userinfo", methods=["GET"]),
        Rule("/_emulator/health", endpoint="c_health", methods=["GET"]),
        Rule("/_emulator/clients", endpoint="c_clients", methods=["POST"]),
        Rule("/_emulator/users", endpoint="c_users", methods=["POST"]),
        Rule("/_emulator/consent", endpoint="c_consent", methods=["POST"]),
        Rule("/_emulator/requests", endpoint="c_requests", methods=["GET", "DELETE"]),
        Rule("/_emulator/faults", endpoint="c_faults", methods=["GET", "POST", "DELETE"]),
        Rule("/_emulator/sync-tokens/invalidate", endpoint="c_invalidate", methods=["POST"]),
        Rule("/_emulator/tokens/revoke", endpoint="c_revoke", methods=["POST"]),
        Rule("/_emulator/clock", endpoint="c_clock", methods=["GET", "POST"]),
        Rule("/_emulator/reset", endpoint="c_reset", methods=["POST"]),
        Rule("/_emulator/notifications", endpoint="c_notifications", methods=["GET"]),
        Rule("/_emulator/push", endpoint="c_push", methods=["POST"]),
        Rule("/_emulator/push/release", endpoint="c_push_release", methods=["POST"]),
        Rule("/_emulator/mails", endpoint="c_mails", methods=["GET"]),
    ],
    strict_slashes=False,
)


class DropConnection(Exception):
    """Raised after a write was applied, to close the connection without an answer."""


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data, separators=(",", ":")),
        status=status,
        headers=headers,
        content_type="application/json; charset=UTF-8",
    )


def _bool(request: Request, name: str, default: bool = False) -> bool:
    value = request.args.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(f"Invalid boolean value for {name}: {value}", name)


def _int(request: Request, name: str, default: int, minimum: int = 0) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {value}", name) from None
    if number < minimum:
        raise bad_request(f"Invalid value for {name}: {value}", name)
    return number


def _time(request: Request, name: str) -> dt.datetime | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return recurrence.parse_rfc3339(value)
    except recurrence.RecurrenceError:
        raise bad_request(f"Bad Request: {name} must be an RFC3339 timestamp with a time zone offset.", name) from None


def _zone(name: Any, location: str) -> None:
    if not isinstance(name, str):
        raise bad_request("A time zone is an IANA name.", location)
    try:
        recurrence.zone(name)
    except recurrence.RecurrenceError as exc:
        raise bad_request(str(exc), location) from exc


def _object(request: Request) -> dict[str, Any]:
    """A control call's JSON body, which is always an object."""
    body = _body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid", "The body must be a JSON object.")
    return body


def _body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "parseError", "Parse Error") from None


class EmulatorApp:
    """WSGI application; one instance owns one emulated Google."""

    def __init__(self, base_url: str = "") -> None:
        self.base_url = base_url
        self.state = EmulatorState()
        self.oauth = OAuthProvider(self.state)
        self.faults = Faults()
        self.push = PushService(lambda: self.base_url, self.state.now)
        # Called as observer(endpoint, request, response) for every answered request, batch
        # parts included; the test suite checks every body against Google's discovery document.
        self.observers: list[Callable[[str | None, Request, Response], None]] = []

    # -- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        if not self.base_url:
            self.base_url = request.host_url.rstrip("/")
        try:
            response = self.dispatch(request)
        except DropConnection:
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            raise ConnectionAbortedError("gcal_emulator: response dropped by fault injection") from None
        return response(environ, start_response)

    def dispatch(self, request: Request, in_batch: bool = False) -> Response:
        adapter = URLS.bind_to_environ(request.environ)
        path = request.path
        control = path.startswith("/_emulator/")
        entry = None
        if not control:
            entry = {
                "method": request.method,
                "path": path,
                "query": {k: ("***" if k == "access_token" else v) for k, v in request.args.items()},
                "status": None,
                "sendUpdates": _send_updates(request),
                "batch": in_batch,
                "time": self.state.now().isoformat(),
            }
            with self.state.lock:
                self.state.requests.append(entry)
        fault = None if control else self.faults.take(request.method, path)
        failing = fault is not None and fault.status is not None and not fault.drop_response
        endpoint = None
        try:
            if failing:
                time.sleep(fault.delay_ms / 1000)
                response = self._fault_response(path, fault)
            else:
                endpoint, values = adapter.match(path, method=request.method)
                response = getattr(self, "on_" + endpoint)(request, **values)
        except ApiError as exc:
            response = _json(exc.body(), exc.status, exc.headers)
        except OAuthError as exc:
            response = _json(exc.body(), exc.status)
        except AuthorizePageError as exc:
            response = Response(render_error_page(exc), status=exc.status, content_type="text/html; charset=utf-8")
        except DropConnection:
            raise
        except HTTPException as exc:
            # Unknown paths and methods: Google answers both with its JSON 404.
            error = ApiError(404, "notFound") if exc.code in (404, 405) else ApiError(exc.code or 500)
            response = _json(error.body(), error.status)
        except Exception:  # noqa: BLE001 - a bug here must still answer like Google, not with a trace
            _logger.exception("gcal_emulator: unexpected error on %s %s", request.method, path)
            response = _json(ApiError(500, "backendError").body(), 500)
        if entry is not None:
            entry["status"] = response.status_code
        for observer in self.observers:
            observer(endpoint, request, response)
        if fault is not None and not failing:
            # A slow or lost answer: the request was applied, the client just does not hear back.
            time.sleep(fault.delay_ms / 1000)
            if fault.drop_response:
                raise DropConnection()
        return response

    def _fault_response(self, path: str, fault: Any) -> Response:
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if path in _OAUTH_PATHS:
            error = fault.reason or ("server_error" if fault.status >= 500 else "invalid_request")
            return _json({"error": error, "error_description": fault.message or error}, fault.status, headers)
        error = ApiError(fault.status, fault.reason, fault.message, headers=headers)
        return _json(error.body(), error.status, headers)

    # -- helpers ---------------------------------------------------------------------------------

    def _access(self, request: Request, scopes: frozenset[str]) -> AccessToken:
        with self.state.lock:
            access = self.oauth.access(_bearer(request))
        require_scope(access, scopes)
        return access

    def _calendar(self, access: AccessToken, calendar_id: str) -> Calendar:
        email = access.grant.email
        if calendar_id == "primary":
            calendar_id = email
        calendar = self.state.calendars.get(calendar_id)
        if calendar is None or calendar.owner != email:
            raise not_found()
        return calendar

    def _write_context(self, request: Request) -> events.WriteContext:
        conference = _int(request, "conferenceDataVersion", 0)
        if conference > 1:
            raise bad_request("Invalid conferenceDataVersion.", "conferenceDataVersion")
        if _send_updates(request) not in (None, "all", "externalOnly", "none"):
            raise bad_request("Invalid value for sendUpdates.", "sendUpdates")
        return events.WriteContext(
            now=self.state.now(),
            etag=self.state.next_etag(),
            conference_version=conference,
            send_updates=_send_updates(request),
            if_match=request.headers.get("If-Match"),
        )

    def _after_write(self, calendar: Calendar, before: dict[str, Any] | None, after: dict[str, Any] | None,
                     send_updates: str | None) -> None:
        self.push.changed(calendar.id)
        if send_updates in ("all", "externalOnly"):
            self._mail(calendar, before, after, send_updates)

    def _mail(self, calendar: Calendar, before: dict[str, Any] | None, after: dict[str, Any] | None,
              send_updates: str) -> None:
        """Record the e-mails Google would send attendees (invitations, updates, cancellations)."""

        def guests(resource: dict[str, Any] | None) -> set[str]:
            if not resource or resource.get("status") == "cancelled":
                return set()
            return {a["email"] for a in resource.get("attendees") or () if not a.get("organizer")}

        old, new = guests(before), guests(after)
        changed = before is not None and after is not None and any(
            before.get(key) != after.get(key) for key in events.NOTIFYING
        )
        kinds = [(email, "invitation") for email in sorted(new - old)]
        kinds += [(email, "cancellation") for email in sorted(old - new)]
        if changed:
            kinds += [(email, "update") for email in sorted(old & new)]
        resource = after or before or {}
        for email, kind in kinds:
            if send_updates == "externalOnly" and email in self.state.accounts:
                continue
            self.state.mails.append({
                "to": email,
                "kind": kind,
                "calendar_id": calendar.id,
                "event_id": resource.get("id"),
                "summary": resource.get("summary", ""),
                "from": calendar.owner,
            })

    # -- Calendar API: events ------------------------------------------------------------------

    def on_events(self, request: Request, calendar_id: str) -> Response:
        if request.method == "POST":
            access = self._access(request, WRITE_SCOPES)
            body = _body(request)
            with self.state.lock:
                calendar = self._calendar(access, calendar_id)
                ctx = self._write_context(request)
                account = self.state.accounts.get(calendar.owner)
                stored = events.insert(calendar, body, ctx, account.name if account else None)
                self._after_write(calendar, None, stored.resource, ctx.send_updates)
                return _json(stored.resource)
        access = self._access(request, READ_SCOPES)
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            query = self._list_query(request, calendar)
            page = events.list_page(
                calendar, query, request.args.get("pageToken"), self._epoch(calendar), self.state.now()
            )
            return _json(page, headers={"ETag": page["etag"]})

    def _epoch(self, calendar: Calendar) -> str:
        return f"{self.state.sync_epoch}.{calendar.epoch}"

    def _list_query(self, request: Request, calendar: Calendar) -> events.ListQuery:
        args = request.args
        query = events.ListQuery(
            max_results=min(_int(request, "maxResults", 250, minimum=1), 2500),
            show_deleted=_bool(request, "showDeleted"),
            single_events=_bool(request, "singleEvents"),
            time_min=_time(request, "timeMin"),
            time_max=_time(request, "timeMax"),
            updated_min=_time(request, "updatedMin"),
            ical_uid=args.get("iCalUID"),
            q=args.get("q"),
            order_by=args.get("orderBy"),
        )
        for name, target in (("privateExtendedProperty", query.private_properties),
                             ("sharedExtendedProperty", query.shared_properties)):
            for value in args.getlist(name):
                key, sep, val = value.partition("=")
                if not sep or not key:
                    raise bad_request(f"Invalid value for {name}: {value}", name)
                target.append((key, val))
        if query.order_by not in (None, "startTime", "updated"):
            raise bad_request(f"Invalid value for orderBy: {query.order_by}", "orderBy")
        if query.order_by == "startTime" and not query.single_events:
            raise bad_request("The requested ordering is not available for the particular query.", "orderBy")
        if query.time_min and query.time_max and query.time_max <= query.time_min:
            raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.", location="timeMax")
        token = args.get("syncToken")
        if token is not None:
            for name in _SYNC_INCOMPATIBLE:
                if name in args:
                    raise bad_request(f"Sync token cannot be used together with {name}.", name)
            if args.get("showDeleted", "").lower() == "false":
                raise bad_request("showDeleted=false cannot be used together with a sync token.", "showDeleted")
            data = events.decode_token(token, "syncToken")
            if data.get("c") != calendar.id or data.get("e") != self._epoch(calendar) or not isinstance(data.get("s"), int):
                raise ApiError(410, "fullSyncRequired", location="syncToken")
            query.sync_seq = data["s"]
        if query.updated_min is not None and query.updated_min < self.state.now() - UPDATED_MIN_HORIZON:
            raise ApiError(410, "updatedMinTooLongAgo", location="updatedMin")
        return query

    def on_event(self, request: Request, calendar_id: str, event_id: str) -> Response:
        if request.method == "GET":
            access = self._access(request, READ_SCOPES)
            with self.state.lock:
                calendar = self._calendar(access, calendar_id)
                resource = events.get(calendar, event_id)
                if request.headers.get("If-None-Match") == resource["etag"]:
                    return Response(status=304, headers={"ETag": resource["etag"]})
                return _json(resource, headers={"ETag": resource["etag"]})
        access = self._access(request, WRITE_SCOPES)
        body = _body(request) if request.method in ("PUT", "PATCH") else None
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            ctx = self._write_context(request)
            if request.method == "DELETE":
                before = events.get(calendar, event_id)
                cancelled = events.delete(calendar, event_id, ctx)
                self._after_write(calendar, before, cancelled.resource, ctx.send_updates)
                return Response(status=204)
            write = events.patch if request.method == "PATCH" else events.update
            stored, before = write(calendar, event_id, body, ctx)
            self._after_write(calendar, before, stored.resource, ctx.send_updates)
            return _json(stored.resource, headers={"ETag": stored.resource["etag"]})

    def on_instances(self, request: Request, calendar_id: str, event_id: str) -> Response:
        access = self._access(request, READ_SCOPES)
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            master = calendar.events.get(event_id)
            if master is None or not master.resource.get("recurrence"):
                raise not_found()
            if master.cancelled:
                raise ApiError(410, "deleted", "Resource has been deleted")
            max_results = min(_int(request, "maxResults", 250, minimum=1), 2500)
            offset = 0
            if request.args.get("pageToken"):
                token = events.decode_token(request.args["pageToken"], "pageToken")
                offset = events.token_int(token, "o", 0, "pageToken")
            horizon = self.state.now() + dt.timedelta(days=730)
            items = events.instances_of(
                calendar, master, show_deleted=_bool(request, "showDeleted"),
                after=_time(request, "timeMin"), before=_time(request, "timeMax"), horizon=horizon,
            )
            original = _time(request, "originalStart")
            if original is not None:
                items = (i for i in items if events.instant(i["originalStartTime"], calendar.time_zone) == original)
            page = []
            more = False
            for index, item in enumerate(items):
                if index < offset:
                    continue
                if len(page) == max_results:
                    more = True
                    break
                page.append(item)
            result = {
                "kind": "calendar#events",
                "etag": master.resource["etag"],
                "summary": calendar.summary,
                "updated": rfc3339(calendar.updated),
                "timeZone": calendar.time_zone,
                "accessRole": "owner",
                "defaultReminders": [{"method": "popup", "minutes": 30}],
                "items": page,
            }
            if more:
                result["nextPageToken"] = events.encode_token({"o": offset + len(page)})
            return _json(result)

    def on_watch(self, request: Request, calendar_id: str) -> Response:
        access = self._access(request, READ_SCOPES)
        body = _body(request)
        with self.state.lock:
            calendar = self._calendar(access, calendar_id)
            channel = self.push.watch(calendar.id, calendar.owner, body, self.state.now())
        return _json(channel.describe())

    def on_channels_stop(self, request: Request) -> Response:
        access = self._access(request, READ_SCOPES | LIST_SCOPES)
        self.push.stop(_body(request), access.grant.email)
        return Response(status=204)

    # -- Calendar API: calendars ---------------------------------------------------------------

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
        body = _body(request)
        if not isinstance(body, dict) or not isinstance(body.get("summary"), str) or not body["summary"].strip():
            raise ApiError(400, "required", "Missing title.", location="summary")
        if body.get("timeZone") is not None:
            _zone(body["timeZone"], "timeZone")
        with self.state.lock:
            account = self.state.accounts[access.grant.email]
            calendar = self.state.add_calendar(account, f"{new_event_id()}@group.calendar.google.com", body["summary"])
            if body.get("timeZone"):
                calendar.time_zone = body["timeZone"]
            return _json(self._calendar_resource(calendar))

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
            return _json(self._calendar_resource(self._calendar(access, calendar_id)))

    def on_calendar_list(self, request: Request) -> Response:
        access = self._access(request, LIST_SCOPES)
        with self.state.lock:
            account = self.state.accounts[access.grant.email]
            items = [self._calendar_resource(c, entry=True) for c in account.calendars.values()]
        return _json({"kind": "calendar#calendarList", "etag": '"calendar-list"', "items": items,
                      "nextSyncToken": events.encode_token({"l": len(items)})})

    def on_calendar_list_entry(self, request: Request, calendar_id: str) -> Response:
        access = self._access(request, LIST_SCOPES)
        with self.state.lock:
            return _json(self._calendar_resource(self._calendar(access, calendar_id), entry=True))

    def on_colors(self, request: Request) -> Response:
        self._access(request, READ_SCOPES | LIST_SCOPES)
        palette = {key: {"background": value, "foreground": "#1d1d1d"} for key, value in events.EVENT_COLORS.items()}
        return _json({"kind": "calendar#colors", "updated": "2012-02-14T00:00:00.000Z",
                      "calendar": {"14": {"background": "#9fe1e7", "foreground": "#000000"}}, "event": palette})

    # -- batch ---------------------------------------------------------------------------------

    def on_batch(self, request: Request) -> Response:
        parts = batch.parse(request.headers.get("Content-Type", ""), request.get_data())
        # Outer headers apply to every part, except Content-*; a part's own headers win.
        outer = {k.lower(): v for k, v in request.headers.items() if not k.lower().startswith("content-")}
        responses = []
        drop = False
        for part in parts:
            headers = {**outer, **{k.lower(): v for k, v in part.headers.items() if k.lower() != "content-length"}}
            builder = EnvironBuilder(
                path=part.path, method=part.method, query_string=part.query, headers=headers,
                data=part.body, base_url=request.host_url,
            )
            try:
                inner = self.dispatch(Request(builder.get_environ()), in_batch=True)
            except DropConnection:
                drop = True
                continue
            inner_headers = {"Content-Type": inner.headers.get("Content-Type", "application/json; charset=UTF-8")}
            if inner.headers.get("ETag"):
                inner_headers["ETag"] = inner.headers["ETag"]
            responses.append((part, inner.status_code, inner_headers, inner.get_data()))
        if drop:
            raise DropConnection()
        content_type, body = batch.render(responses)
        return Response(body, status=200, content_type=content_type)

    # -- OAuth -----------------------------------------------------------------------------------

    def on_authorize(self, request: Request) -> Response:
        authorization = self.oauth.start_authorization(request.args.to_dict())
        queued = self.oauth.next_queued_decision()
        if queued is not None:
            url = self.oauth.decide(authorization.id, queued["email"], queued["decision"] == "allow", queued.get("scopes"))
            return Response(status=302, headers={"Location": url})
        client = self.oauth.clients[authorization.client_id]
        with self.state.lock:
            accounts = sorted(self.state.accounts)
        page = render_consent_page(authorization, client, accounts)
        return Response(page, content_type="text/html; charset=utf-8")

    def on_decision(self, request: Request) -> Response:
        form = request.form
        granted = form.getlist("scope") if "scope" in form else None
        url = self.oauth.decide(form.get("request_id", ""), form.get("email", ""), form.get("decision") == "allow",
                                granted)
        return Response(status=302, headers={"Location": url})

    def on_token(self, request: Request) -> Response:
        auth = request.authorization
        basic = (auth.username or "", auth.password or "") if auth and auth.type == "basic" else None
        body = self.oauth.token(request.form.to_dict(), basic)
        return _json(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def on_revoke(self, request: Request) -> Response:
        token = request.values.get("token", "")
        self.oauth.revoke(token)
        return _json({})

    def on_userinfo(self, request: Request) -> Response:
        with self.state.lock:
            return _json(self.oauth.userinfo(_bearer(request)))

    # -- control API ---------------------------------------------------------------------------

    def on_c_health(self, request: Request) -> Response:
        return _json({"status": "ok", "base_url": self.base_url})

    def on_c_clients(self, request: Request) -> Response:
        client = self.oauth.register_client(_object(request))
        return _json({"client_id": client.client_id, "publishing_status": client.publishing_status}, 201)

    def on_c_users(self, request: Request) -> Response:
        body = _object(request)
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise ApiError(400, "required", "A user needs an email.")
        time_zone = body.get("time_zone") or "UTC"
        _zone(time_zone, "time_zone")
        if body.get("name") is not None and not isinstance(body["name"], str):
            raise bad_request("name must be a string.", "name")
        account = self.state.add_account(email, body.get("name"), time_zone)
        return _json({"email": account.email, "calendars": list(account.calendars)}, 201)

    def on_c_consent(self, request: Request) -> Response:
        self.oauth.queue_decision(_object(request))
        return _json({"queued": True}, 201)

    def on_c_requests(self, request: Request) -> Response:
        with self.state.lock:
            if request.method == "DELETE":
                self.state.requests.clear()
                return Response(status=204)
            return _json({"requests": list(self.state.requests)})

    def on_c_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.reset()
            return Response(status=204)
        if request.method == "GET":
            return _json({"faults": self.faults.pending()})
        return _json(self.faults.add(_object(request)).describe(), 201)

    def on_c_invalidate(self, request: Request) -> Response:
        calendar_id = _object(request).get("calendar_id")
        if calendar_id is not None and not isinstance(calendar_id, str):
            raise bad_request("calendar_id must be a string.", "calendar_id")
        with self.state.lock:
            if calendar_id:
                calendar = self.state.calendars.get(calendar_id)
                if calendar is None:
                    raise not_found()
                calendar.epoch += 1
            else:
                self.state.sync_epoch += 1
        return _json({"invalidated": calendar_id or "all"})

    def on_c_revoke(self, request: Request) -> Response:
        email = _object(request).get("email")
        if not isinstance(email, str) or not email:
            raise ApiError(400, "required", "An email is required.")
        return _json({"revoked": self.oauth.revoke_account(email)})

    def on_c_clock(self, request: Request) -> Response:
        if request.method == "POST":
            seconds = _object(request).get("advance_seconds")
            room = MAX_CLOCK_OFFSET.total_seconds() - self.state.clock.offset.total_seconds()
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not 0 <= seconds <= room:
                raise ApiError(400, "invalid", "advance_seconds must be a non-negative number; the clock moves "
                                               "at most a century in all.")
            self.state.clock.advance(seconds)
        return _json({"now": rfc3339(self.state.now())})

    def on_c_reset(self, request: Request) -> Response:
        self.state.reset()
        self.oauth.reset()
        self.faults.reset()
        self.push.reset()
        self.state.clock.offset = dt.timedelta()
        return _json({"reset": True})

    def on_c_notifications(self, request: Request) -> Response:
        """The deliveries so far; with ``wait`` (seconds, at most 30), first wait until ``count``
        (default 1) deliveries of ``state`` (any state if absent) are done."""
        deliveries = list(self.push.deliveries)
        if request.args.get("wait"):
            try:
                timeout = min(float(request.args["wait"]), 30.0)
                count = int(request.args.get("count", "1"))
            except ValueError:
                raise ApiError(400, "invalid", "wait and count must be numbers.") from None
            if not timeout >= 0:  # also refuses nan, which min() lets through
                raise ApiError(400, "invalid", "wait must be a non-negative number of seconds.")
            deliveries = self.push.wait_for(request.args.get("state"), count, timeout)
        return _json({"notifications": deliveries, "channels": [
            c.describe() | {"address": c.address} for c in self.push.channels.values()]})

    def on_c_push(self, request: Request) -> Response:
        hold = _object(request).get("hold")
        if not isinstance(hold, bool):
            raise ApiError(400, "invalid", "hold must be true or false.")
        self.push.hold(hold)
        return _json({"hold": hold})

    def on_c_push_release(self, request: Request) -> Response:
        return _json({"notifications": self.push.release()})

    def on_c_mails(self, request: Request) -> Response:
        with self.state.lock:
            return _json({"mails": list(self.state.mails)})


def _bearer(request: Request) -> str | None:
    """The access token: ``Authorization: Bearer``, or the legacy ``access_token`` parameter."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else request.args.get("access_token")


def _send_updates(request: Request) -> str | None:
    value = request.args.get("sendUpdates")
    if value is None and "sendNotifications" in request.args:
        value = "all" if request.args["sendNotifications"].lower() == "true" else "none"
    return value

