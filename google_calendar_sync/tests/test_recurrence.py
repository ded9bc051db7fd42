"""Series both ways, with their exceptions; rules Odoo cannot express stay intact."""

import calendar
import datetime as dt

from odoo.tests import tagged

from .common import PARIS, GoogleCalendarSyncCase, as_odoo, day, instance_id, paris

WEEKLY = ["RRULE:FREQ=WEEKLY;COUNT=4"]


def last_weekday(month):
    """The last weekday of ``month`` (a date in it) at 9:00 in Paris."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return dt.datetime.combine(last - dt.timedelta(days=max(0, last.weekday() - 4)), dt.time(9), PARIS)


@tagged("post_install", "-at_install")
class TestRecurrence(GoogleCalendarSyncCase):
    def occurrences(self, name):
        events = self.env["calendar.event"].search([("name", "like", name)], order="start")
        return [(e.name, e.start) for e in events]

    def test_a_google_series_with_exceptions_arrives_whole(self):
        master = self.insert_on_google("Standup", start=paris(1, 9).isoformat(), end=paris(1, 9, 15).isoformat(),
                                       recurrence=WEEKLY)
        api = self.google_api()
        api.patch_event("primary", instance_id(master["id"], paris(8, 9)), {
            "summary": "Standup (moved)",
            "start": {"dateTime": paris(8, 14).isoformat(), "timeZone": "Europe/Paris"},
            "end": {"dateTime": paris(8, 14, 15).isoformat(), "timeZone": "Europe/Paris"}})
        api.delete_event("primary", instance_id(master["id"], paris(15, 9)))
        self.run_sync()
        self.assertEqual(self.occurrences("Standup"), [
            ("Standup", as_odoo(paris(1, 9))),
            ("Standup (moved)", as_odoo(paris(8, 14))),
            ("Standup", as_odoo(paris(22, 9))),
        ])
        recurrence = self.odoo_event("Standup (moved)").recurrence_id
        self.assertEqual(recurrence.google_recurrence, WEEKLY[0])
        self.assertEqual(recurrence.event_tz, "Europe/Paris")
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "importing a series sends nothing back")

    def test_a_rule_odoo_cannot_express_stays_intact(self):
        # The last weekday of each month: BYSETPOS has no Odoo field.
        months = [day(1).replace(day=1)]
        for _ in range(2):
            months.append((months[-1] + dt.timedelta(days=32)).replace(day=1))
        first, skipped, third = map(last_weekday, months)
        rule = ["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
                f"EXDATE;TZID=Europe/Paris:{skipped:%Y%m%dT%H%M%S}"]
        master = self.insert_on_google("Month close", start=first.isoformat(),
                                       end=(first + dt.timedelta(hours=1)).isoformat(), recurrence=rule)
        self.run_sync()
        self.assertEqual([start for _, start in self.occurrences("Month close")], [as_odoo(first), as_odoo(third)])
        event = self.env["calendar.event"].search([("name", "=", "Month close")], limit=1)
        event.with_user(self.alice).write({"name": "Month close (all)", "recurrence_update": "all_events"})
        self.run_sync()
        google = self.google_api().get_event("primary", master["id"])
        self.assertEqual(google["recurrence"], rule, "the rule on Google is untouched")
        self.assertEqual(google["summary"], "Month close (all)")

    def test_an_odoo_series_goes_to_google_as_one_series(self):
        first = self.create_in_odoo("Weekly sync", recurrency=True, rrule_type="weekly", tue=True,
                                    end_type="count", count=3, event_tz="Europe/Paris")
        self.run_sync()
        [master] = [e for e in self.google_events().values() if e.get("recurrence")]
        self.assertEqual(master["recurrence"], ["RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3"])
        self.assertEqual(master["start"], {"dateTime": paris(1, 10).isoformat(), "timeZone": "Europe/Paris"})
        self.assertEqual(len(self.google_events()), 1, "occurrences are not sent one by one")

        second = first.recurrence_id.calendar_event_ids.sorted("start")[1]
        second.with_user(self.alice).write({"name": "Weekly sync (special)", "recurrence_update": "self_only"})
        third = first.recurrence_id.calendar_event_ids.sorted("start")[2]
        third.with_user(self.alice).unlink()
        self.run_sync()
        instances = {i["id"]: i for i in self.google_api().instances("primary", master["id"])}
        self.assertEqual(instances[instance_id(master["id"], paris(8, 10))]["summary"], "Weekly sync (special)")
        self.assertEqual(instances[instance_id(master["id"], paris(15, 10))]["status"], "cancelled")

    def test_the_first_occurrence_edited_alone_leaves_the_series_as_it_was(self):
        """Odoo keeps a series' values on its occurrences, and reads them from the first (its
        base): edited alone, that occurrence is an exception on Google, also when a run reads the
        series again (a direction change rechecks every event). test_user_paths found the edit
        sent as the series', to every occurrence."""
        first = self.create_in_odoo("Weekly sync", recurrency=True, rrule_type="weekly", tue=True,
                                    end_type="count", count=3, event_tz="Europe/Paris")
        self.run_sync()
        [master] = [e for e in self.google_events().values() if e.get("recurrence")]
        first.with_user(self.alice).write({"location": "Room 1", "recurrence_update": "self_only"})
        self.alice.with_user(self.alice).write({"google_calendar_direction": "odoo_to_google"})
        self.run_sync()
        instances = self.google_api().instances("primary", master["id"])
        self.assertEqual([i.get("location", "") for i in instances], ["Room 1", "", ""])
        self.assertEqual(self.google_api().get_event("primary", master["id"]).get("location", ""), "")

    def test_the_first_occurrence_moved_alone_leaves_the_series_where_it_began(self):
        """Moved alone, the first occurrence (Odoo's base of the series) is an exception on
        Google; the series still begins where it did, also when a run reads it again: it moved
        the series, and the exception's own update then failed (Google no longer had it)."""
        first = self.create_in_odoo("Weekly sync", recurrency=True, rrule_type="weekly", tue=True,
                                    end_type="count", count=3, event_tz="Europe/Paris")
        self.run_sync()
        [master] = [e for e in self.google_events().values() if e.get("recurrence")]
        later = {"start": first.start + dt.timedelta(hours=2), "stop": first.stop + dt.timedelta(hours=2)}
        first.with_user(self.alice).write(dict(later, recurrence_update="self_only"))
        self.alice.with_user(self.alice).write({"google_calendar_direction": "odoo_to_google"})
        self.run_sync()
        self.assertEqual(self.google_api().get_event("primary", master["id"])["start"], master["start"])
        self.assertEqual([i["start"]["dateTime"] for i in self.google_api().instances("primary", master["id"])],
                         [paris(1, 12).isoformat(), paris(8, 10).isoformat(), paris(15, 10).isoformat()])

    def test_an_endless_odoo_series_stays_endless_on_google(self):
        self.create_in_odoo("Daily check", recurrency=True, rrule_type="daily", end_type="forever",
                            event_tz="Europe/Paris")
        self.run_sync()
        [master] = [e for e in self.google_events().values() if e.get("recurrence")]
        self.assertEqual(master["recurrence"], ["RRULE:FREQ=DAILY"], "Odoo's cap of 720 is not Google's rule")

    def test_deleting_a_google_series_deletes_it_in_odoo(self):
        master = self.insert_on_google("Retro", recurrence=WEEKLY)
        self.run_sync()
        self.assertEqual(len(self.occurrences("Retro")), 4)
        self.google_api().delete_event("primary", master["id"])
        self.run_sync()
        self.assertEqual(self.occurrences("Retro"), [])

    def test_deleting_all_events_of_a_series_from_the_calendar_deletes_it_on_google(self):
        """The calendar's Delete, "All events", archives every occurrence (the recurrence stays)."""
        day = dt.date.today() + dt.timedelta(days=3)
        self.insert_on_google("Daily check", start=f"{day}T09:00:00+01:00", end=f"{day}T10:00:00+01:00",
                              recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
        self.run_sync()
        occurrence = self.env["calendar.event"].search([("name", "=", "Daily check")], limit=1)
        occurrence.with_user(self.alice).action_mass_archive("all_events")
        sync = self.run_sync()
        self.assertEqual(self.google_events(), {})
        self.assertFalse(sync.last_error)

    def test_moving_a_google_series_moves_odoo_occurrences_in_place_with_their_answers(self):
        guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        master = self.insert_on_google("Planning", recurrence=WEEKLY, attendees=[
            {"email": "guest@example.com", "responseStatus": "accepted"}])
        self.run_sync()
        before = self.env["calendar.event"].search([("name", "=", "Planning")], order="start")
        self.assertEqual(len(before), 4)
        self.google_api().patch_event("primary", master["id"], {
            "start": {"dateTime": paris(3, 11).isoformat(), "timeZone": "Europe/Paris"},
            "end": {"dateTime": paris(3, 12, 30).isoformat(), "timeZone": "Europe/Paris"}})
        self.run_sync()
        after = self.env["calendar.event"].search([("name", "=", "Planning")], order="start")
        self.assertEqual(after.ids, before.ids, "the same occurrences, moved: not deleted and created again")
        self.assertEqual([(e.start, e.stop) for e in after],
                         [(as_odoo(paris(3 + 7 * week, 11)), as_odoo(paris(3 + 7 * week, 12, 30)))
                          for week in range(4)])
        answers = after.attendee_ids.filtered(lambda attendee: attendee.partner_id == guest).mapped("state")
        self.assertEqual(answers, ["accepted"] * 4)
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "moving the series in Odoo sends nothing back")
