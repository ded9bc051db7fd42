"""When sync runs: queued by edits and the button, claimed by the cron, longest waiting first."""

import datetime as dt
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import config

from ..models.google_calendar_sync import CRONS
from .common import GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestQueue(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        self.bob_sync = self.env["google.calendar.sync"]._for_user(self.bob)
        self.run_sync(self.bob)
        self.google.clear_requests()

    def queued(self):
        return self.env["google.calendar.sync.request"].sudo().search([]).sync_id

    def ask(self, sync, minutes_ago, urgent=False):
        requested_at = fields.Datetime.now() - dt.timedelta(minutes=minutes_ago)
        self.env["google.calendar.sync.request"].sudo().create(
            {"sync_id": sync.id, "urgent": urgent, "requested_at": requested_at})

    def triggers(self):
        crons = [self.env.ref(xmlid) for xmlid in CRONS]
        return [self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]) for cron in crons]

    def test_an_edit_queues_its_organizer_once_and_wakes_both_cron_jobs(self):
        before = self.triggers()
        self.create_in_odoo("Queued")
        self.create_in_odoo("Queued too")
        self.assertEqual(self.queued(), self.sync)
        self.assertEqual(self.env["google.calendar.sync.request"].sudo().search_count([]), 1, "one request")
        self.assertTrue(all(after > first for first, after in zip(before, self.triggers())),
                        "two cron jobs, so that two cron workers share the users")
        self.assertEqual(self.google.requests(), [])

    def test_the_cron_runs_the_longest_waiting_first_and_skips_running_ones(self):
        Sync = self.env["google.calendar.sync"]
        self.ask(self.sync, 5)
        self.ask(self.bob_sync, 9)
        self.assertEqual(Sync._claim(), self.bob_sync)
        self.assertTrue(self.bob_sync.running_since)
        self.assertEqual(Sync._claim(), self.sync, "a running sync is not claimed twice")
        self.assertFalse(Sync._claim())

    def test_sync_now_goes_before_those_who_waited_longer(self):
        self.ask(self.bob_sync, 9)
        self.sync.with_user(self.alice).action_sync_now()
        self.assertEqual(self.env["google.calendar.sync"]._claim(), self.sync)

    def test_a_claim_left_by_a_killed_worker_is_taken_again_and_its_log_closed(self):
        self.sync.sudo().write({"running_since": fields.Datetime.now() - dt.timedelta(hours=1)})
        orphan = self.env["google.calendar.sync.log"].sudo().create({"sync_id": self.sync.id})
        self.ask(self.sync, 1)
        self.assertEqual(self.env["google.calendar.sync"]._claim(), self.sync)
        self.assertEqual(orphan.state, "failed")
        self.assertIn("Interrupted", orphan.message)

    def test_the_cron_budget_fits_the_time_odoo_gives_a_cron_worker(self):
        Sync = self.env["google.calendar.sync"]
        with patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": -1}):
            self.assertEqual(Sync._cron_budget(), 48)
        with patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": 1000}):
            self.assertEqual(Sync._cron_budget(), 240)
        with patch.dict(config.options, {"limit_time_real": 0, "limit_time_real_cron": 0}):
            self.assertEqual(Sync._cron_budget(), 240)

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
