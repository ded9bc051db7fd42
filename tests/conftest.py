"""Fixtures shared by every suite: one emulator on 127.0.0.1 for the session, reset per test,
with every request and response it handles checked against Google's discovery document, and
any failure of its own (which it answers with a 500, as Google does) failing the test.

``GCAL_CLOCK_SHIFT_DAYS=N`` runs the whole session N days (negative: back) from today, its clock
ticking (freezegun): no test may depend on the date it runs on.

The property tests (Hypothesis) draw the same examples at every run, so that a run passes or
fails on the code alone; ``GCAL_PROPERTY_EXAMPLES=N`` draws N new ones (a long run, which finds
what the fixed ones do not, and shrinks it)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from gcal_emulator import EmulatorServer
from gcal_emulator.control import EmulatorControl
from tests import discovery

settings.register_profile("fixed", derandomize=True)
settings.register_profile("long", print_blob=True)
settings.load_profile("long" if "GCAL_PROPERTY_EXAMPLES" in os.environ else "fixed")

# endpoint -> {method: (request schema, response schema)}
SCHEMAS: dict[str, dict[str, tuple[str | None, str | None]]] = {
    "events": {"GET": (None, "Events"), "POST": ("Event", "Event")},
    "import": {"POST": ("Event", "Event")},
    "event": {"GET": (None, "Event"), "PUT": ("Event", "Event"), "PATCH": ("Event", "Event"), "DELETE": (None, None)},
    "instances": {"GET": (None, "Events")},
    "watch": {"POST": ("Channel", "Channel")},
    "channels_stop": {"POST": ("Channel", None)},
    "calendars": {"POST": ("Calendar", "Calendar")},
    "calendar": {"GET": (None, "Calendar"), "DELETE": (None, None)},
    "calendar_list": {"GET": (None, "CalendarList")},
    "calendar_list_entry": {"GET": (None, "CalendarListEntry")},
    "colors": {"GET": (None, "Colors")},
}
TOKEN_KEYS = {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in", "scope", "token_type", "id_token"}


class ContractChecker:
    """Collects every departure from Google's published contract seen by the emulator."""

    def __init__(self) -> None:
        self.enabled = True
        self.check_requests = True
        self.violations: list[str] = []
        self.checked = 0
        self._lock = threading.Lock()

    def __call__(self, endpoint: str | None, request: Any, response: Any) -> None:
        if not self.enabled:
            return
        found: list[str] = []
        status = response.status_code
        body = _json(response.get_data()) if "json" in response.headers.get("Content-Type", "") else None
        if endpoint in SCHEMAS or endpoint is None and request.path.startswith("/calendar/v3"):
            request_schema, response_schema = SCHEMAS.get(endpoint, {}).get(request.method, (None, None))
            if self.check_requests and request_schema and request.get_data():
                sent = _json(request.get_data())
                if isinstance(sent, dict):
                    found += discovery.violations(request_schema, sent, nulls=request.method == "PATCH")
                else:
                    found.append("request: not a JSON object")
            if status >= 400:
                found += discovery.error_violations(body)
            elif response_schema and status != 304:
                found += discovery.violations(response_schema, body)
        elif endpoint == "token" and status == 200:
            unknown = set(body) - TOKEN_KEYS
            if unknown or body.get("token_type") != "Bearer":
                found.append(f"token response: unexpected {sorted(unknown)} or token_type")
        elif endpoint in ("token", "revoke", "userinfo") and status >= 400:
            if set(body or {}) != {"error", "error_description"}:
                found.append(f"OAuth error body: {body!r}")
        with self._lock:
            self.checked += 1
            self.violations += [f"{request.method} {request.path} -> {status}: {v}" for v in found]


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


def pytest_configure(config: pytest.Config) -> None:
    days = os.environ.get("GCAL_CLOCK_SHIFT_DAYS")
    if days:
        from freezegun import freeze_time  # pylint: disable=import-outside-toplevel

        shifted = freeze_time(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=int(days)), tick=True)
        shifted.start()
        config.add_cleanup(shifted.stop)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    with EmulatorServer("127.0.0.1", 0) as server:
        yield server


@pytest.fixture
def contract(emulator_server: EmulatorServer) -> Iterator[ContractChecker]:
    checker = ContractChecker()
    emulator_server.app.observers.append(checker)
    yield checker
    emulator_server.app.observers.remove(checker)
    assert not checker.violations, "\n".join(checker.violations)


@pytest.fixture
def no_emulator_crash(emulator_server: EmulatorServer) -> Iterator[None]:
    """Fails the test during which the emulator met a bug of its own: it answers it with Google's
    500 backendError, which clients retry, so the test itself would not notice."""
    yield
    crashes = emulator_server.app.crashes.read(clear=True)
    assert not crashes, "the emulator failed while answering:\n" + "\n".join(crashes)


@pytest.fixture
def emulator(emulator_server: EmulatorServer, contract: ContractChecker, no_emulator_crash: None) -> EmulatorControl:
    """The emulator's control client, on a freshly reset emulator."""
    control = EmulatorControl(emulator_server.base_url)
    control.reset()
    return control
