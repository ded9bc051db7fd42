"""The emulator suite's fixtures: Google's own client library and plain HTTP pointed at the emulator, and a
webhook receiver for push notifications."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from gcal_emulator.control import DEFAULT_SCOPES, EmulatorControl

ALICE = "alice@example.com"


def credentials(base_url: str, token: dict[str, Any]) -> Credentials:
    return Credentials(
        token=token["access_token"],
        refresh_token=token.get("refresh_token"),
        token_uri=f"{base_url}/token",
        client_id=token["client_id"],
        client_secret=token["client_secret"],
    )


@pytest.fixture
def alice_token(emulator: EmulatorControl) -> dict[str, Any]:
    return emulator.connect(ALICE, scopes=(*DEFAULT_SCOPES, "https://www.googleapis.com/auth/calendar"))


@pytest.fixture
def service(emulator: EmulatorControl, alice_token: dict[str, Any]) -> Any:
    """A googleapiclient Calendar v3 service for alice, from the discovery document it ships."""
    return build(
        "calendar",
        "v3",
        credentials=credentials(emulator.base_url, alice_token),
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": f"{emulator.base_url}/calendar/v3/"},
    )


class Api:
    """Plain HTTP against the Calendar API paths, for what the client library hides (headers, raw errors)."""

    def __init__(self, base_url: str, access_token: str) -> None:
        self.base = f"{base_url}/calendar/v3"
        self.root = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {access_token}"

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.base + path, **kwargs)

    def insert(self, body: dict[str, Any], **params: Any) -> dict[str, Any]:
        answer = self("POST", "/calendars/primary/events", json=body, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def batch(self, calls: list[tuple[str, str, dict[str, Any] | None]]) -> requests.Response:
        """One multipart/mixed batch of (method, path under /calendar/v3, JSON body or None) calls."""
        boundary = "batch_boundary"
        chunks = []
        for number, (method, path, body) in enumerate(calls, 1):
            head = f"{method} /calendar/v3{path}\r\n"
            payload = ""
            if body is not None:
                head += "Content-Type: application/json\r\n"
                payload = json.dumps(body)
            chunks.append(f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <{number}>\r\n\r\n"
                          f"{head}\r\n{payload}\r\n")
        return self.session.post(f"{self.root}/batch/calendar/v3", data="".join(chunks) + f"--{boundary}--",
                                 headers={"Content-Type": f"multipart/mixed; boundary={boundary}"}, timeout=10)


def error_reason(answer: requests.Response) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["errors"][0]["reason"]


@pytest.fixture
def api(emulator: EmulatorControl, alice_token: dict[str, Any]) -> Api:
    return Api(emulator.base_url, alice_token["access_token"])


class Receiver:
    """A local webhook endpoint that queues the push notifications it receives."""

    def __init__(self) -> None:
        self.received: queue.Queue[dict[str, str]] = queue.Queue()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.port}/google_calendar/notify"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.received.put({k: v for k, v in request.headers.items() if k.lower().startswith("x-goog-")} | {"body": request.get_data().decode()})
        return Response(status=200)(environ, start_response)

    def next(self) -> dict[str, str]:
        return self.received.get(timeout=10)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver._thread.start()
    yield receiver
    receiver._server.shutdown()
    receiver._server.server_close()
