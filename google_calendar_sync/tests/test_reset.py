"""The Reset Account wizard: each of its 8 combinations does exactly what it says, on both sides,
at the reset and at the next synchronization after the user reconnects."""

from collections import Counter

import requests

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.google_account.tests.common import CLIENT_ID, CLIENT_SECRET

from .common import ALICE_GOOGLE, GoogleCalendarSyncCase

EVERYTHING = Counter({"Odoo meeting": 1, "Odoo weekly": 1, "Google lunch": 1})
# In Odoo the series is its 3 occurrences.
EVERYTHING_IN_ODOO = Counter({"Odoo meeting": 1, "Odoo weekly": 3, "Google lunch": 1})
NOTHING = Counter()


@tagged("post_install", "-at_install")
class TestReset(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.create_in_odoo("Odoo meeting", partner_ids=[(6, 0, [self.alice.partner_id.id, self.carol.partner_id.id])])
        self.create_in_odoo("Odoo weekly", recurrency=True, rrule_type="weekly", tue=True, end_type="count", count=3,
                            event_tz="Europe/Paris")
        self.insert_on_google("Google lunch")
        self.run_sync()
        # Google's own web page for alice: a grant of its own, which the reset does not touch.
        self.web_token = self.google.connect(ALICE_GOOGLE, client_id="calendar-web.apps.googleusercontent.com")
        self.assertEqual(self.on_google(), EVERYTHING)
        self.assertEqual(self.in_odoo(), EVERYTHING_IN_ODOO)
        self.old_refresh_token = self.account(self.alice).refresh_token
        self.google.clear_requests()
        self.mails_before = len(self.google.mails())

    # -- what is where -------------------------------------------------------------------------

    def on_google(self):
        """alice's events as Google's web page lists them (a series once)."""
        answer = requests.get(f"{self.google.base_url}/calendar/v3/calendars/primary/events", timeout=10,
                              headers={"Authorization": f"Bearer {self.web_token['access_token']}"})
        answer.raise_for_status()
        return Counter(e["summary"] for e in answer.json()["items"])

    def in_odoo(self):
        self.env.invalidate_all()
        return Counter(self.env["calendar.event"].search([("user_id", "=", self.alice.id)]).mapped("name"))

    def deletions_sent(self):
        """(sendUpdates of each DELETE sent to Google, batch requests they took)."""
        log = self.google.requests()
        deletes = [r["sendUpdates"] for r in log if r["method"] == "DELETE"]
        return deletes, len([r for r in log if r["path"].startswith("/batch/") and not r["batch"]])

    def new_mails(self):
        return [(m["to"], m["kind"], m["summary"]) for m in self.google.mails()[self.mails_before:]]

    # -- the wizard and what follows -----------------------------------------------------------

    def reset(self, delete_policy, sync_policy, notify=False):
        wizard = self.env["google.calendar.reset"].with_user(self.admin).create({
            "user_id": self.alice.id, "delete_policy": delete_policy, "sync_policy": sync_policy,
            "notify_attendees": notify})
        wizard.action_reset()
        self.env.invalidate_all()

    def reconnect_and_sync(self):
        self.google.advance_clock(2)  # the user reconnects a moment later: "new" is from then on
        self.connect(self.alice, email=ALICE_GOOGLE, return_url="/odoo/calendar")
        self.google.clear_requests()
        self.run_sync()

    def assertResetDone(self):
        """The grant is revoked at Google (its refresh token is refused) and the user reconnects."""
        self.assertEqual(self.account(self.alice).state, "disconnected")
        self.assertNotConnected(self.alice)
        answer = requests.post(f"{self.google.base_url}/token", timeout=10, data={
            "grant_type": "refresh_token", "refresh_token": self.old_refresh_token,
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
        self.assertEqual(answer.json().get("error"), "invalid_grant")

    def assertNewEventsSyncBothWays(self, odoo, google):
        """After any reset, what is created from now on goes across."""
        self.create_in_odoo("New in Odoo")
        self.insert_on_google("New on Google")
        self.run_sync()
        self.assertEqual(self.on_google(), google + Counter({"New in Odoo": 1, "New on Google": 1}))
        self.assertEqual(self.in_odoo(), odoo + Counter({"New in Odoo": 1, "New on Google": 1}))

    # -- "Synchronize only new events" ---------------------------------------------------------

    def test_untouched_then_only_new_events(self):
        self.reset("dont_delete", "new")
        self.assertResetDone()
        self.assertEqual(self.deletions_sent(), ([], 0))
        self.reconnect_and_sync()
        self.assertEqual(self.writes_to_google(), [], "nothing that existed is sent")
        self.assertEqual(self.in_odoo(), EVERYTHING_IN_ODOO, "nothing that existed comes back twice")
        self.assertEqual(self.on_google(), EVERYTHING)
        self.assertNewEventsSyncBothWays(EVERYTHING_IN_ODOO, EVERYTHING)

    def test_after_a_reset_sync_now_runs_at_the_cron_jobs_next_pass(self):
        """The reset held the user's run lock until its transaction ended; the cron job of the
        same connection took it for another's and never ran the user (found by test_user_paths)."""
        self.reset("dont_delete", "new")
        self.google.advance_clock(2)
        self.connect(self.alice, email=ALICE_GOOGLE, return_url="/odoo/calendar")
        with self.worker() as env:
            env["res.users"].browse(self.alice.id).with_user(self.alice).action_google_calendar_sync_now()
        with self.worker() as env:
            env["google.calendar.sync"]._cron_run_jobs(budget=5)
        self.assertEqual(self.env["google.calendar.sync"]._for_user(self.alice).state, "synced")

    def test_deleted_from_google_then_only_new_events(self):
        self.reset("delete_google", "new")
        self.assertResetDone()
        self.assertEqual(self.on_google(), NOTHING)
        self.assertEqual(self.in_odoo(), EVERYTHING_IN_ODOO)
        self.assertEqual(self.deletions_sent(), (["none"] * 3, 1), "one batch, no mail")
        self.assertEqual(self.new_mails(), [])
        self.reconnect_and_sync()
        self.assertEqual(self.writes_to_google(), [])
        self.assertEqual(self.on_google(), NOTHING, "Odoo's events are not sent again")
        self.assertNewEventsSyncBothWays(EVERYTHING_IN_ODOO, NOTHING)

    def test_deleted_from_odoo_then_only_new_events(self):
        self.reset("delete_odoo", "new")
        self.assertResetDone()
        self.assertEqual(self.in_odoo(), NOTHING)
        self.assertEqual(self.on_google(), EVERYTHING)
        self.assertEqual(self.deletions_sent(), ([], 0))
        self.reconnect_and_sync()
        self.assertEqual(self.in_odoo(), NOTHING, "Google's events are not imported again")
        self.assertEqual(self.writes_to_google(), [], "and the deletions in Odoo are not sent")
        self.assertNewEventsSyncBothWays(NOTHING, EVERYTHING)

    def test_deleted_from_both_then_only_new_events(self):
        self.reset("delete_both", "new", notify=True)
        self.assertResetDone()
        self.assertEqual((self.in_odoo(), self.on_google()), (NOTHING, NOTHING))
        self.assertEqual(self.deletions_sent(), (["all"] * 3, 1))
        self.assertEqual(self.new_mails(), [("carol@example.com", "cancellation", "Odoo meeting")],
                         "Notify attendees: Google mails the guests")
        self.reconnect_and_sync()
        self.assertEqual(self.writes_to_google(), [])
        self.assertNewEventsSyncBothWays(NOTHING, NOTHING)

    # -- "Synchronize all existing events" -------------------------------------------------------

    def test_untouched_then_all_events_rebinds_without_duplicates(self):
        self.reset("dont_delete", "all")
        self.assertResetDone()
        self.reconnect_and_sync()
        self.assertEqual(self.writes_to_google(), [], "the same events, bound again: nothing to send")
        self.assertEqual(self.in_odoo(), EVERYTHING_IN_ODOO)
        self.assertEqual(self.on_google(), EVERYTHING)
        self.assertNewEventsSyncBothWays(EVERYTHING_IN_ODOO, EVERYTHING)

    def test_deleted_from_google_then_all_events_sends_odoo_again(self):
        self.reset("delete_google", "all", notify=True)
        self.assertResetDone()
        self.assertEqual(self.on_google(), NOTHING)
        self.assertEqual(self.deletions_sent(), (["all"] * 3, 1))
        self.assertEqual(self.new_mails(), [("carol@example.com", "cancellation", "Odoo meeting")])
        self.reconnect_and_sync()
        self.assertEqual(self.on_google(), EVERYTHING, "every Odoo event is on Google again, once")
        self.assertEqual(self.in_odoo(), EVERYTHING_IN_ODOO)
        self.assertNotIn("all", {send for _method, send in self.writes_to_google()},
                         "sending them again is a first synchronization: it mails nobody")
        self.assertNewEventsSyncBothWays(EVERYTHING_IN_ODOO, EVERYTHING)

    def test_deleted_from_odoo_then_all_events_imports_google_again(self):
        self.reset("delete_odoo", "all")
        self.assertResetDone()
        self.assertEqual(self.in_odoo(), NOTHING)
        self.reconnect_and_sync()
        self.assertEqual(self.in_odoo(), EVERYTHING_IN_ODOO, "every Google event is in Odoo again, once")
        self.assertEqual(self.on_google(), EVERYTHING)
        self.assertEqual(self.writes_to_google(), [], "the deletions in Odoo are not sent")
        self.assertNewEventsSyncBothWays(EVERYTHING_IN_ODOO, EVERYTHING)

    def test_deleted_from_both_then_all_events(self):
        self.reset("delete_both", "all")
        self.assertResetDone()
        self.assertEqual((self.in_odoo(), self.on_google()), (NOTHING, NOTHING))
        self.assertEqual(self.deletions_sent(), (["none"] * 3, 1))
        self.reconnect_and_sync()
        self.assertEqual(self.writes_to_google(), [])
        self.assertNewEventsSyncBothWays(NOTHING, NOTHING)

    # -- rights and failures ---------------------------------------------------------------------

    def test_only_administrators_reset(self):
        with self.assertRaises(AccessError):
            self.env["google.calendar.reset"].with_user(self.alice).create({"user_id": self.alice.id})
        self.assertEqual(self.account(self.alice).state, "connected")

    def test_when_google_cannot_delete_nothing_is_reset(self):
        self.google.fault(method="POST", path_regex="^/batch", status=403, reason="forbidden", times=5)
        error = self.catch(UserError, lambda: self.reset("delete_both", "all"))
        self.assertIn("nothing was reset", str(error))
        self.assertEqual(self.account(self.alice).state, "connected")
        self.assertEqual((self.in_odoo(), self.on_google()), (EVERYTHING_IN_ODOO, EVERYTHING))
