"""The demo behind ``bin/run``: Odoo (18 or 19) with both addons in a demo database, wired to the
emulator.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m devtools.demo [--port 8069] [--google-port 8070]

It recreates the database (the emulator keeps Google's side in memory, so both start afresh),
with Odoo's demo data, points Settings > Google Calendar at the emulator, gives Google a demo
account with a few events, and serves Odoo with a cron worker and push notifications until
interrupted. Log in as admin / admin, open Calendar, click Google, and consent as the demo
account on the emulator's page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
from typing import Any
from zoneinfo import ZoneInfo

import requests

from devtools.odoo_site import addons_path, create_database, db_options, odoo_source, open_registry, use_emulator
from gcal_emulator.control import DEFAULT_SCOPES, EmulatorControl
from gcal_emulator.server import EmulatorServer

CLIENT_ID, CLIENT_SECRET = "odoo-demo.apps.googleusercontent.com", "GOCSPX-demo-secret"
DEMO_GOOGLE = "demo.admin@gmail.example"


def google_events(today: dt.date) -> list[dict]:
    """What the demo account already has on Google: a series, a meeting with guests, a day off."""
    monday = today - dt.timedelta(days=today.weekday())

    def at(day: dt.date, hour: int, minutes: int = 60) -> dict:
        start = dt.datetime.combine(day, dt.time(hour), ZoneInfo("Europe/Brussels"))
        end = start + dt.timedelta(minutes=minutes)
        return {"start": {"dateTime": start.isoformat(), "timeZone": "Europe/Brussels"},
                "end": {"dateTime": end.isoformat(), "timeZone": "Europe/Brussels"}}

    return [
        {"summary": "Team stand-up (from Google)", **at(monday, 9, 15),
         "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=24"]},
        {"summary": "Customer lunch (from Google)", "location": "Brasserie du Parc", **at(today + dt.timedelta(days=1), 12),
         "attendees": [{"email": DEMO_GOOGLE, "responseStatus": "accepted"},
                       {"email": "client@example.com", "responseStatus": "needsAction"}]},
        {"summary": "Day off (from Google)", "transparency": "transparent",
         "start": {"date": (today + dt.timedelta(days=3)).isoformat()},
         "end": {"date": (today + dt.timedelta(days=4)).isoformat()}},
    ]


def seed_google(control: EmulatorControl) -> None:
    # Google Calendar's own web app, as it were: it may create calendars too.
    token = control.connect(DEMO_GOOGLE, client_id="calendar-web.apps.googleusercontent.com",
                            scopes=(*DEFAULT_SCOPES, "https://www.googleapis.com/auth/calendar"))["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for body in google_events(dt.date.today()):
        requests.post(f"{control.base_url}/calendar/v3/calendars/primary/events", json=body, timeout=10,
                      headers=headers).raise_for_status()
    # A second calendar, for the preferences' "Choose a Google calendar".
    requests.post(f"{control.base_url}/calendar/v3/calendars", json={"summary": "Team rota"}, timeout=10,
                  headers=headers).raise_for_status()


def prepare(source: str, db: str, odoo_url: str, control: EmulatorControl) -> None:
    from odoo import api, sql_db  # noqa: PLC0415 - found through ODOO_BIN

    with open_registry(source, db).cursor() as cr:
        configure(api.Environment(cr, api.SUPERUSER_ID, {}), odoo_url, control)
    sql_db.close_all()


def configure(env: Any, odoo_url: str, control: EmulatorControl) -> None:
    """The demo database's settings (``env``: Odoo's, as superuser): Google Calendar on the
    emulator, push notifications on loopback, and an admin in Brussels, as the demo events are."""
    params = env["ir.config_parameter"]
    params.set_param("web.base.url", odoo_url)
    use_emulator(env, control, CLIENT_ID, CLIENT_SECRET, [DEMO_GOOGLE])
    # Google's notifications reach this Odoo on loopback (real Google needs public https).
    params.set_param("google_calendar_sync.webhook_base_url", odoo_url)
    admin = env.ref("base.user_admin")
    admin.tz = "Europe/Brussels"
    # Odoo gives a user the browser's time zone at their first login (UTC in many a container):
    # the demo admin is one who has logged in already.
    env["res.users.log"].with_user(admin).sudo().create({})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8069, help="Odoo's HTTP port (default: 8069)")
    parser.add_argument("--google-port", type=int, default=8070, help="the emulator's port (default: 8070)")
    parser.add_argument("--db", default="gcal_demo", help="the demo database, recreated (default: gcal_demo)")
    args = parser.parse_args()
    source = odoo_source()
    odoo_url = f"http://127.0.0.1:{args.port}"

    with EmulatorServer("127.0.0.1", args.google_port) as google:
        control = EmulatorControl(google.base_url)
        seed_google(control)
        print(f"demo: Google emulator on {google.base_url}; creating the database {args.db} (a minute or two)",
              flush=True)
        subprocess.run(["dropdb", "--if-exists", "-h", os.environ.get("PGHOST", "127.0.0.1"),
                        "-p", os.environ.get("PGPORT", "5432"), "-U", os.environ.get("PGUSER", "odoo"), args.db],
                       check=True)
        create_database(source, args.db, demo=True)
        prepare(source, args.db, odoo_url, control)
        server = subprocess.Popen([
            sys.executable, os.path.join(source, "odoo-bin"), "-d", args.db, f"--db-filter=^{args.db}$", *db_options(),
            f"--addons-path={addons_path(source)}", "--http-interface=127.0.0.1", f"--http-port={args.port}",
            "--max-cron-threads=1",
        ])
        print(f"""
demo: open {odoo_url}/odoo/calendar and log in as admin / admin.
      Click "Google" above the calendar; on the emulator's consent page choose {DEMO_GOOGLE}
      and Continue. Google's demo events appear in Odoo, and Odoo's demo meetings go to Google.
      What Odoo asked Google: {google.base_url}/_emulator/requests. Ctrl-C stops Odoo and the emulator.
""", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            server.wait()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            if server.poll() is None:
                os.kill(server.pid, signal.SIGTERM)
                server.wait(timeout=60)


if __name__ == "__main__":
    main()
