"""The engine's costs: HTTP requests, wall time and peak memory of sync runs against the emulator.

    python -m benchmarks.engine_bench [--events 10000] [--series 100] [--export 2000]

Targets: a first import of 10,000 Google events (100 of them weekly series) in at most 6 list
requests and 150 MB; an export of 2,000 new local events in at most 40 write round trips; an
incremental run with nothing changed in exactly 1 request; planning 10,000 bindings with 1%
changed in under 0.5 s; the end of series too long to walk (every second or minute until 2099,
a billion days) found in under 2 s. The emulator runs in its own process; every measured run runs in a
fresh child process, so its peak memory is its own. The local side is the tests' in-memory
calendar. No request pacing, and the emulator's quotas lifted (Google's default is 600
calls/minute per user; a batch of n counts n): the runs measure the engine's own costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import time
from typing import Any

from benchmarks.common import emulator_process, lift_quotas, peak_rss_mb, print_table
from gcal_emulator.control import EmulatorControl
from gcal_engine import planner, recurrence
from gcal_engine.actions import Bind, ConflictPolicy, Context, Item, Mode, RunKind
from gcal_engine.client import CalendarClient, Write
from gcal_engine.endpoints import Endpoints
from gcal_engine.local import LocalChange
from gcal_engine.model import CONTENT_FIELDS
from gcal_engine.oauth import OAuthClient, OAuthConfig
from gcal_engine.sync import SyncConfig, Synchronizer
from gcal_engine.transport import GoogleSession
from tests.engine.events import day_of, timed
from tests.engine.memory_calendar import MemoryCalendar

UTC = dt.timezone.utc


def client_for(base: str, token: dict[str, Any]) -> CalendarClient:
    endpoints = Endpoints.from_base_url(base)
    oauth = OAuthClient(OAuthConfig(token["client_id"], token["client_secret"], "http://localhost/callback", endpoints))
    expires = dt.datetime.now(UTC) + dt.timedelta(seconds=token["expires_in"])
    credentials = oauth.credentials(token["access_token"], expires, token["refresh_token"])
    return CalendarClient(GoogleSession(credentials), endpoints)


def google_event(i: int, series: bool) -> dict[str, Any]:
    day = day_of(1 + i % 300)
    body = {"summary": f"Google event {i}", "description": "Imported by the benchmark " * 3, "location": "Room 42",
            "start": {"dateTime": f"{day}T10:00:00+01:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": f"{day}T11:00:00+01:00", "timeZone": "Europe/Paris"},
            "attendees": [{"email": f"guest{i % 9}@example.com", "responseStatus": "accepted"}],
            "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 15}]}}
    if series:
        body["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=52"]
    return body


def populate(client: CalendarClient, events: int, series: int) -> None:
    writes = [Write("POST", "primary", body=google_event(i, i < series)) for i in range(events)]
    for first in range(0, len(writes), 1000):
        for result in client.write_many(writes[first:first + 1000]):
            assert result.error is None, result.error


def measured(target, *args: Any) -> dict[str, Any]:  # noqa: ANN001 - a module-level function
    """Run ``target`` in a fresh child process; its result plus its own peak RSS."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_child, (target, args))


def _child(target, args: tuple) -> dict[str, Any]:  # noqa: ANN001
    result = target(*args)
    result["rss"] = peak_rss_mb()
    return result


def first_import(base: str, token: dict[str, Any]) -> dict[str, Any]:
    client = client_for(base, token)
    local = MemoryCalendar(namespace="bench")
    started = time.perf_counter()
    report = Synchronizer(client, local, SyncConfig()).run()
    elapsed = time.perf_counter() - started
    assert report.complete and not report.problems, report.problems
    again = Synchronizer(client, local, SyncConfig()).run()
    return {"requests": report.requests, "seconds": elapsed,
            "events": report.counts.created_local, "idle_requests": again.requests,
            "idle_writes": again.counts.changes}


