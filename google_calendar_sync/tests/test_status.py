"""What users see: preferences that save one by one, a paused user's Google button, problems in
words (the daily quota, lost connections) on the button, in the log, and in a notification."""

import datetime as dt
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..words.messages import quota_reset
from ..jobs.sync_run import CALENDAR_CHANGED
from .common import PARIS, GoogleCalendarSyncCase

QUOTA = {"method": "GET", "path_regex": "/events", "status": 403, "reason": "quotaExceeded", "times": 5}


@tagged("post_install", "-at_install")
class TestPreferences(GoogleCalendarSyncCase):
    def requests(self):
        self.env.invalidate_all()
        return self.sync.sudo().request_ids

    def test_each_preference_saves_on_its_own(self):
        alice = self.alice.with_user(self.alice)
        alice.write({"google_calendar_sync_enabled": False})  # all the dialog sends when only this changed
        self.assertEqual((self.sync.enabled, self.sync.direction), (False, "two_way"))
        alice.write({"google_calendar_direction": "odoo_to_google"})
        self.assertEqual((self.sync.enabled, self.sync.direction), (False, "odoo_to_google"),
                         "changing the direction does not resume, nor pause")
        self.sync.sudo().request_ids.unlink()
        alice.write({"google_calendar_sync_enabled": True})
        self.assertEqual((self.sync.enabled, self.sync.direction), (True, "odoo_to_google"))
        self.assertTrue(self.requests(), "resuming runs the synchronization")

    def test_saving_the_preferences_says_what_the_synchronization_does(self):
        self.authenticate(self.alice.login, f"{self.alice.login}_password")
        save = {"model": "res.users", "method": "preference_save", "args": [[self.alice.id]], "kwargs": {}}
        self.make_jsonrpc_request("/web/dataset/call_button", save)
        self.make_jsonrpc_request("/web/session/get_session_info")  # what Odoo does before it reloads
        self.assertIn("Preferences saved. Google Calendar: Both ways, with Primary calendar.",
                      self.url_open("/odoo").text, "shown once the preferences apply")
        self.assertNotIn("Preferences saved", self.url_open("/odoo").text, "once")
        self.sync.sudo().enabled = False
        self.make_jsonrpc_request("/web/dataset/call_button", save)
        self.assertIn("synchronization is paused", self.url_open("/odoo").text)

    def test_a_paused_users_google_button_says_so_queues_nothing_and_resumes_in_one_click(self):
        self.alice.with_user(self.alice).write({"google_calendar_sync_enabled": False})
        self.sync.sudo().request_ids.unlink()
        Sync = self.env["google.calendar.sync"].with_user(self.alice)
        status = Sync.google_sync_now()
        self.assertEqual((status["state"], status["queued"]), ("paused", False))
        self.assertIn("Click to resume", status["advice"])
        self.assertFalse(self.requests(), "nothing queued that would never run")
        self.create_in_odoo("Made while paused")  # a paused user's changes wait: not "queued"
        self.assertFalse(Sync.get_google_status()["queued"])
        status = Sync.google_resume()
        self.assertTrue(self.sync.enabled)
        self.assertTrue(status["queued"])
        self.run_sync()
        self.google_event("Made while paused")


    def test_a_run_that_changed_the_calendar_in_odoo_tells_the_users_open_pages(self):
        def told():
            self.env.invalidate_all()
            return self.env["bus.bus"].sudo().search_count([("message", "like", CALENDAR_CHANGED)])

        self.create_in_odoo("Sent to Google")
        self.run_sync()
        self.assertEqual(told(), 0, "nothing changed in Odoo: the open calendar is right")
        self.insert_on_google("Brought from Google")
        self.run_sync()
        self.assertEqual(told(), 1)
        [notice] = self.env["bus.bus"].sudo().search([("message", "like", CALENDAR_CHANGED)])
        self.assertTrue(notice.channel.endswith(f'"res.partner",{self.alice.partner_id.id}]'), notice.channel)
        self.run_sync()
        self.assertEqual(told(), 1, "a run that changed nothing tells nothing")


