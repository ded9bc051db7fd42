"""Every OAuth path and error of the emulator, over HTTP."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from gcal_emulator.control import EmulatorControl

CLIENT = "odoo-client.apps.googleusercontent.com"
SECRET = "s3cret"
REDIRECT = "https://odoo.example.com/google_account/authentication"
ALICE = "alice@example.com"
CAL_EVENTS = "https://www.googleapis.com/auth/calendar.events"
VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")


@pytest.fixture
def google(emulator: EmulatorControl) -> EmulatorControl:
    emulator.add_user(ALICE)
    emulator.add_user("bob@example.com")
    emulator.add_client(CLIENT, SECRET, [REDIRECT], test_users=[ALICE])
    return emulator


def authorize(google: EmulatorControl, path: str = "/o/oauth2/v2/auth", **overrides: str) -> requests.Response:
    params = {
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": f"openid email {CAL_EVENTS}",
        "access_type": "offline",
        "prompt": "consent",
        "state": "signed-state",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return requests.get(google.base_url + path, params={k: v for k, v in params.items() if v is not None},
                        allow_redirects=False, timeout=10)


def redirect_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def code_for(google: EmulatorControl, email: str = ALICE, **overrides: str) -> str:
    google.consent(email)
    return redirect_params(authorize(google, **overrides))["code"]


def exchange(google: EmulatorControl, code: str, path: str = "/token", **overrides: str | None) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT,
        "client_secret": SECRET,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
    }
    data.update(overrides)
    return requests.post(google.base_url + path, data={k: v for k, v in data.items() if v is not None}, timeout=10)


def refresh(google: EmulatorControl, refresh_token: str) -> requests.Response:
    return requests.post(google.base_url + "/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT, "client_secret": SECRET,
    }, timeout=10)


def events(google: EmulatorControl, access_token: str) -> requests.Response:
    return requests.get(f"{google.base_url}/calendar/v3/calendars/primary/events",
                        headers={"Authorization": f"Bearer {access_token}"}, timeout=10)


def oauth_error(response: requests.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["error_description"]


def connected(google: EmulatorControl) -> dict[str, Any]:
    answer = exchange(google, code_for(google))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_consent_page_then_allow_redirects_back_with_a_code_and_the_state(google: EmulatorControl) -> None:
    page = authorize(google)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Odoo" in page.text and 'id="allow"' in page.text and "View and edit events" in page.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    decision = requests.post(f"{google.base_url}/o/oauth2/v2/auth/decision", data={
        "request_id": request_id, "email": ALICE, "decision": "allow", "scope": CAL_EVENTS,
    }, allow_redirects=False, timeout=10)
    params = redirect_params(decision)
    assert params["state"] == "signed-state" and params["code"].startswith("4/")
    assert CAL_EVENTS in params["scope"].split()


def test_declining_redirects_back_with_access_denied(google: EmulatorControl) -> None:
    page = authorize(google)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    decision = requests.post(f"{google.base_url}/o/oauth2/v2/auth/decision", data={
        "request_id": request_id, "email": ALICE, "decision": "deny"}, allow_redirects=False, timeout=10)
    assert redirect_params(decision) == {"error": "access_denied", "state": "signed-state"}


def test_a_deny_queued_through_the_control_api_redirects_back_with_access_denied(google: EmulatorControl) -> None:
    google.consent(ALICE, decision="deny")
    assert redirect_params(authorize(google)) == {"error": "access_denied", "state": "signed-state"}
    assert authorize(google).status_code == 200, "a queued decision is used once; then the page shows again"


def test_an_account_that_is_not_a_test_user_is_blocked_with_access_denied(google: EmulatorControl) -> None:
    google.consent("bob@example.com")
    blocked = authorize(google)
    assert blocked.status_code == 403 and "Location" not in blocked.headers
    assert "Error 403: access_denied" in blocked.text
    google.add_client("prod-client", SECRET, [REDIRECT], publishing_status="production")
    google.consent("bob@example.com")
    assert "code" in redirect_params(authorize(google, client_id="prod-client"))


def test_an_unregistered_redirect_uri_is_shown_as_redirect_uri_mismatch(google: EmulatorControl) -> None:
    page = authorize(google, redirect_uri="http://odoo.example.com/google_account/authentication")
    assert page.status_code == 400 and "Location" not in page.headers
    assert "Error 400: redirect_uri_mismatch" in page.text
    assert "redirect_uri=http://odoo.example.com/google_account/authentication" in page.text


def test_an_unknown_client_is_invalid_client(google: EmulatorControl) -> None:
    page = authorize(google, client_id="nobody.apps.googleusercontent.com")
    assert page.status_code == 401 and "Error 401: invalid_client" in page.text


def test_authorize_requires_a_scope_and_response_type_code(google: EmulatorControl) -> None:
    assert "invalid_request" in authorize(google, scope="").text
    assert "unsupported_response_type" in authorize(google, response_type="token").text


def test_code_exchange_checks_the_pkce_verifier(google: EmulatorControl) -> None:
    assert oauth_error(exchange(google, code_for(google), code_verifier=None)) == (
        400, "invalid_grant", "Missing code verifier.")
    assert oauth_error(exchange(google, code_for(google), code_verifier="w" * 64)) == (
        400, "invalid_grant", "Invalid code verifier.")
    token = exchange(google, code_for(google)).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3599
    assert token["refresh_token"].startswith("1//") and token["refresh_token_expires_in"] == 7 * 86400
    assert events(google, token["access_token"]).status_code == 200


def test_a_code_is_single_use_and_expires(google: EmulatorControl) -> None:
    code = code_for(google)
    assert exchange(google, code).status_code == 200
    assert oauth_error(exchange(google, code))[:2] == (400, "invalid_grant")
    late = code_for(google)
    google.advance_clock(601)
    assert oauth_error(exchange(google, late))[:2] == (400, "invalid_grant")


def test_exchange_with_another_redirect_uri_is_redirect_uri_mismatch(google: EmulatorControl) -> None:
    answer = exchange(google, code_for(google), redirect_uri="https://elsewhere.example.com/cb")
    assert oauth_error(answer)[:2] == (400, "redirect_uri_mismatch")


def test_wrong_client_credentials_are_invalid_client(google: EmulatorControl) -> None:
    assert oauth_error(exchange(google, code_for(google), client_secret="wrong")) == (401, "invalid_client", "Unauthorized")
    assert oauth_error(exchange(google, code_for(google), client_id="nobody")) == (
        401, "invalid_client", "The OAuth client was not found.")


def test_client_credentials_may_come_as_http_basic(google: EmulatorControl) -> None:
    answer = requests.post(google.base_url + "/token", auth=(CLIENT, SECRET), data={
        "grant_type": "authorization_code", "code": code_for(google), "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER}, timeout=10)
    assert answer.status_code == 200


def test_refresh_tokens_come_only_with_offline_access_and_consent(google: EmulatorControl) -> None:
    assert "refresh_token" in exchange(google, code_for(google, prompt=None)).json(), "first consent gives one"
    assert "refresh_token" not in exchange(google, code_for(google, prompt=None)).json(), "later ones do not"
    assert "refresh_token" in exchange(google, code_for(google)).json(), "prompt=consent always does"
    assert "refresh_token" not in exchange(google, code_for(google, access_type="online")).json()


def test_an_access_token_expires_after_an_hour_and_a_refresh_replaces_it(google: EmulatorControl) -> None:
    token = connected(google)
    google.advance_clock(3600)
    expired = events(google, token["access_token"])
    assert expired.status_code == 401 and expired.json()["error"]["errors"][0]["reason"] == "authError"
    fresh = refresh(google, token["refresh_token"])
    assert fresh.status_code == 200 and "refresh_token" not in fresh.json()
    assert events(google, fresh.json()["access_token"]).status_code == 200


def test_revoking_the_account_makes_refresh_invalid_grant(google: EmulatorControl) -> None:
    token = connected(google)
    assert google.revoke_tokens(ALICE) == 1
    assert oauth_error(refresh(google, token["refresh_token"])) == (400, "invalid_grant", "Token has been expired or revoked.")
    assert events(google, token["access_token"]).status_code == 401


def test_the_revoke_endpoint_ends_the_grant(google: EmulatorControl) -> None:
    token = connected(google)
    assert requests.post(google.base_url + "/revoke", data={"token": token["refresh_token"]}, timeout=10).status_code == 200
    assert oauth_error(refresh(google, token["refresh_token"]))[:2] == (400, "invalid_grant")
    assert events(google, token["access_token"]).status_code == 401
    again = requests.post(google.base_url + "/revoke", params={"token": token["refresh_token"]}, timeout=10)
    assert oauth_error(again)[:2] == (400, "invalid_token")


@pytest.mark.parametrize("revoked", ["the older refresh token", "the newer access token", "the account"])
def test_a_revocation_ends_the_whole_grant_and_the_next_consent_gives_a_refresh_token(
        google: EmulatorControl, revoked: str) -> None:
    """As Google: a grant is a client's access to an account, whatever the consents that made it.
    Revoking any token of it ends every token of it (a refresh token replaced by a later
    consent cannot be revoked alone); the next authorization is a first consent again."""
    older = exchange(google, code_for(google)).json()
    newer = exchange(google, code_for(google)).json()
    google.add_client("other-client", SECRET, [REDIRECT], test_users=[ALICE])
    google.consent(ALICE)
    other = exchange(google, redirect_params(authorize(google, client_id="other-client"))["code"],
                     client_id="other-client").json()
    if revoked == "the account":
        assert google.revoke_tokens(ALICE) == 3
    else:
        token = older["refresh_token"] if revoked == "the older refresh token" else newer["access_token"]
        assert requests.post(google.base_url + "/revoke", data={"token": token}, timeout=10).status_code == 200
    for token in (older, newer):
        assert oauth_error(refresh(google, token["refresh_token"]))[:2] == (400, "invalid_grant")
        assert events(google, token["access_token"]).status_code == 401
    other_alive = events(google, other["access_token"]).status_code == 200
    assert other_alive is (revoked != "the account"), "another client's grant is another grant"
    assert "refresh_token" in exchange(google, code_for(google, prompt=None)).json(), "consent is asked again"


def test_testing_mode_refresh_tokens_die_after_seven_days(google: EmulatorControl) -> None:
    testing = connected(google)
    google.add_client("prod-client", SECRET, [REDIRECT], publishing_status="production")
    google.consent(ALICE)
    prod_code = redirect_params(authorize(google, client_id="prod-client"))["code"]
    production = exchange(google, prod_code, client_id="prod-client").json()
    assert "refresh_token_expires_in" not in production
    google.advance_clock(7 * 86400)
    assert oauth_error(refresh(google, testing["refresh_token"]))[:2] == (400, "invalid_grant")
    answer = requests.post(google.base_url + "/token", data={
        "grant_type": "refresh_token", "refresh_token": production["refresh_token"],
        "client_id": "prod-client", "client_secret": SECRET}, timeout=10)
    assert answer.status_code == 200


def test_userinfo_names_the_connected_account(google: EmulatorControl) -> None:
    token = connected(google)
    info = requests.get(google.base_url + "/v1/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"},
                        timeout=10).json()
    assert info["email"] == ALICE and info["email_verified"] is True and info["sub"]
    bad = requests.get(google.base_url + "/v1/userinfo", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert oauth_error(bad)[:2] == (401, "invalid_request")


def test_legacy_endpoints_and_the_access_token_query_parameter(google: EmulatorControl) -> None:
    google.consent(ALICE)
    code = redirect_params(authorize(google, path="/o/oauth2/auth", prompt=None, approval_prompt="force"))["code"]
    token = exchange(google, code, path="/o/oauth2/token").json()
    assert "refresh_token" in token
    answer = requests.get(f"{google.base_url}/calendar/v3/calendars/primary/events",
                          params={"access_token": token["access_token"]}, timeout=10)
    assert answer.status_code == 200
    logged = [r for r in google.requests() if r["path"].endswith("/events")][-1]
    assert logged["query"]["access_token"] == "***", "the request log never shows a token"


def test_without_the_calendar_scope_the_api_answers_403_insufficient_permissions(google: EmulatorControl) -> None:
    google.consent(ALICE, scopes=[])
    params = redirect_params(authorize(google))
    assert CAL_EVENTS not in params["scope"].split()
    token = exchange(google, params["code"]).json()
    answer = events(google, token["access_token"])
    assert answer.status_code == 403
    assert answer.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"


def test_include_granted_scopes_adds_what_was_granted_before(google: EmulatorControl) -> None:
    google.consent(ALICE)
    redirect_params(authorize(google, scope=f"openid {CAL_EVENTS}"))
    google.consent(ALICE)
    later = redirect_params(authorize(google, scope="openid email", include_granted_scopes="true"))
    assert CAL_EVENTS in later["scope"].split()
