"""A client for the emulator's ``/_emulator/`` control API, for tests, benchmarks and demos.

Production code never uses this: it talks to the emulator exactly as it talks to Google.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

DEFAULT_SCOPES = (
    "openid",
    "email",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
)


class EmulatorControl:
    def __init__(self, base_url: str, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = session or requests.Session()

    def _call(self, method: str, path: str, json: Any = None, timeout: float = 10) -> Any:
        response = self.http.request(method, f"{self.base_url}/_emulator/{path}", json=json, timeout=timeout)
        if response.status_code >= 400:
            raise RuntimeError(f"emulator control {method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def reset(self) -> None:
        self._call("POST", "reset")

    def add_user(self, email: str, name: str | None = None, time_zone: str = "UTC") -> dict[str, Any]:
        return self._call("POST", "users", {"email": email, "name": name, "time_zone": time_zone})

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        publishing_status: str = "testing",
        test_users: list[str] | None = None,
    ) -> dict[str, Any]:
        return self._call("POST", "clients", {
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": redirect_uris,
            "publishing_status": publishing_status,
            "test_users": test_users or [],
        })

    def consent(self, email: str, decision: str = "allow", scopes: list[str] | None = None) -> None:
        body: dict[str, Any] = {"email": email, "decision": decision}
        if scopes is not None:
            body["scopes"] = scopes
        self._call("POST", "consent", body)

    def requests(self) -> list[dict[str, Any]]:
        return self._call("GET", "requests")["requests"]

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def fault(self, **spec: Any) -> dict[str, Any]:
        return self._call("POST", "faults", spec)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def invalidate_sync_tokens(self, calendar_id: str | None = None) -> None:
        self._call("POST", "sync-tokens/invalidate", {"calendar_id": calendar_id} if calendar_id else {})

    def revoke_tokens(self, email: str) -> int:
        return self._call("POST", "tokens/revoke", {"email": email})["revoked"]

    def advance_clock(self, seconds: float) -> str:
        return self._call("POST", "clock", {"advance_seconds": seconds})["now"]

    def set_quotas(self, per_user_per_minute: int | None = None, per_project_per_minute: int | None = None) -> dict[str, int]:
        """Set the per-minute request limits given (Google's defaults: 600 per user, 10,000 per
        project; ``reset`` restores them); returns the limits now in force."""
        spec = {"per_user_per_minute": per_user_per_minute, "per_project_per_minute": per_project_per_minute}
        return self._call("POST", "quotas", {key: value for key, value in spec.items() if value is not None})

    def quotas(self) -> dict[str, int]:
        return self._call("GET", "quotas")

    def quota_usage(self, clear: bool = False) -> dict[str, Any]:
        """The most requests one user and one project made within a sliding minute, and the
        requests refused over a limit, by reason; ``clear`` then starts counting again."""
        return self._call("DELETE" if clear else "GET", "quotas/usage")

    def set_latency(self, **settings: float) -> dict[str, Any]:
        """Set Google's latency in milliseconds, the settings given (``request_ms``,
        ``batch_part_ms``, ``page_ms``, ``write_ms``; ``gcal_emulator.latency.GOOGLE`` holds
        Google's figures); returns :meth:`latency`."""
        return self._call("POST", "latency", settings)

    def latency(self, waiting: int | None = None, wait: float = 10) -> dict[str, Any]:
        """The latency settings, the answers waiting on them now, the most that waited at once,
        and how many answers waited and how long in all since the settings were last set; with
        ``waiting``, once that many answers wait at once (or ``wait`` seconds passed)."""
        if waiting is None:
            return self._call("GET", "latency")
        return self._call("GET", f"latency?{urlencode({'waiting': waiting, 'wait': wait})}", timeout=wait + 10)

    def set_page_limit(self, page_limit: int | None) -> None:
        """At most ``page_limit`` events a page of events.list (None: as many as asked), as Google
        may answer fewer than maxResults: a test pages through a few events as through thousands."""
        self._call("POST", "pages", {"page_limit": page_limit})

    def clear_latency(self) -> None:
        """Answer at once again (the default); answers waiting are released."""
        self._call("DELETE", "latency")

    def notifications(self, state: str | None = None, count: int = 1, wait: float | None = None) -> list[dict[str, Any]]:
        """Push deliveries; with ``wait``, once ``count`` deliveries of ``state`` are done (or
        ``wait`` seconds passed)."""
        if wait is None:
            return self._call("GET", "notifications")["notifications"]
        query = urlencode({"wait": wait, "count": count, **({"state": state} if state else {})})
        return self._call("GET", f"notifications?{query}", timeout=wait + 10)["notifications"]

    def hold_push(self, hold: bool = True) -> None:
        """Hold push notifications back until ``release_push`` (or deliver them again as they come)."""
        self._call("POST", "push", {"hold": hold})

    def release_push(self) -> list[dict[str, Any]]:
        """Deliver the held notifications now; this call returns once they are answered."""
        return self._call("POST", "push/release", timeout=60)["notifications"]

    def mails(self) -> list[dict[str, Any]]:
        return self._call("GET", "mails")["mails"]

    def crashes(self, clear: bool = False) -> list[str]:
        """The emulator's own failures (method, path and traceback), which it answered with
        Google's 500 ``backendError``; ``clear`` takes them."""
        return self._call("DELETE" if clear else "GET", "crashes")["crashes"]

    def connect(
        self,
        email: str,
        client_id: str = "test-client.apps.googleusercontent.com",
        client_secret: str = "test-secret",
        redirect_uri: str = "http://localhost/callback",
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
    ) -> dict[str, Any]:
        """Create the account and an OAuth client, and run the whole consent flow over HTTP.

        Returns the token endpoint's answer (access and refresh token), as an app would get it.
        """
        self.add_user(email)
        self.add_client(client_id, client_secret, [redirect_uri], test_users=[email])
        self.consent(email)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        answer = self.http.get(
            f"{self.base_url}/o/oauth2/v2/auth",
            params={
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": " ".join(scopes),
                "access_type": "offline",
                "prompt": "consent",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": "connect",
            },
            allow_redirects=False,
            timeout=10,
        )
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
        token = self.http.post(
            f"{self.base_url}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uri": redirect_uri,
            },
            timeout=10,
        )
        token.raise_for_status()
        return token.json() | {"client_id": client_id, "client_secret": client_secret}
