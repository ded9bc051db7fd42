"""One user with a large Google calendar: the first import, its peak memory and how memory grows
page after page, and the idle run after it, in a real Odoo 18 (ours only).

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m benchmarks.large_bench [--events 50000]
        [--series 0] [--no-google-latency] [--emulator URL]

(``bin/bench large`` sets both; PostgreSQL from PGHOST/PGPORT/PGUSER.) The measured process is
this one's child (``--measure``), fresh, in a database made for it; the emulator runs in a process
of its own, Google's latency on for what is measured. A run makes at most ``bounds.RUN_RECORDS``
records from Google: the first import is every run until none is asked for again, timed together.
Memory: the process' resident size is sampled every half second with the events bound so far
(read on a connection of its own: each page commits); what matters is that it stays flat once a
page is held, however many events follow.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time

from benchmarks.common import (
    add_latency_option, emulator_process, latency_phrase, lift_quotas, peak_rss_mb, print_table, set_google_latency,
    stop_cleanly_on_sigterm,
)
from benchmarks.odoo_measure import Counter, Ours, measured, populate, rss_mb
from devtools.odoo_site import ROOT, create_database, drop_database, odoo_source, open_registry
from gcal_emulator.control import EmulatorControl

MAX_RUNS = 20  # a first import that needs more runs than this is a failure worth seeing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--series", type=int, default=0, help="how many of the events are weekly series")
    parser.add_argument("--emulator", help="the base URL of an emulator already running")
    parser.add_argument("--measure", metavar="DB", help=argparse.SUPPRESS)  # the child process
    add_latency_option(parser, default=True)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args)))
        return
    stop_cleanly_on_sigterm()
    db = f"gcal_large_{os.getpid()}"
    try:
        create_database(odoo_source(), db)
        with contextlib.ExitStack() as stack:
            base = args.emulator or stack.enter_context(emulator_process())[0]
            answer = subprocess.run(
                [sys.executable, "-m", "benchmarks.large_bench", "--measure", db, "--emulator", base,
                 f"--events={args.events}", f"--series={args.series}",
                 "--google-latency" if args.google_latency else "--no-google-latency"],
                cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True,
            )
    finally:
        drop_database(db)
    report(json.loads(answer.stdout.strip().splitlines()[-1]), args)


class Sampler(threading.Thread):
    """The process' resident size (MiB) and the events bound so far, every half second."""

    def __init__(self, db: str, sync_id: int) -> None:
        super().__init__(daemon=True)
        self.db, self.sync_id = db, sync_id
        self.samples: list[tuple[float, int, float]] = []  # (seconds, events bound, MiB)
        self.done = threading.Event()

    def run(self) -> None:
        import odoo  # noqa: PLC0415

        started = time.perf_counter()
        with odoo.sql_db.db_connect(self.db).cursor() as cr:
            while not self.done.wait(0.5):
                cr.execute("SELECT COUNT(*) FROM google_calendar_binding WHERE sync_id = %s", [self.sync_id])
                self.samples.append((time.perf_counter() - started, cr.fetchone()[0], rss_mb()))
                cr.rollback()  # a fresh snapshot next time


def measure(db: str, args) -> dict:
    registry = open_registry(odoo_source(), db)
    import odoo  # noqa: PLC0415

    control = EmulatorControl(args.emulator)
    lift_quotas(control)
    set_google_latency(control, False)  # until the user and the events are in place
    tag = f"large{os.getpid()}"
    email = f"{tag}@gmail.example"
    counter = Counter()
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        side = Ours(env, control, email, tag)
        side.run()  # the first run, of an empty calendar
        populate(control, email, tag, args.events, args.series)
        requests = env["google.calendar.sync.request"].sudo()

        set_google_latency(control, args.google_latency)
        sampler = Sampler(db, side.sync.id)
        runs = []
        with measured(counter, control, rss=True) as results["import"]:
            sampler.start()
            while len(runs) < MAX_RUNS:
                started = time.perf_counter()
                side.run()
                runs.append(time.perf_counter() - started)
                if not requests.search_count([("sync_id", "=", side.sync.id)]):
                    break
            sampler.done.set()
            sampler.join()
        results["import"].update(runs=runs, peak_mb=peak_rss_mb(os.getpid()), samples=sampler.samples,
                                 events=env["calendar.event"].search_count([("user_id", "=", side.user.id)]),
                                 bound=env["google.calendar.binding"].sudo().search_count(
                                     [("sync_id", "=", side.sync.id)]))
        time.sleep(1)  # the idle run in another second than the last run, so that its time is written, as usual
        with measured(counter, control, rss=True) as results["idle"]:
            side.run()
    return results


def report(results: dict, args) -> None:
    imported, idle = results["import"], results["idle"]
    samples = imported["samples"]
    print_table(f"One user, {args.events:,} events on Google ({args.series} series), ours in Odoo 18; "
                f"{latency_phrase(args.google_latency)}", ["measure", "value"], [
                    ["first import: runs (s each)", f"{len(imported['runs'])} ({', '.join(f'{s:.0f}' for s in imported['runs'])})"],
                    ["first import (s)", f"{imported['seconds']:.1f}"],
                    ["events in Odoo / bound", f"{imported['events']:,} / {imported['bound']:,}"],
                    ["requests / SQL", f"{imported['requests']:,} / {imported['sql']:,}"],
                    ["peak memory of the process (MiB) / above its size before", f"{imported['peak_mb']:.0f} / +{imported['rss_mb']:.0f}"],
                    ["idle run after it (ms, requests, SQL, rows written)",
                     f"{1000 * idle['seconds']:.0f}, {idle['requests']}, {idle['sql']}, {idle['writes']}"],
                    ["idle run: peak memory above its size before (MiB)", f"+{idle['rss_mb']:.0f}"],
                ])
    step = max(args.events // 10, 1)
    rows, mark = [], step
    for seconds, bound, mb in samples:
        if bound >= mark:
            rows.append([f"{bound:,}", f"{seconds:.0f}", f"{mb:.0f}"])
            mark = (bound // step + 1) * step
    if samples:
        rows.append([f"{samples[-1][1]:,} (last sample)", f"{samples[-1][0]:.0f}", f"{samples[-1][2]:.0f}"])
    print_table("Memory as the import goes (resident size, sampled every half second)",
                ["events bound", "s", "resident (MiB)"], rows)


if __name__ == "__main__":
    main()
