"""Push notifications: a channel per user when Odoo is reachable, the webhook, renewal and stop."""

import datetime as dt

from odoo import fields
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..sync.push_channel import webhook_url
from ..sync.run_queue import RunQueue
from .common import GoogleCalendarSyncCase


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

    def test_a_channel_is_renewed_before_it_expires(self):
        old = self.sync.sudo().channel_id
        self.sync.sudo().channel_expires_at = fields.Datetime.now() + dt.timedelta(hours=3)
        self.run_sync()
        new = self.sync.sudo().channel_id
        self.assertNotEqual(new, old)
        live = [c["id"] for c in self.google._call("GET", "notifications")["channels"]]
        self.assertEqual(live, [new], "the old channel is stopped once the new one runs")

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
