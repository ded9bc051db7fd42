"""A grant Google no longer accepts, found wherever Odoo calls Google (a run, the account's
address, the push channel's renewal, the calendar list, a reset): the account needs
reconnection and says why at once, the user is told once, nothing asks Google again, and no
traceback is left in the log."""

import datetime as dt

from odoo import fields
from odoo.tests import tagged

from ..jobs.run_queue import RunQueue
from ..jobs.sync_run import run_queued
from .common import ALICE_GOOGLE, GoogleCalendarSyncCase

NOTICE_TITLE = "Google Calendar needs you"


@tagged("post_install", "-at_install")
class TestLostGrant(GoogleCalendarSyncCase):
    def notices(self):
        self.env.invalidate_all()
        return self.env["bus.bus"].sudo().search([("message", "like", NOTICE_TITLE)])

    def token_requests(self):
        return [r for r in self.google.requests() if r["path"] == "/token"]

    def assertLost(self, cause="invalid_grant"):
        """Needs reconnection, why, no token kept, and one notice in the user's open Odoo."""
        self.env.invalidate_all()
        account = self.sync.account_id.sudo()
        self.assertEqual((account.state, self.sync.state), ("needs_reconnect", "needs_reconnect"))
        self.assertIn(cause, account.last_error)
        self.assertFalse(account.refresh_token or account.access_token)
        [notice] = self.notices()
        self.assertTrue(notice.channel.endswith(f'"res.partner",{self.alice.partner_id.id}]'), notice.channel)
        self.assertIn(account.last_error.split(" (")[0], notice.message)

    def assertNothingTriedAgain(self):
        self.google.clear_requests()
        with self.worker() as env:
            run_queued(RunQueue(env), budget=5)
        self.assertEqual(self.google.requests(), [], "a lost connection is not run again")

    def test_a_grant_revoked_while_the_access_token_looked_valid_needs_reconnection(self):
        self.create_in_odoo("Pending")
        self.sync.sudo().default_reminders_at = False  # the run asks for the calendar's reminders first
        self.google.revoke_tokens(ALICE_GOOGLE)  # the stored access token is good for another hour
        self.google.clear_requests()
        with self.assertNoLogs("odoo.addons.google_calendar_sync", "ERROR"):
            self.run_sync(problem="invalid_grant")
        self.assertLost()
        self.assertEqual(self.sync.last_error_title, "Needs reconnection")
        self.assertIn("Reconnect Google Calendar", self.sync.last_error)
        self.assertEqual(len(self.token_requests()), 1, "Google is asked once, not at each call of the run")
        self.assertEqual(self.sync.log_ids[:1].state, "failed")
        self.assertNothingTriedAgain()
        self.assertEqual(len(self.notices()), 1, "told once")

    def test_a_grant_revoked_when_the_accounts_address_is_unknown_needs_reconnection(self):
        # A grant carried over from Odoo's own module: the run asks Google for the address first.
        self.sync.account_id.sudo().email = False
        self.google.revoke_tokens(ALICE_GOOGLE)
        with self.assertNoLogs("odoo.addons.google_calendar_sync", "ERROR"):
            self.run_sync(problem="invalid_grant")
        self.assertLost()
        self.assertNotIn("Unexpected error", self.sync.last_error)
        self.assertEqual(self.sync.last_error_title, "Needs reconnection")
        self.assertNothingTriedAgain()

    def test_a_401_that_fresh_tokens_do_not_cure_needs_reconnection(self):
        self.google.fault(method="GET", path_regex="/events$", status=401, reason="authError", times=3)
        with self.assertNoLogs("odoo.addons.google_calendar_sync", "ERROR"):
            self.run_sync(problem="401")
        self.assertLost(cause="401")
        self.assertEqual(self.sync.last_error_title, "Needs reconnection")
        self.assertNothingTriedAgain()

    def test_a_grant_refused_while_renewing_the_push_channel_needs_reconnection(self):
        self.google.hold_push()
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.webhook_base_url", self.base_url())
        self.run_sync()
        channel = self.sync.sudo().channel_id
        self.sync.sudo().channel_expires_at = fields.Datetime.now() + dt.timedelta(hours=1)
        self.google.fault(method="POST", path_regex="/watch$", status=401, reason="authError", times=3)
        self.run_sync()
        self.assertLost(cause="401")
        self.assertEqual(self.sync.sudo().channel_id, channel, "the channel in force stays until it expires")

    def test_the_calendar_list_finds_the_grant_revoked_and_says_so_at_once(self):
        self.google.revoke_tokens(ALICE_GOOGLE)
        action = self.call(self.alice, "res.users", "action_google_calendar_choose", [self.alice.id])
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Reconnect Google Calendar", action["params"]["message"])
        self.assertLost()
        self.assertEqual(self.env["google.calendar.sync"].with_user(self.alice).get_google_status()["state"],
                         "needs_reconnect", "the Google button says so before any run")

    def test_a_reset_that_finds_the_grant_revoked_changes_nothing_and_keeps_the_lost_connection(self):
        self.create_in_odoo("Visit")
        self.run_sync()
        bindings = self.sync.sudo().binding_ids
        self.google.revoke_tokens(ALICE_GOOGLE)
        reset = self.call(self.admin, "google.calendar.reset", "create", {
            "user_id": self.alice.id, "delete_policy": "delete_google", "sync_policy": "all"})
        answer = self.call(self.admin, "google.calendar.reset", "action_reset", [reset])
        self.assertEqual(answer["params"]["type"], "danger")
        self.assertIn("nothing was reset", answer["params"]["message"])
        self.assertLost()
        self.assertEqual(self.sync.sudo().binding_ids, bindings)
        self.odoo_event("Visit")

    def test_disconnecting_with_a_revoked_grant_is_no_lost_connection(self):
        self.google.hold_push()
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.webhook_base_url", self.base_url())
        self.run_sync()
        self.google.revoke_tokens(ALICE_GOOGLE)
        self.call(self.alice, "google.calendar.sync", "action_disconnect", [self.sync.id])  # meets the revoked grant
        self.assertEqual(self.sync.account_id.state, "disconnected")
        self.assertFalse(self.notices(), "the user ended the connection: nothing to tell them")
