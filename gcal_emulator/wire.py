"""HTTP in and out as Google does it: query parameters, JSON bodies and JSON answers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Request, Response

from gcal_engine import recurrence

from .errors import ApiError, bad_request


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data, separators=(",", ":")),
        status=status,
        headers=headers,
        content_type="application/json; charset=UTF-8",
    )


def read_bool(args: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = args.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(f"Invalid boolean value for {name}: {value}", name)


def read_int(args: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    value = args.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {value}", name) from None
    if number < minimum:
        raise bad_request(f"Invalid value for {name}: {value}", name)
    return number


def read_time(args: Mapping[str, str], name: str) -> dt.datetime | None:
    value = args.get(name)
    if value is None:
        return None
    try:
        return recurrence.parse_rfc3339(value)
    except recurrence.RecurrenceError:
        raise bad_request(f"Bad Request: {name} must be an RFC3339 timestamp with a time zone offset.", name) from None


def check_zone(name: Any, location: str) -> None:
    if not isinstance(name, str):
        raise bad_request("A time zone is an IANA name.", location)
    try:
        recurrence.zone(name)
    except recurrence.RecurrenceError as exc:
        raise bad_request(str(exc), location) from exc


def read_object(request: Request) -> dict[str, Any]:
    """A control call's JSON body, which is always an object."""
    body = read_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid", "The body must be a JSON object.")
    return body


def read_body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "parseError", "Parse Error") from None


def bearer(request: Request) -> str | None:
    """The access token: ``Authorization: Bearer``, or the legacy ``access_token`` parameter."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else request.args.get("access_token")


def send_updates(request: Request) -> str | None:
    value = request.args.get("sendUpdates")
    if value is None and "sendNotifications" in request.args:
        value = "all" if request.args["sendNotifications"].lower() == "true" else "none"
    return value
