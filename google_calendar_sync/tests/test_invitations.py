"""Google, not Odoo, mails the guests of synchronized events; first syncs mail nobody."""

import datetime as dt

from odoo.tests import tagged

from .common import ALICE_GOOGLE, GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestInvitations(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        self.other = self.env["res.partner"].create({"name": "Other", "email": "other@example.com"})

    def mails(self):
        return [(m["to"], m["kind"]) for m in self.google.mails()]

    def odoo_mails_to(self, partner):
        """Odoo's invitations and cancellations to ``partner`` (sent mails are deleted: count
        the messages they were made of)."""
        return self.env["mail.message"].sudo().search_count(
            [("model", "=", "calendar.event"), ("partner_ids", "in", partner.ids)])

    def test_creating_and_deleting_in_odoo_makes_google_invite_and_cancel(self):
        event = self.create_in_odoo("Kick-off", start=dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=3),
                                    partner_ids=[(6, 0, [self.alice.partner_id.id, self.guest.id])])
        self.run_sync()
        self.assertEqual(self.mails(), [("guest@example.com", "invitation")])
        self.assertEqual(self.odoo_mails_to(self.guest), 0, "Odoo does not send its own invitation")
        event.with_user(self.alice).unlink()
        self.run_sync()
        self.assertEqual(self.mails(), [("guest@example.com", "invitation"), ("guest@example.com", "cancellation")])

    def test_adding_and_removing_a_guest_in_odoo_makes_google_invite_and_cancel(self):
        event = self.create_in_odoo("Review", partner_ids=[(6, 0, [self.alice.partner_id.id])])
        self.run_sync()
        event.with_user(self.alice).write({"partner_ids": [(4, self.other.id)]})
        self.run_sync()
        event.with_user(self.alice).write({"partner_ids": [(3, self.other.id)]})
        self.run_sync()
        self.assertEqual(self.mails(), [("other@example.com", "invitation"), ("other@example.com", "cancellation")])
        self.assertEqual(self.odoo_mails_to(self.other), 0, "Odoo mails the added and removed guest nothing")

    def test_a_paused_users_guests_get_odoos_invitation_now_and_none_from_google_later(self):
        self.sync.with_user(self.alice).action_pause()
        soon = dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=3)
        self.create_in_odoo("Planned while paused", start=soon,
                            partner_ids=[(6, 0, [self.alice.partner_id.id, self.guest.id])])
        self.assertEqual(self.odoo_mails_to(self.guest), 1, "nobody else announces it now")
        self.sync.with_user(self.alice).action_resume()
        self.run_sync()
        self.assertTrue(self.google_event("Planned while paused"))
        self.assertEqual(self.mails(), [], "Google does not invite the guest a second time")

    def test_a_first_synchronization_mails_nobody(self):
        self.sync.account_id.action_disconnect()
        self.create_in_odoo("Existing meeting", partner_ids=[(6, 0, [self.alice.partner_id.id, self.guest.id])])
        self.connect(self.alice, email=ALICE_GOOGLE)
        self.google.clear_requests()
        self.run_sync()
        emails = {a["email"] for a in self.google_event("Existing meeting")["attendees"]}
        self.assertEqual(emails, {ALICE_GOOGLE, "guest@example.com"})
        self.assertEqual(self.mails(), [])
        self.assertEqual({r["sendUpdates"] for r in self.google.requests() if r["method"] == "POST"}, {"none"})

    def test_a_guests_answer_travels_both_ways(self):
        event = self.create_in_odoo("Party", partner_ids=[(6, 0, [self.alice.partner_id.id, self.guest.id])])
        self.run_sync()
        google = self.google_event("Party")
        attendees = [dict(a, responseStatus="accepted") if a["email"] == "guest@example.com" else a
                     for a in google["attendees"]]
        self.google_api().patch_event("primary", google["id"], {"attendees": attendees})
        self.run_sync()
        guest = event.attendee_ids.filtered(lambda a: a.partner_id == self.guest)
        self.assertEqual(guest.state, "accepted")
        mine = event.attendee_ids.filtered(lambda a: a.partner_id == self.alice.partner_id)
        mine.with_user(self.alice).do_decline()
        self.run_sync()
        answers = {a["email"]: a["responseStatus"] for a in self.google_event("Party")["attendees"]}
        self.assertEqual(answers, {ALICE_GOOGLE: "declined", "guest@example.com": "accepted"})
