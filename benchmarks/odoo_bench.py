"""The addons in a real Odoo (18 or 19), side by side with that series' own google_calendar module.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m benchmarks.odoo_bench [--import 5000] [--series 50]
        [--export 1000] [--saves 20] [--attended 100] [--repeat 3] [--sides odoo,ours] [--emulator URL]
        [--no-google-latency]

(``bin/bench odoo`` sets both; PostgreSQL from PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 as odoo.)

Each side gets a database of its own, made once and copied for each repetition (Odoo's
google_account and ours share a name: never in one addons path, so never in one process), and
each repetition runs in a fresh process (benchmarks/odoo_measure.py), the sides interleaved. One
emulator serves all (started here, or ``--emulator``, one already running). A repetition: a user
connects; Google gets ``--import`` events, ``--series`` of them weekly series; the first run
imports them; an idle run; the user saves ``--saves`` events with sync and as many without; the
user creates ``--export`` events in one call, and a run sends them; a colleague who does not
synchronize organizes ``--attended`` meetings with the user, and a run puts them on the user's
Google calendar. Google's latency is on in the emulator for all but the setup (``--no-google-latency``:
answers at once, as on loopback). The table shows medians over
the repetitions, with SQL counted over all cursors of the process as ``odoo.sql_db.sql_counter``
counts it, so that the figures compare with Odoo's.

Goals: the first import at least 5x faster than Odoo's module, at most 0.5 queries per event; a
save at most 1.2x the same save without sync, at most 5 extra queries, no HTTP call; an idle run
1 request, at most 7 queries, nothing written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys

from benchmarks.common import add_latency_option, emulator_process, latency_phrase, print_table
from devtools.odoo_site import (
    ODOO_MODULES, ROOT, copy_database, create_database, drop_database, odoo_google, odoo_source,
)

SIDES = ("odoo", "ours")  # the series' own module, and ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--import", dest="imported", type=int, default=5000)
    parser.add_argument("--series", type=int, default=50)
    parser.add_argument("--export", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--attended", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sides", default="odoo,ours")
    parser.add_argument("--emulator", help="the base URL of an emulator already running")
    add_latency_option(parser, default=True)
    args = parser.parse_args()
    source = odoo_source()
    sides = [side for side in args.sides.split(",") if side in SIDES]
    if "odoo" in sides and not odoo_google(source):
        print("No Odoo google_calendar beside odoo-bin (odoo_google/): ours alone.", file=sys.stderr)
        sides.remove("odoo")
    runs = {side: [] for side in sides}
    templates = {side: f"gcal_bench_{os.getpid()}_{side}" for side in sides}
    try:
        for side, db in templates.items():
            create_database(source, db, **({} if side == "ours" else {"modules": ODOO_MODULES,
                                                                       "first": odoo_google(source)}))
        with emulator(args.emulator) as base:
            for rep in range(args.repeat):
                for side in sides if rep % 2 == 0 else sides[::-1]:
                    runs[side].append(repetition(side, templates[side], base, rep, args))
    finally:
        for db in templates.values():
            drop_database(db)
    report(runs, args)


@contextlib.contextmanager
def emulator(base):
    if base:
        yield base
    else:
        with emulator_process() as (started, _pid):
            yield started


def repetition(side: str, template: str, base: str, rep: int, args) -> dict:
    db = f"{template}_{rep}"
    copy_database(template, db)
    try:
        answer = subprocess.run(
            [sys.executable, "-m", "benchmarks.odoo_measure", side, db, base, f"{side}{rep}x{os.getpid()}",
             f"--import={args.imported}", f"--series={args.series}", f"--export={args.export}", f"--saves={args.saves}",
             f"--attended={args.attended}", "--google-latency" if args.google_latency else "--no-google-latency"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True,
        )
    finally:
        drop_database(db)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def median(runs: list[dict], *path: str) -> float:
    values = []
    for run in runs:
        for key in path:
            run = run[key]
        values.append(run)
    return statistics.median(values)


def figures(runs: list[dict], imported: int) -> dict:
    """The medians the table shows."""
    m = lambda *path: median(runs, *path)  # noqa: E731
    return {
        "import_s": m("import", "seconds"), "import_sql": m("import", "sql"), "import_requests": m("import", "requests"),
        "import_rss": m("import", "rss_mb"), "import_per_event": m("import", "sql") / imported,
        "save_ms": 1000 * m("save", "synced", "seconds"), "unsynced_ms": 1000 * m("save", "unsynced", "seconds"),
        "save_sql": m("save", "synced", "sql") - m("save", "unsynced", "sql"),
        "save_requests": m("save", "synced", "requests"),
        "first_ms": 1000 * m("save", "synced", "first", "seconds"),
        "first_sql": m("save", "synced", "first", "sql") - m("save", "unsynced", "sql"),
        "idle_ms": 1000 * m("idle", "seconds"), "idle_sql": m("idle", "sql"), "idle_requests": m("idle", "requests"),
        "idle_writes": m("idle", "writes"),
        "export_s": m("create", "seconds") + m("export", "seconds"),
        "export_requests": m("create", "requests") + m("export", "requests"),
        "echo_requests": m("after_export", "requests"), "echo_writes": m("after_export", "writes"),
        "attended_s": m("attended", "seconds"), "attended_requests": m("attended", "requests"),
        "attended_sql": m("attended", "sql"), "attended_mails": m("attended", "mails"),
    }


def cells(f: dict) -> list[str]:
    return [
        f"{f['import_s']:.1f} s, {f['import_sql']:,.0f} SQL ({f['import_per_event']:.2f}/event), "
        f"{f['import_requests']:.0f} requests, RSS +{f['import_rss']:.0f} MB",
        f"{f['save_ms']:.1f} ms ({f['unsynced_ms']:.1f} ms without sync: {f['save_ms'] / f['unsynced_ms']:.2f}x), "
        f"+{f['save_sql']:.0f} SQL, {f['save_requests']:.0f} HTTP",
        f"{f['first_ms']:.1f} ms, +{f['first_sql']:.0f} SQL",
        f"{f['idle_ms']:.1f} ms, {f['idle_requests']:.0f} request(s), {f['idle_sql']:.0f} SQL, {f['idle_writes']:.0f} writes",
        f"{f['export_s']:.1f} s, {f['export_requests']:,.0f} requests",
        f"{f['echo_requests']:.0f} request(s), {f['echo_writes']:.0f} rows written",
        f"{f['attended_s']:.1f} s, {f['attended_requests']:.0f} requests, {f['attended_sql']:,.0f} SQL, "
        f"{f['attended_mails']:.0f} Google mails",
    ]


def verdicts(ours: dict, odoo: dict | None) -> list[str]:
    def say(ok, detail):
        return f"{'met' if ok else 'MISSED'} ({detail})"

    speed = odoo["import_s"] / ours["import_s"] if odoo else None
    ratio = ours["save_ms"] / ours["unsynced_ms"]
    return [
        say((speed is None or speed >= 5) and ours["import_per_event"] <= 0.5,
            (f"{speed:.1f}x Odoo's speed, " if speed else "") + f"{ours['import_per_event']:.2f} SQL/event"),
        say(ratio <= 1.2 and ours["save_sql"] <= 5 and ours["save_requests"] == 0,
            f"{ratio:.2f}x, +{ours['save_sql']:.0f} SQL, {ours['save_requests']:.0f} HTTP"),
        "",
        say(ours["idle_requests"] == 1 and ours["idle_sql"] <= 7 and ours["idle_writes"] <= 1,
            f"{ours['idle_requests']:.0f} request, {ours['idle_sql']:.0f} SQL, {ours['idle_writes']:.0f} row written"),
        "", say(ours["echo_writes"] <= 1, f"{ours['echo_writes']:.0f} row written"), "",
    ]


def report(runs: dict, args) -> None:
    works = [f"import {args.imported:,} events + {args.series} series",
             f"a user saves one event (median of {args.saves})",
             "the first save after a run (it asks for one)",
             "idle run (nothing changed)",
             f"create {args.export:,} + export",
             "the run after the export",
             f"{args.attended} meetings a colleague (not synchronized) organizes with the user"]
    goals = [">= 5x Odoo's speed, <= 0.5 SQL per event", "<= 1.2x the save without sync, <= +5 SQL, no HTTP", "",
             "1 request, <= 7 SQL, nothing written but its time (1 row)", "keep", "writes nothing but its time",
             "on the user's Google calendar, nobody mailed"]
    table = {side: cells(figures(side_runs, args.imported)) for side, side_runs in runs.items()}
    from odoo import release  # noqa: PLC0415 - on sys.path once odoo_source() ran

    series = f"Odoo {release.version_info[0]}"
    names = {"odoo": series, "ours": "ours"}
    headers = ["work", *(names[side] for side in runs), "goal"]
    rows = [[work, *(table[side][i] for side in runs), goals[i]] for i, work in enumerate(works)]
    if "ours" in runs:
        odoo = figures(runs["odoo"], args.imported) if "odoo" in runs else None
        headers.append("ours")
        for row, verdict in zip(rows, verdicts(figures(runs["ours"], args.imported), odoo)):
            row.append(verdict)
    print_table(f"{series} against the emulator: medians of {args.repeat} interleaved repetitions "
                "(SQL over all cursors of the process, as odoo.sql_db.sql_counter counts it); "
                f"{latency_phrase(args.google_latency)}", headers, rows)
    detail = []
    for side, side_runs in runs.items():
        for rep, run in enumerate(side_runs, 1):
            detail.append([names[side], rep, run["import"]["seconds"], run["import"]["sql"], run["import"]["rss_mb"],
                           1000 * run["save"]["synced"]["seconds"], 1000 * run["save"]["unsynced"]["seconds"],
                           run["idle"]["sql"], run["create"]["seconds"], run["export"]["seconds"]])
    print_table("Each repetition", ["side", "#", "import (s)", "import SQL", "import RSS (MB)", "save (ms)",
                                    "save without sync (ms)", "idle SQL", "create (s)", "export (s)"], detail)
    refused = {names[side]: sum(refusals(run) for run in side_runs) for side, side_runs in runs.items()}
    print("Requests the emulator refused (4xx, 5xx) while measured, all repetitions: "
          + ", ".join(f"{name} {count}" for name, count in refused.items()))


def refusals(run: dict) -> int:
    """A repetition's refused requests, over its measured blocks (a save's are medians)."""
    if "refused" in run:
        return run["refused"]
    return sum(refusals(part) for key, part in run.items() if isinstance(part, dict) and key != "first")


if __name__ == "__main__":
    main()
