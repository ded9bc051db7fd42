"""The emulator's WSGI application: routing, authorization, faults, the request log, HTTP in and out.

The endpoints themselves are in :mod:`calendar_api` (Google's Calendar API), :mod:`control_api`
(the ``/_emulator/`` control API) and here (OAuth's browser and token endpoints, batch).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from . import batch, calendar_api, control_api
from .calendar_api import CalendarApi
from .control_api import ControlApi
from .crashes import CrashLog
from .errors import ApiError, AuthorizePageError, OAuthError
from .faults import Fault, Faults
from .grants import AccessToken, require_scope
from .latency import Latency
from .oauth import OAuthProvider
from .pages import render_consent_page, render_error_page
from .push import PushService
from .quotas import Quotas
from .state import EmulatorState
from .wire import bearer, json_response, send_updates

_logger = logging.getLogger(__name__)

_OAUTH_PATHS = ("/token", "/o/oauth2/token", "/revoke", "/o/oauth2/revoke", "/v1/userinfo", "/oauth2/v3/userinfo")

URLS = Map(
    [
        *calendar_api.RULES,
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
        *control_api.RULES,
    ],
    strict_slashes=False,
)


class DropConnection(Exception):
    """Raised after a write was applied, to close the connection without an answer."""


class EmulatorApp:
    """WSGI application; one instance owns one emulated Google."""

    def __init__(self, base_url: str = "") -> None:
        self.base_url = base_url
        self.state = EmulatorState()
        self.oauth = OAuthProvider(self.state)
        self.faults = Faults()
        self.crashes = CrashLog()
        self.push = PushService(lambda: self.base_url, self.state.now)
        self.quotas = Quotas(self.state.now)
        self.latency = Latency()
        self.calendar_api = CalendarApi(self.state, self.push, self._access)
        self.control_api = ControlApi(self.state, self.oauth, self.faults, self.push, self.quotas, self.crashes,
                                      self.latency, lambda: self.base_url)
        self._handlers: dict[str, Callable[..., Response]] = {
            name[3:]: getattr(owner, name)
            for owner in (self, self.calendar_api, self.control_api) for name in dir(owner) if name.startswith("on_")
        }
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
        finally:
            self.latency.settle()
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
                "sendUpdates": send_updates(request),
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
                response = self._handlers[endpoint](request, **values)
        except ApiError as exc:
            response = json_response(exc.body(), exc.status, exc.headers)
        except OAuthError as exc:
            response = json_response(exc.body(), exc.status)
        except AuthorizePageError as exc:
            response = Response(render_error_page(exc), status=exc.status, content_type="text/html; charset=utf-8")
        except DropConnection:
            raise
        except HTTPException as exc:
            # Unknown paths and methods: Google answers both with its JSON 404.
            error = ApiError(404, "notFound") if exc.code in (404, 405) else ApiError(exc.code or 500)
            response = json_response(error.body(), error.status)
        except Exception:  # noqa: BLE001 - a bug here must still answer like Google, not with a trace
            _logger.exception("gcal_emulator: unexpected error on %s %s", request.method, path)
            self.crashes.record(request.method, path)
            response = json_response(ApiError(500, "backendError").body(), 500)
        if entry is not None:
            entry["status"] = response.status_code
            self.latency.charge(endpoint, request.method, response.status_code, in_batch)
        for observer in self.observers:
            observer(endpoint, request, response)
        if fault is not None and not failing:
            # A slow or lost answer: the request was applied, the client just does not hear back.
            time.sleep(fault.delay_ms / 1000)
            if fault.drop_response:
                raise DropConnection()
        return response

    def _fault_response(self, path: str, fault: Fault) -> Response:
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if path in _OAUTH_PATHS:
            name = fault.reason or ("server_error" if fault.status >= 500 else "invalid_request")
            return json_response({"error": name, "error_description": fault.message or name}, fault.status, headers)
        error = ApiError(fault.status, fault.reason, fault.message, headers=headers)
        return json_response(error.body(), error.status, headers)

    def _access(self, request: Request, scopes: frozenset[str]) -> AccessToken:
        """The caller's live access token, if it carries one of ``scopes`` (else 401 or 403), and
        the request counted against its user's and its project's quotas (403 over either)."""
        with self.state.lock:
            access = self.oauth.access(bearer(request))
        self.quotas.charge(access.grant.client_id, access.grant.email)
        require_scope(access, scopes)
        return access

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
        return json_response(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def on_revoke(self, request: Request) -> Response:
        token = request.values.get("token", "")
        self.oauth.revoke(token)
        return json_response({})

    def on_userinfo(self, request: Request) -> Response:
        with self.state.lock:
            return json_response(self.oauth.userinfo(bearer(request)))
