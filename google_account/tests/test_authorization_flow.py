"""The whole OAuth flow over HTTP, as a logged-in user's browser goes through it."""

import time
from urllib.parse import quote

import requests
from gcal_engine.errors import InvalidGrantError

from odoo.tests import tagged

from .common import CLIENT_SECRET, GoogleAccountCase


@tagged("post_install", "-at_install")
class TestAuthorizationFlow(GoogleAccountCase):
    def test_connect_stores_tokens_and_says_which_account_is_connected(self):
        response = self.connect(self.alice, return_url="/odoo/calendar")

        self.assertURLEqual(response.headers["Location"], "/odoo/calendar")
        account = self.account(self.alice)
        self.assertEqual(account.state, "connected")
        self.assertEqual(account.email, "alice@gmail.example")
        self.assertTrue(account.access_token.startswith("ya29."))
        self.assertTrue(account.refresh_token.startswith("1//"))
        self.assertIn("https://www.googleapis.com/auth/calendar.events", account.scopes)
        self.assertTrue(account.refresh_token_expires_at, "testing-mode apps get 7-day refresh tokens")
        self.assertFalse(account.last_error)
        self.assertFalse(self.env["google.oauth.state"].sudo().search([("user_id", "=", self.alice.id)]))

        first_page = self.url_open("/odoo/calendar").text
        self.assertIn("Google Calendar connected as alice@gmail.example", first_page)
        second_page = self.url_open("/odoo/calendar").text
        self.assertNotIn("Google Calendar connected as", second_page, "the message is shown once")

    def test_consent_url_has_signed_state_pkce_offline_access_and_no_secret(self):
        self.login(self.alice)
        authorize_url = self.start_connect()

        query = self.query(authorize_url)
        self.assertEqual(query["client_id"], "odoo-test.apps.googleusercontent.com")
        self.assertEqual(query["redirect_uri"], self.redirect_uri)
        self.assertEqual(query["code_challenge_method"], "S256")
        self.assertEqual((query["access_type"], query["prompt"]), ("offline", "consent"))
        nonce, expiry, signature = query["state"].split(".")
        self.assertGreater(int(expiry), time.time() + 9 * 60)
        self.assertTrue(signature)
        pending = self.env["google.oauth.state"].sudo().search([("nonce", "=", nonce)])
        self.assertEqual(pending.user_id, self.alice)
        self.assertNotIn(pending.code_verifier, authorize_url)
        self.assertNotIn(CLIENT_SECRET, authorize_url)

    def test_anonymous_callback_goes_through_login_and_back(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect())
        self.logout()
        self.opener.cookies.clear()

        response = self.callback(callback_url)
        self.assertEqual(response.status_code, 303)
        login_url = response.headers["Location"]
        self.assertIn("/web/login?redirect=", login_url)
        self.assertNotConnected(self.alice)

        login_page = self.url_open(login_url)
        csrf_token = login_page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        redirect = self.query(login_url)["redirect"]
        logged_in = self.url_open(
            "/web/login",
            data={"login": "ga_alice", "password": "ga_alice_password", "redirect": redirect,
                  "csrf_token": csrf_token},
            allow_redirects=False,
        )
        self.assertEqual(logged_in.status_code, 303, logged_in.text)
        response = self.callback(logged_in.headers["Location"])

        self.assertEqual(response.status_code, 303, response.text)
        self.assertEqual(self.account(self.alice).state, "connected")

    def test_declined_consent_explains_access_denied_and_stores_nothing(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect(), decision="deny")
        self.assertEqual(self.query(callback_url)["error"], "access_denied")

        response = self.callback(callback_url)

        self.assertFailurePage(response, 400, "Error 403: access_denied", "Test users")
        self.assertNotConnected(self.alice)

    def test_google_blocks_accounts_that_are_not_test_users_before_odoo_stores_anything(self):
        self.register_client(test_users=[])
        self.login(self.alice)
        authorize_url = self.start_connect()
        self.google.consent("alice@gmail.example")

        page = requests.get(authorize_url, allow_redirects=False, timeout=10)

        self.assertEqual(page.status_code, 403)
        self.assertIn("access_denied", page.text)
        self.assertNotConnected(self.alice)

    def test_unregistered_redirect_url_is_refused_by_google_and_settings_show_the_url_to_register(self):
        self.set_settings(redirect_uri="https://odoo.example.com/google_account/authentication")
        self.login(self.alice)

        page = requests.get(self.start_connect(), allow_redirects=False, timeout=10)

        self.assertEqual(page.status_code, 400)
        self.assertIn("redirect_uri_mismatch", page.text)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.google_redirect_uri_effective,
                         "https://odoo.example.com/google_account/authentication")
        self.assertNotConnected(self.alice)

    def test_redirect_uri_mismatch_at_the_token_endpoint_names_the_exact_url_to_register(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect())
        self.google.fault(method="POST", path_regex="^/token$", status=400, reason="redirect_uri_mismatch", times=1)

        response = self.callback(callback_url)

        self.assertFailurePage(response, 400, "redirect_uri_mismatch", "Web application", self.redirect_uri)
        self.assertNotConnected(self.alice)

    def test_wrong_client_secret_explains_invalid_client_and_stores_nothing(self):
        self.set_settings(client_secret="GOCSPX-mistyped")
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect())

        response = self.callback(callback_url)

        self.assertFailurePage(response, 400, "invalid_client", "Client ID and Client Secret")
        self.assertNotConnected(self.alice)

    def test_unticked_calendar_scope_explains_what_to_tick_and_stores_nothing(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect(), scopes=["openid", "email"])

        response = self.callback(callback_url)

        self.assertFailurePage(response, 400, "Google Calendar access was not granted", "tick the boxes")
        self.assertNotConnected(self.alice)

    def test_google_unavailable_at_the_token_endpoint_says_to_try_later(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect())
        self.google.fault(method="POST", path_regex="^/token$", status=503, times=1)

        response = self.callback(callback_url)

        self.assertFailurePage(response, 503, "did not answer", "Try again in a few minutes")
        self.assertNotConnected(self.alice)

    def test_callback_without_code_is_refused_and_stores_nothing(self):
        self.login(self.alice)
        state = self.query(self.start_connect())["state"]

        response = self.callback(f"/google_account/authentication?state={quote(state)}")

        self.assertFailurePage(response, 400, "no authorization code")
        self.assertNotConnected(self.alice)

    def test_forged_state_is_refused_and_stores_nothing(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect())
        state = self.query(callback_url)["state"]
        nonce, expiry, signature = state.split(".")
        forged = callback_url.replace(state, f"{nonce}.{int(expiry) + 3600}.{signature}")
        self.assertNotEqual(forged, callback_url)

        for url in (forged, callback_url.replace(state, "not-a-state")):
            self.assertFailurePage(self.callback(url), 400, "could not be verified")
        self.assertNotConnected(self.alice)

    def test_expired_state_is_refused_and_stores_nothing(self):
        self.login(self.alice)
        state = self.query(self.start_connect())["state"]
        nonce = state.split(".")[0]
        expiry = int(time.time()) - 1
        expired = f"{nonce}.{expiry}.{self.env['google.oauth.state']._signature(nonce, self.alice.id, expiry)}"

        response = self.callback(f"/google_account/authentication?state={quote(expired)}&code=4/any")

        self.assertFailurePage(response, 400, "expired", "10 minutes")
        self.assertNotConnected(self.alice)

    def test_replayed_state_is_refused_and_stores_nothing(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect())
        self.assertEqual(self.callback(callback_url).status_code, 303)
        tokens = self.account(self.alice).read(["access_token", "refresh_token"])

        response = self.callback(callback_url)

        self.assertFailurePage(response, 400, "already used")
        self.assertEqual(self.account(self.alice).read(["access_token", "refresh_token"]), tokens)

    def test_other_users_state_is_refused_and_stays_usable_by_its_owner(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect())

        self.login(self.bob)
        response = self.callback(callback_url)
        self.assertFailurePage(response, 400, "started by another Odoo user")
        self.assertNotConnected(self.bob)
        self.assertNotConnected(self.alice)

        self.login(self.alice)
        self.assertEqual(self.callback(callback_url).status_code, 303)
        self.assertEqual(self.account(self.alice).email, "alice@gmail.example")

    def test_return_url_never_leaves_odoo(self):
        foreign = ("https://evil.example/phish", "//evil.example/phish", "/\\evil.example", "javascript:alert(1)")
        for return_url in foreign:
            with self.subTest(return_url=return_url):
                response = self.connect(self.alice, return_url=quote(return_url, safe=""))
                self.assertURLEqual(response.headers["Location"], "/odoo")

    def test_same_host_absolute_return_url_comes_back_as_a_local_path(self):
        response = self.connect(self.alice, return_url=quote(self.base_url() + "/odoo/calendar?view=week", safe=""))

        self.assertURLEqual(response.headers["Location"], "/odoo/calendar?view=week")

    def test_connecting_another_google_account_revokes_the_previous_grant(self):
        self.connect(self.alice, email="alice@gmail.example")
        first_refresh_token = self.account(self.alice).refresh_token

        self.connect(self.alice, email="bob@gmail.example")

        self.assertEqual(self.account(self.alice).email, "bob@gmail.example")
        revoked = self.google.requests()[-1]
        self.assertEqual((revoked["path"], revoked["status"]), ("/revoke", 200))
        with self.assertRaises(InvalidGrantError):
            self.env["google.account"]._oauth_client().refresh(first_refresh_token)

    def test_reconnecting_the_same_account_keeps_one_live_refresh_token(self):
        """Reconnecting left the replaced refresh token working (12 reconnects, 0 revocations).
        It cannot be revoked alone: Google's revocation ends a grant as a whole, every token the
        client was given for the account (each consent's), so revoking the replaced token after
        the new consent is exchanged kills the new one too, and before the exchange it kills the
        consent the person is giving. The emulator does so as Google does (gcal_emulator/oauth.py,
        _end_grant). So Odoo asks for a new refresh token only when it holds no lasting one
        (prompt=consent): Google then gives none to an account that already granted one, and the
        reconnection keeps the token Odoo holds. No second token is ever made. (In Testing mode
        Google's tokens last 7 days: reconnecting then asks for a new one on purpose, and the
        replaced one dies at its own expiry.)"""
        self.register_client(publishing_status="production")
        self.connect(self.alice)
        account = self.account(self.alice)
        held = account.refresh_token
        self.assertFalse(account.refresh_token_expires_at)
        for _attempt in range(3):
            authorize_url = self.start_connect()
            self.assertNotIn("prompt", self.query(authorize_url), "no new consent asked")
            self.assertEqual(self.callback(self.google_consent(authorize_url)).status_code, 303)
            self.env.invalidate_all()
            self.assertEqual((account.state, account.refresh_token), ("connected", held),
                             "Google made no new refresh token: the one held goes on")
        self.assertTrue(self.env["google.account"]._oauth_client().refresh(held).access_token)

        # A connection Google ended meanwhile is a first consent again: a new refresh token.
        self.google.revoke_tokens("alice@gmail.example")
        self.connect(self.alice)
        self.env.invalidate_all()
        self.assertNotEqual(account.refresh_token, held)
        self.assertTrue(self.env["google.account"]._oauth_client().refresh(account.refresh_token).access_token)

    def test_connect_when_google_calendar_is_off_explains_the_setting(self):
        self.set_settings(calendar_enabled="")
        self.login(self.alice)

        response = self.url_open("/google_account/connect")

        self.assertFailurePage(response, 400, "not set up", "Settings &gt; General Settings &gt; Integrations")
