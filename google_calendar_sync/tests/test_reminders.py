"""A reminder rings once: Odoo's reminder cron does not mail an attendee whom Google reminds of
the event (their own synchronization carries it to their Google calendar, and runs), and mails
everyone else as before, whoever organizes the event."""

import datetime as dt

from odoo.tests import tagged

from .common import GoogleCalendarSyncCase

BOB_GOOGLE = "bob@gmail.example"


@tagged("post_install", "-at_install")
class TestReminders(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.connect(self.bob, email=BOB_GOOGLE, return_url="/odoo/calendar")
        self.run_sync(self.bob)
        self.guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@example.com"})
        self.alarm = self.env["calendar.alarm"].create(
            {"name": "Email - 1 Hours", "alarm_type": "email", "duration": 1, "interval": "hours"})
        # Its reminder is due: the meeting starts in half an hour, the reminder was for an hour before.
        self.start = dt.datetime.now().replace(microsecond=0) + dt.timedelta(minutes=30)

    def meeting(self, name, organizer, *attendees):
        return self.env["calendar.event"].with_user(organizer).create({
            "name": name, "start": self.start, "stop": self.start + dt.timedelta(hours=1),
            "alarm_ids": [(6, 0, self.alarm.ids)], "partner_ids": [(6, 0, [p.id for p in attendees])]})

    def reminded_by_odoo(self):
        """{meeting: the names Odoo's reminder cron mails} for the reminders due now."""
        last = self.env["mail.message"].sudo().search([], order="id desc", limit=1).id
        self.env["calendar.alarm_manager"]._send_reminder()
        messages = self.env["mail.message"].sudo().search([("id", ">", last), ("model", "=", "calendar.event")])
        reminded = {}
        for message in messages:
            name = self.env["calendar.event"].browse(message.res_id).name
            reminded.setdefault(name, set()).update(message.partner_ids.mapped("name"))
        return reminded

    def people(self, *users):
        return [user.partner_id for user in users]

    def test_odoo_reminds_only_the_attendees_google_does_not(self):
        # Carol has no Google: Alice and Bob get a private copy of her meeting on their calendars.
        self.meeting("Carol's review", self.carol, *self.people(self.alice, self.bob, self.carol), self.guest)
        # Alice synchronizes: her meeting is on her Google calendar, and Google invites Bob there.
        self.meeting("Alice's review", self.alice, *self.people(self.alice, self.bob, self.carol), self.guest)
        self.run_sync()
        self.run_sync(self.bob)

        self.assertEqual(self.reminded_by_odoo(), {
            "Carol's review": {self.carol.name, "Guest"},
            "Alice's review": {self.carol.name, "Guest"},
        })

    def test_an_event_google_reminds_everyone_of_is_not_odoos_to_remind(self):
        self.meeting("Alice alone", self.alice, self.alice.partner_id)
        self.run_sync()
        due = self.env["calendar.alarm_manager"]._get_events_by_alarm_to_notify("email")
        self.assertNotIn(self.odoo_event("Alice alone").id, due.get(self.alarm.id, []),
                         "nobody is left to remind, by e-mail or text message")

    def test_odoo_reminds_whom_google_may_not_have_told(self):
        self.meeting("Carol's review", self.carol, *self.people(self.alice, self.bob, self.carol))
        self.meeting("Not on Google yet", self.alice, self.alice.partner_id)
        self.run_sync(self.bob)  # Alice's synchronization has not sent either event yet
        self.env["google.calendar.sync"]._for_user(self.bob).with_user(self.bob).action_pause()

        self.assertEqual(self.reminded_by_odoo(), {
            "Carol's review": {self.alice.name, self.bob.name, self.carol.name},
            "Not on Google yet": {self.alice.name},
        })
