"""Who can read what: users see their own status and never a token; only administrators
read the Client Secret, through the ORM as through RPC."""

from odoo.exceptions import AccessError
from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .common import CLIENT_SECRET, GoogleAccountCase

TOKEN_FIELDS = ["access_token", "access_token_expires_at", "refresh_token"]


@tagged("post_install", "-at_install")
class TestAccessRights(GoogleAccountCase):
    def setUp(self):
        super().setUp()
        self.connect(self.alice)
        self.account_alice = self.env["google.account"]._for_user(self.alice)
        self.account_bob = self.env["google.account"]._for_user(self.bob)

    def call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {},
        })

    def assertRpcAccessError(self, model, method, args):
        with self.assertRaises(JsonRpcException) as caught:
            self.call_kw(model, method, args)
        self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")

    def test_user_reads_own_status_but_no_token(self):
        mine = self.account_alice.with_user(self.alice)

        self.assertEqual(mine.read(["state", "email"])[0]["email"], "alice@gmail.example")
        for field in TOKEN_FIELDS:
            with self.subTest(field=field), self.assertRaises(AccessError):
                mine.read([field])
        with self.assertRaises(AccessError):
            mine.search([("refresh_token", "=like", "1//%")])

    def test_user_cannot_see_another_users_account(self):
        accounts = self.env["google.account"].with_user(self.bob)

        self.assertEqual(accounts.search([]), self.account_bob)
        with self.assertRaises(AccessError):
            self.account_alice.with_user(self.bob).read(["state"])
        self.assertFalse(self.alice.with_user(self.bob).google_account_email)

    def test_user_cannot_write_or_create_accounts(self):
        with self.assertRaises(AccessError):
            self.account_alice.with_user(self.alice).write({"state": "disconnected"})
        with self.assertRaises(AccessError):
            self.env["google.account"].with_user(self.bob).create({"user_id": self.bob.id})

    def test_administrator_sees_every_status_but_pending_verifiers_stay_server_side(self):
        accounts = self.env["google.account"].with_user(self.admin)

        self.assertIn(self.account_alice, accounts.search([]))
        with self.assertRaises(AccessError):
            self.env["google.oauth.state"].with_user(self.admin).search([])

    def test_user_sees_own_status_in_preferences(self):
        alice = self.alice.with_user(self.alice)

        self.assertEqual(alice.google_account_state, "connected")
        self.assertEqual(alice.google_account_email, "alice@gmail.example")

    def test_client_secret_is_unreadable_by_a_non_administrator_through_the_orm(self):
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.alice).get_param("google_account.client_secret")
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.alice).create({})
        defaults = self.env["res.config.settings"].with_user(self.alice).default_get(["google_client_secret"])
        self.assertFalse(defaults.get("google_client_secret"))

    @mute_logger("odoo.http")
    def test_client_secret_is_unreadable_by_a_non_administrator_through_rpc(self):
        self.login(self.alice)

        self.assertRpcAccessError("ir.config_parameter", "get_param", ["google_account.client_secret"])
        self.assertRpcAccessError("ir.config_parameter", "search_read", [[("key", "like", "google_account.")]])
        self.assertRpcAccessError("res.config.settings", "onchange", [[], {}, [], {"google_client_secret": {}}])
        defaults = self.call_kw("res.config.settings", "default_get", [["google_client_secret"]])
        self.assertFalse(defaults.get("google_client_secret"))

    def test_administrator_reads_the_client_secret(self):
        self.login(self.admin)

        defaults = self.call_kw("res.config.settings", "default_get", [["google_client_secret"]])

        self.assertEqual(defaults["google_client_secret"], CLIENT_SECRET)

    @mute_logger("odoo.http")
    def test_tokens_are_unreadable_through_rpc_and_absent_from_session_info(self):
        self.login(self.alice)
        tokens = self.account_alice.read(["access_token", "refresh_token"])[0]

        self.assertRpcAccessError("google.account", "read", [[self.account_alice.id], ["refresh_token"]])
        self.assertRpcAccessError("google.account", "search_read", [[], ["access_token"]])
        visible = str(self.call_kw("google.account", "search_read", [[], []]))
        session_info = str(self.make_jsonrpc_request("/web/session/get_session_info"))
        web_client = self.url_open("/odoo").text
        for token in (tokens["access_token"], tokens["refresh_token"]):
            self.assertNotIn(token, visible)
            self.assertNotIn(token, session_info)
            self.assertNotIn(token, web_client)

    @mute_logger("odoo.http")
    def test_administrators_read_every_status_but_no_token_either(self):
        self.login(self.admin)

        statuses = self.call_kw("google.account", "search_read", [[("id", "=", self.account_alice.id)], ["state"]])
        self.assertEqual(statuses[0]["state"], "connected")
        for field in TOKEN_FIELDS:
            with self.subTest(field=field):
                self.assertRpcAccessError("google.account", "read", [[self.account_alice.id], [field]])
        with self.assertRaises(AccessError):
            self.account_alice.with_user(self.admin).read(["refresh_token"])
