"""The ``/_emulator/`` control API: set up accounts and clients, read the logs, inject faults, move the clock.

Tests and demos use it (through :class:`~gcal_emulator.control.EmulatorControl`); Google has no
such thing, so production code never calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .crashes import CrashLog
from .errors import ApiError, bad_request, not_found
from .faults import Faults
from .latency import Latency
from .oauth import OAuthProvider
from .push import PushService
from .quotas import Quotas
from .state import EmulatorState, rfc3339
from .wire import check_zone, json_response, read_object

# Beyond any expiry a test needs, and far from where datetime overflows.
MAX_CLOCK_OFFSET = dt.timedelta(days=36525)

# (path under /_emulator/, endpoint, methods)
_CALLS = (
    ("health", "c_health", ["GET"]),
    ("clients", "c_clients", ["POST"]),
    ("users", "c_users", ["POST"]),
    ("consent", "c_consent", ["POST"]),
    ("requests", "c_requests", ["GET", "DELETE"]),
    ("faults", "c_faults", ["GET", "POST", "DELETE"]),
    ("sync-tokens/invalidate", "c_invalidate", ["POST"]),
    ("tokens/revoke", "c_revoke", ["POST"]),
    ("clock", "c_clock", ["GET", "POST"]),
    ("quotas", "c_quotas", ["GET", "POST"]),
    ("quotas/usage", "c_quota_usage", ["GET", "DELETE"]),
    ("latency", "c_latency", ["GET", "POST", "DELETE"]),
    ("pages", "c_pages", ["POST"]),
    ("reset", "c_reset", ["POST"]),
    ("notifications", "c_notifications", ["GET"]),
    ("push", "c_push", ["POST"]),
    ("push/release", "c_push_release", ["POST"]),
    ("mails", "c_mails", ["GET"]),
    ("crashes", "c_crashes", ["GET", "DELETE"]),
)
RULES = [Rule(f"/_emulator/{path}", endpoint=endpoint, methods=methods) for path, endpoint, methods in _CALLS]


@dataclass
class ControlApi:
    """``on_<endpoint>`` for every rule of :data:`RULES`; ``base_url`` gives the emulator's, once known."""

    state: EmulatorState
    oauth: OAuthProvider
    faults: Faults
    push: PushService
    quotas: Quotas
    crashes: CrashLog
    latency: Latency
    base_url: Callable[[], str]

    def on_c_health(self, request: Request) -> Response:
        return json_response({"status": "ok", "base_url": self.base_url()})

    def on_c_clients(self, request: Request) -> Response:
        client = self.oauth.register_client(read_object(request))
        return json_response({"client_id": client.client_id, "publishing_status": client.publishing_status}, 201)

    def on_c_users(self, request: Request) -> Response:
        body = read_object(request)
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise ApiError(400, "required", "A user needs an email.")
        time_zone = body.get("time_zone") or "UTC"
        check_zone(time_zone, "time_zone")
        if body.get("name") is not None and not isinstance(body["name"], str):
            raise bad_request("name must be a string.", "name")
        account = self.state.add_account(email, body.get("name"), time_zone)
        return json_response({"email": account.email, "calendars": list(account.calendars)}, 201)

    def on_c_consent(self, request: Request) -> Response:
        self.oauth.queue_decision(read_object(request))
        return json_response({"queued": True}, 201)

    def on_c_requests(self, request: Request) -> Response:
        with self.state.lock:
            if request.method == "DELETE":
                self.state.requests.clear()
                return Response(status=204)
            return json_response({"requests": list(self.state.requests)})

    def on_c_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.reset()
            return Response(status=204)
        if request.method == "GET":
            return json_response({"faults": self.faults.pending()})
        return json_response(self.faults.add(read_object(request)).describe(), 201)

    def on_c_invalidate(self, request: Request) -> Response:
        calendar_id = read_object(request).get("calendar_id")
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
        return json_response({"invalidated": calendar_id or "all"})

    def on_c_revoke(self, request: Request) -> Response:
        email = read_object(request).get("email")
        if not isinstance(email, str) or not email:
            raise ApiError(400, "required", "An email is required.")
        return json_response({"revoked": self.oauth.revoke_account(email)})

    def on_c_clock(self, request: Request) -> Response:
        if request.method == "POST":
            seconds = read_object(request).get("advance_seconds")
            room = MAX_CLOCK_OFFSET.total_seconds() - self.state.clock.offset.total_seconds()
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not 0 <= seconds <= room:
                raise ApiError(400, "invalid", "advance_seconds must be a non-negative number; the clock moves "
                                               "at most a century in all.")
            self.state.clock.advance(seconds)
        return json_response({"now": rfc3339(self.state.now())})

    def on_c_quotas(self, request: Request) -> Response:
        """The per-minute limits; POST sets those its body names (``reset`` restores Google's)."""
        if request.method == "POST":
            return json_response(self.quotas.configure(read_object(request)))
        return json_response(self.quotas.limits())

    def on_c_quota_usage(self, request: Request) -> Response:
        """The busiest minutes and the refusals so far; DELETE also starts counting again."""
        return json_response(self.quotas.usage(clear=request.method == "DELETE"))

    def on_c_latency(self, request: Request) -> Response:
        """Google's latency, and the answers waiting on it (see :mod:`latency`); POST sets the
        settings its body names, DELETE turns it off; with ``wait`` (seconds, at most 30), GET
        first waits until ``waiting`` (default 1) answers wait at once."""
        if request.method == "POST":
            return json_response(self.latency.configure(read_object(request)))
        if request.method == "DELETE":
            self.latency.reset()
        elif request.args.get("wait"):
            try:
                timeout = min(float(request.args["wait"]), 30.0)
                count = int(request.args.get("waiting", "1"))
            except ValueError:
                raise ApiError(400, "invalid", "wait and waiting must be numbers.") from None
            if not timeout >= 0:
                raise ApiError(400, "invalid", "wait must be a non-negative number of seconds.")
            self.latency.wait_until_waiting(count, timeout)
        return json_response(self.latency.describe())

    def on_c_pages(self, request: Request) -> Response:
        """The most events a page of events.list holds (``page_limit``; null: as many as asked)."""
        limit = read_object(request).get("page_limit")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
            raise ApiError(400, "invalid", "page_limit must be a positive number of events, or null.")
        with self.state.lock:
            self.state.page_limit = limit
        return json_response({"page_limit": limit})

    def on_c_reset(self, request: Request) -> Response:
        self.state.reset()
        self.oauth.reset()
        self.faults.reset()
        self.push.reset()
        self.quotas.reset()
        self.latency.reset()
        self.state.clock.offset = dt.timedelta()
        return json_response({"reset": True})

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
        return json_response({"notifications": deliveries, "channels": [
            c.describe() | {"address": c.address} for c in self.push.channels.values()]})

    def on_c_push(self, request: Request) -> Response:
        hold = read_object(request).get("hold")
        if not isinstance(hold, bool):
            raise ApiError(400, "invalid", "hold must be true or false.")
        self.push.hold(hold)
        return json_response({"hold": hold})

    def on_c_push_release(self, request: Request) -> Response:
        return json_response({"notifications": self.push.release()})

    def on_c_mails(self, request: Request) -> Response:
        with self.state.lock:
            return json_response({"mails": list(self.state.mails)})

    def on_c_crashes(self, request: Request) -> Response:
        """The emulator's own failures not taken yet (each answered with a 500); DELETE takes them.
        ``reset`` keeps them: a test that resets the emulator midway still meets its crashes."""
        return json_response({"crashes": self.crashes.read(clear=request.method == "DELETE")})
