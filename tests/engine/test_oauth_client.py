"""The engine's OAuth client against the emulator's OAuth server: every path, every error."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from gcal_emulator.control import EmulatorControl
from gcal_engine import errors
from gcal_engine.endpoints import Endpoints
from gcal_engine.oauth import CALENDAR_EVENTS, DEFAULT_SCOPES, OAuthClient, OAuthConfig, Pkce, error_from_callback

REDIRECT = "https://odoo.example.com/google_account/authentication"


@pytest.fixture
def oauth(emulator: EmulatorControl) -> OAuthClient:
    emulator.add_user("alice@example.com")
    emulator.add_client("cid", "secret", [REDIRECT], test_users=["alice@example.com"])
    return OAuthClient(OAuthConfig("cid", "secret", REDIRECT, Endpoints.from_base_url(emulator.base_url)))


def code(emulator: EmulatorControl, oauth: OAuthClient, pkce: Pkce, scopes: list[str] | None = None) -> str:
    emulator.consent("alice@example.com", scopes=scopes)
    answer = requests.get(oauth.authorization_url("state-1", pkce.challenge), allow_redirects=False, timeout=10)
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def test_the_authorization_url_asks_for_offline_access_with_pkce_and_narrow_scopes(oauth: OAuthClient) -> None:
    url = oauth.authorization_url("signed-state", "challenge", login_hint="alice@example.com")
    assert url.startswith(oauth.config.endpoints.authorize + "?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params == {
        "client_id": "cid", "redirect_uri": REDIRECT, "response_type": "code", "scope": " ".join(DEFAULT_SCOPES),
        "state": "signed-state", "access_type": "offline", "prompt": "consent", "include_granted_scopes": "true",
        "code_challenge": "challenge", "code_challenge_method": "S256", "login_hint": "alice@example.com",
    }
    assert "https://www.googleapis.com/auth/calendar" not in params["scope"].split(), "no full calendar scope"


def test_code_exchange_refresh_userinfo_and_revoke(emulator: EmulatorControl, oauth: OAuthClient) -> None:
    pkce = Pkce.new()
    grant = oauth.exchange_code(code(emulator, oauth, pkce), pkce.verifier)
    assert grant.refresh_token and grant.has_scope(CALENDAR_EVENTS) and grant.refresh_expires_at
    assert oauth.userinfo(grant.access_token)["email"] == "alice@example.com"
    refreshed = oauth.refresh(grant.refresh_token)
    assert refreshed.access_token != grant.access_token and refreshed.refresh_token == grant.refresh_token
    oauth.revoke(grant.refresh_token)
    oauth.revoke(grant.refresh_token)  # already revoked: nothing left to do
    with pytest.raises(errors.InvalidGrantError):
        oauth.refresh(grant.refresh_token)


def test_a_wrong_verifier_is_invalid_grant(emulator: EmulatorControl, oauth: OAuthClient) -> None:
    with pytest.raises(errors.InvalidGrantError):
        oauth.exchange_code(code(emulator, oauth, Pkce.new()), Pkce.new().verifier)


def test_a_wrong_secret_is_invalid_client(emulator: EmulatorControl, oauth: OAuthClient) -> None:
    pkce = Pkce.new()
    wrong = OAuthClient(OAuthConfig("cid", "wrong", REDIRECT, oauth.config.endpoints))
    with pytest.raises(errors.InvalidClientError) as error:
        wrong.exchange_code(code(emulator, oauth, pkce), pkce.verifier)
    assert error.value.code == "invalid_client"


def test_a_different_redirect_uri_is_redirect_uri_mismatch_with_the_url(emulator: EmulatorControl, oauth: OAuthClient) -> None:
    emulator.add_client("cid2", "secret", [REDIRECT, "http://other.example.com/cb"], test_users=["alice@example.com"])
    first = OAuthClient(OAuthConfig("cid2", "secret", REDIRECT, oauth.config.endpoints))
    other = OAuthClient(OAuthConfig("cid2", "secret", "http://other.example.com/cb", oauth.config.endpoints))
    pkce = Pkce.new()
    with pytest.raises(errors.RedirectUriMismatchError) as error:
        other.exchange_code(code(emulator, first, pkce), pkce.verifier)
    assert error.value.code == "redirect_uri_mismatch" and error.value.redirect_uri == "http://other.example.com/cb"


def test_an_unticked_calendar_scope_is_reported(emulator: EmulatorControl, oauth: OAuthClient) -> None:
    pkce = Pkce.new()
    with pytest.raises(errors.ScopeNotGrantedError):
        oauth.exchange_code(code(emulator, oauth, pkce, scopes=[]), pkce.verifier)


def test_token_endpoint_outages_are_transient(emulator: EmulatorControl, oauth: OAuthClient) -> None:
    emulator.fault(path_regex="^/token$", status=503)
    with pytest.raises(errors.OAuthTransientError) as error:
        oauth.refresh("1//whatever")
    assert error.value.retryable


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("access_denied", errors.AccessDeniedError),
        ("redirect_uri_mismatch", errors.RedirectUriMismatchError),
        ("invalid_client", errors.InvalidClientError),
        ("invalid_grant", errors.InvalidGrantError),
    ],
)
def test_callback_errors_are_typed_with_their_code(error: str, expected: type) -> None:
    typed = error_from_callback(error, "", REDIRECT)
    assert isinstance(typed, expected) and typed.code == error and typed.ends_run


def test_an_oauth_error_of_no_class_keeps_the_engines_code_and_says_googles() -> None:
    """``code`` is the engine's on every error: Google's own word for it is ``error``."""
    typed = error_from_callback("interaction_required", "Sign in again", REDIRECT)
    assert (type(typed), typed.code, typed.error) == (errors.OAuthError, "oauth_error", "interaction_required")
    assert str(typed) == "interaction_required: Sign in again"


def test_pkce_pairs_are_s256_and_fresh() -> None:
    first, second = Pkce.new(), Pkce.new()
    assert first.verifier != second.verifier and 43 <= len(first.verifier) <= 128
    digest = base64.urlsafe_b64encode(hashlib.sha256(first.verifier.encode()).digest()).decode().rstrip("=")
    assert first.challenge == digest
