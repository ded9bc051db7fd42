"""A real Google stand-in for the tests: gcal_emulator on 127.0.0.1, driven over HTTP. A failure
of the emulator itself (answered with a 500, as Google answers its own, which clients retry)
fails the test that met it.

Odoo is set up the way an administrator would (Settings values in ir.config_parameter), with
the developer-mode endpoint pointing at the emulator; the OAuth client registered there accepts
exactly this Odoo's Redirect URL.
"""

import contextlib
from urllib.parse import parse_qs, urlsplit

import requests
from gcal_emulator import EmulatorServer
from gcal_emulator.control import EmulatorControl

from odoo import fields
from odoo.tests import HttpCase, new_test_user
from odoo.tests import common as odoo_tests_common

from .chrome import DependableChromeBrowser

CLIENT_ID = "odoo-test.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-test-secret-value"


class GoogleAccountCase(HttpCase):
    """Users ``alice`` and ``bob`` (internal), Google accounts for both, and a configured Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = EmulatorServer("127.0.0.1", 0).start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.google = EmulatorControl(cls.emulator.base_url)
        cls.redirect_uri = cls.base_url() + "/google_account/authentication"
        cls.alice = new_test_user(cls.env, login="ga_alice", password="ga_alice_password", email="alice@example.com")
        cls.bob = new_test_user(cls.env, login="ga_bob", password="ga_bob_password", email="bob@example.com")
        cls.admin = new_test_user(
            cls.env, login="ga_admin", password="ga_admin_password", groups="base.group_user,base.group_system"
        )
        cls.set_settings(
            calendar_enabled="True",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            endpoint=cls.emulator.base_url,
        )

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Odoo 19's test harness compares a request's timeout with a number (to lengthen short
        ones), which the engine's (connect, read) pair fails: it is given the pair's longer part."""
        if isinstance(kw.get("timeout"), tuple):
            kw["timeout"] = max(kw["timeout"])
        return super()._request_handler(s, r, **kw)

    def outside_requests(self, browser=None):
        """A context in which Odoo's test server takes requests that the test does not make
        itself (Google's push notifications from the emulator, a browser driven by hand): Odoo 19's
        turns them away otherwise, and holds the test cursor; Odoo 18's takes any."""
        allow_requests = getattr(self, "allow_requests", None)  # Odoo 19's HttpCase
        return allow_requests(browser=browser, all_requests=True) if allow_requests else contextlib.nullcontext()

    @classmethod
    def set_settings(cls, **values):
        params = cls.env["ir.config_parameter"].sudo()
        for name, value in values.items():
            params.set_param(f"google_account.{name}", value)

    def setUp(self):
        super().setUp()
        # Odoo's start_tour and browser_js start this browser instead of Odoo's own.
        self.patch(odoo_tests_common, "ChromeBrowser", DependableChromeBrowser)
        self.addCleanup(self.assertEmulatorDidNotFail)
        self.google.reset()
        for email in ("alice@gmail.example", "bob@gmail.example"):
            self.google.add_user(email)
        self.register_client()

    def register_client(self, redirect_uris=None, publishing_status="testing", test_users=None):
        self.google.add_client(
            CLIENT_ID,
            CLIENT_SECRET,
            redirect_uris or [self.redirect_uri],
            publishing_status=publishing_status,
            test_users=["alice@gmail.example", "bob@gmail.example"] if test_users is None else test_users,
        )

    def assertEmulatorDidNotFail(self):
        crashes = self.emulator.app.crashes.read(clear=True)
        self.assertFalse(crashes, "the emulator failed while answering:\n" + "\n".join(crashes))

    # -- the browser's side of the flow ---------------------------------------------------------

    def login(self, user):
        self.authenticate(user.login, f"{user.login}_password")

    def start_connect(self, return_url="/odoo/action-base.action_res_users"):
        """What the browser does on a Connect link: Odoo answers with Google's consent URL."""
        response = self.url_open(f"/google_account/connect?return_url={return_url}", allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text)
        location = response.headers["Location"]
        self.assertTrue(location.startswith(self.emulator.base_url + "/o/oauth2/v2/auth?"), location)
        return location

    def google_consent(self, authorize_url, email="alice@gmail.example", decision="allow", scopes=None):
        """Google's consent page decides (as ``email``) and redirects back: the callback URL."""
        self.google.consent(email, decision, scopes)
        response = requests.get(authorize_url, allow_redirects=False, timeout=10)
        self.assertEqual(response.status_code, 302, response.text)
        callback = response.headers["Location"]
        self.assertTrue(callback.startswith(self.redirect_uri + "?"), callback)
        return callback

    def callback(self, url):
        """The browser arriving back on Odoo from Google."""
        return self.url_open(url, allow_redirects=False)

    def connect(self, user, email="alice@gmail.example", return_url="/odoo/action-base.action_res_users"):
        self.login(user)
        response = self.callback(self.google_consent(self.start_connect(return_url), email))
        self.assertEqual(response.status_code, 303, response.text)
        return response

    # -- what Odoo stored ----------------------------------------------------------------------

    def account(self, user):
        return self.env["google.account"].sudo().search([("user_id", "=", user.id)])

    def assertNotConnected(self, user):
        account = self.account(user)
        self.assertNotEqual(account.state, "connected")
        self.assertFalse(account.refresh_token)
        self.assertFalse(account.access_token)

    def assertFailurePage(self, response, status, *texts):
        self.assertEqual(response.status_code, status, response.text)
        self.assertIn("Google Calendar could not be connected", response.text)
        for text in texts:
            self.assertIn(text, response.text)

    def catch(self, error_class, call):
        """The error ``call`` raises, caught the way a caller of the API does: without rolling
        back the transaction (``assertRaises`` would roll back to a savepoint)."""
        try:
            call()
        except error_class as error:
            return error
        self.fail(f"{error_class.__name__} not raised")

    @staticmethod
    def query(url):
        return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}

    def expire_access_token(self, account):
        """The stored token is about to expire, and at Google it already has."""
        account.sudo().write({"access_token_expires_at": fields.Datetime.now()})
        self.google.advance_clock(3600)
