"""Events made, changed and deleted on either side appear on the other."""

import datetime as dt

from odoo.tests import tagged

from .common import ALICE_GOOGLE, GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestSync(GoogleCalendarSyncCase):
    def test_connecting_queues_a_first_synchronization(self):
        self.assertEqual(self.sync.account_id.email, ALICE_GOOGLE)
        self.assertEqual(self.sync.state, "synced")
        self.assertTrue(self.sync.last_success_at)

    def test_an_odoo_event_reaches_google_without_the_user_waiting(self):
        guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        event = self.create_in_odoo("Budget review", partner_ids=[(6, 0, [self.alice.partner_id.id, guest.id])],
                                    privacy="private", show_as="free", location="Room 4")
        self.assertEqual(self.google.requests(), [], "saving never calls Google")
        self.assertTrue(self.sync.requested_at)
        self.run_sync()
        google = self.google_event("Budget review")
        self.assertEqual(google["start"], {"dateTime": "2026-12-01T10:00:00+01:00", "timeZone": "Europe/Paris"})
        self.assertEqual((google["visibility"], google["transparency"], google["location"]),
                         ("private", "transparent", "Room 4"))
        self.assertEqual(sorted(a["email"] for a in google["attendees"]), [ALICE_GOOGLE, "guest@example.com"])
        self.assertEqual([(m["to"], m["kind"]) for m in self.google.mails()], [("guest@example.com", "invitation")])
        self.assertEqual(event.google_time_zone or "", "")

    def test_a_google_event_reaches_odoo_with_its_time_zone_and_guests(self):
        self.insert_on_google(
            "Tokyo call", start="2026-12-02T09:00:00+09:00", end="2026-12-02T10:00:00+09:00", zone="Asia/Tokyo",
            attendees=[{"email": ALICE_GOOGLE, "responseStatus": "accepted"},
                       {"email": "kenji@example.jp", "displayName": "Kenji", "responseStatus": "tentative"}],
            reminders={"useDefault": False, "overrides": [{"method": "email", "minutes": 60}]},
            visibility="confidential", transparency="transparent",
        )
        self.run_sync()
        event = self.odoo_event("Tokyo call")
        self.assertEqual((event.start, event.stop), (dt.datetime(2026, 12, 2, 0, 0), dt.datetime(2026, 12, 2, 1, 0)))
        self.assertEqual(event.google_time_zone, "Asia/Tokyo")
        self.assertEqual(event.user_id, self.alice)
        states = {a.partner_id.email: a.state for a in event.attendee_ids}
        self.assertEqual(states, {self.alice.email: "accepted", "kenji@example.jp": "tentative"})
        self.assertEqual([(a.alarm_type, a.duration_minutes) for a in event.alarm_ids], [("email", 60)])
        self.assertEqual((event.privacy, event.show_as), ("confidential", "free"))
