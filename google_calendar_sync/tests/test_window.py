"""The synchronized window in Settings: saving what is already there resynchronizes nobody; a
wider window has each user's next run list only the span it grew by (the sync token goes on); a
narrower one asks nothing and deletes nothing."""

import datetime as dt

from odoo.tests import tagged

from ..rules.sync_window import PARAM_FUTURE, PARAM_PAST
from .common import GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestWindow(GoogleCalendarSyncCase):
    def save_settings(self, **values):
        self.env["res.config.settings"].with_user(self.admin).create(values).execute()
        self.env.invalidate_all()

    def lists(self):
        """The events.list requests of the last run: their query, in order."""
        return [r["query"] for r in self.google.requests() if r["method"] == "GET" and r["path"].endswith("/events")]

    def test_the_first_save_after_the_switch_writes_the_defaults_and_resynchronizes_nobody(self):
        # After the switch from Odoo's module, the window parameters are not set.
        self.env["ir.config_parameter"].sudo().search([("key", "in", (PARAM_PAST, PARAM_FUTURE))]).unlink()
        self.insert_on_google("Settled")
        self.run_sync()
        token = self.sync.sudo().sync_token
        self.sync.sudo().request_ids.unlink()
        self.save_settings(google_calendar_sync_paused=False)
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param(PARAM_PAST), "365")
        self.assertEqual(self.sync.sudo().sync_token, token, "the window did not change")
        self.assertFalse(self.sync.requested_at, "nobody's synchronization is asked for a run")
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual([("syncToken" in query) for query in self.lists()], [True])

    def test_a_wider_window_lists_the_span_it_adds_and_a_narrower_one_nothing(self):
        old = (dt.datetime.now() - dt.timedelta(days=500)).replace(microsecond=0, second=0)
        self.insert_on_google("Old meeting", start=old.isoformat() + "Z",
                              end=(old + dt.timedelta(hours=1)).isoformat() + "Z", zone="UTC")
        self.sync.sudo().sync_token = False
        self.run_sync()
        self.assertFalse(self.env["calendar.event"].search([("name", "=", "Old meeting")]), "outside the window")
        token = self.sync.sudo().sync_token

        self.save_settings(google_calendar_past_days=730)
        self.assertEqual(self.sync.sudo().sync_token, token, "no full resynchronization")
        self.assertTrue(self.sync.requested_at)
        self.google.clear_requests()
        self.run_sync()
        incremental, span = self.lists()
        self.assertIn("syncToken", incremental)
        time_min = dt.datetime.fromisoformat(span["timeMin"].replace("Z", "+00:00")).replace(tzinfo=None)
        time_max = dt.datetime.fromisoformat(span["timeMax"].replace("Z", "+00:00")).replace(tzinfo=None)
        days_ago = [round((dt.datetime.now() - moment).total_seconds() / 86400) for moment in (time_min, time_max)]
        self.assertEqual(days_ago, [730, 365], "only the span the window grew by")
        self.odoo_event("Old meeting")
        self.assertFalse(self.sync.last_error)
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(len(self.lists()), 1, "listed once")

        self.sync.sudo().request_ids.unlink()
        self.save_settings(google_calendar_past_days=30)
        self.assertFalse(self.sync.requested_at, "a narrower window asks nothing")
        self.run_sync()
        self.odoo_event("Old meeting")
        self.assertEqual(len(self.google_events()), 1, "what leaves the window stays on both sides")
