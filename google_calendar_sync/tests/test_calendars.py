"""Which Google calendar: any one the user can write to, chosen from Google's list."""

import datetime as dt

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ALICE_GOOGLE, GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestCalendars(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.clinic = self.add_google_calendar("Clinic")

    def choose(self, user):
        action = self.alice.with_user(user).action_google_calendar_choose()
        return self.env[action["res_model"]].with_user(user).browse(action["res_id"])

    def test_the_user_chooses_among_the_calendars_google_lists(self):
        event = self.create_in_odoo("Consultation")
        self.run_sync()
        wizard = self.choose(self.alice)
        self.assertEqual([(line.name, line.current) for line in wizard.line_ids],
                         [(f"Primary calendar ({ALICE_GOOGLE})", True), ("Clinic", False)])
        wizard.line_ids.filtered(lambda line: line.name == "Clinic").action_choose()
        self.assertEqual((self.sync.calendar_id, self.sync.calendar_name), (self.clinic, "Clinic"))
        self.assertTrue(self.sync.requested_at, "the new calendar gets a first synchronization")
        self.run_sync()
        clinic = {e["summary"] for page in self.google_api().list_events(self.clinic) for e in page.items}
        self.assertEqual(clinic, {"Consultation"}, "Odoo's events go to the chosen calendar")
        self.assertTrue(event.exists())

    def test_a_series_goes_to_the_chosen_calendar_as_odoo_has_it(self):
        """Its occurrences deleted or changed one by one included: the new calendar has none of
        the old one's bindings, which carried them."""
        start = fields.Datetime.now().replace(hour=9, minute=0, second=0) + dt.timedelta(days=3)
        series = self.create_in_odoo("Stand-up", start=start, recurrency=True, rrule_type="daily", interval=1,
                                     end_type="count", count=3, event_tz="Europe/Paris")
        self.run_sync()
        _first, second, third = series.recurrence_id.calendar_event_ids.sorted("start")
        second.with_user(self.alice).action_mass_archive("self_only")
        third.with_user(self.alice).write({"name": "Stand-up, in room 3", "recurrence_update": "self_only"})
        self.choose(self.alice).line_ids.filtered(lambda line: line.name == "Clinic").action_choose()
        self.run_sync()
        api = self.google_api()
        [master] = [e for page in api.list_events(self.clinic) for e in page.items if e.get("recurrence")]
        shown = [e["summary"] for e in api.instances(self.clinic, master["id"]) if e.get("status") != "cancelled"]
        self.assertEqual(shown, ["Stand-up", "Stand-up, in room 3"])

    def test_only_oneself_or_an_administrator_chooses(self):
        with self.assertRaises(AccessError):
            self.choose(self.bob)
        self.assertEqual(len(self.choose(self.admin).line_ids), 2)

    def test_nobody_reads_another_users_list_of_calendars(self):
        lines = self.choose(self.alice).line_ids
        self.assertFalse(lines.with_user(self.bob).search([("id", "in", lines.ids)]))
        with self.assertRaises(AccessError):
            lines.with_user(self.bob).read(["name"])
        self.assertEqual(lines.with_user(self.admin).search_count([("id", "in", lines.ids)]), 2)

    def test_a_revoked_grant_says_so_and_the_account_needs_reconnection(self):
        self.google.revoke_tokens(ALICE_GOOGLE)
        self.env["google.account"]._for_user(self.alice).access_token_expires_at = fields.Datetime.now()

        action = self.alice.with_user(self.alice).action_google_calendar_choose()

        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("invalid_grant", action["params"]["message"])
        self.assertEqual(self.sync.account_id.state, "needs_reconnect", "kept: the request does not fail")
