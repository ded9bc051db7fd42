"""What every benchmark shares: an emulator in its own process, peak memory, and table output."""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from gcal_emulator.control import EmulatorControl
from gcal_emulator.latency import GOOGLE


@contextmanager
def emulator_process() -> Iterator[tuple[str, int]]:
    """``python -m gcal_emulator`` on a free loopback port, as its own process: (base URL, pid)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gcal_emulator", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        yield process.stdout.readline().strip(), process.pid
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def stop_cleanly_on_sigterm() -> None:
    """``kill PID`` ends the benchmark as Ctrl-C does: its ``finally`` blocks stop the servers it
    started and drop its database (Python's default for SIGTERM runs none of them)."""
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(128 + signal.SIGTERM))


def lift_quotas(control: EmulatorControl) -> None:
    """Put the emulator's per-minute quotas out of reach. The benchmarks outpace Google's defaults
    (600 requests a minute per user, 10,000 per project) on purpose: they measure costs, not waits."""
    control.set_quotas(per_user_per_minute=10**9, per_project_per_minute=10**9)


def add_latency_option(parser: argparse.ArgumentParser, default: bool) -> None:
    """``--google-latency``/``--no-google-latency``: whether the emulator answers as slowly as Google."""
    parser.add_argument("--google-latency", action=argparse.BooleanOptionalAction, default=default,
                        help=f"the emulator answers as slowly as Google ({latency_phrase()}; default: "
                             f"{'on' if default else 'off'})")


def set_google_latency(control: EmulatorControl, on: bool) -> None:
    """Google's latency in the emulator (gcal_emulator.latency.GOOGLE), or answers at once. Set once
    the benchmark's data is in place: writing it at Google's speed would take most of the run."""
    if on:
        control.set_latency(**GOOGLE)
    else:
        control.clear_latency()


def latency_phrase(on: bool = True) -> str:
    """What a table's title says of Google's latency."""
    if not on:
        return "Google answering at once (no latency)"
    return (f"Google's latency: {GOOGLE['request_ms']} ms a request, +{GOOGLE['batch_part_ms']} a batch part, "
            f"+{GOOGLE['page_ms']} a page listed, +{GOOGLE['write_ms']} an event written")


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory (VmHWM) of a process, this one by default, in MiB."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    print(f"\n{title}")
    print(rule)
    for index, row in enumerate(cells):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")
        if index == 0:
            print(rule.replace("-", "="))
    print(rule)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
