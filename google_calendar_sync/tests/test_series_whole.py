"""Series as far as the window goes, and more as it moves on; single events that become series
and back, guests' answers on every occurrence, and the sync window an administrator chooses."""

import datetime as dt

from odoo.tests import tagged

from .common import GoogleCalendarSyncCase, day, paris


@tagged("post_install", "-at_install")
class TestSeriesWhole(GoogleCalendarSyncCase):
    def occurrences(self, name):
        return self.env["calendar.event"].search([("name", "like", name)], order="start")

    def test_a_series_beyond_the_window_is_its_first_occurrence_until_the_window_reaches_it(self):
        # (Six days later at most: Google ends a testing app's connections after seven.)
        first = dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=732, hours=12)
        master = self.insert_on_google("Far review", start=f"{first.isoformat()}Z",
                                       end=f"{(first + dt.timedelta(hours=1)).isoformat()}Z", zone="UTC",
                                       recurrence=["RRULE:FREQ=DAILY;COUNT=5"])
        self.run_sync()
        self.assertEqual(len(self.occurrences("Far review")), 1, "past the two-year window: its first occurrence")
        self.google_api().patch_event("primary", master["id"], {"recurrence": ["RRULE:FREQ=DAILY;COUNT=7"]})
        self.run_sync()
        self.assertFalse(self.sync.last_error)
        self.assertEqual(len(self.occurrences("Far review")), 1)
        with self.freeze_later(6 * 86400):
            self.run_sync()
        self.assertEqual(len(self.occurrences("Far review")), 4, "the window came to its first days")

    def test_a_series_running_past_the_window_is_in_odoo_as_far_as_the_window_goes(self):
        start = dt.datetime.now().replace(microsecond=0, second=0) + dt.timedelta(days=3)
        self.insert_on_google("Monthly board", start=start.isoformat() + "Z",
                              end=(start + dt.timedelta(hours=1)).isoformat() + "Z", zone="UTC",
                              recurrence=["RRULE:FREQ=MONTHLY;COUNT=36"])
        self.run_sync()
        self.assertEqual(len(self.occurrences("Monthly board")), 24, "two years of it, the window's")
        with self.freeze_later(6 * 86400):
            self.run_sync()
        self.assertEqual(len(self.occurrences("Monthly board")), 25, "days later, the next one")

    def test_a_single_event_made_a_series_on_google_becomes_a_series_in_odoo_and_back(self):
        guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        created = self.insert_on_google("One-to-one", attendees=[
            {"email": "guest@example.com", "responseStatus": "accepted"}])
        self.run_sync()
        single = self.odoo_event("One-to-one")
        self.google_api().patch_event("primary", created["id"], {"recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]})
        self.run_sync()
        series = self.occurrences("One-to-one")
        self.assertEqual(len(series), 3)
        self.assertIn(single, series, "the event itself is the first occurrence")
        answers = series.attendee_ids.filtered(lambda attendee: attendee.partner_id == guest).mapped("state")
        self.assertEqual(answers, ["accepted"] * 3, "every occurrence carries the guest's answer")
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "nothing to send back")

        self.google_api().patch_event("primary", created["id"], {"recurrence": []})
        self.run_sync()
        self.assertEqual(self.occurrences("One-to-one"), single, "one event again: the same one")
        self.assertFalse(single.recurrence_id)
        self.assertEqual(single.attendee_ids.filtered(lambda attendee: attendee.partner_id == guest).state, "accepted")
        self.assertEqual(len(self.google_events()), 1)

    def test_a_series_made_single_in_odoo_is_the_same_google_event_without_recurrence(self):
        first = self.create_in_odoo("Weekly sync", recurrency=True, rrule_type="weekly", tue=True,
                                    end_type="count", count=3, event_tz="Europe/Paris")
        self.run_sync()
        [master] = self.google_events().values()
        first.with_user(self.alice).write({"recurrency": False, "recurrence_update": "all_events"})
        self.google.clear_requests()
        self.run_sync()
        [event] = self.google_events().values()
        self.assertEqual((event["id"], event.get("recurrence")), (master["id"], None), "patched, not replaced")
        self.assertEqual(self.google.mails(), [], "nobody is told the meeting was cancelled")

    def test_every_occurrence_of_an_imported_series_and_of_its_split_carries_the_answers(self):
        guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        attendees = [{"email": "guest@example.com", "responseStatus": "declined"}]
        master = self.insert_on_google("Class", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"], attendees=attendees)
        self.run_sync()

        def answers(name):
            return self.occurrences(name).attendee_ids.filtered(lambda a: a.partner_id == guest).mapped("state")
        self.assertEqual(answers("Class"), ["declined"] * 4)
        # "This and following" on Google: the series ends, a new one starts.
        api = self.google_api()
        api.patch_event("primary", master["id"], {"recurrence": [f"RRULE:FREQ=WEEKLY;UNTIL={day(9):%Y%m%d}T000000Z"]})
        self.insert_on_google("Class B", start=paris(17, 9).isoformat(), end=paris(17, 10).isoformat(),
                              recurrence=["RRULE:FREQ=WEEKLY;COUNT=2"], attendees=attendees)
        self.run_sync()
        self.assertEqual(answers("Class B"), ["declined"] * 2)

    def test_a_wider_window_brings_older_events_without_doubling_and_a_narrower_one_deletes_nothing(self):
        # (Changes listed from a sync token travel whatever their date, as Google lists them; the
        # window bounds what a full list takes: a first synchronization, a resynchronization.)
        old = (dt.datetime.now() - dt.timedelta(days=500)).replace(microsecond=0, second=0)
        self.insert_on_google("Old meeting", start=old.isoformat() + "Z",
                              end=(old + dt.timedelta(hours=1)).isoformat() + "Z", zone="UTC")
        self.create_in_odoo("Kept", start=dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=10))
        self.sync.sudo().sync_token = False  # a full list, as a first synchronization makes
        self.run_sync()
        self.assertFalse(self.env["calendar.event"].search([("name", "=", "Old meeting")]), "outside the window")
        settings = self.env["res.config.settings"].with_user(self.admin).create({"google_calendar_past_days": 730})
        settings.execute()
        self.run_sync()
        self.odoo_event("Old meeting")
        self.assertEqual(sorted(e["summary"] for e in self.google_events().values()), ["Kept", "Old meeting"])
        self.env["res.config.settings"].with_user(self.admin).create({"google_calendar_past_days": 30}).execute()
        self.run_sync()
        self.odoo_event("Old meeting")
        self.assertEqual(len(self.google_events()), 2, "what leaves the window is kept on both sides")
        self.assertEqual(self.google.mails(), [])
