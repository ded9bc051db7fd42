"""Google OAuth 2.0 for a web server: authorize URL with PKCE, code exchange, refresh, revoke.

Three plain HTTP calls; google-auth's ``Credentials`` then carries the tokens into API calls.
Every failure becomes a typed :class:`~gcal_engine.errors.OAuthError` whose ``code`` says what
went wrong (access_denied, redirect_uri_mismatch, invalid_client, invalid_grant...).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from google.oauth2.credentials import Credentials

from .endpoints import Endpoints
from .errors import (
    AccessDeniedError,
    InvalidClientError,
    InvalidGrantError,
    OAuthError,
    OAuthTransientError,
    RedirectUriMismatchError,
    ScopeNotGrantedError,
)

UTC = dt.timezone.utc
CALENDAR_EVENTS = "https://www.googleapis.com/auth/calendar.events"
CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
# The narrowest scopes that do the job: events on the user's calendars, the list of calendars
# to choose from, and the email of the connected account.
DEFAULT_SCOPES = ("openid", "email", CALENDAR_EVENTS, CALENDAR_LIST)


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        """A fresh S256 pair; the verifier stays on the server until the code comes back."""
        verifier = secrets.token_urlsafe(64)[:96]
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).decode("ascii").rstrip("="))


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_at: dt.datetime
    scopes: tuple[str, ...]
    refresh_token: str | None = None
    refresh_expires_at: dt.datetime | None = None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class OAuthConfig:
    client_id: str
    client_secret: str
    redirect_uri: str
    endpoints: Endpoints = Endpoints.google()
    scopes: Sequence[str] = DEFAULT_SCOPES
    timeout: float = 20.0


def error_from_callback(error: str, description: str = "", redirect_uri: str | None = None) -> OAuthError:
    """The typed error for ``?error=...`` on the redirect back from Google's consent page."""
    return _typed(error, description, redirect_uri)


def _typed(error: str, description: str, redirect_uri: str | None = None) -> OAuthError:
    if error == "access_denied":
        return AccessDeniedError(description)
    if error == "redirect_uri_mismatch":
        return RedirectUriMismatchError(description, redirect_uri=redirect_uri)
    if error in ("invalid_client", "unauthorized_client"):
        return InvalidClientError(description)
    if error == "invalid_grant":
        return InvalidGrantError(description)
    if error in ("server_error", "temporarily_unavailable", "internal_failure"):
        return OAuthTransientError(description)
    return OAuthError(description, error=error or "oauth_error")


class OAuthClient:
    def __init__(self, config: OAuthConfig, http: requests.Session | None = None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(UTC)) -> None:
        self.config = config
        self.http = http or requests.Session()
        self.clock = clock

    def authorization_url(self, state: str, code_challenge: str, login_hint: str | None = None,
                          consent: bool = True) -> str:
        """Google's consent page. With ``consent`` Google asks again and answers with a new
        refresh token; without, it gives one only to an account that granted none yet (a
        reconnection then keeps the refresh token the application holds)."""
        params = {
            "client_id": self.config.client_id,
            "redirect_uri": self.config.redirect_uri,
            "response_type": "code",
            "scope": " ".join(self.config.scopes),
            "state": state,
            "access_type": "offline",
            "include_granted_scopes": "true",
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        if consent:
            params["prompt"] = "consent"
        if login_hint:
            params["login_hint"] = login_hint
        return f"{self.config.endpoints.authorize}?{urlencode(params)}"

    def exchange_code(self, code: str, code_verifier: str) -> TokenGrant:
        grant = self._token({
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "redirect_uri": self.config.redirect_uri,
        })
        if CALENDAR_EVENTS not in grant.scopes and "https://www.googleapis.com/auth/calendar" not in grant.scopes:
            raise ScopeNotGrantedError("the calendar scope was not granted")
        return grant

    def refresh(self, refresh_token: str) -> TokenGrant:
        grant = self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})
        return TokenGrant(grant.access_token, grant.expires_at, grant.scopes, grant.refresh_token or refresh_token,
                          grant.refresh_expires_at)

    def _token(self, form: dict[str, str]) -> TokenGrant:
        form = form | {"client_id": self.config.client_id, "client_secret": self.config.client_secret}
        try:
            response = self.http.post(self.config.endpoints.token, data=form, timeout=self.config.timeout)
        except requests.RequestException as exc:
            raise OAuthTransientError(type(exc).__name__) from exc
        body = _json(response)
        if response.status_code >= 500:
            raise OAuthTransientError(str(body.get("error_description") or response.status_code))
        if response.status_code >= 400 or "access_token" not in body:
            raise _typed(str(body.get("error") or "oauth_error"), str(body.get("error_description") or ""),
                         self.config.redirect_uri)
        now = self.clock()
        refresh_in = body.get("refresh_token_expires_in")
        return TokenGrant(
            access_token=body["access_token"],
            expires_at=now + dt.timedelta(seconds=int(body.get("expires_in", 3600))),
            scopes=tuple(str(body.get("scope", "")).split()),
            refresh_token=body.get("refresh_token"),
            refresh_expires_at=now + dt.timedelta(seconds=int(refresh_in)) if refresh_in else None,
        )

    def revoke(self, token: str) -> None:
        """End the grant at Google; a token Google no longer knows counts as revoked."""
        try:
            response = self.http.post(self.config.endpoints.revoke, data={"token": token}, timeout=self.config.timeout)
        except requests.RequestException as exc:
            raise OAuthTransientError(type(exc).__name__) from exc
        if response.status_code >= 500:
            raise OAuthTransientError(f"revoke answered {response.status_code}")
        if response.status_code >= 400 and _json(response).get("error") not in ("invalid_token", "invalid_request"):
            raise _typed(str(_json(response).get("error")), str(_json(response).get("error_description", "")))

    def userinfo(self, access_token: str) -> dict[str, Any]:
        try:
            response = self.http.get(self.config.endpoints.userinfo, headers={"Authorization": f"Bearer {access_token}"},
                                     timeout=self.config.timeout)
        except requests.RequestException as exc:
            raise OAuthTransientError(type(exc).__name__) from exc
        body = _json(response)
        if response.status_code >= 400:
            raise _typed(str(body.get("error") or "invalid_request"), str(body.get("error_description") or ""))
        return body

    def credentials(self, access_token: str | None, expires_at: dt.datetime | None, refresh_token: str | None) -> Credentials:
        """google-auth credentials that refresh themselves against this client's token endpoint."""
        expiry = expires_at.astimezone(UTC).replace(tzinfo=None) if expires_at else None
        return Credentials(
            token=access_token,
            refresh_token=refresh_token,
            token_uri=self.config.endpoints.token,
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            expiry=expiry,
        )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
