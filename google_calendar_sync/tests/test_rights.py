"""A user acts on their own synchronization only; administrators on anyone's (through RPC)."""

import json

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestRights(GoogleCalendarSyncCase):
    @mute_logger("odoo.http")
    def rpc(self, user, method, *args, model="google.calendar.sync"):
        """A JSON-RPC call as ``user``'s browser makes it; the decoded answer."""
        self.authenticate(user.login, f"{user.login}_password")
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1,
                   "params": {"model": model, "method": method, "args": list(args), "kwargs": {}}}
        return self.url_open("/web/dataset/call_kw", data=json.dumps(payload),
                             headers={"Content-Type": "application/json"}).json()

    def assertRefused(self, answer):
        self.assertIn("error", answer, answer)
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError", answer["error"])

    def test_another_user_cannot_read_pause_or_run_my_sync(self):
        sync_id = self.sync.id
        self.assertRefused(self.rpc(self.bob, "read", [sync_id], ["state", "last_error"]))
        self.assertEqual(self.rpc(self.bob, "search_read", [], ["id"])["result"], [])
        for method in ("action_pause", "action_sync_now", "action_resume", "action_disconnect"):
            self.assertRefused(self.rpc(self.bob, method, [sync_id]))
        self.assertRefused(self.rpc(self.bob, "write", [sync_id], {"enabled": False}))
        self.env.invalidate_all()
        self.assertTrue(self.sync.enabled)
        self.assertEqual(self.sync.account_id.state, "connected")

    def test_a_user_manages_their_own_and_never_reads_its_tokens(self):
        self.rpc(self.alice, "action_pause", [self.sync.id])
        self.env.invalidate_all()
        self.assertFalse(self.sync.enabled)
        [record] = self.rpc(self.alice, "read", [self.sync.id], ["state", "enabled"])["result"]
        self.assertEqual(record["state"], "paused")
        self.assertRefused(self.rpc(self.alice, "read", [self.sync.id], ["sync_token"]))
        self.assertRefused(self.rpc(self.alice, "write", [self.sync.id], {"direction": "google_to_odoo"}))

    def test_an_administrator_acts_on_anyone(self):
        self.rpc(self.admin, "action_pause", [self.sync.id])
        self.env.invalidate_all()
        self.assertFalse(self.sync.enabled)
        self.assertEqual(len(self.rpc(self.admin, "search_read", [], ["user_id"])["result"]), 1)

    def test_only_an_administrator_can_pause_everyone(self):
        answer = self.rpc(self.bob, "create", {"google_calendar_sync_paused": True}, model="res.config.settings")
        self.assertRefused(answer)
        self.assertFalse(self.env["google.calendar.sync"]._globally_paused())