@tagged("post_install", "-at_install")
class TestProblemsInWords(GoogleCalendarSyncCase):
    def bus_notifications(self):
        self.env.invalidate_all()
        return self.env["bus.bus"].sudo().search([("message", "like", "Google Calendar needs you")])

    def test_a_used_up_daily_quota_is_named_with_when_it_comes_back_in_the_users_time(self):
        self.google.fault(**QUOTA)
        # The run is yesterday at 18:00 UTC, morning in California: the quota comes back at the
        # next midnight there, which alice reads in Paris time (9:00, 8:00 in the weeks the two
        # change to daylight saving time apart).
        ran_at = dt.datetime.combine(fields.Date.today() - dt.timedelta(days=1), dt.time(18))
        california = ZoneInfo("America/Los_Angeles")
        midnight = dt.datetime.combine(ran_at.replace(tzinfo=dt.timezone.utc).astimezone(california).date()
                                       + dt.timedelta(days=1), dt.time(), california)
        back = midnight.astimezone(PARIS)
        with freeze_time(ran_at):
            self.run_sync(problem="Google's daily quota is used up")
        status = self.env["google.calendar.sync"].with_user(self.alice).get_google_status()
        self.assertEqual((status["state"], status["label"]), ("error", "Daily quota used up"))
        self.assertIn("Google's daily quota is used up; synchronization resumes by itself at "
                      f"{back.month}/{back.day}/{back:%y}, {back.hour % 12 or 12}:{back:%M}", status["advice"])
        self.assertNotIn("Nothing to change", status["last_summary"] + status["advice"])
        # The frozen run's log: the log lists runs by start time, and this one started yesterday.
        log = self.sync.log_ids.sorted("id")[-1]
        self.assertEqual(log.state, "failed")
        self.assertIn("Google's daily quota is used up", log.summary, "the log list says why, not 'Nothing to change'")

    def test_the_quota_comes_back_at_midnight_pacific_time_whatever_the_season(self):
        env = self.env(context={"tz": "Europe/Paris"})
        summer = quota_reset(env, now=dt.datetime(2026, 7, 1, 6, 30))  # 23:30 the day before in California
        self.assertIn("7/1/26, 9:00", summer)
        self.assertIn("1/16/26, 9:00", quota_reset(env, now=dt.datetime(2026, 1, 15, 12, 0)))

    def test_a_lost_connection_notifies_the_user_once_in_odoo(self):
        self.create_in_odoo("Pending")
        self.google.revoke_tokens("alice@gmail.example")
        self.expire_access_token(self.sync.account_id)
        self.run_sync(problem="Reconnect Google Calendar")
        self.assertEqual(self.account(self.alice).state, "needs_reconnect")
        [note] = self.bus_notifications()
        self.assertTrue(note.channel.endswith(f'"res.partner",{self.alice.partner_id.id}]'), note.channel)
        self.assertIn("simple_notification", note.message)
        self.run_sync(problem="Reconnect Google Calendar")
        self.assertEqual(len(self.bus_notifications()), 1, "told once, not at every run")

    def test_held_deletions_notify_the_user(self):
        self.empty_google_calendar()
        self.run_sync(problem="Stopped before deleting 12 of 12")
        self.assertTrue(self.sync.deletions_held)
        self.assertEqual(self.sync.last_error_title, "Deletions to confirm")
        [note] = self.bus_notifications()
        self.assertIn("confirm the deletions", note.message)


@tagged("post_install", "-at_install")
class TestDocumentation(GoogleCalendarSyncCase):
    def test_the_settings_link_to_the_user_documentation_inside_odoo(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('documentation="/google_calendar_sync/documentation"', arch)
        self.authenticate(self.admin.login, f"{self.admin.login}_password")
        page = self.url_open("/google_calendar_sync/documentation")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Two-way synchronization of Odoo", page.text)
