"""The switch from Odoo's own Google Calendar, at size: users with thousands of linked events.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m benchmarks.switch_bench [--users 20] [--events 2000]

A fresh database gets Odoo's google_account and google_calendar (from ODOO_GOOGLE, default
odoo_google beside the Odoo tree); each user gets a grant and that many events as Odoo's module
leaves them: single events and weekly series with a colleague as guest, all linked to Google ids,
one in twenty with a change Odoo had not sent. Then the switch command of the README runs and is
measured: wall time, SQL queries (Odoo's own count per module loaded), requests to Google (the
emulator stands for Google; the switch needs none). The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import time
import uuid

from benchmarks.common import emulator_process, print_table
from devtools.odoo_site import ROOT, db_options, demo_options, drop_database, odoo_source
from gcal_emulator.control import EmulatorControl

SERIES = 10  # weekly series of 10 occurrences per user; the rest are single events
SERIES_LENGTH = 10


def addons(source: str, first: str) -> str:
    return ",".join(p for p in (first, os.path.join(source, "addons"), os.path.join(source, "odoo", "addons"))
                    if os.path.isdir(p))


def odoo_bin(source: str, db: str, path: str, *options: str) -> str:
    done = subprocess.run([sys.executable, os.path.join(source, "odoo-bin"), "-d", db, *db_options(),
                           f"--addons-path={path}", "--stop-after-init", *demo_options(False), "--log-level=info",
                           *options], check=True, capture_output=True, text=True)
    return done.stderr + done.stdout


def populate(source: str, db: str, path: str, users: int, events: int, endpoint: str) -> None:
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config([*db_options(), f"--addons-path={path}", "--log-level=warn"])
    context = {"no_reset_password": True, "tracking_disable": True, "mail_create_nolog": True,
               "mail_create_nosubscribe": True, "no_mail_to_attendees": True, "dont_notify": True}
    start = dt.datetime.combine(dt.date.today(), dt.time(8))
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, context)
        params = env["ir.config_parameter"]
        params.set_param("google_calendar_sync_paused", True)  # Odoo's module sends nothing meanwhile
        params.set_param("google_calendar_client_id", "bench.apps.googleusercontent.com")
        params.set_param("google_calendar_client_secret", "bench-secret")
        params.set_param("google_account.endpoint", endpoint)
        people = env["res.users"].create([{"name": f"User {i}", "login": f"user{i}", "email": f"user{i}@example.com"}
                                          for i in range(users)])
        for index, user in enumerate(people):
            user.res_users_settings_id._set_google_auth_tokens(f"access-{index}", f"refresh-{index}", 3600)
            user.res_users_settings_id.google_calendar_sync_token = f"token-{index}"
            guest = people[(index + 1) % users].partner_id
            singles = events - SERIES * SERIES_LENGTH
            Event = env["calendar.event"].with_user(user)
            Event.create([{"name": f"Event {index}-{i}", "start": start + dt.timedelta(hours=i),
                           "stop": start + dt.timedelta(hours=i, minutes=30),
                           "partner_ids": [(6, 0, [user.partner_id.id, guest.id])]} for i in range(singles)])
            for i in range(SERIES):
                day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(start + dt.timedelta(days=i)).weekday()]
                Event.create({day: True, "name": f"Series {index}-{i}", "start": start + dt.timedelta(days=i, hours=-2),
                              "stop": start + dt.timedelta(days=i, hours=-1), "recurrency": True,
                              "rrule_type": "weekly", "interval": 1, "end_type": "count", "count": SERIES_LENGTH,
                              "partner_ids": [(6, 0, [user.partner_id.id, guest.id])]})
            cr.commit()
        # As Odoo's module leaves them: linked, and one in twenty with a change it had not sent.
        for recurrence in env["calendar.recurrence"].search([]):
            recurrence.google_id = uuid.uuid4().hex
        cr.execute("UPDATE calendar_event SET google_id = md5(id::text), need_sync = (id % 20 = 0) "
                   "WHERE recurrence_id IS NULL")
        cr.execute("UPDATE calendar_event SET need_sync = FALSE WHERE recurrence_id IS NOT NULL")
        cr.execute("UPDATE calendar_recurrence SET need_sync = FALSE")
        params.set_param("google_calendar_sync_paused", False)
        cr.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    source = odoo_source()
    odoo_google = os.environ.get("ODOO_GOOGLE") or os.path.join(source, "odoo_google")
    db = f"switch_bench_{os.getpid()}"
    try:
        with emulator_process() as (base, _pid):
            odoo_bin(source, db, addons(source, odoo_google), "-i", "google_calendar")
            populate(source, db, addons(source, odoo_google), args.users, args.events, base)
            control = EmulatorControl(base)
            control.clear_requests()
            started = time.perf_counter()
            log = odoo_bin(source, db, addons(source, ROOT), "-u", "google_account")
            seconds = time.perf_counter() - started
            requests_made = len(control.requests())
        import odoo  # noqa: PLC0415

        with odoo.sql_db.db_connect(db).cursor() as cr:
            cr.execute("SELECT count(*) FROM google_calendar_binding")
            bindings = cr.fetchone()[0]
            cr.execute("SELECT count(*) FROM google_calendar_binding WHERE dirty")
            dirty = cr.fetchone()[0]
    finally:
        drop_database(db)
    queries = {name: int(count) for name, count in re.findall(r"Module (\w+) loaded in [0-9.]+s, (\d+) queries", log)}
    total = users_events = args.users * args.events
    print_table(
        f"The switch of {args.users} users with {args.events:,} events each (odoo-bin -u google_account)",
        ["work", "result", "wall time (s)", "SQL queries", "HTTP requests"],
        [("the switch command, from start to stop", f"{bindings:,} bindings, {dirty:,} to send", seconds,
          sum(queries.values()), requests_made),
         ("  google_account's upgrade (OAuth client, grants)", "", "", queries.get("google_account", 0), ""),
         ("  google_calendar_sync's install (links, pending changes)",
          f"{queries.get('google_calendar_sync', 0) / total:.3f} queries/event", "",
          queries.get("google_calendar_sync", 0), "")],
    )
    print(f"({users_events:,} Odoo events; SQL queries as Odoo counts them for the modules it installs or upgrades)")


if __name__ == "__main__":
    main()
