"""The addons in a real Odoo 18: import and export through google_calendar_sync, measured.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m benchmarks.odoo_bench [--import 5000] [--export 1000]

(PostgreSQL from PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 as odoo.)

It creates a fresh database with both addons installed (dropped at the end), starts the emulator
in its own process, connects a user through the OAuth flow, and prints a table of wall time, HTTP
requests and SQL queries. Targets: at most 6 queries per imported event; the export of 1,000
events in at most 25 HTTP round trips; the run after an export writes nothing; saving an event
costs at most 10 extra queries and no HTTP call.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from contextlib import contextmanager

from benchmarks.common import emulator_process, lift_quotas, print_table
from devtools.odoo_site import connect, create_database, drop_database, odoo_source, open_registry, use_emulator
from gcal_emulator.control import EmulatorControl

CLIENT_ID, CLIENT_SECRET = "bench.apps.googleusercontent.com", "bench-secret"
GOOGLE = "bench@gmail.example"


@contextmanager
def counted(cr):
    """SQL queries and wall time of the block (the cursor's own count)."""
    result = {}
    queries, started = cr.sql_log_count, time.perf_counter()
    yield result
    result["queries"] = cr.sql_log_count - queries
    result["seconds"] = time.perf_counter() - started


def google_event(i: int) -> dict:
    day = dt.date.today() + dt.timedelta(days=1 + i % 300)
    body = {"summary": f"Imported {i}", "description": "From Google", "location": "Room 7",
            "start": {"dateTime": f"{day}T10:00:00+01:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": f"{day}T11:00:00+01:00", "timeZone": "Europe/Paris"},
            "attendees": [{"email": GOOGLE, "responseStatus": "accepted"},
                          {"email": f"guest{i % 20}@example.com", "responseStatus": "needsAction"}],
            "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 15}]}}
    if i % 100 == 0:
        body["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=10"]
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--import", dest="imported", type=int, default=5000)
    parser.add_argument("--export", type=int, default=1000)
    args = parser.parse_args()
    source = odoo_source()
    import odoo  # noqa: PLC0415 - found through ODOO_BIN

    db = f"gcal_bench_{os.getpid()}"
    create_database(source, db)
    rows = []
    try:
        with emulator_process() as (base, _pid), open_registry(source, db).cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            control = EmulatorControl(base)
            lift_quotas(control)
            use_emulator(env, control, CLIENT_ID, CLIENT_SECRET, [GOOGLE])
            env["ir.config_parameter"].set_param("google_calendar_sync.quota_per_minute", "100000")
            Users = env["res.users"].with_context(no_reset_password=True)
            user = Users.create({"name": "Bench", "login": "bench", "email": "bench@example.com", "tz": "Europe/Paris"})
            connect(env, control, user, GOOGLE)
            sync = env["google.calendar.sync"]._for_user(user)
            sync._run()
            cr.commit()

            client = sync._client()
            from gcal_engine.client import Write

            writes = [Write("POST", "primary", body=google_event(i)) for i in range(args.imported)]
            for first in range(0, len(writes), 500):
                assert all(r.error is None for r in client.write_many(writes[first:first + 500]))
            control.clear_requests()
            with counted(cr) as imported:
                sync._run()
            cr.commit()
            requests_made = len([r for r in control.requests() if not r["batch"]])
            events = env["calendar.event"].search_count([("user_id", "=", user.id)])
            rows.append((f"import {args.imported:,} Google events ({args.imported // 100} series)", f"{events:,} Odoo events",
                         requests_made, imported["seconds"], imported["queries"],
                         f"{imported['queries'] / args.imported:.2f}", "<= 6 queries/event"))

            start = dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=2)
            values = [{"name": f"Exported {i}", "start": start + dt.timedelta(hours=i),
                       "stop": start + dt.timedelta(hours=i, minutes=30)} for i in range(args.export)]
            # Without sync: the same create, with the bookkeeping of google_calendar_sync switched off.
            Events = env["calendar.event"].with_user(user)
            created = {}
            unsynced = Events.with_context(google_calendar_sync=True)
            for label, model in (("warm-up", unsynced), ("unsynced", unsynced), ("synced", Events)):
                with counted(cr) as created[label]:
                    records = model.create(values)
                cr.commit()
                if label != "synced":
                    records.with_context(google_calendar_sync=True).unlink()
                    cr.commit()
            rows.append((f"a user creates {args.export:,} events in one call", "", 0,
                         created["synced"]["seconds"], created["synced"]["queries"],
                         f"{created['synced']['seconds'] / created['unsynced']['seconds']:.2f}x without sync", "<= 1.2x"))
            control.clear_requests()
            with counted(cr) as exported:
                sync._run()
            cr.commit()
            round_trips = len([r for r in control.requests() if not r["batch"]])
            exported_count = args.export
            rows.append((f"export {exported_count:,} new Odoo events", f"{exported_count:,}", round_trips, exported["seconds"],
                         exported["queries"], f"{exported['queries'] / exported_count:.2f}",
                         "<= 25 round trips"))

            control.clear_requests()
            with counted(cr) as idle:
                sync._run()
            cr.commit()
            idle_requests = control.requests()
            rows.append(("the run after the export", "", len(idle_requests), idle["seconds"], idle["queries"],
                         f"{sum(1 for r in idle_requests if r['method'] != 'GET')} writes", "writes nothing"))

            control.clear_requests()
            with counted(cr) as nothing:
                sync._run()
            cr.commit()
            rows.append(("incremental run, nothing changed", "", len(control.requests()), nothing["seconds"],
                         nothing["queries"], "", "1 request (a log row per run)"))

            mine = env["calendar.event"].with_user(user).search([("user_id", "=", user.id)], limit=6)
            control.clear_requests()
            saves = {}
            for index in range(3):  # the last round counts, on warm caches
                for label, record in (("unsynced", mine[2 * index].with_context(google_calendar_sync=True)),
                                      ("synced", mine[2 * index + 1])):
                    with counted(cr) as saves[label]:
                        record.write({"name": f"{record.name} (edited)"})
                        record.flush_recordset()
            cr.commit()
            rows.append(("a user saves one event", "", len(control.requests()), saves["synced"]["seconds"],
                         saves["synced"]["queries"], f"+{saves['synced']['queries'] - saves['unsynced']['queries']} queries",
                         "<= 10 extra queries, no HTTP"))
    finally:
        drop_database(db)
    print_table("google_calendar_sync in Odoo 18 against the emulator (queries: SQL statements on the run's cursor)",
                ["work", "result", "HTTP requests", "wall time (s)", "SQL queries", "per event / note", "target"], rows)


if __name__ == "__main__":
    main()
