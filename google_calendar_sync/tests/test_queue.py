"""When sync runs: queued by edits and the button, claimed by the cron, longest waiting first."""

import datetime as dt

from odoo import fields
from odoo.tests import tagged

from .common import GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestQueue(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        self.bob_sync = self.env["google.calendar.sync"]._for_user(self.bob)
        self.run_sync(self.bob)
        self.cron = self.env.ref("google_calendar_sync.ir_cron_google_calendar_sync")
        self.google.clear_requests()

    def queued(self):
        return self.env["google.calendar.sync"].sudo().search([("requested_at", "!=", False)])

    def test_an_edit_queues_its_organizer_and_wakes_the_cron(self):
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        self.create_in_odoo("Queued")
        self.assertEqual(self.queued(), self.sync)
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]), triggers)
        self.assertEqual(self.google.requests(), [])

    def test_the_cron_runs_the_longest_waiting_first_and_skips_running_ones(self):
        Sync = self.env["google.calendar.sync"]
        self.sync.sudo().write({"requested_at": fields.Datetime.now() - dt.timedelta(minutes=5)})
        self.bob_sync.sudo().write({"requested_at": fields.Datetime.now() - dt.timedelta(minutes=9)})
        self.assertEqual(Sync._claim(), self.bob_sync)
        self.assertTrue(self.bob_sync.running_since and not self.bob_sync.requested_at)
        self.assertEqual(Sync._claim(), self.sync, "a running sync is not claimed twice")
        self.assertFalse(Sync._claim())

    def test_a_claim_left_by_a_killed_worker_is_taken_again(self):
        stale = fields.Datetime.now() - dt.timedelta(hours=1)
        self.sync.sudo().write({"requested_at": fields.Datetime.now(), "running_since": stale})
        self.assertEqual(self.env["google.calendar.sync"]._claim(), self.sync)

    def test_the_cron_runs_every_queued_user_within_its_budget(self):
        self.create_in_odoo("From alice")
        self.create_in_odoo("From bob", user=self.bob)
        self.env["google.calendar.sync"]._cron_run_jobs()
        self.env.invalidate_all()
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["From alice"])
        self.assertEqual([e["summary"] for e in self.google_events(self.bob).values()], ["From bob"])
        self.assertFalse(self.queued())

    def test_an_empty_budget_leaves_the_queue_for_the_next_run(self):
        self.create_in_odoo("Later")
        self.env["google.calendar.sync"]._cron_run_jobs(budget=0)
        self.assertEqual(self.queued(), self.sync)

    def test_users_not_synced_recently_are_polled(self):
        self.sync.sudo().write({"last_run_at": fields.Datetime.now() - dt.timedelta(hours=1)})
        self.env["google.calendar.sync"]._queue_due_polls()
        self.assertEqual(self.queued(), self.sync)

    def test_an_administrator_pause_stops_everyone_and_changes_wait(self):
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.paused", "True")
        self.create_in_odoo("While paused")
        self.env["google.calendar.sync"]._cron_run_jobs()
        self.assertEqual(self.google_events(), {})
        self.assertEqual(self.sync.state, "paused_by_admin")
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.paused", "False")
        self.env["google.calendar.sync"]._cron_run_jobs()
        self.env.invalidate_all()
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["While paused"])

    def test_a_user_pause_stops_only_their_sync_and_changes_wait(self):
        self.sync.with_user(self.alice).action_pause()
        self.create_in_odoo("While paused")
        self.create_in_odoo("Bob's", user=self.bob)
        self.env["google.calendar.sync"]._cron_run_jobs()
        self.assertEqual(self.google_events(), {})
        self.assertEqual(len(self.google_events(self.bob)), 1)
        self.sync.with_user(self.alice).action_resume()
        self.env["google.calendar.sync"]._cron_run_jobs()
        self.env.invalidate_all()
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["While paused"])

    def test_the_google_button_says_the_state_and_queues_a_run(self):
        Sync = self.env["google.calendar.sync"].with_user(self.alice)
        status = Sync.get_google_status()
        self.assertEqual((status["state"], status["label"], status["email"]),
                         ("synced", "Synchronized", "alice@gmail.example"))
        answer = Sync.google_sync_now()
        self.assertTrue(answer["queued"])
        self.assertEqual(self.queued(), self.sync)
        carol = self.env["google.calendar.sync"].with_user(self.carol).get_google_status()
        self.assertEqual((carol["state"], carol["configured"]), ("not_connected", True))
        url = self.env["google.calendar.sync"].with_user(self.carol).google_connect_url("/odoo/calendar")
        self.assertTrue(url.startswith(self.emulator.base_url + "/o/oauth2/v2/auth?"))
