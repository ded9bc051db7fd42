"""Many users connecting at once, served by 1, 2 and 4 Odoo servers, under Google's default quotas.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m benchmarks.scale_bench \\
        [--servers 1 2 4] [--users 200] [--events 500] [--in-odoo 100] [--connect-within 60] [--pushes 30]
        [--push-every 3] [--no-google-latency]

A database with both addons (dropped at the end); ``--users`` users, each with ``--events``
events: ``--in-odoo`` of them already in Odoo, the rest on their Google calendar. The emulator
keeps Google's default quotas (600 requests a minute per user, 10,000 per project, each part of
a batch counted) and answers as slowly as Google (``--no-google-latency``: at once). For each
count of ``--servers``, from scratch: that many Odoo servers start, each with 2 HTTP workers and
2 cron workers (prefork, as in production), the synchronizations at a time set to their cron
workers together (Settings), the webhook on the first (http on loopback: the emulator allows it). Then
the users connect through the OAuth flow, evenly within ``--connect-within`` seconds, and while
their first synchronizations run, events are added on Google to calendars already synchronized:
each one's push notification is timed until the event is in Odoo.

Measured: the time until every user is synchronized, the busiest minute of one user and of the
project against the quotas, the requests Google refused (goal: none), runs of one user that
overlapped (goal: none), the most answers that waited on Google at once, the delay from a
notification to the event in Odoo (goal: < 3 s at p95); and, sampled every quarter second from
outside, the runs at a time (users whose run is claimed), the database connections of each
server (by state: a run waiting on Google shows as idle or idle in transaction), each server's
resident memory (all its processes) and the CPU each process used.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import psycopg2

from benchmarks.common import (
    add_latency_option, emulator_process, latency_phrase, lift_quotas, print_table, set_google_latency,
    stop_cleanly_on_sigterm,
)
from benchmarks.odoo_measure import populate
from benchmarks.push_bench import GoogleWebPage, free_port, start_server
from devtools.odoo_site import (
    connect, copy_database, create_database, drop_database, odoo_source, open_registry, use_emulator,
)
from gcal_emulator.control import EmulatorControl

CLIENT_ID, CLIENT_SECRET = "scale-bench.apps.googleusercontent.com", "scale-bench-secret"
PER_USER, PER_PROJECT = 600, 10_000  # Google's defaults
PUSH_TARGET = 3.0  # seconds from the notification to the event in Odoo, at p95
DEADLINE = 3600  # give up after an hour
CRON_WORKERS = 2  # each server's (benchmarks.push_bench.start_server)
SAMPLE_EVERY = 0.25  # seconds between two looks at the database and the processes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2, 4], help="Odoo servers, one run each")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--in-odoo", type=int, default=100, help="of each user's events, how many are in Odoo")
    parser.add_argument("--connect-within", type=float, default=60)
    parser.add_argument("--pushes", type=int, default=30, help="changes on Google during the burst, at most")
    parser.add_argument("--push-every", type=float, default=3, help="seconds between two of them")
    add_latency_option(parser, default=True)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)  # one count's result, for the parent
    parser.add_argument("--template", help=argparse.SUPPRESS)  # the database each count's is copied from
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    if args.result_file:
        with open(args.result_file, "w", encoding="utf-8") as result:
            json.dump(run(args.servers[0], args), result)
        return
    template = f"gcal_scale_bench_{os.getpid()}_template"
    create_database(odoo_source(), template)  # installed once (odoo-bin in its own process)
    try:
        report({count: run_apart(count, template) for count in args.servers}, args)
    finally:
        drop_database(template)


def run_apart(count: int, template: str) -> dict:
    """``run`` in a process of its own (Odoo's configuration is read once per process), on a copy
    of ``template``."""
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        arguments = sys.argv[1:]
        start = arguments.index("--servers") if "--servers" in arguments else None
        if start is not None:
            end = start + 1
            while end < len(arguments) and arguments[end].isdigit():
                end += 1
            del arguments[start:end]
        subprocess.run([sys.executable, "-m", "benchmarks.scale_bench", *arguments, "--servers", str(count),
                        "--template", template, "--result-file", result.name], check=True)
        return json.load(result)


def run(count: int, args) -> dict:
    """One burst served by ``count`` Odoo servers, from a new database and a new emulator."""
    source = odoo_source()
    import odoo  # noqa: PLC0415 - found through ODOO_BIN

    db = f"gcal_scale_bench_{os.getpid()}_{count}"
    ports = [free_port() for _server in range(count)]
    os.makedirs("var", exist_ok=True)
    logs = [os.path.abspath(f"var/scale_bench_odoo{i + 1}of{count}_{os.getpid()}.log") for i in range(count)]
    emails = [f"scale{i}@gmail.example" for i in range(args.users)]
    servers: list = []
    copy_database(args.template, db)
    try:
        with emulator_process() as (base, emulator_pid):
            control = EmulatorControl(base)
            registry = open_registry(source, db)
            started = time.monotonic()
            with registry.cursor() as cr:
                users = prepare(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), control, emails, ports[0], args)
                runs_at_a_time(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), count * CRON_WORKERS)
            print(f"scale_bench: {args.users} users, {args.users * args.events:,} events ready in "
                  f"{time.monotonic() - started:.0f} s; {count} server(s)", flush=True)
            control.set_quotas(per_user_per_minute=PER_USER, per_project_per_minute=PER_PROJECT)
            control.quota_usage(clear=True)
            set_google_latency(control, args.google_latency)
            odoo.sql_db.close_all()
            try:
                for port, log in zip(ports, logs):
                    servers.append(start_server(source, db, port, log))  # each one stopped below, however this ends
                result = measure(registry, control, users, emails, servers, emulator_pid, args)
            finally:  # before the emulator stops: a run under way would retry on a closed port
                stop(servers)
            result["log_lines"] = [problem_lines(log) for log in logs]
    finally:
        drop_database(db)
    return result


def measure(registry, control, users, emails, servers, emulator_pid, args) -> dict:
    """The burst, and what it cost, with the servers running."""
    watcher = Watcher(registry.db_name, [server.pid for server in servers])
    try:
        burst = Burst(registry, control, users, emails, watcher, args)
        result = burst.run()
        result["usage"] = control.quota_usage()
        result["waiting"] = control.latency()["most_waiting"]
        result["overlaps"], result["runs"] = runs_of(watcher.cursor)
        result["pushes"] = burst.push_delays(control.notifications())
        result["cpu"] = [cpu_seconds(server.pid) for server in servers] + [cpu_seconds(emulator_pid)]
        result.update(watcher.sampled())
    finally:
        watcher.stop()
    return result


def stop(servers: list) -> None:
    """Each server asked to stop; one still busy after a minute is killed, its workers with it."""
    for server in servers:
        os.kill(server.pid, signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            for pid in reversed(process_tree(server.pid)):
                os.kill(pid, signal.SIGKILL)
            server.wait()


def runs_at_a_time(env, count: int) -> None:
    """As an administrator sets it in Settings: one run per cron worker of all servers together."""
    env["res.config.settings"].create({"google_calendar_runs_at_a_time": count}).execute()
    env.cr.commit()


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

    def __init__(self, db: str, servers: list[int]) -> None:
        self.db, self.servers = db, servers
        self.samples: list[dict] = []
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
        self._sample_connection = psycopg2.connect(self.connection.dsn)
        self._sample_connection.autocommit = True
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self._sampler.start()

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

    def _sample(self) -> None:
        """Every SAMPLE_EVERY: runs claimed, each server's connections by state, its memory."""
        cursor = self._sample_connection.cursor()
        while not self._stop.is_set():
            cursor.execute("SELECT count(*) FROM google_calendar_sync WHERE running_since IS NOT NULL")
            running = cursor.fetchone()[0]
            cursor.execute("""SELECT application_name, state FROM pg_stat_activity
                               WHERE datname = %s AND application_name LIKE 'odoo-%%'""", (self.db,))
            owner = {pid: index for index, server in enumerate(self.servers) for pid in process_tree(server)}
            connections = collections.Counter()
            for application, state in cursor.fetchall():
                index = owner.get(int(application.removeprefix("odoo-")))
                if index is not None:
                    connections[index, state] += 1
            memory = [sum(rss_mb(pid) for pid in process_tree(server)) for server in self.servers]
            self.samples.append({"running": running, "connections": connections, "memory": memory})
            self._stop.wait(SAMPLE_EVERY)

    def sampled(self) -> dict:
        """What the samples show at most, and on average while runs were under way."""
        busy = [sample for sample in self.samples if sample["running"]]
        per_server = [[sum(count for (index, _state), count in sample["connections"].items() if index == server)
                       for sample in self.samples] for server in range(len(self.servers))]
        totals = [sum(sample["connections"].values()) for sample in self.samples]
        states: collections.Counter = collections.Counter()
        for sample in self.samples:
            now: collections.Counter = collections.Counter()
            for (_index, state), count in sample["connections"].items():
                now[state] += count
            for state, count in now.items():
                states[state] = max(states[state], count)
        return {
            "running_max": max((sample["running"] for sample in self.samples), default=0),
            "running_mean": statistics.mean(sample["running"] for sample in busy) if busy else 0,
            "connections_max": max(totals, default=0),
            "connections_per_server_max": [max(counts, default=0) for counts in per_server],
            "connections_by_state_max": dict(states),
            "connections_idle": statistics.median([total for total, sample in zip(totals, self.samples)
                                                    if not sample["running"]] or [0]),
            "memory_max": [max((sample["memory"][i] for sample in self.samples), default=0)
                           for i in range(len(self.servers))],
        }

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sampler.join(timeout=5)
        self._poll_connection.close()
        self._sample_connection.close()
        self.connection.close()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (an Odoo server's HTTP, cron and gevent workers)."""
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children[parent].append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """CPU used by ``pid`` and its descendants, those it already reaped included."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for index, current in enumerate(process_tree(pid)):
        try:
            with open(f"/proc/{current}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime; and for the process itself its waited-for children's cutime, cstime
        total += (int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if index == 0 else 0)) / ticks
    return total


def problem_lines(log: str) -> int:
    """WARNING, ERROR and CRITICAL lines of a server's log."""
    with open(log, encoding="utf-8", errors="replace") as lines:
        return sum(1 for line in lines if any(f" {level} " in line for level in ("WARNING", "ERROR", "CRITICAL")))


def runs_of(cursor) -> tuple[int, int]:
    """(pairs of one user's runs that overlapped in time, runs logged)."""
    cursor.execute("""SELECT count(*) FROM google_calendar_sync_log a JOIN google_calendar_sync_log b
                        ON a.sync_id = b.sync_id AND a.id < b.id
                       AND a.started_at < coalesce(b.finished_at, now() AT TIME ZONE 'UTC')
                       AND b.started_at < coalesce(a.finished_at, now() AT TIME ZONE 'UTC')""")
    overlaps = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM google_calendar_sync_log")
    return overlaps, cursor.fetchone()[0]


def report(results: dict[int, dict], args) -> None:
    counts = list(results)

    def row(name, value, goal=""):
        return (name, *(value(results[count]) for count in counts), goal)

    def p95(result):
        delays = sorted(d for d in result["pushes"] if d is not None)
        return delays[min(len(delays) - 1, int(0.95 * len(delays)))] if delays else None

    def refused(result):
        return sum(result["usage"]["refused"].values())

    def met(result):
        return bool(result["synced"] and not result["failed"] and not refused(result) and not result["overlaps"]
                    and p95(result) is not None and p95(result) < PUSH_TARGET and not sum(result["log_lines"]))

    def delays(result):
        return [d for d in result["pushes"] if d is not None]

    print_table(
        f"{args.users} users x {args.events} events ({args.in_odoo} in Odoo), connecting within "
        f"{args.connect_within:.0f} s; Odoo servers x {CRON_WORKERS} cron workers, as many synchronizations "
        f"at a time; Google's default quotas; {latency_phrase(args.google_latency)}",
        ["measure", *(f"{count} server{'s' if count > 1 else ''}" for count in counts), "goal"],
        [
            row("users connected (s)", lambda r: f"{r['connected']:.0f}"),
            row("every user synchronized (s after the first connected)",
                lambda r: f"{r['synced']:.0f}" if r["synced"] else "NOT within the hour"),
            row("first synchronizations failed", lambda r: r["failed"], "0"),
            row("events bound", lambda r: f"{r['events']:,}", f"{args.users * args.events:,}"),
            row("runs at a time: most / mean while any ran",
                lambda r: f"{r['running_max']} / {r['running_mean']:.1f}"),
            row("busiest minute of one user (requests)", lambda r: r["usage"]["peak_per_user_per_minute"],
                f"<= {PER_USER}"),
            row("busiest minute of the project (requests)", lambda r: r["usage"]["peak_per_project_per_minute"],
                f"<= {PER_PROJECT:,}"),
            row("requests refused (403 user / project)", lambda r: (
                f"{r['usage']['refused']['userRateLimitExceeded']} / {r['usage']['refused']['rateLimitExceeded']}"),
                "0"),
            row("Google's answers waiting at once, at most", lambda r: r["waiting"] if args.google_latency else "-"),
            row("one user's runs overlapping", lambda r: f"{r['overlaps']} (of {r['runs']} runs logged)", "0"),
            row("DB connections of all servers, at most", lambda r: r["connections_max"]),
            row("  of each server, at most", lambda r: " / ".join(str(c) for c in r["connections_per_server_max"])),
            row("  by state, at most", lambda r: ", ".join(
                f"{state} {count}" for state, count in sorted(r["connections_by_state_max"].items(), key=str))),
            row("  while no run was under way (median)", lambda r: f"{r['connections_idle']:.0f}"),
            row("resident memory of each server, at most (MiB)",
                lambda r: " / ".join(f"{m:.0f}" for m in r["memory_max"])),
            row("CPU of each server / the emulator (s)", lambda r: " / ".join(f"{c:.0f}" for c in r["cpu"])),
            row("push: notification -> in Odoo, median (s)",
                lambda r: f"{statistics.median(delays(r)):.2f}" if delays(r) else "-"),
            row("push: p95 / max (s)", lambda r: f"{p95(r):.2f} / {max(delays(r)):.2f}" if delays(r) else "-",
                f"p95 < {PUSH_TARGET:.0f}"),
            row("pushes timed (missed)", lambda r: f"{len(delays(r))} ({len(r['pushes']) - len(delays(r))})"),
            row("warning or error lines in the servers' logs", lambda r: sum(r["log_lines"]), "0"),
            row("verdict", lambda r: "met" if met(r) else "NOT met"),
        ],
    )


if __name__ == "__main__":
    main()
