"""Occurrences of a series deleted one by one in Odoo ("This event only"): each is cancelled on
Google, whichever it is (the first, whose removal makes Odoo move the series' base to the next
one, a middle one, the last), and nothing else changes."""

import datetime as dt

from odoo.tests import tagged

from ..compat import POPOVER_DELETE_EVENT
from .common import GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestOccurrenceDeletions(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.first_start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(9))

    def series_from_odoo(self, count=5):
        first = self.create_in_odoo("Weekly", start=self.first_start, recurrency=True, rrule_type="weekly",
                                    end_type="count", count=count, event_tz="UTC",
                                    **{self.first_start.strftime("%a").lower(): True})
        self.run_sync()
        [master] = [e for e in self.google_events().values() if e.get("recurrence")]
        return first.recurrence_id, master

    def series_from_google(self, count=5):
        start = self.first_start.isoformat() + "Z"
        end = (self.first_start + dt.timedelta(hours=1)).isoformat() + "Z"
        master = self.insert_on_google("Weekly", start=start, end=end, zone="UTC",
                                       recurrence=[f"RRULE:FREQ=WEEKLY;COUNT={count}"])
        self.run_sync()
        return self.odoo_event_series(), master

    def odoo_event_series(self):
        return self.env["calendar.event"].search([("name", "=", "Weekly")], limit=1).recurrence_id

    def live_instances(self, master):
        """The starts of the occurrences Google shows, in order."""
        instances = self.google_api().instances("primary", master["id"])
        return [i["start"]["dateTime"][:16] for i in instances if i.get("status") != "cancelled"]

    def week(self, n):
        return (self.first_start + dt.timedelta(weeks=n)).isoformat()[:16]

    def occurrence(self, recurrence, n):
        """The occurrence of week ``n`` (0 is the first) in Odoo."""
        start = self.first_start + dt.timedelta(weeks=n)
        return recurrence.calendar_event_ids.filtered(lambda e: e.start == start)

    def delete_in_calendar_view(self, event):
        """Odoo's calendar view, "Delete" then "This event only" (it archives the occurrence)."""
        event.with_user(self.alice).action_mass_archive("self_only")

    def delete_in_popover(self, event):
        """The event's popover, "Delete this event" (it unlinks the occurrence)."""
        wizard = self.env["calendar.popover.delete.wizard"].with_user(self.alice).create(
            {POPOVER_DELETE_EVENT: event.id, "delete": "one"})
        wizard.close()

    def assertOnlyCancelled(self, master, weeks, count=5):
        self.assertEqual(self.live_instances(master), [self.week(n) for n in range(count) if n not in weeks])
        [google] = [e for e in self.google_events().values() if e.get("recurrence")]
        self.assertEqual((google["id"], google["start"]["dateTime"][:16]), (master["id"], self.week(0)),
                         "the series itself stays where it was")
        self.assertEqual(google["summary"], "Weekly")

    def deletes_one_by_one(self, series, delete, order):
        recurrence, master = series()
        gone = []
        for week in order:
            delete(self.occurrence(recurrence, week))
            gone.append(week)
            self.run_sync()
            self.assertFalse(self.sync.last_error)
            self.assertOnlyCancelled(master, gone)
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "nothing left to send")
        remaining = self.env["calendar.event"].search([("name", "=", "Weekly")])
        self.assertEqual(sorted(e.start for e in remaining),
                         [self.first_start + dt.timedelta(weeks=n) for n in range(5) if n not in gone])

    def test_the_first_then_the_next_from_the_calendar_view(self):
        self.deletes_one_by_one(self.series_from_odoo, self.delete_in_calendar_view, [0, 1, 2])

    def test_the_first_then_the_next_from_the_popover(self):
        self.deletes_one_by_one(self.series_from_odoo, self.delete_in_popover, [0, 1])

    def test_a_middle_one_then_the_last(self):
        self.deletes_one_by_one(self.series_from_odoo, self.delete_in_calendar_view, [2, 4])

    def test_the_first_ones_of_a_series_made_on_google(self):
        self.deletes_one_by_one(self.series_from_google, self.delete_in_calendar_view, [0, 1, 3])

    def test_the_last_one_of_a_series_made_on_google_from_the_popover(self):
        self.deletes_one_by_one(self.series_from_google, self.delete_in_popover, [4, 0])

    def test_the_first_and_then_an_edit_of_all_events(self):
        recurrence, master = self.series_from_odoo()
        self.delete_in_calendar_view(self.occurrence(recurrence, 0))
        self.run_sync()
        self.occurrence(recurrence, 2).with_user(self.alice).write({"name": "Weekly, renamed",
                                                                     "recurrence_update": "all_events"})
        self.run_sync()
        self.assertFalse(self.sync.last_error)
        self.assertEqual(self.live_instances(master), [self.week(n) for n in (1, 2, 3, 4)])
        self.env.invalidate_all()
        self.assertEqual(sorted(self.env["calendar.event"].search([("name", "=", "Weekly, renamed")]).mapped("start")),
                         [self.first_start + dt.timedelta(weeks=n) for n in (1, 2, 3, 4)])

    def test_the_first_before_the_series_ever_went_to_google(self):
        first = self.create_in_odoo("Weekly", start=self.first_start, recurrency=True, rrule_type="weekly",
                                    end_type="count", count=5, event_tz="UTC",
                                    **{self.first_start.strftime("%a").lower(): True})
        self.delete_in_calendar_view(self.occurrence(first.recurrence_id, 0))
        self.run_sync()
        self.assertFalse(self.sync.last_error)
        [master] = [e for e in self.google_events().values() if e.get("recurrence")]
        self.assertEqual(self.live_instances(master), [self.week(n) for n in (1, 2, 3, 4)])

    def test_the_first_of_a_google_series_then_an_edit_of_all_events(self):
        recurrence, master = self.series_from_google()
        self.delete_in_calendar_view(self.occurrence(recurrence, 0))
        self.run_sync()
        self.occurrence(recurrence, 1).with_user(self.alice).write({"name": "Weekly, renamed",
                                                                     "recurrence_update": "all_events"})
        self.run_sync()
        self.assertFalse(self.sync.last_error)
        self.assertEqual(self.live_instances(master), [self.week(n) for n in (1, 2, 3, 4)])

    def test_every_occurrence_one_by_one_deletes_the_series(self):
        recurrence, _master = self.series_from_odoo(count=3)
        for week in (0, 1, 2):
            self.delete_in_calendar_view(self.occurrence(recurrence, week))
            self.run_sync()
            self.assertFalse(self.sync.last_error)
        self.assertEqual(self.google_events(), {}, "the series is gone from Google with its last occurrence")
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [])

    def this_and_following(self, week):
        """"Delete", then "This and following events" in the calendar view: Odoo ends the series
        before the occurrence and archives those it detached. Google's series ends there too, and
        nothing is left to send: the occurrences past its new end are not on Google to cancel."""
        recurrence, master = self.series_from_odoo()
        self.occurrence(recurrence, week).with_user(self.alice).action_mass_archive("future_events")
        self.run_sync()
        self.assertEqual(self.live_instances(master), [self.week(n) for n in range(week)])
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "nothing left to send")

    def test_this_and_following_from_a_middle_one(self):
        self.this_and_following(2)

    def test_this_and_following_from_the_last_one(self):
        self.this_and_following(4)
