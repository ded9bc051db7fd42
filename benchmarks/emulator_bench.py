"""How fast the emulator answers, so that it is never the bottleneck of the other benchmarks.

    python benchmarks/emulator_bench.py [--events 10000]

Targets (2 cores): at least 500 inserts/s; a full list of 10,000 events in pages of 2,500 in
under 1 s. The emulator runs in its own process; this one is the client, over loopback.
"""

from __future__ import annotations

import argparse
import json
import time

import requests

from benchmarks.common import emulator_process, lift_quotas, peak_rss_mb, print_table
from gcal_emulator.control import EmulatorControl


def event(i: int) -> dict:
    day = 1 + i % 28
    return {"summary": f"Event {i}", "description": "Benchmark event " * 4, "location": "Room 42",
            "start": {"dateTime": f"2026-12-{day:02d}T10:00:00+01:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": f"2026-12-{day:02d}T11:00:00+01:00", "timeZone": "Europe/Paris"},
            "attendees": [{"email": f"guest{i % 7}@example.com"}], "extendedProperties": {"private": {"k": str(i)}}}


def batch_body(events: list[dict], boundary: str = "bench") -> str:
    parts = [
        f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <{i}>\r\n\r\n"
        f"POST /calendar/v3/calendars/primary/events HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
        f"{json.dumps(body)}\r\n"
        for i, body in enumerate(events)
    ]
    return "".join(parts) + f"--{boundary}--\r\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--inserts", type=int, default=2_000)
    args = parser.parse_args()
    rows = []
    with emulator_process() as (base, pid):
        control = EmulatorControl(base)
        lift_quotas(control)
        token = control.connect("bench@example.com")
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        url = f"{base}/calendar/v3/calendars/primary/events"

        started = time.perf_counter()
        for i in range(args.inserts):
            http.post(url, json=event(i), timeout=30).raise_for_status()
        elapsed = time.perf_counter() - started
        rows.append(("insert, one request each", args.inserts, args.inserts, elapsed, f"{args.inserts / elapsed:,.0f} inserts/s"))

        remaining = args.events - args.inserts
        started = time.perf_counter()
        requests_made = 0
        for first in range(0, remaining, 50):
            chunk = [event(args.inserts + i) for i in range(first, min(first + 50, remaining))]
            http.post(f"{base}/batch/calendar/v3", data=batch_body(chunk), timeout=60,
                      headers={"Content-Type": "multipart/mixed; boundary=bench"}).raise_for_status()
            requests_made += 1
        elapsed = time.perf_counter() - started
        rows.append(("insert, batches of 50", remaining, requests_made, elapsed, f"{remaining / elapsed:,.0f} inserts/s"))

        started = time.perf_counter()
        page_token, pages, items = None, 0, 0
        while True:
            page = http.get(url, params={"maxResults": 2500, **({"pageToken": page_token} if page_token else {})},
                            timeout=60).json()
            pages += 1
            items += len(page["items"])
            page_token = page.get("nextPageToken")
            if not page_token:
                sync_token = page["nextSyncToken"]
                break
        elapsed = time.perf_counter() - started
        rows.append((f"full list, pages of 2,500", items, pages, elapsed, f"{items / elapsed:,.0f} events/s"))

        for i in range(10):
            http.patch(f"{url}/{page['items'][i]['id']}", json={"summary": f"changed {i}"}, timeout=30).raise_for_status()
        started = time.perf_counter()
        changes = http.get(url, params={"syncToken": sync_token, "maxResults": 2500}, timeout=60).json()
        elapsed = time.perf_counter() - started
        rows.append(("incremental list, 10 changed", len(changes["items"]), 1, elapsed, ""))
        memory = peak_rss_mb(pid)
    print_table(
        f"Emulator over loopback ({args.events:,} events in the calendar; emulator peak RSS {memory:,.0f} MiB)",
        ["operation", "events", "HTTP requests", "wall time (s)", "rate"],
        rows,
    )


if __name__ == "__main__":
    main()
