"""A synchronized event whose organizer forbade guests' changes on Google: in Odoo too, only the
organizer (and an administrator) changes it, whether the guest synchronizes or not."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import GoogleCalendarSyncCase

REFUSED = "Only the organizer of “Board meeting” can change it"


@tagged("post_install", "-at_install")
class TestGuestsRights(GoogleCalendarSyncCase):
    def invite_bob(self, email="bob@example.com"):
        """alice organizes a meeting on Google, lets no guest change it, and invites bob."""
        self.insert_on_google("Board meeting", guestsCanModify=False, guestsCanInviteOthers=True,
                              attendees=[{"email": email}])
        self.run_sync()
        self.event = self.odoo_event("Board meeting")
        self.assertIn(self.bob.partner_id, self.event.partner_ids)

    def assertRefused(self, user, values):
        with self.assertRaisesRegex(UserError, REFUSED):
            self.event.with_user(user).write(values)

    def test_a_guest_who_does_not_synchronize_cannot_change_it_and_still_answers_and_invites(self):
        self.invite_bob()
        self.assertRefused(self.bob, {"name": "Bob's meeting"})
        earlier = {"start": self.event.start.replace(hour=7), "stop": self.event.stop.replace(hour=8)}
        self.assertRefused(self.bob, earlier)
        self.assertRefused(self.bob, {"active": False})
        mine = self.event.attendee_ids.filtered(lambda attendee: attendee.partner_id == self.bob.partner_id)
        mine.with_user(self.bob).do_decline()
        self.assertEqual(mine.state, "declined", "answering stays free")
        self.event.with_user(self.bob).write({"partner_ids": [(4, self.carol.partner_id.id)]})
        self.assertIn(self.carol.partner_id, self.event.partner_ids, "the organizer lets guests invite others")
        self.assertEqual(self.event.name, "Board meeting")

    def test_a_guest_who_synchronizes_cannot_change_it_either(self):
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        self.run_sync(self.bob)
        self.invite_bob("bob@gmail.example")
        self.run_sync(self.bob)
        self.assertRefused(self.bob, {"name": "Bob's meeting"})
        self.assertRefused(self.bob, {"description": "Agenda by Bob"})

    def test_the_organizer_and_an_administrator_change_it_and_guests_do_once_allowed(self):
        self.invite_bob()
        self.event.with_user(self.alice).write({"name": "Board meeting (moved)"})
        self.event.with_user(self.admin).write({"location": "Room 2"})
        self.run_sync()
        google = self.google_event("Board meeting (moved)")
        self.assertEqual(google["location"], "Room 2")
        self.google_api().patch_event("primary", google["id"], {"guestsCanModify": True})
        self.run_sync()
        self.event.with_user(self.bob).write({"description": "Agenda by Bob"})
        self.assertIn("Agenda by Bob", str(self.event.description))