def export(base: str, token: dict[str, Any], count: int) -> dict[str, Any]:
    client = client_for(base, token)
    local = MemoryCalendar(namespace="bench-export")
    for i in range(count):
        local.add(timed(f"Odoo event {i}", day=1 + i % 28))
    started = time.perf_counter()
    report = Synchronizer(client, local, SyncConfig()).run()
    elapsed = time.perf_counter() - started
    assert report.complete and not report.problems, report.problems
    again = Synchronizer(client, local, SyncConfig()).run()
    return {"requests": report.requests, "seconds": elapsed, "events": report.counts.created_google,
            "idle_requests": again.requests, "idle_writes": again.counts.changes}


def planning(bindings: int, changed_share: float) -> dict[str, Any]:
    fields = frozenset(CONTENT_FIELDS)
    items = []
    changed = int(bindings * changed_share)
    for i in range(bindings):
        remote = timed(f"Event {i}", day=1 + i % 28, google_id=f"g{i}", etag='"1"')
        binding = planner.binding_for(f"L{i}", remote, remote, fields)
        if i < changed:
            remote = remote.replace(summary=f"Event {i}, edited", etag='"2"')
        local = None
        if changed <= i < 2 * changed:
            local = LocalChange(f"L{i}", remote.replace(location="Moved"), dt.datetime.now(UTC), binding)
        items.append(Item(binding, remote, local))
    ctx = Context(Mode.TWO_WAY, ConflictPolicy.NEWEST, RunKind.RESYNC, fields, "bench")
    started = time.perf_counter()
    plan = planner.plan(items, ctx)
    elapsed = time.perf_counter() - started
    writes = sum(1 for a in plan.actions if not isinstance(a, Bind))
    return {"seconds": elapsed, "events": bindings, "actions": writes}


def series_ends() -> dict[str, Any]:
    """Where series end that no one could walk to their end: found from their rule, not walked."""
    rules = ["RRULE:FREQ=SECONDLY;UNTIL=20991231T000000Z", "RRULE:FREQ=MINUTELY;UNTIL=20991231",
             "RRULE:FREQ=DAILY;COUNT=1000000000"]
    start = {"dateTime": "2026-03-27T09:00:00+01:00", "timeZone": "Europe/Paris"}
    started = time.perf_counter()
    for rule in rules:
        recurrence.last_occurrence([rule], start)
    return {"seconds": time.perf_counter() - started, "events": len(rules)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--series", type=int, default=100)
    parser.add_argument("--export", type=int, default=2_000)
    args = parser.parse_args()
    with emulator_process() as (base, _pid):
        control = EmulatorControl(base)
        lift_quotas(control)
        token = control.connect("import@example.com")
        populate(client_for(base, token), args.events, args.series)
        imported = measured(first_import, base, token)
        export_token = control.connect("export@example.com", client_id="export-client")
        control.clear_requests()
        exported = measured(export, base, export_token, args.export)
        export_log = [r for r in control.requests() if not r["batch"]]
    planned = measured(planning, 10_000, 0.01)
    ends = measured(series_ends)

    writes = sum(1 for r in export_log if r["method"] == "POST")
    rows = [
        (f"first import ({args.events:,} events, {args.series} series)", f"{imported['events']:,}",
         f"{imported['requests']} (all lists)", imported["seconds"], imported["rss"], "<= 6 lists, <= 150 MB"),
        ("next run, nothing changed", 0, imported["idle_requests"], "", "", "exactly 1 request"),
        (f"export of {args.export:,} new local events", f"{exported['events']:,}",
         f"{exported['requests']} (1 list + {writes} batches)", exported["seconds"], exported["rss"], "<= 40 write round trips"),
        ("next run after the export", 0, f"{exported['idle_requests']} ({exported['idle_writes']} writes)", "", "", "writes nothing"),
        ("planning 10,000 bindings, 1% changed", f"{planned['actions']} actions", 0, planned["seconds"], planned["rss"], "< 0.5 s"),
        ("the end of series too long to walk", f"{ends['events']} series", 0, ends["seconds"], ends["rss"], "< 2 s"),
    ]
    print_table("Engine against the emulator (loopback; child-process peak RSS)",
                ["run", "events", "HTTP requests", "wall time (s)", "peak RSS (MiB)", "target"], rows)
    print(json.dumps({"import": imported, "export": exported, "planning": planned, "series_ends": ends}))


if __name__ == "__main__":
    main()
