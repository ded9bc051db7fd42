"""Odoo against a real Google stand-in (gcal_emulator on 127.0.0.1), with alice connected
through the OAuth route, as a user would be.

A run never raises: it logs. ``run_sync`` therefore checks each run's outcome, and every run of a
test (the cron's too) must end "done" unless the test names the failure it expects
(``run_sync(problem=...)``, ``assertRunFailed``).

Dates are counted from ``DAY1`` (day 1), a Tuesday four to five weeks after today on the clock
the tests run with: every event lies inside the sync window, whatever the date.
"""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import requests
from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.google_account.tests.common import GoogleAccountCase

from ..jobs.sync_run import run_now

ALICE_GOOGLE = "alice@gmail.example"
PARIS = ZoneInfo("Europe/Paris")
_SOON = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=28)
DAY1 = _SOON + dt.timedelta(days=(1 - _SOON.weekday()) % 7)  # Odoo's weekly rules name weekdays


def day(number):
    """The date of day ``number`` (1 is ``DAY1``)."""
    return DAY1 + dt.timedelta(days=number - 1)


def paris(number, hour, minute=0):
    """Day ``number`` at ``hour`` in Paris (alice's time zone), aware; ``.isoformat()`` is Google's
    text of it, whichever side of a daylight saving change it falls."""
    return dt.datetime.combine(day(number), dt.time(hour, minute), PARIS)


def as_odoo(moment):
    """An aware time as Odoo stores it: naive UTC."""
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def instance_id(series_id, moment):
    """Google's id of a series' occurrence starting at ``moment`` (aware)."""
    return f"{series_id}_{moment.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}"


class GoogleCalendarSyncCase(GoogleAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.tz = "Europe/Paris"
        cls.carol = new_test_user(cls.env, login="gcs_carol", password="gcs_carol_password", email="carol@example.com")

    def setUp(self):
        super().setUp()
        self.failures_named = self.env["google.calendar.sync.log"]
        self.addCleanup(self.assertOtherRunsDone, self.newest_log_id())
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

    def run_sync(self, user=None, time_budget=None, problem=None):
        """One run of ``user``'s synchronization (alice's by default), as a cron worker runs it.
        It must run and succeed: complete, every event synchronized, nothing to report. A test
        about a failure names it instead: ``problem``, words the run must end with (see
        ``assertRunFailed``)."""
        user = user or self.alice
        # Odoo's test lock held throughout (a test cursor takes it): the requests of a browser
        # left open share this test's transaction, and wait (a query of theirs between this
        # test's execute and fetch took its result).
        with self.registry.cursor():
            newest = self.newest_log_id()
            with self.worker() as env:
                ran = run_now(env["google.calendar.sync"]._for_user(user), time_budget=time_budget)
            self.assertTrue(ran, "the run ran (its lock was free)")
            sync = self.env["google.calendar.sync"]._for_user(user)
            if problem is not None:
                self.assertRunFailed(problem, user)
                return sync
            logs = self.env["google.calendar.sync.log"].sudo().search(
                [("sync_id", "=", sync.id), ("id", ">", newest)])
            said = [(log.state, log.summary, *log.problem_line_ids.mapped(lambda line: f"{line.name}: {line.message}"))
                    for log in logs if log.state != "done"]
            self.assertEqual(said, [], "the run succeeded")
            self.assertFalse(sync.last_error, "the run succeeded")
        return sync

    def assertRunFailed(self, words, user=None):
        """The last run of ``user`` (alice's by default) did not end "done" and says ``words`` (in
        its message or summary, in one of its lines, or on the user's status); the test's end
        then knows that failure was expected. Returns the run's log."""
        sync = self.env["google.calendar.sync"]._for_user(user or self.alice)
        self.env.invalidate_all()
        log = self.env["google.calendar.sync.log"].sudo().search(
            [("sync_id", "=", sync.id), ("id", "not in", self.failures_named.ids)], order="id desc", limit=1)
        self.assertTrue(log and log.state != "done", f"a run that did not succeed: {log.state} {log.summary}")
        said = [log.message or "", log.summary or "", sync.last_error or "",
                *log.line_ids.mapped(lambda line: f"{line.name}: {line.message}")]
        self.assertTrue(any(words in text for text in said), f"{words!r} in {said}")
        self.failures_named |= log
        return log

    def newest_log_id(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM google_calendar_sync_log")
        return self.env.cr.fetchone()[0]

    def assertOtherRunsDone(self, newest):
        """At the test's end: every run since ``newest`` (the cron's too) ended "done", but for
        the failures the test named."""
        self.env.invalidate_all()
        logs = self.env["google.calendar.sync.log"].sudo().search([("id", ">", newest), ("state", "!=", "done")])
        unexpected = logs - self.failures_named
        self.assertFalse(unexpected, "runs that did not succeed, though the test expected no failure: "
                         + "; ".join(f"{log.user_id.login} {log.state}: {log.summary}" for log in unexpected))

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

    def insert_on_google(self, summary, start=None, end=None, zone="Europe/Paris", user=None, **extra):
        """An event made on Google (by default on day 3, 9:00-10:00 in Paris); ``start`` and
        ``end`` are Google's text of a time."""
        start = start or paris(3, 9).isoformat()
        end = end or paris(3, 10).isoformat()
        body = {"summary": summary, "start": {"dateTime": start, "timeZone": zone},
                "end": {"dateTime": end, "timeZone": zone}, **extra}
        return self.google_api(user).insert_event("primary", body)

    def create_in_odoo(self, name, start=None, hours=1, user=None, **values):
        """An event as alice creates it in the Calendar app (times are naive UTC, as in Odoo; by
        default day 1 at 10:00 in Paris)."""
        user = user or self.alice
        start = start or as_odoo(paris(1, 10))
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
        for number in range(count):
            self.create_in_odoo(f"Visit {number}", start=as_odoo(paris(1 + number, 10)))
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
