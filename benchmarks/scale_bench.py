"""Many users connecting at once, served by two Odoo servers, under Google's default quotas.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m benchmarks.scale_bench \\
        [--users 200] [--events 500] [--in-odoo 100] [--connect-within 60] [--pushes 30] [--push-every 3]
        [--no-google-latency]

A database with both addons (dropped at the end); ``--users`` users, each with ``--events``
events: ``--in-odoo`` of them already in Odoo, the rest on their Google calendar. The emulator
keeps Google's default quotas (600 requests a minute per user, 10,000 per project, each part of
a batch counted) and answers as slowly as Google (``--no-google-latency``: at once). Two Odoo servers start, each with 2 HTTP workers and 2 cron workers (prefork,
as in production), the webhook on the first (http on loopback: the emulator allows it). Then
the users connect through the OAuth flow, evenly within ``--connect-within`` seconds, and while
their first synchronizations run, events are added on Google to calendars already synchronized:
each one's push notification is timed until the event is in Odoo.

Measured: the time until every user is synchronized, the busiest minute of one user and of the
project against the quotas, the requests Google refused (goal: none), runs of one user that
overlapped (goal: none), the most answers that waited on Google at once, and the delay from a notification to the event in Odoo (goal: < 5 s at
p95).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import threading
import time

import psycopg2

from benchmarks.common import (
    add_latency_option, emulator_process, latency_phrase, lift_quotas, print_table, set_google_latency,
    stop_cleanly_on_sigterm,
)
from benchmarks.odoo_side import populate
from benchmarks.push_bench import GoogleWebPage, free_port, start_server
from devtools.odoo_site import connect, create_database, drop_database, odoo_source, open_registry, use_emulator
from gcal_emulator.control import EmulatorControl

CLIENT_ID, CLIENT_SECRET = "scale-bench.apps.googleusercontent.com", "scale-bench-secret"
PER_USER, PER_PROJECT = 600, 10_000  # Google's defaults
PUSH_TARGET = 5.0  # seconds from the notification to the event in Odoo, at p95
DEADLINE = 3600  # give up after an hour


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--in-odoo", type=int, default=100, help="of each user's events, how many are in Odoo")
    parser.add_argument("--connect-within", type=float, default=60)
    parser.add_argument("--pushes", type=int, default=30, help="changes on Google during the burst, at most")
    parser.add_argument("--push-every", type=float, default=3, help="seconds between two of them")
    add_latency_option(parser, default=True)
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    source = odoo_source()
    import odoo  # noqa: PLC0415 - found through ODOO_BIN

    db = f"gcal_scale_bench_{os.getpid()}"
    ports = [free_port(), free_port()]
    os.makedirs("var", exist_ok=True)
    logs = [os.path.abspath(f"var/scale_bench_odoo{i}_{os.getpid()}.log") for i in (1, 2)]
    emails = [f"scale{i}@gmail.example" for i in range(args.users)]
    servers, watcher = [], None
    create_database(source, db)
    try:
        with emulator_process() as (base, _pid):
            control = EmulatorControl(base)
            registry = open_registry(source, db)
            started = time.monotonic()
            with registry.cursor() as cr:
                users = prepare(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), control, emails, ports[0], args)
            print(f"scale_bench: {args.users} users, {args.users * args.events:,} events ready in "
                  f"{time.monotonic() - started:.0f} s", flush=True)
            control.set_quotas(per_user_per_minute=PER_USER, per_project_per_minute=PER_PROJECT)
            control.quota_usage(clear=True)
            set_google_latency(control, args.google_latency)
            odoo.sql_db.close_all()
            for port, log in zip(ports, logs):
                servers.append(start_server(source, db, port, log))  # each one stopped below, however this ends
            watcher = Watcher(db)
            burst = Burst(registry, control, users, emails, watcher, args)
            result = burst.run()
            result["usage"] = control.quota_usage()
            result["waiting"] = control.latency()["most_waiting"]
            result["overlaps"], result["runs"] = runs_of(watcher.cursor)
            result["pushes"] = burst.push_delays(control.notifications())
    finally:
        if watcher is not None:
            watcher.stop()
        for server in servers:
            os.kill(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=60)
        drop_database(db)
    report(result, args)


def prepare(env, control, emails, webhook_port, args):
    """Settings, users and their events, on both sides; the quotas out of reach meanwhile."""
    lift_quotas(control)
    use_emulator(env, control, CLIENT_ID, CLIENT_SECRET, emails)
    env["ir.config_parameter"].set_param("google_calendar_sync.webhook_base_url", f"http://127.0.0.1:{webhook_port}")
    Users = env["res.users"].with_context(no_reset_password=True)
    users = Users.create([{"name": f"Scale {i}", "login": f"scale{i}", "email": f"scale{i}@example.com",
                           "tz": "Europe/Paris"} for i in range(len(emails))])
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(8, 0))
    Events = env["calendar.event"].with_context(no_mail_to_attendees=True, mail_create_nolog=True)
    for user in users:
        Events.with_user(user).create([{
            "name": f"Odoo event {i} of {user.login}", "user_id": user.id, "partner_ids": [(4, user.partner_id.id)],
            "start": start + dt.timedelta(days=i % 200, hours=i % 9), "stop": start + dt.timedelta(days=i % 200, hours=i % 9 + 1),
        } for i in range(args.in_odoo)])
        env.cr.commit()
    on_google = args.events - args.in_odoo
    for email in emails:
        populate(control, email, email.split("@")[0], on_google, on_google // 100)
    return users


class Burst:
    """The users connecting within the minute, and the changes made on Google meanwhile."""

    def __init__(self, registry, control, users, emails, watcher, args):
        self.registry, self.control, self.users, self.emails = registry, control, users, emails
        self.watcher, self.args = watcher, args
        self.pushed = []  # (summary, channel id, written at)

    def run(self) -> dict:
        import odoo  # noqa: PLC0415

        args, count = self.args, len(self.emails)
        began = time.monotonic()
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            for index, (user, email) in enumerate(zip(self.users.with_env(env), self.emails)):
                self._wait_until(began + index * args.connect_within / count)
                connect(env, self.control, user, email)
                cr.commit()
        connected = time.monotonic() - began
        pages, last_push, done_at = {}, 0.0, None
        while time.monotonic() - began < DEADLINE:
            synced, failed = self.watcher.synced(), self.watcher.failed()
            if len(synced) + failed >= count:
                done_at = time.monotonic() - began
                break
            if synced and len(self.pushed) < args.pushes and time.monotonic() - last_push >= args.push_every:
                email, channel = sorted(synced.items())[len(self.pushed) % len(synced)]
                page = pages.setdefault(email, GoogleWebPage(self.control, email))
                summary = f"Pushed {len(self.pushed)} to {email}"
                self.pushed.append((summary, channel, page.insert(summary)))
                self.watcher.expect(summary)
                last_push = time.monotonic()
            time.sleep(0.2)
        self.watcher.wait_for_all(60)
        return {"connected": connected, "synced": done_at, "failed": self.watcher.failed(),
                "events": self.watcher.event_count()}

    @staticmethod
    def _wait_until(moment: float) -> None:
        pause = moment - time.monotonic()
        if pause > 0:
            time.sleep(pause)

    def push_delays(self, notifications: list[dict]) -> list[float | None]:
        """For each push, seconds from Odoo's answer to its notification to the event in Odoo."""
        delays = []
        for summary, channel, written in self.pushed:
            delivered = sorted(n["delivered_at"] for n in notifications
                               if n["channel_id"] == channel and n["state"] == "exists" and n["delivered_at"] >= written)
            found = self.watcher.seen.get(summary)
            delays.append(found - delivered[0] if delivered and found else None)
        return delays


