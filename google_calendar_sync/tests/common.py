"""Odoo against a real Google stand-in (gcal_emulator on 127.0.0.1), with alice connected
through the OAuth route, as a user would be."""

import datetime as dt
from contextlib import contextmanager

import requests
from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.google_account.tests.common import GoogleAccountCase

ALICE_GOOGLE = "alice@gmail.example"


class GoogleCalendarSyncCase(GoogleAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.tz = "Europe/Paris"
        cls.carol = new_test_user(cls.env, login="gcs_carol", password="gcs_carol_password", email="carol@example.com")

    def setUp(self):
        super().setUp()
        self.connect(self.alice, email=ALICE_GOOGLE, return_url="/odoo/calendar")
        self.sync = self.env["google.calendar.sync"]._for_user(self.alice)
        self.run_sync()  # the first sync of an empty calendar
        self.google.clear_requests()

    # -- running and reading ---------------------------------------------------------------------

    @contextmanager
    def worker(self):
        """The environment of a cron worker: a cursor of its own, whose commits and rollbacks the
        code under test makes as in production (Odoo's test cursor turns them into savepoints
        of this test's transaction, which still ends rolled back)."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            yield self.env(cr=cr)
        self.env.invalidate_all()

    def call(self, user, model, method, *args, **kwargs):
        """``model.method(*args, **kwargs)`` as the web client calls it, logged in as ``user``: over
        JSON-RPC, in a request that commits as in production (JsonRpcException on an error)."""
        self.login(user)
        self.env.flush_all()
        try:
            return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
                "model": model, "method": method, "args": list(args), "kwargs": kwargs})
        finally:
            self.env.invalidate_all()

    def run_sync(self, user=None, time_budget=None):
        """One run of ``user``'s synchronization (alice's by default), as a cron worker runs it."""
        with self.worker() as env:
            env["google.calendar.sync"]._for_user(user or self.alice)._run(time_budget=time_budget)
        return self.env["google.calendar.sync"]._for_user(user or self.alice)

    def google_api(self, user=None):
        """gcal_engine's client with the user's own tokens: to play the user on Google's side."""
        return self.env["google.calendar.sync"]._for_user(user or self.alice)._client()

    def google_events(self, user=None):
        events = {}
        for page in self.google_api(user).list_events("primary"):
            events.update({e["id"]: e for e in page.items})
        return {k: v for k, v in events.items() if v.get("status") != "cancelled" or v.get("recurringEventId")}

    def google_event(self, summary, user=None):
        matches = [e for e in self.google_events(user).values() if e.get("summary") == summary]
        self.assertEqual(len(matches), 1, f"exactly one Google event {summary!r}: {matches}")
        return matches[0]

    def odoo_event(self, name):
        events = self.env["calendar.event"].search([("name", "=", name)])
        self.assertEqual(len(events), 1, f"exactly one Odoo event {name!r}")
        return events

    def insert_on_google(self, summary, start="2026-12-03T09:00:00+01:00", end="2026-12-03T10:00:00+01:00",
                         zone="Europe/Paris", user=None, **extra):
        body = {"summary": summary, "start": {"dateTime": start, "timeZone": zone},
                "end": {"dateTime": end, "timeZone": zone}, **extra}
        return self.google_api(user).insert_event("primary", body)

    def create_in_odoo(self, name, start=dt.datetime(2026, 12, 1, 9, 0), hours=1, user=None, **values):
        """An event as alice creates it in the Calendar app (times are naive UTC, as in Odoo)."""
        user = user or self.alice
        return self.env["calendar.event"].with_user(user).create({
            "name": name, "start": start, "stop": start + dt.timedelta(hours=hours), **values,
        })

    def as_google_user(self, token, method, path, body=None):
        """Google Calendar's own app, as a person outside Odoo uses it (``token``: their access token)."""
        answer = requests.request(method, f"{self.google.base_url}/calendar/v3/calendars/primary/events{path}",
                                  json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def add_google_calendar(self, summary, email=ALICE_GOOGLE):
        """A secondary calendar made on Google's web page (with a grant of its own: Odoo's may not
        create calendars); its id."""
        token = self.google.connect(email, client_id="calendar-web.apps.googleusercontent.com",
                                    scopes=("https://www.googleapis.com/auth/calendar",))["access_token"]
        answer = requests.post(f"{self.google.base_url}/calendar/v3/calendars", json={"summary": summary},
                               headers={"Authorization": f"Bearer {token}"}, timeout=10)
        answer.raise_for_status()
        return answer.json()["id"]

    def empty_google_calendar(self, count=12):
        """``count`` events sent from Odoo, then all deleted on Google's side: a mass deletion."""
        for day in range(count):
            self.create_in_odoo(f"Visit {day}", start=dt.datetime(2026, 12, 1 + day, 9, 0))
        self.run_sync()
        api = self.google_api()
        for event_id in self.google_events():
            api.delete_event("primary", event_id)

    def writes_to_google(self):
        return [(r["method"], r["sendUpdates"]) for r in self.google.requests()
                if r["method"] in ("POST", "PATCH", "DELETE") and "/events" in r["path"] and not r["batch"]
                or r["batch"]]

    def freeze_later(self, seconds):
        """Odoo's clock, ``seconds`` ahead: an edit made then is newer than Google's of now."""
        return freeze_time(fields.Datetime.now() + dt.timedelta(seconds=seconds))
