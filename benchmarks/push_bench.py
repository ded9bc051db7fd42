"""Real-time push in a real Odoo 18 server with cron workers: how long after Google's notification
a change made on Google is in Odoo.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m benchmarks.push_bench [--users 5] [--changes 20]
        [--google-latency]

It creates a database with both addons (dropped at the end), connects ``--users`` users to the
emulator, and starts Odoo as a server with 2 HTTP workers and 2 cron workers, its webhook on
http://127.0.0.1 (the emulator allows plain http on loopback; Google requires https). Then
events are created on Google, one at a time, and as a burst (every user at once), and for
each it measures the time from Google's write to Odoo's answer to the notification, and to the
event in Odoo's database, Google answering at once or, with ``--google-latency``, as slowly as
Google. Target: in Odoo within 5 s of the notification.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

import psycopg2
import requests

from benchmarks.common import (
    add_latency_option, emulator_process, latency_phrase, print_table, set_google_latency, stop_cleanly_on_sigterm,
)
from devtools.odoo_site import (
    addons_path, connect, create_database, db_options, drop_database, odoo_source, open_registry, use_emulator,
)
from gcal_emulator.control import EmulatorControl

CLIENT_ID, CLIENT_SECRET = "push-bench.apps.googleusercontent.com", "push-bench-secret"
TARGET = 5.0  # seconds from the notification to the event in Odoo
WAIT = 60.0  # give up on one change after this long


def free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(source: str, db: str, port: int, log: str) -> subprocess.Popen:
    """Odoo as in production: prefork HTTP workers and cron workers, woken by cron triggers."""
    command = [sys.executable, os.path.join(source, "odoo-bin"), "-d", db, f"--db-filter=^{db}$", *db_options(),
               f"--addons-path={addons_path(source)}", "--http-interface=127.0.0.1", f"--http-port={port}",
               f"--gevent-port={free_port()}", "--workers=2", "--max-cron-threads=2", f"--logfile={log}",
               "--log-level=warn"]
    # What Odoo prints before its log file is open (a gevent worker that cannot start) goes there too.
    with open(log, "ab") as early:
        server = subprocess.Popen(command, stdout=early, stderr=early)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            # A worker's first request loads the registry: on a large database it takes a while.
            if requests.get(f"http://127.0.0.1:{port}/web/health", timeout=10).ok:
                return server
        except requests.RequestException:
            pass
        if server.poll() is not None:
            sys.exit(f"Odoo stopped with exit code {server.returncode}; see {log}")
        time.sleep(0.2)
    server.terminate()
    server.wait(timeout=60)
    sys.exit(f"Odoo did not answer on port {port} within 2 minutes; see {log}")


class GoogleWebPage:
    """A user making changes on Google's side, with a grant of its own (not Odoo's)."""

    def __init__(self, control: EmulatorControl, email: str) -> None:
        token = control.connect(email, client_id="calendar-web.apps.googleusercontent.com")["access_token"]
        self.url = f"{control.base_url}/calendar/v3/calendars/primary/events"
        self.headers = {"Authorization": f"Bearer {token}"}

    def insert(self, summary: str) -> float:
        body = {"summary": summary, "start": {"dateTime": "2026-12-15T10:00:00Z"},
                "end": {"dateTime": "2026-12-15T11:00:00Z"}}
        requests.post(self.url, json=body, headers=self.headers, timeout=10).raise_for_status()
        return time.time()


def arrival(db_cursor, summary: str) -> float | None:
    """When the event named ``summary`` is in Odoo's database (polled every 10 ms)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        db_cursor.execute("SELECT 1 FROM calendar_event WHERE name = %s", (summary,))
        if db_cursor.fetchone():
            return time.time()
        time.sleep(0.01)
    return None


def notified_at(control: EmulatorControl, count: int, channel: str) -> float:
    """When Odoo answered the latest change notification of ``channel``, once ``count`` were sent."""
    done = control.notifications(state="exists", count=count, wait=WAIT)
    return max(n["delivered_at"] for n in done if n["state"] == "exists" and n["channel_id"] == channel)


