"""An event from Google too large to keep whole: Odoo keeps it, within bounds, and says so."""

import datetime as dt

from odoo.tests import tagged

from ..jobs.sync_run import run_now
from ..port import bounds
from ..port.bounds import MAX_GUESTS, MAX_TEXT
from ..rules.sync_window import DEFAULT_FUTURE_DAYS
from .common import ALICE_GOOGLE, GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestBounds(GoogleCalendarSyncCase):
    def test_a_huge_guest_list_and_description_are_cut_with_a_note_and_the_event_kept(self):
        guests = [{"email": ALICE_GOOGLE, "responseStatus": "accepted", "organizer": True}]
        guests += [{"email": f"guest{n}@example.com"} for n in range(MAX_GUESTS + 100)]
        partners_before = self.env["res.partner"].search_count([])
        self.insert_on_google("Town hall", attendees=guests, description="x" * (MAX_TEXT["description"] + 5),
                              location="Main hall")
        self.run_sync(problem=f"101 guests beyond the first {MAX_GUESTS} were left out")
        event = self.odoo_event("Town hall")
        self.assertEqual(len(event.partner_ids), MAX_GUESTS)
        self.assertIn(self.alice.partner_id, event.partner_ids, "the user stays a guest of their own event")
        self.assertLessEqual(self.env["res.partner"].search_count([]) - partners_before, MAX_GUESTS)
        self.assertLessEqual(len(event.description), MAX_TEXT["description"] + 100)
        self.assertEqual(event.location, "Main hall", "the rest of the event is kept")
        log = self.sync.log_ids[:1]
        # "Done, with problems" said 0 problems: the event kept in part is one, and its line.
        self.assertEqual((log.state, log.problem_count), ("partial", 1))
        [note] = log.problem_line_ids
        self.assertEqual((note.kind, note.event_id, note.name), ("note", event, "Town hall"))
        self.assertIn(f"101 guests beyond the first {MAX_GUESTS} were left out", note.message)
        self.assertIn("description was shortened", note.message)
        self.run_sync()
        self.assertEqual(len(self.google_event("Town hall")["attendees"]), MAX_GUESTS + 101,
                         "Google keeps the whole event: the cut version is not sent back")


