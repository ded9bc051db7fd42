"""Two sides edit one event before the next run: no accepted edit is silently lost."""

import datetime as dt

from odoo import fields
from odoo.tests import tagged

from .common import GoogleCalendarSyncCase, as_odoo, paris


@tagged("post_install", "-at_install")
class TestMerge(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.event = self.create_in_odoo("Original")
        self.run_sync()
        self.google_id = self.google_event("Original")["id"]

    def last_lines(self):
        return self.sync.log_ids[:1].line_ids

    def test_a_title_changed_in_odoo_and_a_time_moved_on_google_both_survive(self):
        self.google_api().patch_event("primary", self.google_id, {
            "start": {"dateTime": paris(1, 15).isoformat(), "timeZone": "Europe/Paris"},
            "end": {"dateTime": paris(1, 16).isoformat(), "timeZone": "Europe/Paris"}})
        with self.freeze_later(60):
            self.event.with_user(self.alice).write({"name": "Renamed in Odoo"})
        self.run_sync()
        google = self.google_api().get_event("primary", self.google_id)
        self.assertEqual((google["summary"], google["start"]["dateTime"]),
                         ("Renamed in Odoo", paris(1, 15).isoformat()))
        self.assertEqual((self.event.name, self.event.start), ("Renamed in Odoo", as_odoo(paris(1, 15))))
        self.assertFalse(self.last_lines(), "different fields: no conflict")

    def test_the_same_field_changed_on_both_sides_keeps_the_newest_and_logs_the_other_value(self):
        self.google_api().patch_event("primary", self.google_id, {"location": "Room from Google",
                                                                    "summary": "Original"})
        with self.freeze_later(60):
            self.event.with_user(self.alice).write({"location": "Room from Odoo", "description": "Agenda"})
        self.run_sync()
        google = self.google_api().get_event("primary", self.google_id)
        self.assertEqual(google["location"], "Room from Odoo")
        self.assertIn("Agenda", google["description"], "and the field only Odoo changed")
        [line] = self.last_lines()
        self.assertEqual((line.kind, line.event_id), ("conflict", self.event))
        self.assertIn("Location: Room from Google", line.message, "the value not kept stays visible")

    def test_one_occurrence_changed_on_both_sides_merges_field_by_field_and_logs_the_conflict(self):
        """The first change of one occurrence on each side: both changed it from the series."""
        start = fields.Datetime.now().replace(hour=9, minute=0, second=0) + dt.timedelta(days=3)
        series = self.create_in_odoo("Stand-up", start=start, recurrency=True, rrule_type="daily", interval=1,
                                     end_type="count", count=3, event_tz="Europe/Paris")
        self.run_sync()
        second = series.recurrence_id.calendar_event_ids.sorted("start")[1]
        master = self.google_event("Stand-up")
        instance = list(self.google_api().instances("primary", master["id"]))[1]
        self.google_api().patch_event("primary", instance["id"], {"summary": "Stand-up, Google's",
                                                                   "location": "Room from Google"})
        with self.freeze_later(60):
            second.with_user(self.alice).write({"name": "Stand-up, Odoo's", "description": "Agenda",
                                                "recurrence_update": "self_only"})
        self.run_sync()
        google = self.google_api().get_event("primary", instance["id"])
        self.assertEqual((google["summary"], google["location"]), ("Stand-up, Odoo's", "Room from Google"))
        self.assertIn("Agenda", google["description"])
        self.assertEqual((second.name, second.location), ("Stand-up, Odoo's", "Room from Google"))
        [line] = self.last_lines()
        self.assertEqual((line.kind, line.event_id), ("conflict", second))
        self.assertIn("Title: Stand-up, Google's", line.message, "the value not kept stays visible")

    def test_a_series_deleted_whole_takes_an_occurrence_edited_on_the_other_side_and_the_log_says_so(self):
        start = fields.Datetime.now().replace(hour=9, minute=0, second=0) + dt.timedelta(days=3)
        series = self.create_in_odoo("Stand-up", start=start, recurrency=True, rrule_type="daily", interval=1,
                                     end_type="count", count=3, event_tz="Europe/Paris")
        self.run_sync()
        master = self.google_event("Stand-up")
        instance = list(self.google_api().instances("primary", master["id"]))[1]
        self.google_api().patch_event("primary", instance["id"], {"summary": "Stand-up, Google's"})
        with self.freeze_later(60):
            series.with_user(self.alice).action_mass_archive("all_events")
        self.run_sync()
        self.assertEqual([e["summary"] for e in self.google_events().values() if e["status"] != "cancelled"],
                         ["Original"], "the series is gone")
        [line] = self.last_lines()
        self.assertEqual((line.kind, line.name), ("conflict", "Stand-up, Google's"))
        self.assertIn("deleted in Odoo and edited on Google", line.message)

    def test_an_event_edited_in_odoo_and_deleted_on_google_is_archived_and_linked_from_the_log(self):
        with self.freeze_later(-3600):
            self.event.with_user(self.alice).write({"name": "Edited before the deletion"})
        self.google_api().delete_event("primary", self.google_id)
        self.run_sync()
        self.assertTrue(self.event.exists(), "not deleted: the edit can be recovered")
        self.assertFalse(self.event.active)
        [line] = self.last_lines()
        self.assertEqual((line.kind, line.event_id), ("conflict", self.event))
        self.assertIn("deleted on Google and edited in Odoo", line.message)
        self.assertIn("archived", self.sync.log_ids[:1].summary)
