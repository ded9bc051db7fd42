"""One side of benchmarks/odoo_bench.py, measured in a process of its own: ours (google_account +
google_calendar_sync) or the Odoo series' own google_calendar (18's or 19's), in a database made
for it, against an emulator already running. Prints its measures as one line of JSON.

    python -m benchmarks.odoo_measure ours|odoo DATABASE EMULATOR_URL TAG [--import 5000] ...

SQL is counted over every cursor of the process, as ``odoo.sql_db.sql_counter`` counts it (the
cron wake's cursor on the ``postgres`` database and the after-commit cursors of Odoo's module
included); statements that insert, update or delete are counted apart as writes. HTTP requests are
the emulator's: round trips, the parts of a batch not counted; those it refused (4xx, 5xx) apart.
Google's latency (``--google-latency``, the default) is on for what is measured, off while the
user's data is put in place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import threading
import time
from contextlib import contextmanager

from benchmarks.common import add_latency_option, lift_quotas, peak_rss_mb, set_google_latency
from benchmarks.engine_bench import client_for
from devtools.odoo_site import ROOT, connect, odoo_google, odoo_source, open_registry, use_emulator
from gcal_emulator.control import EmulatorControl
from gcal_engine.client import Write

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
WRITES = (b"INSERT", b"UPDATE", b"DELETE")


def google_event(i: int, series: bool) -> dict:
    day = dt.date.today() + dt.timedelta(days=1 + i % 300)
    body = {"summary": f"Imported {i}", "description": "From Google", "location": "Room 7",
            "start": {"dateTime": f"{day}T10:00:00+01:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": f"{day}T11:00:00+01:00", "timeZone": "Europe/Paris"},
            "attendees": [{"email": "{me}", "responseStatus": "accepted"},
                          {"email": f"guest{i % 20}@example.com", "responseStatus": "needsAction"}],
            "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 15}]}}
    if series:
        body["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=10"]
    return body


class Counter:
    """Rows that the statements of every cursor of this thread (Odoo's query hooks) insert,
    update or delete (those of a WITH statement's parts are not seen: it counts the rows it
    returns)."""

    def __init__(self):
        self.writes = 0
        threading.current_thread().query_hooks = [self._hook]

    def _hook(self, cr, query, params, start, delay):  # noqa: ARG002 - Odoo's hook signature
        text = query.encode() if isinstance(query, str) else bytes(query)
        if text.lstrip()[:6].upper() in WRITES:
            self.writes += max(cr._obj.rowcount, 0)  # noqa: SLF001 - psycopg2's count of the rows written


class Side:
    """What both sides do for the benchmark: connect a user, run, save, create."""

    def __init__(self, env, control: EmulatorControl, email: str, tag: str):
        self.env, self.control, self.email, self.tag = env, control, email, tag
        self.user = self._internal_user("Bench", "bench")

    def colleague(self):
        """A colleague who organizes meetings in Odoo and does not synchronize with Google."""
        return self._internal_user("Colleague", "colleague")

    def _internal_user(self, name, login):
        Users = self.env["res.users"].with_context(no_reset_password=True)
        return Users.create({"name": f"{name} {self.tag}", "login": f"{login}-{self.tag}",
                             "email": f"{login}-{self.tag}@example.com", "tz": "Europe/Paris"})

    def events(self, count):
        return self.env["calendar.event"].with_user(self.user).search(
            [("user_id", "=", self.user.id), ("recurrence_id", "=", False)], limit=count)


class Ours(Side):
    def __init__(self, env, control, email, tag):
        super().__init__(env, control, email, tag)
        use_emulator(env, control, f"{tag}.apps.googleusercontent.com", "bench-secret", [email])
        env["ir.config_parameter"].set_param("google_calendar_sync.quota_per_minute", "100000")
        connect(env, control, self.user, email)
        self.sync = env["google.calendar.sync"]._for_user(self.user)

    def run(self):
        from odoo.addons.google_calendar_sync.jobs.sync_run import run_now  # noqa: PLC0415 - this side only

        run_now(self.sync)
        self.env.cr.commit()

    def unsynced(self, records):
        return records.with_context(google_calendar_sync=True)


class OdooModule(Side):
    """Odoo's own google_calendar (18's or 19's), its URLs pointed at the emulator (it reads them
    from its utils), the user's tokens stored as its OAuth route stores them. Odoo 18 refreshes
    tokens with res_users_settings' own copy of the token URL, 19 with google.service's."""

    def __init__(self, env, control, email, tag):
        super().__init__(env, control, email, tag)
        from odoo.addons.google_account.models import google_service  # noqa: PLC0415 - Odoo's, this side only
        from odoo.addons.google_calendar.models import res_users_settings  # noqa: PLC0415

        base = control.base_url
        google_service.GOOGLE_AUTH_ENDPOINT = f"{base}/o/oauth2/auth"
        google_service.GOOGLE_TOKEN_ENDPOINT = res_users_settings.GOOGLE_TOKEN_ENDPOINT = f"{base}/o/oauth2/token"
        google_service.GOOGLE_API_BASE_URL = base
        do_request = google_service.GoogleService._do_request
        do_request.__defaults__ = (*do_request.__defaults__[:3], base, do_request.__defaults__[4])
        client_id = f"{tag}.apps.googleusercontent.com"
        params = env["ir.config_parameter"]
        params.set_param("google_calendar_client_id", client_id)
        params.set_param("google_calendar_client_secret", "bench-secret")
        token = control.connect(email, client_id, "bench-secret", scopes=(CALENDAR_SCOPE,))
        settings = env["res.users.settings"]._find_or_create_for_user(self.user)
        settings._set_google_auth_tokens(token["access_token"], token["refresh_token"], token["expires_in"])
        from odoo.addons.google_calendar.utils.google_calendar import GoogleCalendarService  # noqa: PLC0415

        self.service = GoogleCalendarService(env["google.service"])

    def run(self):
        self.user.with_user(self.user).sudo()._sync_google_calendar(self.service)
        self.env.cr.commit()

    def unsynced(self, records):
        return records.with_context(no_calendar_sync=True)


@contextmanager
def measured(counter: Counter, control: EmulatorControl, rss: bool = False):
    """Wall time, SQL statements (all cursors), writes and HTTP round trips of the block; with
    ``rss``, how far the process' peak memory rose above its size before."""
    import odoo  # noqa: PLC0415

    result = {}
    control.clear_requests()
    if rss:
        before = rss_mb()
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")  # the peak (VmHWM) starts again from now
    queries, writes, started = odoo.sql_db.sql_counter, counter.writes, time.perf_counter()
    yield result
    answered = control.requests()
    refused = [f"{r['method']} {r['path']} {r['status']}" for r in answered if (r["status"] or 0) >= 400]
    result.update(seconds=time.perf_counter() - started, sql=odoo.sql_db.sql_counter - queries,
                  writes=counter.writes - writes, requests=len([r for r in answered if not r["batch"]]),
                  refused=len(refused))
    if refused:  # Google's answer to a valid call would be a success: the emulator is at fault, or the side
        print("refused by the emulator:", *refused[:5], file=sys.stderr)
    if rss:
        result["rss_mb"] = peak_rss_mb(os.getpid()) - before


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def populate(control: EmulatorControl, email: str, tag: str, count: int, series: int) -> None:
    """``count`` events on the account's Google calendar, ``series`` of them weekly series, as
    another app would write them (a grant of its own)."""
    token = control.connect(email, f"populate-{tag}.apps.googleusercontent.com", "populate", scopes=(CALENDAR_SCOPE,))
    client = client_for(control.base_url, token)
    every = count // series if series else count + 1
    writes = [Write("POST", "primary", body=json.loads(json.dumps(google_event(i, i % every == 0)).replace("{me}", email)))
              for i in range(count)]
    try:
        for first in range(0, len(writes), 500):
            assert all(r.error is None for r in client.write_many(writes[first:first + 500]))
    finally:
        client.session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("side", choices=("ours", "odoo"))
    parser.add_argument("db")
    parser.add_argument("emulator")
    parser.add_argument("tag")
    parser.add_argument("--import", dest="imported", type=int, default=5000)
    parser.add_argument("--series", type=int, default=50)
    parser.add_argument("--export", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--attended", type=int, default=100)
    add_latency_option(parser, default=True)
    args = parser.parse_args()
    source = odoo_source()
    registry = open_registry(source, args.db, ROOT if args.side == "ours" else odoo_google(source))
    import odoo  # noqa: PLC0415

    control = EmulatorControl(args.emulator)
    lift_quotas(control)
    set_google_latency(control, False)  # until the user and the events are in place
    email = f"{args.tag}@gmail.example"
    counter = Counter()
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        side = (Ours if args.side == "ours" else OdooModule)(env, control, email, args.tag)
        side.run()  # the first run, of an empty calendar
        populate(control, email, args.tag, args.imported, args.series)

        set_google_latency(control, args.google_latency)
        with measured(counter, control, rss=True) as results["import"]:
            side.run()
        results["import"]["events"] = env["calendar.event"].search_count([("user_id", "=", side.user.id)])
        set_google_latency(control, False)  # unmeasured: Odoo's module would spend minutes on it
        side.run()  # what the import left to do (Odoo's module sends its events back once)
        set_google_latency(control, args.google_latency)
        time.sleep(1)  # the idle run in another second than the last run, so that its time is written, as usual
        with measured(counter, control) as results["idle"]:
            side.run()

        results["save"] = saves(side, counter, control, args.saves)

        start = dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=2)
        values = [{"name": f"Exported {i}", "start": start + dt.timedelta(hours=i),
                   "stop": start + dt.timedelta(hours=i, minutes=30)} for i in range(args.export)]
        with measured(counter, control) as results["create"]:
            env["calendar.event"].with_user(side.user).create(values)
            cr.commit()
        with measured(counter, control) as results["export"]:
            side.run()
        with measured(counter, control) as results["after_export"]:
            side.run()

        colleague = side.colleague()
        values = [{"name": f"Attended {i}", "user_id": colleague.id,
                   "partner_ids": [(6, 0, [colleague.partner_id.id, side.user.partner_id.id])],
                   "start": start + dt.timedelta(days=30, hours=i), "stop": start + dt.timedelta(days=30, hours=i, minutes=30)}
                  for i in range(args.attended)]
        env["calendar.event"].with_user(colleague).with_context(no_mail_to_attendees=True).create(values)
        cr.commit()
        mailed = len(control.mails())
        with measured(counter, control) as results["attended"]:
            side.run()
        results["attended"]["mails"] = len(control.mails()) - mailed
    print(json.dumps(results))


def saves(side: Side, counter: Counter, control: EmulatorControl, count: int) -> dict:
    """A user saving one event, ``count`` times with sync and as many without, alternately; the
    medians, and the first save (the one that asks for a run)."""
    records = side.events(2 * count)
    rounds = {"synced": [], "unsynced": []}
    for index in range(count):
        for label, record in (("unsynced", side.unsynced(records[2 * index])), ("synced", records[2 * index + 1])):
            with measured(counter, control) as result:
                record.with_user(side.user).write({"name": f"{record.name} (edited)"})
                side.env.cr.commit()
            rounds[label].append(result)
    return {label: {key: statistics.median(r[key] for r in measures) for key in measures[0]}
            | {"first": measures[0]} for label, measures in rounds.items()}


if __name__ == "__main__":
    main()
