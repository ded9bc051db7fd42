"""Push notifications: a channel per user when Odoo is reachable, the webhook, renewal and stop."""

import datetime as dt
import math

from freezegun import freeze_time

from odoo import fields
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..jobs.push_channel import webhook_url
from ..jobs.run_queue import PUSH_WINDOW, RunQueue
from ..jobs.sync_run import run_now, run_queued
from .common import ALICE_GOOGLE, GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestPush(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        # The test server shares this test's transaction: Google's messages come when released.
        self.google.hold_push()
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.webhook_base_url", self.base_url())
        self.run_sync()  # opens the channel
        self.channel = self.sync.sudo().channel_id

    def delivered(self, state):
        """Google's messages of ``state`` since the last call, delivered to Odoo now."""
        self.env.flush_all()
        with self.outside_requests():
            delivered = [n for n in self.google.release_push() if n["state"] == state]
        self.env.invalidate_all()
        return delivered

    def requests(self):
        self.env.invalidate_all()
        return [(r.sync_id, r.urgent) for r in self.env["google.calendar.sync.request"].sudo().search([])]

    def post(self, channel_id, token, resource_id, state="exists", number="2"):
        headers = {"X-Goog-Channel-ID": channel_id, "X-Goog-Channel-Token": token, "X-Goog-Resource-ID": resource_id,
                   "X-Goog-Resource-State": state, "X-Goog-Message-Number": number}
        # Google's POST has no body (url_open would make a bodiless request a GET).
        return self.opener.post(self.base_url() + "/google_calendar_sync/notify", data=b"", headers=headers, timeout=12)

    def test_a_channel_is_opened_and_its_handshake_changes_nothing(self):
        self.assertTrue(self.channel)
        [handshake] = self.delivered("sync")
        self.assertEqual(handshake["status"], 200)
        self.assertEqual(handshake["address"], self.base_url() + "/google_calendar_sync/notify")
        self.assertGreater(self.sync.channel_expires_at, fields.Datetime.now() + dt.timedelta(days=6))
        self.assertEqual(self.requests(), [], "a handshake runs nothing")

    def test_no_channel_without_a_public_https_address(self):
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.webhook_base_url", "")
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://odoo.example.com")
        self.run_sync()
        self.assertFalse(self.sync.sudo().channel_id, "a stopped channel; polling goes on")
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.com")
        self.assertEqual(webhook_url(self.env),
                         "https://odoo.example.com/google_calendar_sync/notify")

    def test_a_change_on_google_queues_this_user_first(self):
        self.connect(self.bob, email="bob@gmail.example")
        bob = self.env["google.calendar.sync"]._for_user(self.bob)
        bob.sudo().request_ids.unlink()  # (connecting asked for a first run at once)
        self.env["google.calendar.sync.request"].sudo().create({
            "sync_id": bob.id, "requested_at": fields.Datetime.now() - dt.timedelta(minutes=10)})
        self.delivered("sync")
        self.sync.sudo().last_run_at -= PUSH_WINDOW  # a quiet user (see the flood's test)
        self.insert_on_google("Pushed from Google")
        [change] = self.delivered("exists")
        self.assertEqual(change["status"], 200)
        self.assertIn((self.sync, True), self.requests(), "an urgent request")
        with self.worker() as env:
            self.assertEqual(RunQueue(env).claim(), self.sync, "notified users go first")
        self.run_sync()
        self.odoo_event("Pushed from Google")

    @mute_logger("odoo.http")
    def test_spoofed_and_unknown_notifications_run_nothing(self):
        sync = self.sync.sudo()
        self.assertEqual(self.post(sync.channel_id, "forged-token", sync.channel_resource_id).status_code, 403)
        self.assertEqual(self.post(sync.channel_id, sync.channel_token, "other-resource").status_code, 403)
        self.assertEqual(self.post("no-such-channel", "token", "resource").status_code, 404)
        self.assertEqual(self.post(sync.channel_id, "é-forged", sync.channel_resource_id).status_code, 403)
        self.assertEqual(self.requests(), [], "nothing runs")
        self.assertEqual(self.post(sync.channel_id, sync.channel_token, sync.channel_resource_id).status_code, 200)
        self.assertEqual(self.requests(), [(sync, True)])

    def notify(self, number):
        sync = self.sync.sudo()
        return self.post(sync.channel_id, sync.channel_token, sync.channel_resource_id, number=str(number))

    @mute_logger("odoo.http")
    def test_any_header_value_is_answered_without_an_error(self):
        sync = self.sync.sudo()
        odd = ["\x00", f"{sync.channel_id}\x00", "x" * 10000, "' OR 1=1 --", "é", "%00", sync.channel_id.upper()]
        for value in odd:
            with self.subTest(value=value[:40]):
                self.assertEqual(self.post(value, sync.channel_token, sync.channel_resource_id).status_code, 404)
        for number in ("", "-1", "1e3", "\x00", "9" * 40):
            with self.subTest(number=number):
                self.assertEqual(self.notify(number).status_code, 403)
        self.assertEqual(self.requests(), [], "nothing runs")

    def test_a_replayed_or_older_message_queues_nothing(self):
        self.assertEqual(self.notify(5).status_code, 200)
        self.assertEqual(self.requests(), [(self.sync, True)])
        self.run_sync()
        self.assertEqual(self.requests(), [])
        for number in (5, 4):
            self.assertEqual(self.notify(number).status_code, 200, "Google is not asked to send it again")
            self.assertEqual(self.requests(), [], f"message {number} was seen, or overtaken")
        self.assertEqual(self.notify(9).status_code, 200)
        self.assertEqual(self.requests(), [(self.sync, True)])

    def test_notifications_during_a_run_leave_one_follow_up_run(self):
        with self.worker() as env:
            sync = env["google.calendar.sync"].browse(self.sync.id)
            sync.request_ids.unlink()  # what a run does as it starts
            sync.running_since = fields.Datetime.now()
        for number in range(3, 23):
            self.assertEqual(self.notify(number).status_code, 200)
        self.assertEqual(self.requests(), [(self.sync, True)], "twenty notifications, one follow-up")
        self.sync.sudo().running_since = False
        self.run_sync()
        self.assertEqual(self.requests(), [], "and no more")
        self.assertEqual(self.notify(23).status_code, 200)
        self.assertEqual(self.notify(24).status_code, 200)
        self.assertEqual(self.requests(), [(self.sync, True)], "queued: coalesced too")

    def cron_pass(self):
        """A cron worker's pass now: claim what is due and run it, until nothing is; the runs made."""
        runs = 0
        with self.worker() as env:
            queue = RunQueue(env)
            while sync := queue.claim():
                run_now(sync)
                queue.release_run_lock(sync.id)
                runs += 1
        return runs

    def test_a_flood_of_notifications_costs_a_run_per_window_and_every_change_arrives(self):
        """Google notifies each change: 200 valid notifications in 7 s made 147 runs, as each one
        that came after a run asked for another at once. One within PUSH_WINDOW of the start of
        alice's last run now waits for the window's end; a quiet user's runs at once."""
        self.delivered("sync")
        changes, gap = 20, dt.timedelta(seconds=0.35)
        runs = []
        with freeze_time(fields.Datetime.now() + dt.timedelta(minutes=1)) as clock:  # alice is quiet
            for number in range(changes):
                self.insert_on_google(f"Flood {number}")
                self.assertEqual([n["status"] for n in self.delivered("exists")], [200])
                runs.append(self.cron_pass())
                clock.tick(gap)
            self.assertEqual(runs[0], 1, "the first notification of a quiet user runs at once")
            clock.tick(PUSH_WINDOW)
            runs.append(self.cron_pass())
        span = (changes - 1) * gap + PUSH_WINDOW
        self.assertLessEqual(sum(runs), 1 + math.ceil(span / PUSH_WINDOW), f"a run per window at most: {runs}")
        self.assertEqual(self.requests(), [], "nothing left")
        self.assertEqual(self.env["calendar.event"].search_count([("name", "=like", "Flood %")]), changes,
                         "every change arrived")

    def test_a_cron_job_waits_for_a_notification_coming_due_and_sync_now_does_not_wait(self):
        self.delivered("sync")
        with freeze_time(fields.Datetime.now() + dt.timedelta(minutes=1)) as clock:
            self.run_sync()  # alice's last run starts now
            self.insert_on_google("Right after a run")
            self.delivered("exists")
            self.assertEqual(self.cron_pass(), 0, "not yet: within the window")
            waits = []
            with self.worker() as env:
                run_queued(RunQueue(env, sleep=lambda pause: (waits.append(pause), clock.tick(pause))), budget=30)
            self.assertTrue(waits)
            self.assertLessEqual(sum(waits), PUSH_WINDOW.total_seconds(), "a notification waits a window at most")
            self.odoo_event("Right after a run")

            self.insert_on_google("Then Sync now")
            self.delivered("exists")
            self.sync.with_user(self.alice).action_sync_now()
            self.assertEqual(self.cron_pass(), 1, "a person's Sync now is not held by the window")
            self.odoo_event("Then Sync now")

    def test_a_cron_job_waiting_for_a_run_coming_due_runs_what_comes_due_meanwhile(self):
        """Waiting for alice's run at the end of her window, a cron worker is not lost to the
        others: bob's notification, due at once, runs within a slice of the wait."""
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        bob = self.env["google.calendar.sync"]._for_user(self.bob)
        with freeze_time(fields.Datetime.now() + dt.timedelta(minutes=1)) as clock:
            self.run_sync()  # alice's last run starts now: her next notification waits
            self.run_sync(self.bob)
            bob.sudo().last_run_at -= PUSH_WINDOW  # bob is quiet
            RunQueue(self.env).notified(self.sync)
            asked_at = fields.Datetime.now()
            waits = []

            def sleep(pause):
                if not waits:  # Google notifies bob's change meanwhile (what the webhook does)
                    RunQueue(self.env).notified(bob)
                waits.append(pause)
                clock.tick(pause)

            with self.worker() as env:
                run_queued(RunQueue(env, sleep=sleep), budget=30)
            self.env.invalidate_all()
            self.assertLess(waits[0], PUSH_WINDOW.total_seconds())
            # (Odoo keeps whole seconds.)
            self.assertLess(bob.last_run_at, asked_at + PUSH_WINDOW - dt.timedelta(seconds=1), "bob ran at once")
            self.assertGreaterEqual(self.sync.last_run_at, asked_at + PUSH_WINDOW, "alice at her window's end")
            self.assertEqual(self.requests(), [])

    def test_a_channel_is_renewed_before_it_expires(self):
        old = self.sync.sudo().channel_id
        self.sync.sudo().channel_expires_at = fields.Datetime.now() + dt.timedelta(hours=3)
        self.run_sync()
        new = self.sync.sudo().channel_id
        self.assertNotEqual(new, old)
        live = [c["id"] for c in self.google._call("GET", "notifications")["channels"]]
        self.assertEqual(live, [new], "the old channel is stopped once the new one runs")

    def test_another_google_account_connected_from_needs_reconnection_replaces_bindings_and_channel(self):
        """alice's grant ends; she connects another Google account (bob's) from "needs
        reconnection". The old channel cannot be stopped (its grant is gone; Google stops a
        channel only for the grant that opened it): it is forgotten, and the first run opens one
        on the new account's calendar (the old one kept the sync without push for 6 days)."""
        sync = self.sync.sudo()
        old = (sync.channel_id, sync.channel_token, sync.channel_resource_id)
        self.delivered("sync")
        self.create_in_odoo("Made in Odoo")
        self.insert_on_google("Made on alice's Google")
        self.run_sync()
        self.google.revoke_tokens(ALICE_GOOGLE)
        self.run_sync(problem="invalid_grant")
        self.assertEqual(self.sync.state, "needs_reconnect")

        self.connect(self.alice, email="bob@gmail.example", return_url="/odoo/calendar")
        self.run_sync()
        self.env.invalidate_all()
        self.assertEqual((sync.state, sync.synced_email, sync.calendar_id), ("synced", "bob@gmail.example", "primary"))
        self.assertTrue(sync.channel_id and sync.channel_id != old[0], "a channel of the new account")
        [channel] = [c for c in self.google._call("GET", "notifications")["channels"] if c["id"] == sync.channel_id]
        self.assertIn("/calendars/bob%40gmail.example/events", channel["resourceUri"])
        with mute_logger("odoo.http"):
            self.assertEqual(self.post(*old).status_code, 404, "the old channel is unknown now")
        self.delivered("sync")
        self.insert_on_google("Made on bob's Google", user=self.alice)
        self.assertEqual([n["status"] for n in self.delivered("exists")], [200])
        self.run_sync()
        self.assertEqual(sorted(e["summary"] for e in self.google_events().values()),
                         ["Made in Odoo", "Made on alice's Google", "Made on bob's Google"],
                         "Odoo's calendar on the new account, each event once")
        for name in ("Made in Odoo", "Made on alice's Google", "Made on bob's Google"):
            self.odoo_event(name)

    def test_disconnecting_stops_the_channel(self):
        self.sync.with_user(self.alice).action_disconnect()
        self.assertFalse(self.google._call("GET", "notifications")["channels"])
        self.assertFalse(self.sync.sudo().channel_id)

    def test_a_reset_stops_the_channel(self):
        self.env["google.calendar.reset"].with_user(self.admin).create({"user_id": self.alice.id}).action_reset()
        self.assertFalse(self.google._call("GET", "notifications")["channels"])
        self.assertFalse(self.sync.sudo().channel_id)

    def test_a_neutralized_copy_of_the_database_never_synchronizes_with_production(self):
        self.create_in_odoo("Production meeting")
        self.run_sync()
        self.create_in_odoo("Queued in production")
        self.assertTrue(self.sync.sudo().binding_ids and self.sync.sudo().request_ids and self.channel)

        for query in get_neutralization_queries(["google_account", "google_calendar_sync"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.env.registry.clear_all_caches()  # the settings Odoo caches

        sync = self.sync.sudo()
        self.assertFalse(sync.binding_ids or sync.request_ids or sync.channel_id or sync.sync_token)
        self.assertEqual(sync.account_id.state, "disconnected")
        self.assertEqual(sync.state, "not_connected")
        self.assertTrue(self.env["google.calendar.sync"]._globally_paused())
