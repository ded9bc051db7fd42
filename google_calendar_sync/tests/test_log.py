"""The synchronization log: each run, what it did, which events failed and why; private to its user."""

import json

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ALICE_GOOGLE, GoogleCalendarSyncCase, paris


@tagged("post_install", "-at_install")
class TestLog(GoogleCalendarSyncCase):
    def last_log(self):
        return self.env["google.calendar.sync.log"].search([("sync_id", "=", self.sync.id)], limit=1)

    def test_a_run_is_logged_with_what_it_did(self):
        self.create_in_odoo("Odoo one")
        self.insert_on_google("Google one")
        self.run_sync()
        log = self.last_log()
        self.assertEqual((log.state, log.kind), ("done", "incremental"))
        self.assertEqual((log.created_in_google, log.created_in_odoo, log.processed), (1, 1, 2))
        self.assertEqual(log.requests, 2)
        self.assertTrue(log.finished_at >= log.started_at)
        self.assertEqual(log.summary, "In Odoo: 1 created; In Google Calendar: 1 created")

    def test_a_run_that_only_took_an_invitation_out_of_odoo_is_logged_with_it(self):
        """Alice removed an outsider's invitation from her Google calendar: the run that takes it
        out of her Odoo calendar changed it, and says so in the log (no idle run)."""
        outsider = self.google.connect("partner@outside.example",
                                       client_id="calendar-web.apps.googleusercontent.com")["access_token"]
        invitation = self.as_google_user(outsider, "POST", "", {
            "summary": "Partner visit", "start": {"dateTime": paris(3, 9).isoformat(), "timeZone": "Europe/Paris"},
            "end": {"dateTime": paris(3, 10).isoformat(), "timeZone": "Europe/Paris"},
            "attendees": [{"email": ALICE_GOOGLE}]})
        self.run_sync()
        self.assertTrue(self.odoo_event("Partner visit"))
        before = self.last_log()
        self.google_api().delete_event("primary", invitation["id"])
        self.run_sync()
        log = self.last_log()
        self.assertNotEqual(log, before, "the run has a row of its own")
        self.assertEqual((log.state, log.kind, log.processed), ("done", "incremental", 1))
        self.assertEqual(log.summary, "In Odoo: 1 declined (removed from your Google calendar)")
        self.assertFalse(self.env["calendar.event"].search([("name", "=", "Partner visit")]))

    def test_a_recurrence_odoo_cannot_expand_is_told_in_the_users_language(self):
        """The engine's RecurrenceError reaches a French user in French: a series whose lines the
        engine cannot expand any more (here one Odoo holds with a property it does not know)
        stops the run that brings its next occurrences."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["google_calendar_sync"], ["fr_FR"])
        self.alice.lang = "fr_FR"
        self.insert_on_google("Weekly review", recurrence=["RRULE:FREQ=WEEKLY;COUNT=30"])
        self.run_sync()
        recurrence = self.env["calendar.recurrence"].search([("google_recurrence", "!=", False)])
        self.env.cr.execute(
            "UPDATE calendar_recurrence SET google_recurrence = %s, google_shown_until = now() at time zone 'UTC' "
            "WHERE id = %s", ["RRULE:FREQ=WEEKLY;COUNT=30\nX-ODD:1", recurrence.id])
        self.env.invalidate_all()
        self.sync.sudo().series_due_at = False
        self.run_sync(problem="La récurrence d'une série est inutilisable : elle utilise quelque chose qu'Odoo ne "
                              "prend pas en charge (X-ODD).")

    def test_an_event_google_refuses_is_a_line_linking_to_it(self):
        five_weeks = self.env["calendar.alarm"].create({
            "name": "Five weeks", "alarm_type": "notification", "duration": 35, "interval": "days"})
        event = self.create_in_odoo("Too early a reminder", alarm_ids=[(6, 0, five_weeks.ids)])
        self.create_in_odoo("Fine")
        self.run_sync(problem="Too early a reminder")
        log = self.last_log()
        self.assertEqual(log.state, "partial")
        [line] = log.line_ids
        self.assertEqual((line.kind, line.event_id, line.name), ("problem", event, "Too early a reminder"))
        self.assertIn("reminder", line.message.lower())
        self.assertIn("Too early a reminder", self.sync.last_error)

    def test_a_conflict_is_a_line_with_the_version_that_lost(self):
        event = self.create_in_odoo("Original")
        self.run_sync()
        self.google_api().patch_event("primary", self.google_event("Original")["id"], {"summary": "Google edit"})
        event.with_user(self.alice).write({"name": "Odoo edit"})
        self.run_sync()
        [line] = self.last_log().line_ids
        self.assertEqual(line.kind, "conflict")
        self.assertIn("edited on both sides", line.message)

    @mute_logger("odoo.http")
    def test_users_read_their_own_runs_only(self):
        log = self.last_log()
        self.assertEqual(self.env["google.calendar.sync.log"].with_user(self.alice).search([]), log)
        self.assertFalse(self.env["google.calendar.sync.log"].with_user(self.bob).search([]))
        self.authenticate(self.bob.login, f"{self.bob.login}_password")
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "model": "google.calendar.sync.log", "method": "read", "args": [log.ids, ["summary"]], "kwargs": {}}}
        answer = self.url_open("/web/dataset/call_kw", data=json.dumps(payload),
                               headers={"Content-Type": "application/json"}).json()
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertIn(log, self.env["google.calendar.sync.log"].with_user(self.admin).search([]))

    def test_the_log_opens_from_the_preferences_for_oneself_only(self):
        action = self.alice.with_user(self.alice).action_google_calendar_log()
        self.assertEqual(action["domain"], [("user_id", "=", self.alice.id)])
        with self.assertRaises(AccessError):
            self.alice.with_user(self.bob).action_google_calendar_log()
