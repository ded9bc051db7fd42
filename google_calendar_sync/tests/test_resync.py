"""Whatever makes a synchronization list the calendar again (a reset that synchronizes all
existing events, another Google calendar or account and back, Google expiring the sync token, a
window change), each event ends once on each side: no second series, no occurrence twice, and no
Odoo event deleted and made again (its id, chatter and activities stay)."""

import datetime as dt
from collections import Counter

import requests

from odoo.tests import tagged

from .common import ALICE_GOOGLE, GoogleCalendarSyncCase

OUTSIDER = "partner@outside.example"
OTHER_GOOGLE = "alice.other@gmail.example"


@tagged("post_install", "-at_install")
class TestResync(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        for email in (OUTSIDER, OTHER_GOOGLE):
            self.google.add_user(email)
        self.register_client(test_users=[ALICE_GOOGLE, OTHER_GOOGLE])
        self.outsider = self.google.connect(OUTSIDER, client_id="calendar-web.apps.googleusercontent.com")

    # -- the calendars ---------------------------------------------------------------------------

    def at(self, days, hour=9):
        """An RFC 3339 time ``days`` after today, at ``hour`` UTC."""
        return dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(hour)).isoformat() + "Z"

    def times(self, days, hour=9):
        return {"start": {"dateTime": self.at(days, hour), "timeZone": "UTC"},
                "end": {"dateTime": self.at(days, hour + 1), "timeZone": "UTC"}}

    def world(self):
        """alice's own daily series made on Google with its third occurrence moved, a single
        event made on Google, a series made in Odoo with a moved occurrence, and a weekly series
        someone outside Odoo invites her to, with an occurrence moved by its organizer."""
        api = self.google_api()
        daily = api.insert_event("primary", {"summary": "Daily", **self.times(3),
                                             "recurrence": ["RRULE:FREQ=DAILY;COUNT=7"]})
        third = list(api.instances("primary", daily["id"]))[2]
        api.patch_event("primary", third["id"], {"summary": "Daily (moved)", **self.times(5, 15)})
        api.insert_event("primary", {"summary": "Dentist", **self.times(2)})
        first = self.create_in_odoo("Odoo weekly", start=dt.datetime.combine(dt.date.today(), dt.time(16))
                                    + dt.timedelta(days=4), recurrency=True, rrule_type="daily", end_type="count",
                                    count=4, event_tz="UTC")
        self.run_sync()
        second = first.recurrence_id.calendar_event_ids.sorted("start")[1]
        second.with_user(self.alice).write({
            "name": "Odoo weekly (moved)", "start": second.start + dt.timedelta(hours=2),
            "stop": second.stop + dt.timedelta(hours=2), "recurrence_update": "self_only"})
        invitation = self.as_google_user(self.outsider["access_token"], "POST", "", {
            "summary": "Partner review", **self.times(6, 11), "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
            "attendees": [{"email": ALICE_GOOGLE}]})
        self.run_sync()
        instances = self.as_google_user(self.outsider["access_token"], "GET", f"/{invitation['id']}/instances")
        self.as_google_user(self.outsider["access_token"], "PATCH", f"/{instances['items'][1]['id']}",
                            {"summary": "Partner review (moved)", **self.times(14, 14)})
        self.run_sync()
        self.assertFalse(self.sync.last_error)
        for event in self.env["calendar.event"].search([("name", "in", ["Daily (moved)", "Odoo weekly (moved)",
                                                                         "Partner review (moved)", "Dentist"])]):
            event.message_post(body="Kept in the chatter")

    def in_odoo(self):
        """{(title, start): Odoo id} of every event, and that none is there twice."""
        self.env.invalidate_all()
        events = self.env["calendar.event"].search([])
        seen = Counter((event.name, event.start) for event in events)
        self.assertEqual([key for key, count in seen.items() if count > 1], [], "nothing twice in Odoo")
        return {(event.name, event.start): event.id for event in events}

    def on_google(self, calendar_id="primary"):
        """(title, start) of every event alice's Google calendar shows, occurrences one by one."""
        api = self.google_api()
        answer = api.session.request("GET", f"{api.endpoints.calendar}/calendars/{calendar_id}/events",
                                     params={"singleEvents": "true", "maxResults": 2500})
        return Counter((e.get("summary"), e["start"].get("date") or dt.datetime.fromisoformat(
            e["start"]["dateTime"].replace("Z", "+00:00")).astimezone(dt.timezone.utc).isoformat())
            for e in answer.json()["items"] if e.get("status") != "cancelled")

    def chatter(self):
        return self.env["mail.message"].search_count([("model", "=", "calendar.event"),
                                                      ("body", "like", "Kept in the chatter")])

    def assertNothingDoubled(self, odoo, google):
        self.assertFalse(self.sync.last_error)
        self.assertEqual(self.in_odoo(), odoo, "the same Odoo events, none made again")
        self.assertEqual(self.on_google(), google, "Google shows each event once")
        self.assertEqual(self.chatter(), 4)
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "nothing left to send")

    def settle(self):
        self.world()
        odoo, google = self.in_odoo(), self.on_google()
        self.assertEqual(len(odoo), 7 + 1 + 4 + 3)
        self.assertEqual(set(google.values()), {1})
        return odoo, google

    # -- the paths -------------------------------------------------------------------------------

    def reset(self, delete_policy):
        wizard = self.env["google.calendar.reset"].with_user(self.admin).create({
            "user_id": self.alice.id, "delete_policy": delete_policy, "sync_policy": "all"})
        wizard.action_reset()
        self.google.advance_clock(2)
        self.connect(self.alice, email=ALICE_GOOGLE, return_url="/odoo/calendar")
        self.run_sync()

    def test_a_reset_that_deletes_on_google_then_synchronizes_all_sends_odoo_again_once(self):
        odoo, google = self.settle()
        self.reset("delete_google")
        self.assertNothingDoubled(odoo, google)

    def test_a_reset_that_deletes_in_odoo_then_synchronizes_all_brings_google_back_once(self):
        odoo, google = self.settle()
        self.reset("delete_odoo")
        self.assertEqual(set(self.in_odoo()), set(odoo), "Google's events are in Odoo again, once")
        self.assertEqual(self.on_google(), google)
        kept = {key: odoo[key] for key in odoo if key[0].startswith("Partner review")}
        self.assertEqual({key: self.in_odoo()[key] for key in kept}, kept,
                         "an invitation the reset did not delete is the same Odoo event")

    def test_another_account_and_back_then_a_410_and_a_wider_window_double_nothing(self):
        odoo, google = self.settle()
        self.connect(self.alice, email=OTHER_GOOGLE, return_url="/odoo/calendar")
        self.run_sync()
        self.assertEqual(self.in_odoo(), odoo)
        self.connect(self.alice, email=ALICE_GOOGLE, return_url="/odoo/calendar")
        self.run_sync()
        self.assertNothingDoubled(odoo, google)
        self.google.invalidate_sync_tokens()
        self.run_sync()
        self.assertNothingDoubled(odoo, google)
        self.env["res.config.settings"].with_user(self.admin).create({"google_calendar_past_days": 500}).execute()
        self.run_sync()
        self.assertNothingDoubled(odoo, google)

    def test_another_calendar_and_back_doubles_nothing_both_ways(self):
        odoo, google = self.settle()
        clinic = self.add_google_calendar("Clinic")
        self.sync._switch_calendar(clinic, "Clinic")
        self.run_sync()
        self.assertEqual(self.in_odoo(), odoo)
        self.assertEqual(len(self.on_google(clinic)), len(odoo), "Odoo's events went to the chosen calendar")
        self.sync._switch_calendar("primary", "Primary calendar")
        self.run_sync()
        self.assertNothingDoubled(odoo, google)

    def test_another_calendar_and_back_doubles_nothing_odoo_to_google_only(self):
        odoo, google = self.settle()
        self.sync.direction = "odoo_to_google"
        self.run_sync()
        clinic = self.add_google_calendar("Clinic")
        self.sync._switch_calendar(clinic, "Clinic")
        self.run_sync()
        self.sync._switch_calendar("primary", "Primary calendar")
        self.run_sync()
        self.assertNothingDoubled(odoo, google)
        self.assertEqual(self.sync.last_summary, "Nothing to change")

    def test_an_event_deleted_while_another_calendar_was_chosen_leaves_that_calendar_too(self):
        self.create_in_odoo("Checkup", start=dt.datetime.combine(dt.date.today(), dt.time(9)) + dt.timedelta(days=2))
        self.insert_on_google("Lunch", start=self.at(3), end=self.at(3, 10), zone="UTC")
        self.run_sync()
        clinic = self.add_google_calendar("Clinic")
        self.sync._switch_calendar(clinic, "Clinic")
        self.run_sync()
        self.sync._switch_calendar("primary", "Primary calendar")
        self.run_sync()
        self.odoo_event("Checkup").with_user(self.alice).unlink()
        self.odoo_event("Lunch").with_user(self.alice).unlink()
        self.run_sync()
        self.assertEqual(self.on_google(), Counter())
        self.sync._switch_calendar(clinic, "Clinic")
        self.run_sync()
        self.assertFalse(self.sync.last_error)
        self.assertEqual(self.on_google(clinic), Counter(), "deleted in Odoo meanwhile: deleted there too")
        self.assertFalse(self.env["calendar.event"].search([("name", "in", ["Checkup", "Lunch"])]), "not made again")

    def test_events_deleted_on_google_while_another_calendar_was_chosen_leave_odoo_when_back(self):
        """The other way round: what alice deleted on the first calendar meanwhile, and an
        invitation its organizer cancelled, go from Odoo once she is back on it; none is sent to
        Google again as a new event. (A full list finds only what Google lists: the events Odoo
        remembers there that it does not list are asked for.)"""
        self.create_in_odoo("Checkup", start=dt.datetime.combine(dt.date.today(), dt.time(9)) + dt.timedelta(days=2))
        self.insert_on_google("Lunch", start=self.at(3), end=self.at(3, 10), zone="UTC")
        invitation = self.as_google_user(self.outsider["access_token"], "POST", "", {
            "summary": "Partner review", **self.times(6, 11), "attendees": [{"email": ALICE_GOOGLE}]})
        self.run_sync()
        clinic = self.add_google_calendar("Clinic")
        self.sync._switch_calendar(clinic, "Clinic")
        self.run_sync()
        api = self.google_api()
        for page in api.list_events("primary"):
            for event in page.items:
                if event.get("summary") in ("Checkup", "Lunch"):
                    api.delete_event("primary", event["id"])
        requests.delete(f"{self.google.base_url}/calendar/v3/calendars/primary/events/{invitation['id']}",
                        headers={"Authorization": f"Bearer {self.outsider['access_token']}"}, timeout=10
                        ).raise_for_status()
        self.sync._switch_calendar("primary", "Primary calendar")
        self.run_sync()
        self.assertFalse(self.sync.last_error)
        self.assertEqual(self.on_google(), Counter(), "nothing sent again")
        self.assertFalse(self.env["calendar.event"].search([("name", "in", ["Checkup", "Lunch"])]))
        review = self.env["calendar.event"].search([("name", "=", "Partner review")])
        self.assertNotIn(self.alice.partner_id, review.attendee_ids.partner_id, "alice no longer attends it")