@tagged("post_install", "-at_install")
class TestHostileSeries(GoogleCalendarSyncCase):
    """Invitations anyone can send: series of a hundred thousand occurrences, every minute or
    second, or too many for one run. Odoo holds what its calendar shows, within bounds, and says
    so; the counts are of records and rows, the same on any machine."""

    OUTSIDER = "mallory@elsewhere.example"

    def invite(self, summary, rule, guests=3, days=1):
        """An invitation from someone outside Odoo, made in Google Calendar's own app: from
        ``days`` ahead, at 09:00, with alice and ``guests`` other guests."""
        if not hasattr(self, "outsider_token"):
            self.google.add_user(self.OUTSIDER)
            self.outsider_token = self.google.connect(
                self.OUTSIDER, client_id="calendar-web.apps.googleusercontent.com")["access_token"]
        first = dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(9))
        attendees = [{"email": ALICE_GOOGLE}] + [{"email": f"guest{n}@example.com"} for n in range(guests)]
        return self.as_google_user(self.outsider_token, "POST", "", {
            "summary": summary, "recurrence": [rule], "attendees": attendees,
            "start": {"dateTime": first.isoformat() + "Z", "timeZone": "UTC"},
            "end": {"dateTime": (first + dt.timedelta(minutes=30)).isoformat() + "Z", "timeZone": "UTC"}})

    def series(self, name):
        return self.env["calendar.event"].search([("name", "=", name)], order="start")

    def rows(self):
        return self.env["google.calendar.binding"].search_count([("sync_id", "=", self.sync.id)])

    def test_a_hundred_thousand_days_are_the_window_in_odoo_then_more_as_time_moves_on(self):
        self.invite("Daily trap", "RRULE:FREQ=DAILY;COUNT=100000")
        self.run_sync()
        events = self.series("Daily trap")
        # From tomorrow to the window's end (two years ahead), not 100,000 occurrences nor 10,000.
        self.assertIn(len(events), (DEFAULT_FUTURE_DAYS - 1, DEFAULT_FUTURE_DAYS))
        guests = len(events[0].attendee_ids)
        self.assertEqual(len(events.attendee_ids), guests * len(events), "each occurrence with its guests only")
        self.assertEqual(self.rows(), 1, "one binding, for the series")
        recurrence = events.recurrence_id
        self.assertIn("100000", recurrence.name, "the rule as Google has it, not Odoo's cap of 720")
        self.assertEqual((recurrence.end_type, recurrence.count), ("count", 100000))
        self.assertEqual(self.sync.log_ids[:1].state, "done")

        made = len(events)
        with self.freeze_later(3 * 86400):
            self.run_sync()
        later = self.series("Daily trap")
        self.assertEqual(len(later) - made, 3, "three days later, three more days of it")
        self.assertEqual(len(later.attendee_ids), guests * len(later))
        self.assertEqual(later[-1].attendee_ids.mapped("state"), later[0].attendee_ids.mapped("state"),
                         "the newcomers carry the guests' answers")
        with self.freeze_later(3 * 86400):
            self.run_sync()
        self.assertEqual(len(self.series("Daily trap")), len(later), "nothing more the same day")

    def test_series_every_minute_or_second_stay_on_google_and_the_log_says_why(self):
        self.invite("Every minute", "RRULE:FREQ=MINUTELY;COUNT=100000")
        self.invite("Every second", "RRULE:FREQ=SECONDLY;COUNT=100000")
        self.invite("Twice a day", "RRULE:FREQ=DAILY;BYHOUR=9,17;COUNT=100000")
        self.invite("Never", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
        contacts = self.env["res.partner"].search_count([])
        self.run_sync(problem="repeats more than once a day")
        for name in ("Every minute", "Every second", "Twice a day"):
            self.assertFalse(self.series(name), name)
        self.assertEqual(len(self.series("Never")), 1, "a rule that never repeats: its first occurrence")
        self.assertEqual(self.rows(), 1)
        self.assertLessEqual(self.env["res.partner"].search_count([]) - contacts, 4, "the guests of one event")
        log = self.sync.log_ids[:1]
        skipped = log.problem_line_ids.filtered(lambda line: line.kind == "skipped")
        self.assertEqual(sorted(skipped.mapped("name")), ["Every minute", "Every second", "Twice a day"])
        self.assertIn("repeats more than once a day", skipped[0].message)
        self.assertIn("stays on Google Calendar", skipped[0].message)

    def test_a_run_makes_so_many_records_and_the_next_runs_go_on_each_event_once(self):
        self.patch(bounds, "RUN_RECORDS", 40)
        soon = dt.datetime.combine(dt.date.today() + dt.timedelta(days=2), dt.time(9))
        for n in range(20):
            self.insert_on_google(f"Visit {n}", start=f"{soon + dt.timedelta(hours=n):%Y-%m-%dT%H:%M:%S}Z",
                                  end=f"{soon + dt.timedelta(hours=n, minutes=30):%Y-%m-%dT%H:%M:%S}Z", zone="UTC",
                                  attendees=[{"email": f"patient{n}@example.com"}])
        self.invite("Daily class", "RRULE:FREQ=DAILY;COUNT=20")
        self.run_sync(problem="as many records in Odoo as a run may (40")
        log = self.sync.log_ids[:1]
        self.assertEqual(log.state, "stopped")
        self.assertIn("as many records in Odoo as a run may (40", log.message)
        visits = self.env["calendar.event"].search_count([("name", "like", "Visit")])
        self.assertLess(visits, 20)
        self.assertTrue(self.sync.request_ids, "the next run is asked for at once")
        for _run in range(10):
            if not self.sync.request_ids:
                break
            with self.worker() as env:
                run_now(env["google.calendar.sync"]._for_user(self.alice))
            if self.sync.log_ids[:1].state != "done":  # out of room again: the next run goes on
                self.assertRunFailed("as many records in Odoo as a run may (40")
        self.assertFalse(self.sync.request_ids)
        for n in range(20):
            self.odoo_event(f"Visit {n}")
        self.assertEqual(len(self.series("Daily class")), 20, "the series whole, a run's room at a time")
        self.assertEqual(self.rows(), 21)
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "nothing was changed in Odoo")

    def test_a_series_too_large_to_hold_keeps_its_bound_and_says_where_it_stops(self):
        self.patch(bounds, "SERIES_RECORDS", 60)
        self.invite("Big daily", "RRULE:FREQ=DAILY;COUNT=50")
        self.run_sync(problem="as a series keeps at most 60 records")
        events = self.series("Big daily")
        each = len(events[0].attendee_ids) + 1
        self.assertEqual(len(events), 1 + 60 // each, "the first occurrence and the series' bound")
        [note] = self.sync.log_ids[:1].problem_line_ids
        self.assertEqual((note.kind, note.name), ("note", "Big daily"))
        self.assertIn("were left out, as a series keeps at most 60 records", note.message)
        self.run_sync()
        self.assertEqual(len(self.series("Big daily")), len(events), "not more at the next run")