def summarize(label: str, pairs: list[tuple[float, float, float | None]]) -> tuple:
    """(scenario, changes, median/p95/max notification to Odoo, median write to Odoo, missed)."""
    arrived = [(written, notified, found) for written, notified, found in pairs if found is not None]
    after_notification = sorted(found - notified for _written, notified, found in arrived)
    after_write = [found - written for written, _notified, found in arrived]
    p95 = after_notification[min(len(after_notification) - 1, int(0.95 * len(after_notification)))]
    return (label, len(pairs), statistics.median(after_notification), p95, max(after_notification),
            statistics.median(after_write), len(pairs) - len(arrived),
            "yes" if max(after_notification) <= TARGET and len(arrived) == len(pairs) else "NO")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--changes", type=int, default=20, help="changes made one at a time")
    add_latency_option(parser, default=False)
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    source = odoo_source()
    import odoo  # noqa: PLC0415 - found through ODOO_BIN

    db = f"gcal_push_bench_{os.getpid()}"
    port = free_port()
    os.makedirs("var", exist_ok=True)
    log = os.path.abspath(f"var/push_bench_odoo_{os.getpid()}.log")
    create_database(source, db)
    emails = [f"push{i}@gmail.example" for i in range(args.users)]
    server = None
    try:
        with emulator_process() as (base, _pid):
            control = EmulatorControl(base)
            control.hold_push()  # the channels' first messages wait for the server
            with open_registry(source, db).cursor() as cr:
                from odoo.addons.google_calendar_sync.jobs.sync_run import run_now  # noqa: PLC0415 - its registry loaded

                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                use_emulator(env, control, CLIENT_ID, CLIENT_SECRET, emails)
                env["ir.config_parameter"].set_param("google_calendar_sync.webhook_base_url", f"http://127.0.0.1:{port}")
                Users = env["res.users"].with_context(no_reset_password=True)
                from odoo.addons.google_calendar_sync.jobs.sync_run import run_now  # noqa: PLC0415 - loaded by now
                for index, email in enumerate(emails):
                    user = Users.create({"name": f"Push {index}", "login": f"push{index}", "email": f"push{index}@example.com"})
                    connect(env, control, user, email)
                    run_now(env["google.calendar.sync"]._for_user(user))  # the first sync opens the channel
                cr.commit()
            odoo.sql_db.close_all()
            server = start_server(source, db, port, log)
            control.hold_push(False)
            handshakes = [n for n in control.notifications(state="sync", count=args.users, wait=WAIT)
                          if n["state"] == "sync" and n["status"] == 200]
            assert len(handshakes) == args.users, f"channels not confirmed: {control.notifications()}"
            pages = [GoogleWebPage(control, email) for email in emails]
            set_google_latency(control, args.google_latency)
            connection = psycopg2.connect(host=os.environ.get("PGHOST", "127.0.0.1"),
                                          port=os.environ.get("PGPORT", "5432"),
                                          user=os.environ.get("PGUSER", "odoo"), dbname=db)
            connection.autocommit = True
            db_cursor = connection.cursor()
            db_cursor.execute("SELECT a.email, s.channel_id FROM google_calendar_sync s"
                              " JOIN google_account a ON a.id = s.account_id")
            channels = dict(db_cursor.fetchall())

            one_at_a_time = []
            for change in range(args.changes):
                summary = f"One at a time {change}"
                email = emails[change % args.users]
                written = pages[change % args.users].insert(summary)
                found = arrival(db_cursor, summary)
                one_at_a_time.append((written, notified_at(control, change + 1, channels[email]), found))

            burst = [(email, page.insert(f"Burst {email}")) for email, page in zip(emails, pages)]
            found = {email: arrival(db_cursor, f"Burst {email}") for email, _written in burst}
            total = args.changes + args.users
            burst_pairs = [(written, notified_at(control, total, channels[email]), found[email])
                           for email, written in burst]
            connection.close()
    finally:
        if server is not None:
            os.kill(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        drop_database(db)
    print_table(
        f"Push notifications: Odoo 18 server, 2 HTTP workers, 2 cron workers, {args.users} connected users "
        f"(seconds; notification = when Odoo answered Google's POST); {latency_phrase(args.google_latency)}",
        ["scenario", "changes", "notification -> in Odoo, median", "p95", "max", "Google write -> in Odoo, median",
         "missed", f"<= {TARGET:.0f} s"],
        [summarize("one change at a time", one_at_a_time),
         summarize(f"burst: {args.users} users at once", burst_pairs)])


if __name__ == "__main__":
    main()
