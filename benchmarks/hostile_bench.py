"""Hostile invitations in a real Odoo 18: what one synchronization run of the invited user costs.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m benchmarks.hostile_bench [--guests 10] [--runs 3]

(``bin/bench hostile`` sets both.) A database with both addons is made (and dropped at the end), a
user connects to the emulator, and someone outside Odoo invites them, on Google, to series no
person would make: ``COUNT=100000`` every day, every minute and every second, then rules that
never repeat (February 30th), with ``--guests`` other guests each. The table shows, for each
invitation and for the three together, the user's runs one after the other: the records Odoo
made (events, guests' attendance records, contacts), the run's time, the peak memory the
process gained, and what the log says. The recurrence walker's own cost on the rules that never
repeat is in the last table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

from benchmarks.common import emulator_process, lift_quotas, print_table, stop_cleanly_on_sigterm
from benchmarks.engine_bench import client_for
from benchmarks.odoo_measure import Counter, Ours, measured
from devtools.odoo_site import create_database, drop_database, odoo_source, open_registry
from gcal_emulator.control import EmulatorControl
from gcal_engine import recurrence

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
INVITATIONS = {
    "COUNT=100000 daily": "RRULE:FREQ=DAILY;COUNT=100000",
    "COUNT=100000 every minute": "RRULE:FREQ=MINUTELY;COUNT=100000",
    "COUNT=100000 every second": "RRULE:FREQ=SECONDLY;COUNT=100000",
}
NEVER = {
    "daily, February 30th": "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "every minute, February 30th": "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
    "every second, February 30th": "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guests", type=int, default=10, help="other guests on each invitation")
    parser.add_argument("--runs", type=int, default=3, help="runs of the invited user, one after the other")
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    source = odoo_source()
    template = f"hostile_bench_{os.getpid()}"
    rows = []
    try:
        create_database(source, template)
        with emulator_process() as (base, _pid):
            control = EmulatorControl(base)
            lift_quotas(control)
            registry = open_registry(source, template)
            scenarios = [(name, [rule]) for name, rule in INVITATIONS.items()]
            scenarios += [("the three together", list(INVITATIONS.values())), ("three that never repeat",
                                                                                 list(NEVER.values()))]
            for index, (name, rules) in enumerate(scenarios):
                rows += scenario(registry, control, f"h{index}x{os.getpid()}", name, rules, args)
    finally:
        drop_database(template)
    print_table(f"One user invited on Google to hostile series, {args.guests} other guests each: "
                "the user's runs one after the other",
                ["invitation", "run", "events", "attendance records", "contacts", "run (s)", "SQL",
                 "peak RSS +MB", "log"], rows)
    walker()


def scenario(registry, control: EmulatorControl, tag: str, name: str, rules: list[str], args) -> list[list]:
    import odoo  # noqa: PLC0415

    rows = []
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        email = f"{tag}@gmail.example"
        side = Ours(env, control, email, tag)
        side.run()  # the first run, of an empty calendar
        invite(control, tag, email, rules, args.guests)
        counter = Counter()
        Event, Attendee, Partner = env["calendar.event"], env["calendar.attendee"], env["res.partner"]
        before = (Event.search_count([]), Attendee.search_count([]), Partner.search_count([]))
        for run in range(1, args.runs + 1):
            last = side.sync.log_ids[:1]
            with measured(counter, control, rss=True) as result:
                side.run()
            env.invalidate_all()
            log = side.sync.log_ids[:1] - last
            counts = (Event.search_count([]), Attendee.search_count([]), Partner.search_count([]))
            rows.append([name if run == 1 else "", run, *(now - then for now, then in zip(counts, before)),
                         result["seconds"], result["sql"], result["rss_mb"],
                         f"{log.state}: {log.summary}" if log else "(nothing to log)"])
    return rows


def invite(control: EmulatorControl, tag: str, email: str, rules: list[str], guests: int) -> None:
    """Invitations from someone outside Odoo, made in Google Calendar's own app, from tomorrow."""
    outsider = f"outsider-{tag}@elsewhere.example"
    control.add_user(outsider)
    token = control.connect(outsider, f"outsider-{tag}.apps.googleusercontent.com", "outsider", scopes=(CALENDAR_SCOPE,))
    client = client_for(control.base_url, token)
    day = dt.date.today() + dt.timedelta(days=1)
    attendees = [{"email": email}] + [{"email": f"guest{n}-{tag}@example.com"} for n in range(guests)]
    try:
        for rule in rules:
            client.insert_event("primary", {
                "summary": f"Invitation {rule}", "recurrence": [rule], "attendees": attendees,
                "start": {"dateTime": f"{day}T09:00:00+01:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": f"{day}T09:30:00+01:00", "timeZone": "Europe/Paris"},
            }, send_updates="all")
    finally:
        client.session.close()


def walker() -> None:
    """gcal_engine's recurrence walker on rules that never repeat: the occurrences of the next two
    years (a sync window), and the series' last occurrence (what a binding records)."""
    start = {"dateTime": f"{dt.date.today()}T09:00:00+01:00", "timeZone": "Europe/Paris"}
    horizon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=730)
    rows = []
    for name, rule in NEVER.items():
        began = time.perf_counter()
        found = len(list(recurrence.occurrences([rule], start, before=horizon)))
        window = time.perf_counter() - began
        began = time.perf_counter()
        recurrence.last_occurrence([rule], start)
        rows.append([name, found, window, time.perf_counter() - began])
    print_table("gcal_engine.recurrence on rules that never repeat (python-dateutil walks until it finds one)",
                ["rule", "occurrences in two years", "two-year window (s)", "last occurrence (s)"], rows)


if __name__ == "__main__":
    main()
