"""Google's own client library, pointed at the emulator."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

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


def error_reason(answer: requests.Response) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["errors"][0]["reason"]


@pytest.fixture
def api(emulator: EmulatorControl, alice_token: dict[str, Any]) -> Api:
    return Api(emulator.base_url, alice_token["access_token"])
