"""A direction that leaves one side's changes aside keeps them pending: back to both ways, they
arrive, once, and meanwhile nothing is sent or fetched again for them."""

import datetime as dt

from odoo.tests import tagged

from .common import GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestDirections(GoogleCalendarSyncCase):
    def at(self, days, hour=9):
        return dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(hour))

    def on_google(self, days, hour=9):
        start = self.at(days, hour)
        return {"start": start.isoformat() + "Z", "end": (start + dt.timedelta(hours=1)).isoformat() + "Z",
                "zone": "UTC"}

    def choose_direction(self, direction):
        """The user's preferences, as the dialog saves them."""
        self.alice.with_user(self.alice).write({"google_calendar_direction": direction})

    def titles_in_odoo(self):
        self.env.invalidate_all()
        return sorted(self.env["calendar.event"].search([("user_id", "=", self.alice.id)]).mapped("name"))

    def titles_on_google(self):
        return sorted(e["summary"] for e in self.google_events().values())

    def quiet_runs(self, count=5):
        """``count`` more runs, each asking Google once (its changes) and writing nothing."""
        for _ in range(count):
            self.google.clear_requests()
            self.run_sync()
            self.assertEqual(len(self.google.requests()), 1)
            self.assertEqual(self.writes_to_google(), [])

    def test_google_changes_made_odoo_to_google_only_arrive_both_ways_again(self):
        api = self.google_api()
        renamed = self.insert_on_google("Planning", **self.on_google(2))
        deleted = self.insert_on_google("Dentist", **self.on_google(3))
        self.create_in_odoo("Odoo visit", start=self.at(4))
        self.run_sync()
        visit = self.odoo_event("Odoo visit")
        self.choose_direction("odoo_to_google")
        self.run_sync()
        self.insert_on_google("Made on Google meanwhile", **self.on_google(5))
        api.patch_event("primary", renamed["id"], {"summary": "Planning, renamed on Google"})
        api.delete_event("primary", deleted["id"])
        self.google.advance_clock(60)
        with self.freeze_later(120):
            visit.with_user(self.alice).write({"name": "Odoo visit, renamed"})
        self.run_sync()
        self.assertEqual(self.titles_in_odoo(), ["Dentist", "Odoo visit, renamed", "Planning"], "Google's changes wait")
        self.assertEqual(self.titles_on_google(), ["Made on Google meanwhile", "Odoo visit, renamed",
                                                   "Planning, renamed on Google"])
        self.quiet_runs(2)

        self.choose_direction("two_way")
        self.assertTrue(self.sync.requested_at, "the direction change asks for a run")
        self.run_sync()
        expected = ["Made on Google meanwhile", "Odoo visit, renamed", "Planning, renamed on Google"]
        self.assertEqual(self.titles_in_odoo(), expected)
        self.assertEqual(self.titles_on_google(), expected)
        self.assertFalse(self.sync.last_error)
        self.quiet_runs()
        self.assertEqual(self.titles_in_odoo(), expected)

    def test_odoo_changes_made_google_to_odoo_only_go_both_ways_again(self):
        renamed = self.create_in_odoo("Planning", start=self.at(2))
        deleted = self.create_in_odoo("Review", start=self.at(3))
        self.insert_on_google("Dentist", **self.on_google(4))
        self.run_sync()
        self.choose_direction("google_to_odoo")
        self.run_sync()
        renamed.with_user(self.alice).write({"name": "Planning, renamed in Odoo"})
        deleted.with_user(self.alice).unlink()
        self.create_in_odoo("Made in Odoo meanwhile", start=self.at(5))
        self.google_api().patch_event("primary", self.google_event("Dentist")["id"], {"summary": "Dentist, moved"})
        self.run_sync()
        self.assertEqual(self.titles_on_google(), ["Dentist, moved", "Planning", "Review"], "Odoo's changes wait")
        self.assertEqual(self.titles_in_odoo(), ["Dentist, moved", "Made in Odoo meanwhile",
                                                 "Planning, renamed in Odoo"])
        self.quiet_runs(2)

        self.choose_direction("two_way")
        self.run_sync()
        expected = ["Dentist, moved", "Made in Odoo meanwhile", "Planning, renamed in Odoo"]
        self.assertEqual(self.titles_on_google(), expected)
        self.assertEqual(self.titles_in_odoo(), expected)
        self.assertFalse(self.sync.last_error)
        self.quiet_runs()

    def test_a_change_of_direction_that_takes_nothing_new_lists_nothing_again(self):
        self.create_in_odoo("Planning", start=self.at(2))
        self.run_sync()
        self.choose_direction("odoo_to_google")
        self.google.clear_requests()
        self.run_sync()
        [request] = self.google.requests()
        self.assertIn("syncToken", request["query"], "Odoo to Google only takes nothing it did not take before")