class Watcher:
    """Odoo's database as seen from outside: who is synchronized, and when events arrive (a
    thread polling every 20 ms on a connection of its own)."""

    def __init__(self, db: str) -> None:
        self.connection = psycopg2.connect(host=os.environ.get("PGHOST", "127.0.0.1"),
                                           port=os.environ.get("PGPORT", "5432"),
                                           user=os.environ.get("PGUSER", "odoo"), dbname=db)
        self.connection.autocommit = True
        self.cursor = self.connection.cursor()
        self.expected, self.seen = set(), {}
        self._lock, self._stop = threading.Lock(), threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._poll_connection = psycopg2.connect(self.connection.dsn)
        self._poll_connection.autocommit = True
        self._thread.start()

    def synced(self) -> dict[str, str]:
        """Google address -> push channel of the users whose first synchronization is complete."""
        self.cursor.execute("""SELECT a.email, s.channel_id FROM google_calendar_sync s
                                 JOIN google_account a ON a.id = s.account_id
                                WHERE s.sync_token IS NOT NULL AND s.channel_id IS NOT NULL""")
        return dict(self.cursor.fetchall())

    def failed(self) -> int:
        """Users whose first synchronization stopped on an error (it waits for the next poll)."""
        self.cursor.execute("SELECT count(*) FROM google_calendar_sync WHERE sync_token IS NULL AND last_error IS NOT NULL")
        return self.cursor.fetchone()[0]

    def event_count(self) -> int:
        self.cursor.execute("SELECT count(*) FROM google_calendar_binding")
        return self.cursor.fetchone()[0]

    def expect(self, summary: str) -> None:
        with self._lock:
            self.expected.add(summary)

    def wait_for_all(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and set(self.seen) != self.expected:
            time.sleep(0.1)

    def _poll(self) -> None:
        cursor = self._poll_connection.cursor()
        while not self._stop.is_set():
            with self._lock:
                waiting = list(self.expected - set(self.seen))
            if waiting:
                cursor.execute("SELECT name FROM calendar_event WHERE name = ANY(%s)", (waiting,))
                now = time.time()
                for (name,) in cursor.fetchall():
                    self.seen.setdefault(name, now)
            self._stop.wait(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._poll_connection.close()
        self.connection.close()


def runs_of(cursor) -> tuple[int, int]:
    """(pairs of one user's runs that overlapped in time, runs logged)."""
    cursor.execute("""SELECT count(*) FROM google_calendar_sync_log a JOIN google_calendar_sync_log b
                        ON a.sync_id = b.sync_id AND a.id < b.id
                       AND a.started_at < coalesce(b.finished_at, now() AT TIME ZONE 'UTC')
                       AND b.started_at < coalesce(a.finished_at, now() AT TIME ZONE 'UTC')""")
    overlaps = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM google_calendar_sync_log")
    return overlaps, cursor.fetchone()[0]


def report(result: dict, args) -> None:
    usage, delays = result["usage"], [d for d in result["pushes"] if d is not None]
    refused = sum(usage["refused"].values())
    p95 = sorted(delays)[min(len(delays) - 1, int(0.95 * len(delays)))] if delays else None
    synced = result["synced"]
    print_table(
        f"{args.users} users x {args.events} events ({args.in_odoo} in Odoo), connecting within "
        f"{args.connect_within:.0f} s; 2 Odoo servers x 2 cron workers; Google's default quotas; "
        f"{latency_phrase(args.google_latency)}",
        ["measure", "value", "goal"],
        [
            ("users connected (s)", f"{result['connected']:.0f}", ""),
            ("every user synchronized (s after the first connected)", f"{synced:.0f}" if synced else "NOT within the hour", ""),
            ("first synchronizations failed", result["failed"], "0"),
            ("events bound", f"{result['events']:,}", f"{args.users * args.events:,}"),
            ("busiest minute of one user (requests)", usage["peak_per_user_per_minute"], f"<= {PER_USER}"),
            ("busiest minute of the project (requests)", usage["peak_per_project_per_minute"], f"<= {PER_PROJECT:,}"),
            ("requests refused (403 user / project)",
             f"{usage['refused']['userRateLimitExceeded']} / {usage['refused']['rateLimitExceeded']}", "0"),
            ("Google's answers waiting at once, at most", result["waiting"] if args.google_latency else "-", ""),
            ("one user's runs overlapping", f"{result['overlaps']} (of {result['runs']} runs logged)", "0"),
            ("push: notification -> in Odoo, median (s)", f"{statistics.median(delays):.2f}" if delays else "-", ""),
            ("push: p95 / max (s)", f"{p95:.2f} / {max(delays):.2f}" if delays else "-", f"p95 < {PUSH_TARGET:.0f}"),
            ("pushes timed (missed)", f"{len(delays)} ({len(result['pushes']) - len(delays)})", ""),
            ("verdict", "met" if synced and not result["failed"] and not refused and not result["overlaps"] and p95 is not None
             and p95 < PUSH_TARGET else "NOT met", ""),
        ],
    )


if __name__ == "__main__":
    main()
