"""The API other addons call: fresh access tokens, refresh, lost grants, revocation."""

import requests
from gcal_engine.transport import GoogleSession

from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from ..exceptions import GoogleAccountError, GoogleReconnectRequired, GoogleTemporaryError
from .common import GoogleAccountCase


@tagged("post_install", "-at_install")
class TestAccessTokens(GoogleAccountCase):
    def setUp(self):
        super().setUp()
        self.connect(self.alice)
        self.google.clear_requests()
        self.account_alice = self.env["google.account"]._for_user(self.alice)

    def token_requests(self):
        return [r for r in self.google.requests() if r["path"] == "/token"]

    def userinfo_status(self, token):
        url = self.emulator.base_url + "/v1/userinfo"
        return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code

    def test_valid_token_is_returned_without_asking_google(self):
        token = self.account_alice._get_access_token()

        self.assertEqual(token, self.account_alice.access_token)
        self.assertEqual(self.token_requests(), [])

    def test_expiring_token_is_refreshed_and_saved(self):
        old_token = self.account_alice.access_token
        self.expire_access_token(self.account_alice)
        self.assertEqual(self.userinfo_status(old_token), 401)

        token = self.account_alice._get_access_token()

        self.assertNotEqual(token, old_token)
        self.assertEqual(self.account_alice.access_token, token)
        self.assertEqual(self.userinfo_status(token), 200)
        self.assertEqual(len(self.token_requests()), 1)

    def test_revoked_grant_needs_reconnection_and_tells_the_user_why(self):
        self.google.revoke_tokens("alice@gmail.example")
        self.expire_access_token(self.account_alice)

        error = self.catch(GoogleReconnectRequired, self.account_alice._get_access_token)

        self.assertIn("invalid_grant", error.cause)
        self.assertEqual(self.account_alice.state, "needs_reconnect")
        self.assertFalse(self.account_alice.refresh_token or self.account_alice.access_token)
        alice_view = self.alice.with_user(self.alice)
        self.assertEqual(alice_view.google_account_state, "needs_reconnect")
        self.assertIn("Reconnect Google Calendar", alice_view.google_account_last_error)

    def test_testing_mode_connection_ends_after_seven_days_and_asks_to_publish(self):
        self.google.advance_clock(7 * 24 * 3600 + 1)
        self.expire_access_token(self.account_alice)

        self.catch(GoogleReconnectRequired, self.account_alice._get_access_token)

        self.assertEqual(self.account_alice.state, "needs_reconnect")
        self.assertIn("publish the app", self.account_alice.last_error)

    def test_google_unavailable_is_a_retryable_error_that_keeps_the_connection(self):
        self.expire_access_token(self.account_alice)
        self.google.fault(method="POST", path_regex="^/token$", status=503, times=1)

        error = self.catch(GoogleTemporaryError, self.account_alice._get_access_token)

        self.assertTrue(error.retryable)
        self.assertEqual(self.account_alice.state, "connected")
        self.assertTrue(self.account_alice.refresh_token)
        self.assertTrue(self.account_alice._get_access_token(), "the next attempt works")

    def test_wrong_client_secret_is_reported_without_dropping_the_connection(self):
        self.expire_access_token(self.account_alice)
        self.set_settings(client_secret="GOCSPX-mistyped")

        error = self.catch(GoogleAccountError, self.account_alice._get_access_token)

        self.assertNotIsInstance(error, GoogleReconnectRequired)
        self.assertIn("Client ID and Client Secret", error.fix)
        self.assertEqual(self.account_alice.state, "connected")
        self.assertIn("invalid_client", self.account_alice.last_error)

    def test_user_without_connection_gets_reconnect_required(self):
        with self.assertRaises(GoogleReconnectRequired):
            self.env["google.account"]._for_user(self.bob)._get_access_token()

    def test_credentials_serve_gcal_engine_and_keep_a_token_google_auth_refreshed(self):
        credentials = self.account_alice._google_credentials()
        stale_token = credentials.token
        self.google.advance_clock(3600)
        session = GoogleSession(credentials, on_token_refreshed=self.account_alice._save_refreshed_credentials)
        endpoints = self.env["google.account"]._endpoints()

        response = session.request("GET", endpoints.calendar + "/users/me/calendarList")

        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(credentials.token, stale_token)
        self.assertEqual(self.account_alice.access_token, credentials.token)
        self.assertEqual(len(self.token_requests()), 1)
        self.assertEqual(self.userinfo_status(self.account_alice.access_token), 200)


@tagged("post_install", "-at_install")
class TestDisconnect(GoogleAccountCase):
    def setUp(self):
        super().setUp()
        self.connect(self.alice)
        self.account_alice = self.env["google.account"]._for_user(self.alice)

    def test_disconnect_revokes_the_grant_at_google_and_clears_the_tokens(self):
        refresh_token = self.account_alice.refresh_token

        self.account_alice.with_user(self.alice).action_disconnect()

        self.assertEqual(self.account_alice.state, "disconnected")
        account = self.account_alice
        self.assertFalse(account.refresh_token or account.access_token or account.email)
        self.assertFalse(self.account_alice.last_error)
        revoke = self.google.requests()[-1]
        self.assertEqual((revoke["method"], revoke["path"], revoke["status"]), ("POST", "/revoke", 200))
        answer = requests.post(self.emulator.base_url + "/revoke", data={"token": refresh_token}, timeout=10)
        self.assertEqual(answer.json()["error"], "invalid_token", "the grant is already gone at Google")

    def test_disconnect_clears_the_tokens_even_when_google_cannot_be_reached(self):
        self.google.fault(method="POST", path_regex="^/revoke$", status=503, times=1)

        action = self.alice.with_user(self.alice).action_google_account_disconnect()

        self.assertEqual(self.account_alice.state, "disconnected")
        self.assertFalse(self.account_alice.refresh_token or self.account_alice.access_token)
        self.assertIn("https://myaccount.google.com/connections", self.account_alice.last_error)
        self.assertEqual(action["params"]["type"], "warning", "the user is told what to do")
        self.assertIn("https://myaccount.google.com/connections", action["params"]["message"])

    def test_user_cannot_disconnect_another_users_account(self):
        with self.assertRaises(AccessError):
            self.account_alice.with_user(self.bob).action_disconnect()
        with self.assertRaises(AccessError):
            self.alice.with_user(self.bob).action_google_account_disconnect()

        self.assertEqual(self.account_alice.state, "connected")

    def test_administrator_can_disconnect_any_account(self):
        self.account_alice.with_user(self.admin).action_disconnect()

        self.assertEqual(self.account_alice.state, "disconnected")

    def test_database_neutralization_clears_every_token(self):
        for query in get_neutralization_queries(["google_account"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()

        self.assertFalse(self.account_alice.refresh_token or self.account_alice.access_token)
        self.assertEqual(self.account_alice.state, "disconnected")
