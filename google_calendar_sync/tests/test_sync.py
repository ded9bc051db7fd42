"""Events made, changed and deleted on either side appear on the other."""

import datetime as dt
from zoneinfo import ZoneInfo

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..jobs.run_queue import RunQueue
from .common import ALICE_GOOGLE, GoogleCalendarSyncCase, as_odoo, day, paris


@tagged("post_install", "-at_install")
class TestSync(GoogleCalendarSyncCase):
    def test_connecting_queues_a_first_synchronization(self):
        # (alice connected and synchronized in setUp; bob connects here, and only the cron runs him)
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "in", RunQueue(self.env).cron_jobs().ids)])
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        bob = self.env["google.calendar.sync"]._for_user(self.bob)
        self.assertEqual((bob.state, bob.last_run_at), ("waiting", False))
        self.assertTrue(bob.sudo().request_ids.filtered("urgent"), "an urgent run is queued")
        self.assertGreater(self.env["ir.cron.trigger"].search_count(
            [("cron_id", "in", RunQueue(self.env).cron_jobs().ids)]), triggers, "and the cron woken")
        with self.worker() as env:
            env["google.calendar.sync"]._cron_run_jobs()
        self.env.invalidate_all()
        self.assertEqual((bob.state, bob.account_id.email), ("synced", "bob@gmail.example"))
        self.assertTrue(bob.last_success_at)

    def test_an_odoo_event_reaches_google_without_the_user_waiting(self):
        guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        event = self.create_in_odoo("Budget review", partner_ids=[(6, 0, [self.alice.partner_id.id, guest.id])],
                                    privacy="private", show_as="free", location="Room 4")
        self.assertEqual(self.google.requests(), [], "saving never calls Google")
        self.assertTrue(self.sync.requested_at)
        self.run_sync()
        google = self.google_event("Budget review")
        self.assertEqual(google["start"], {"dateTime": paris(1, 10).isoformat(), "timeZone": "Europe/Paris"})
        self.assertEqual((google["visibility"], google["transparency"], google["location"]),
                         ("private", "transparent", "Room 4"))
        self.assertEqual(sorted(a["email"] for a in google["attendees"]), [ALICE_GOOGLE, "guest@example.com"])
        self.assertEqual([(m["to"], m["kind"]) for m in self.google.mails()], [("guest@example.com", "invitation")])
        self.assertEqual(event.google_time_zone or "", "")

    def test_a_google_event_reaches_odoo_with_its_time_zone_and_guests(self):
        tokyo = dt.datetime.combine(day(2), dt.time(9), ZoneInfo("Asia/Tokyo"))
        self.insert_on_google(
            "Tokyo call", start=tokyo.isoformat(), end=(tokyo + dt.timedelta(hours=1)).isoformat(), zone="Asia/Tokyo",
            attendees=[{"email": ALICE_GOOGLE, "responseStatus": "accepted"},
                       {"email": "kenji@example.jp", "displayName": "Kenji", "responseStatus": "tentative"}],
            reminders={"useDefault": False, "overrides": [{"method": "email", "minutes": 60}]},
            visibility="confidential", transparency="transparent",
        )
        self.run_sync()
        event = self.odoo_event("Tokyo call")
        self.assertEqual((event.start, event.stop), (as_odoo(tokyo), as_odoo(tokyo + dt.timedelta(hours=1))))
        self.assertEqual(event.start.hour, 0, "9:00 in Tokyo is midnight UTC")
        self.assertEqual(event.google_time_zone, "Asia/Tokyo")
        self.assertEqual(event.user_id, self.alice)
        states = {a.partner_id.email: a.state for a in event.attendee_ids}
        self.assertEqual(states, {self.alice.email: "accepted", "kenji@example.jp": "tentative"})
        self.assertEqual([(a.alarm_type, a.duration_minutes) for a in event.alarm_ids], [("email", 60)])
        self.assertEqual((event.privacy, event.show_as), ("confidential", "free"))

    def test_edits_and_deletions_travel_both_ways(self):
        event = self.create_in_odoo("Team lunch")
        self.insert_on_google("Dentist")
        self.run_sync()
        dentist = self.odoo_event("Dentist")

        event.with_user(self.alice).write({"name": "Team lunch (moved)", "start": as_odoo(paris(1, 12)),
                                           "stop": as_odoo(paris(1, 13))})
        google_dentist = self.google_event("Dentist")
        self.google_api().patch_event("primary", google_dentist["id"], {"summary": "Dentist, confirmed"})
        self.run_sync()
        self.assertEqual(self.google_event("Team lunch (moved)")["start"]["dateTime"], paris(1, 12).isoformat())
        self.assertEqual(dentist.name, "Dentist, confirmed")

        event.with_user(self.alice).unlink()
        self.google_api().delete_event("primary", google_dentist["id"])
        self.run_sync()
        self.assertEqual(self.google_events(), {})
        self.assertFalse(dentist.exists())
        self.assertFalse(self.env["google.calendar.binding"].sudo().search([("sync_id", "=", self.sync.id)]))

    def test_an_unrelated_odoo_edit_never_hides_a_google_change(self):
        event = self.create_in_odoo("Review")
        self.run_sync()
        self.google_api().patch_event("primary", self.google_event("Review")["id"], {"summary": "Review, on Google"})
        tag = self.env["calendar.event.type"].create({"name": "Internal"})
        event.with_user(self.alice).write({"categ_ids": [(4, tag.id)]})  # not a synchronized field
        self.run_sync()
        self.assertEqual(event.name, "Review, on Google")

    def test_all_day_events_keep_their_days_both_ways(self):
        holiday = self.env["calendar.event"].with_user(self.alice).create({
            "name": "Holidays", "allday": True, "start": dt.datetime.combine(day(24), dt.time()),
            "stop": dt.datetime.combine(day(26), dt.time()),
        })
        self.google_api().insert_event("primary", {"summary": "Conference", "start": {"date": day(10).isoformat()},
                                                   "end": {"date": day(12).isoformat()}})
        self.run_sync()
        google = self.google_event("Holidays")
        self.assertEqual((google["start"], google["end"]),
                         ({"date": day(24).isoformat()}, {"date": day(27).isoformat()}))
        conference = self.odoo_event("Conference")
        self.assertTrue(conference.allday)
        self.assertEqual((conference.start_date, conference.stop_date), (day(10), day(11)))
        self.assertEqual(holiday.start_date, day(24))

    def test_a_meet_link_is_in_odoo_right_after_creation(self):
        event = self.create_in_odoo("Video call", google_meet=True)
        self.run_sync()
        self.assertTrue(event.videocall_location.startswith("https://meet.google.com/"))
        self.assertEqual(self.google_event("Video call")["hangoutLink"], event.videocall_location)
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "bringing the link back is not a change to send")

    def test_a_meet_is_a_video_call_source_and_removing_its_link_removes_it_from_google_for_good(self):
        event = self.create_in_odoo("Video call", google_meet=True)
        self.run_sync()
        self.assertEqual((event.google_meet, event.videocall_source), (True, "google_meet"))
        event.with_user(self.alice).write({"videocall_location": False})  # the form's Remove
        self.assertEqual((event.google_meet, event.videocall_source), (False, "custom"))
        self.run_sync()
        self.assertNotIn("hangoutLink", self.google_event("Video call"))
        self.run_sync()
        self.assertFalse(event.videocall_location, "and no Meet is made again")
        self.assertNotIn("hangoutLink", self.google_event("Video call"))

    def test_a_conflict_keeps_the_newest_edit(self):
        event = self.create_in_odoo("Original")
        self.run_sync()
        google_id = self.google_event("Original")["id"]
        self.google_api().patch_event("primary", google_id, {"summary": "Google edit"})
        self.google.advance_clock(120)
        with self.freeze_later(180):
            event.with_user(self.alice).write({"name": "Odoo edit, later"})
        self.run_sync()
        self.assertEqual(self.google_event("Odoo edit, later")["id"], google_id)
        self.assertEqual(event.name, "Odoo edit, later")

    def test_a_410_resync_rebinds_without_duplicates_or_mails(self):
        guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        self.create_in_odoo("Planning", partner_ids=[(6, 0, [self.alice.partner_id.id, guest.id])])
        self.insert_on_google("Dentist")
        self.run_sync()
        self.google.invalidate_sync_tokens()
        mails = len(self.google.mails())
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(sorted(e["summary"] for e in self.google_events().values()), ["Dentist", "Planning"])
        self.assertEqual(self.env["calendar.event"].search_count([("name", "in", ["Dentist", "Planning"])]), 2)
        self.assertEqual(len(self.google.mails()), mails, "a resync mails nobody")
        self.assertEqual(self.sync.state, "synced")

    def test_a_revoked_connection_asks_for_reconnection(self):
        self.create_in_odoo("Pending")
        self.google.revoke_tokens(ALICE_GOOGLE)
        self.expire_access_token(self.sync.account_id)
        self.run_sync(problem="Reconnect Google Calendar")
        self.assertEqual(self.sync.state, "needs_reconnect")
        self.assertIn("Reconnect", self.sync.last_error)
        self.assertEqual(self.sync.account_id.state, "needs_reconnect")

    def test_direction_google_to_odoo_only_reads(self):
        self.sync.direction = "google_to_odoo"
        self.create_in_odoo("Odoo only")
        self.insert_on_google("Google only")
        self.run_sync()
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["Google only"])
        self.odoo_event("Google only")

    def test_direction_odoo_to_google_only_writes(self):
        self.sync.direction = "odoo_to_google"
        self.create_in_odoo("Odoo only")
        self.insert_on_google("Google only")
        self.run_sync()
        self.assertEqual(sorted(e["summary"] for e in self.google_events().values()), ["Google only", "Odoo only"])
        self.assertFalse(self.env["calendar.event"].search([("name", "=", "Google only")]))

    def test_the_run_after_a_sync_asks_google_once_and_writes_nothing(self):
        self.create_in_odoo("Settled")
        self.insert_on_google("Also settled")
        self.run_sync()
        self.google.clear_requests()
        self.run_sync()
        [request] = self.google.requests()
        self.assertIn("syncToken", request["query"])
        self.assertEqual(self.sync.last_summary, "Nothing to change")

    def test_emptying_the_google_calendar_waits_for_the_users_confirmation(self):
        self.empty_google_calendar()
        self.run_sync(problem="Stopped before deleting 12 of 12")
        self.assertEqual(self.env["calendar.event"].search_count([("name", "like", "Visit")]), 12, "nothing deleted")
        self.assertEqual(self.sync.state, "error")
        self.assertIn("Stopped before deleting 12 of 12", self.sync.last_error)
        self.assertTrue(self.alice.with_user(self.alice).google_calendar_deletions_held)
        self.run_sync(problem="Stopped before deleting 12 of 12")
        self.assertEqual(self.env["calendar.event"].search_count([("name", "like", "Visit")]), 12, "still held")
        with self.assertRaises(AccessError):
            self.alice.with_user(self.bob).action_google_calendar_allow_deletions()
        self.alice.with_user(self.alice).action_google_calendar_allow_deletions()
        self.assertTrue(self.sync.requested_at)
        self.run_sync()
        self.assertFalse(self.env["calendar.event"].search([("name", "like", "Visit")]))
        self.assertEqual(self.sync.state, "synced")
        self.assertFalse(self.sync.deletions_held or self.sync.allow_deletions)
