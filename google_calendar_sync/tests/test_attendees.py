"""Every event a connected user attends is on their Google calendar, whoever organizes it: the
organizer's invitation when the organizer synchronizes, a private copy otherwise, and nobody is
mailed from an attendee's account."""

import datetime as dt

import requests

from odoo.tests import tagged

from .common import ALICE_GOOGLE, GoogleCalendarSyncCase

BOB_GOOGLE = "bob@gmail.example"
CAROL_GOOGLE = "carol@gmail.example"
OUTSIDER = "dan@outside.example"


@tagged("post_install", "-at_install")
class TestAttendees(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        for email in (CAROL_GOOGLE, OUTSIDER):
            self.google.add_user(email)
        self.register_client(test_users=[ALICE_GOOGLE, BOB_GOOGLE, CAROL_GOOGLE])
        self.guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        self.soon = dt.datetime.now().replace(microsecond=0, second=0) + dt.timedelta(days=2)

    def connect_and_sync(self, user, email):
        self.connect(user, email=email, return_url="/odoo/calendar")
        self.run_sync(user)
        self.google.clear_requests()

    def meeting(self, organizer, *attendees, name="Customer call"):
        """A meeting ``organizer`` books in Odoo (``organizer`` False: an event without one)."""
        partners = [user.partner_id.id for user in attendees] + [self.guest.id]
        values = {"name": name, "start": self.soon, "stop": self.soon + dt.timedelta(hours=1),
                  "partner_ids": [(6, 0, partners)], "user_id": organizer.id if organizer else False}
        Event = self.env["calendar.event"]
        return (Event.with_user(organizer) if organizer else Event.sudo()).create(values)

    def calendar(self, user):
        """{title: (Google id, iCalUID, organizer's e-mail, {guest: answer})} of ``user``'s Google calendar."""
        return {e["summary"]: (e["id"], e["iCalUID"], e["organizer"]["email"],
                               {a["email"]: a.get("responseStatus") for a in e.get("attendees", ())})
                for e in self.google_events(user).values()}

    def written(self):
        """The writes Odoo asked Google for: (method, path end, sendUpdates)."""
        return [(r["method"], r["path"].rsplit("/", 1)[-1], r["sendUpdates"]) for r in self.google.requests()
                if r["method"] != "GET"]

    def as_google_user(self, token, method, path, body=None):
        """Google Calendar's own app, as a person outside Odoo uses it."""
        answer = requests.request(method, f"{self.google.base_url}/calendar/v3/calendars/primary/events{path}",
                                  json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def odoo_mails_to(self, partner):
        return self.env["mail.message"].sudo().search_count(
            [("model", "=", "calendar.event"), ("partner_ids", "in", partner.ids)])

    def test_a_colleague_who_does_not_synchronize_invites_two_connected_users_each_gets_a_private_copy(self):
        self.connect_and_sync(self.bob, BOB_GOOGLE)
        event = self.meeting(self.carol, self.carol, self.alice, self.bob)
        self.run_sync(self.alice)
        self.run_sync(self.bob)
        alice, bob = self.calendar(self.alice)["Customer call"], self.calendar(self.bob)["Customer call"]
        self.assertEqual(alice[1], bob[1], "the same iCalUID on both calendars: the same meeting")
        self.assertEqual((alice[2], bob[2]), ("carol@example.com",) * 2, "Carol stays the organizer")
        self.assertEqual(alice[3][ALICE_GOOGLE], "needsAction")
        self.assertEqual({method for method, _, _ in self.written()}, {"POST"})
        self.assertEqual({path for _, path, _ in self.written()}, {"import"}, "copies are imported, nobody invited")
        self.assertEqual(self.google.mails(), [], "Google mails nobody")
        self.assertEqual(self.odoo_mails_to(self.guest), 1, "Odoo's own invitation, as without Google")

        event.with_user(self.carol).write({"name": "Customer call, moved", "start": self.soon + dt.timedelta(hours=2),
                                           "stop": self.soon + dt.timedelta(hours=3)})
        self.run_sync(self.alice)
        self.run_sync(self.bob)
        self.assertEqual(list(self.calendar(self.alice)), ["Customer call, moved"])
        self.assertEqual(list(self.calendar(self.bob)), ["Customer call, moved"])

        event.with_user(self.carol).unlink()
        self.run_sync(self.alice)
        self.run_sync(self.bob)
        self.assertEqual((self.calendar(self.alice), self.calendar(self.bob)), ({}, {}))
        self.assertEqual(self.google.mails(), [])

    def test_an_event_without_organizer_is_on_its_attendees_calendar(self):
        self.meeting(False, self.alice, name="Team lunch")
        self.run_sync()
        [(name, (_, _, organizer, guests))] = self.calendar(self.alice).items()
        self.assertEqual((name, organizer), ("Team lunch", ALICE_GOOGLE))
        self.assertIn("guest@example.com", guests)
        self.assertEqual(self.google.mails(), [])

    def test_a_connected_organizer_invites_through_google_and_the_attendee_gets_no_second_copy(self):
        self.connect_and_sync(self.bob, BOB_GOOGLE)
        event = self.meeting(self.bob, self.bob, self.alice)
        self.run_sync(self.bob)
        self.run_sync(self.alice)
        bobs, alices = self.calendar(self.bob)["Customer call"], self.calendar(self.alice)["Customer call"]
        self.assertEqual(alices[:3], bobs[:3], "Alice's calendar holds Bob's event itself")
        self.assertEqual(set(alices[3]), {BOB_GOOGLE, ALICE_GOOGLE, "guest@example.com"},
                         "Alice is invited at her Google address")
        self.assertEqual([(m["to"], m["kind"]) for m in self.google.mails()],
                         [(ALICE_GOOGLE, "invitation"), ("guest@example.com", "invitation")])
        self.assertEqual(self.odoo_mails_to(self.guest), 0, "Google announces it: Odoo does not")
        self.assertNotIn("import", {path for _, path, _ in self.written()}, "Alice's sync sends nothing")
        self.assertEqual(self.env["calendar.event"].search_count([("name", "=", "Customer call")]), 1)
        self.assertEqual(self.sync.binding_ids.filtered(lambda b: b.event_id == event).access, "invited")

    def test_answers_travel_between_the_attendees_phone_and_odoo(self):
        self.connect_and_sync(self.bob, BOB_GOOGLE)
        invited = self.meeting(self.bob, self.bob, self.alice, name="Bob's review")
        copied = self.meeting(self.carol, self.carol, self.alice, name="Carol's review")
        self.run_sync(self.bob)
        self.run_sync(self.alice)
        for name in ("Bob's review", "Carol's review"):
            google_id = self.calendar(self.alice)[name][0]
            self.google_api().patch_event("primary", google_id, {"attendees": [
                {"email": ALICE_GOOGLE, "responseStatus": "accepted"}]})
        self.run_sync(self.alice)
        self.run_sync(self.bob)
        for event in (invited, copied):
            mine = event.attendee_ids.filtered(lambda a: a.partner_id == self.alice.partner_id)
            self.assertEqual(mine.state, "accepted", event.name)

        mine = invited.attendee_ids.filtered(lambda a: a.partner_id == self.alice.partner_id)
        mine.with_user(self.alice).do_tentative()
        self.run_sync(self.bob)
        self.assertEqual(self.calendar(self.bob)["Bob's review"][3][ALICE_GOOGLE], "tentative")

    def test_an_edit_of_a_private_copy_on_the_phone_stays_on_the_phone(self):
        event = self.meeting(self.carol, self.carol, self.alice)
        self.run_sync()
        google_id = self.calendar(self.alice)["Customer call"][0]
        self.google_api().patch_event("primary", google_id, {"summary": "My note: bring the slides"})
        self.run_sync()
        self.assertEqual(event.name, "Customer call", "Carol's meeting is Carol's to change")
        event.with_user(self.carol).write({"location": "Room 3"})
        self.run_sync()
        [(name, _)] = self.calendar(self.alice).items()
        self.assertEqual(name, "My note: bring the slides", "the copy keeps Alice's own title")
        self.assertEqual(self.google_event(name)["location"], "Room 3", "and gets Carol's change")

    def test_removing_a_copy_on_the_phone_declines_and_keeps_the_meeting_for_the_others(self):
        event = self.meeting(self.carol, self.carol, self.alice)
        self.run_sync()
        self.google_api().delete_event("primary", self.calendar(self.alice)["Customer call"][0])
        self.run_sync()
        self.assertTrue(event.exists() and event.active)
        mine = event.attendee_ids.filtered(lambda a: a.partner_id == self.alice.partner_id)
        self.assertEqual(mine.state, "declined")

    def test_a_meeting_cancelled_after_an_answer_on_the_phone_leaves_the_phone(self):
        """The copy changed on Google since it was sent (Alice answered it): its deletion is made
        on the version the run saw, not refused by Google run after run."""
        event = self.meeting(self.carol, self.carol, self.alice)
        self.run_sync()
        google_id = self.calendar(self.alice)["Customer call"][0]
        self.google_api().patch_event("primary", google_id, {"attendees": [
            {"email": ALICE_GOOGLE, "responseStatus": "accepted"}]})
        event.with_user(self.carol).unlink()
        sync = self.run_sync()
        self.assertEqual(self.calendar(self.alice), {})
        self.assertFalse(sync.last_error)

    def test_a_guest_who_deletes_a_colleagues_meeting_in_odoo_only_declines_it(self):
        self.connect_and_sync(self.bob, BOB_GOOGLE)
        event = self.meeting(self.carol, self.carol, self.alice, self.bob)
        self.run_sync(self.alice)
        self.run_sync(self.bob)
        event.with_user(self.alice).unlink()
        self.assertTrue(event.exists(), "the meeting stays for the others")
        states = {a.partner_id: a.state for a in event.attendee_ids}
        self.assertEqual((states[self.alice.partner_id], states[self.bob.partner_id]), ("declined", "needsAction"))
        self.run_sync(self.alice)
        self.run_sync(self.bob)
        self.assertEqual(self.calendar(self.alice), {}, "gone from Alice's calendar only")
        self.assertEqual(list(self.calendar(self.bob)), ["Customer call"])

    def test_an_organizer_who_connects_later_takes_over_without_duplicates_or_invitations(self):
        event = self.meeting(self.carol, self.carol, self.alice)
        self.run_sync()
        copy_uid = self.calendar(self.alice)["Customer call"][1]
        self.google.clear_requests()
        self.connect_and_sync(self.carol, CAROL_GOOGLE)
        self.run_sync()
        [(_, (google_id, uid, organizer, _))] = self.calendar(self.alice).items()
        self.assertEqual((uid, organizer), (copy_uid, CAROL_GOOGLE), "Carol's own event, once")
        self.assertEqual(self.calendar(self.carol)["Customer call"][0], google_id)
        self.assertEqual(self.google.mails(), [], "a first synchronization mails nobody")
        self.assertEqual(self.env["calendar.event"].search_count([("name", "=", "Customer call")]), 1)
        self.assertEqual(self.sync.binding_ids.filtered(lambda b: b.event_id == event).access, "invited")

    def test_an_organizer_who_disconnects_hands_the_meeting_to_the_attendees_copies(self):
        self.connect_and_sync(self.bob, BOB_GOOGLE)
        event = self.meeting(self.bob, self.bob, self.alice)
        self.run_sync(self.bob)
        self.run_sync(self.alice)
        uid = self.calendar(self.alice)["Customer call"][1]
        mails = len(self.google.mails())
        self.env["google.calendar.sync"]._for_user(self.bob).with_user(self.bob).action_disconnect()
        event.with_user(self.bob).write({"name": "Customer call, moved"})
        self.run_sync(self.alice)
        [(name, (_, copy_uid, organizer, _))] = self.calendar(self.alice).items()
        self.assertEqual((name, copy_uid), ("Customer call, moved", uid), "one event: the copy took its place")
        self.assertEqual(organizer, "bob@example.com")
        self.assertEqual(len(self.google.mails()), mails, "nobody is mailed for it")

    def test_an_invitation_from_outside_odoo_comes_in_and_the_answer_goes_back(self):
        outsider = self.google.connect(OUTSIDER, client_id="calendar-web.apps.googleusercontent.com")["access_token"]
        created = self.as_google_user(outsider, "POST", "", {
            "summary": "Partner visit", "start": {"dateTime": (self.soon.isoformat() + "Z")},
            "end": {"dateTime": ((self.soon + dt.timedelta(hours=1)).isoformat() + "Z")},
            "attendees": [{"email": ALICE_GOOGLE}]})
        self.run_sync()
        event = self.odoo_event("Partner visit")
        self.assertFalse(event.user_id, "organized by someone outside Odoo")
        self.assertEqual(set(event.partner_ids.mapped("email")), {OUTSIDER, self.alice.partner_id.email})
        mine = event.attendee_ids.filtered(lambda a: a.partner_id == self.alice.partner_id)
        mine.with_user(self.alice).do_accept()
        self.run_sync()
        answers = {a["email"]: a["responseStatus"]
                   for a in self.as_google_user(outsider, "GET", f"/{created['id']}")["attendees"]}
        self.assertEqual(answers[ALICE_GOOGLE], "accepted")
