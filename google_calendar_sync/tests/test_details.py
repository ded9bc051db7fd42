"""Who a Google address is in Odoo, default reminders, guests' rights and video calls that are not
Google Meet."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import GoogleCalendarSyncCase, day


@tagged("post_install", "-at_install")
class TestPartnerMatching(GoogleCalendarSyncCase):
    def guest_of(self, name, email):
        event = self.odoo_event(name)
        return event.partner_ids.filtered(lambda partner: partner.email_normalized == email)

    def test_an_internal_users_partner_wins_over_a_portal_users_and_older_contacts(self):
        shared = "pat@example.com"
        contact = self.env["res.partner"].create({"name": "Old contact", "email": shared})
        new_test_user(self.env, login="gcs_portal", email=shared, groups="base.group_portal")
        staff = new_test_user(self.env, login="gcs_pat", email=shared)
        self.assertLess(contact.id, staff.partner_id.id)
        self.insert_on_google("With Pat", attendees=[{"email": shared}])
        self.run_sync()
        self.assertEqual(self.guest_of("With Pat", shared), staff.partner_id)

    def test_a_partner_already_on_the_event_is_kept_then_the_oldest_contact(self):
        shared = "team@example.com"
        oldest = self.env["res.partner"].create({"name": "Team (old)", "email": shared})
        chosen = self.env["res.partner"].create({"name": "Team (chosen)", "email": shared})
        event = self.create_in_odoo("Team sync", partner_ids=[(6, 0, [self.alice.partner_id.id, chosen.id])])
        self.run_sync()
        self.google_api().patch_event("primary", self.google_event("Team sync")["id"], {"summary": "Team sync 2"})
        self.run_sync()
        self.assertEqual(self.guest_of("Team sync 2", shared), chosen, "the partner the organizer chose stays")
        self.insert_on_google("New with team", attendees=[{"email": shared}])
        self.run_sync()
        self.assertEqual(self.guest_of("New with team", shared), oldest)
        self.assertTrue(event)

    def test_odoos_own_mail_addresses_never_become_guests_or_contacts(self):
        domains = self.env["mail.alias.domain"].sudo()
        domain = domains.search([], limit=1) or domains.create({"name": "odoo.example.com"})
        alias = self.env["mail.alias"].sudo().create({"alias_name": "sales", "alias_domain_id": domain.id,
                                                      "alias_model_id": self.env.ref("base.model_res_partner").id})
        addresses = [alias.alias_full_name, domain.catchall_email, domain.bounce_email]
        self.insert_on_google("Looping", attendees=[{"email": address} for address in addresses if address])
        self.run_sync()
        emails = self.odoo_event("Looping").partner_ids.mapped("email_normalized")
        self.assertFalse(set(emails) & set(addresses))
        self.assertFalse(self.env["res.partner"].search([("email_normalized", "in", addresses)]))


@tagged("post_install", "-at_install")
class TestEventDetails(GoogleCalendarSyncCase):
    def test_googles_default_reminders_become_odoo_alarms(self):
        self.insert_on_google("Uses defaults", reminders={"useDefault": True})
        self.run_sync()
        alarms = self.odoo_event("Uses defaults").alarm_ids
        # The emulator's calendars remind 30 minutes ahead by default, as Google's do.
        self.assertEqual([(a.alarm_type, a.duration_minutes) for a in alarms], [("notification", 30)])
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [])

    def test_guests_rights_travel_both_ways(self):
        event = self.create_in_odoo("Workshop", google_guests_can_modify=True, google_guests_can_invite_others=False)
        self.run_sync()
        google = self.google_event("Workshop")
        self.assertEqual((google["guestsCanModify"], google["guestsCanInviteOthers"]), (True, False))
        self.google_api().patch_event("primary", google["id"], {"guestsCanSeeOtherGuests": False})
        self.run_sync()
        self.assertFalse(event.google_guests_can_see_other_guests)

    def test_odoo_refuses_a_guests_change_that_google_would_refuse(self):
        self.google.add_user("dan@outside.example")
        outsider = self.google.connect("dan@outside.example", client_id="calendar-web.apps.googleusercontent.com")
        self.as_google_user(outsider["access_token"], "POST", "", {
            "summary": "Their meeting", "start": {"dateTime": f"{day(5)}T09:00:00Z"},
            "end": {"dateTime": f"{day(5)}T10:00:00Z"}, "attendees": [{"email": "alice@gmail.example"}]})
        self.run_sync()
        event = self.odoo_event("Their meeting")
        with self.assertRaisesRegex(UserError, "Only the organizer of “Their meeting” can change it"):
            event.with_user(self.alice).write({"name": "My title"})
        mine = event.attendee_ids.filtered(lambda a: a.partner_id == self.alice.partner_id)
        mine.with_user(self.alice).do_accept()
        self.assertEqual(mine.state, "accepted", "answering stays free")

    def test_a_video_call_that_is_not_meet_reaches_googles_guests_and_comes_back_as_the_video_call(self):
        url = "https://zoom.example/j/123"
        event = self.create_in_odoo("Remote demo", videocall_location=url, description="<p>Agenda</p>")
        created = str(event.description)  # the agenda (with, on Odoo 19, the organizer's details Odoo adds)
        self.assertIn("<p>Agenda</p>", created)
        self.run_sync()
        description = self.google_event("Remote demo")["description"]
        self.assertIn(url, description)
        self.google_api().patch_event("primary", self.google_event("Remote demo")["id"], {"summary": "Remote demo 2"})
        self.run_sync()
        self.assertEqual((event.videocall_location, str(event.description)), (url, created))
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [])
