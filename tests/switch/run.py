"""The switch from Odoo's own Google Calendar, for real: Odoo (18 or 19) with Odoo's modules of
that series, the switch command of the README, then runs of ours, each step in its own process.

    ODOO_BIN=/path/to/odoo-bin /path/to/odoo/python -m tests.switch.run   (bin/switch-tests runs it)

Odoo's google_account and google_calendar come from ``ODOO_GOOGLE`` (default: ``odoo_google``
beside the Odoo tree), never on the same addons path as ours. Prints one PASS or FAIL line per
check, then ``switch: N passed, N failed``; exits 1 when a check failed or a step broke. The log
goes to ``var/switch-tests-<series>.log`` (the series run side by side in bin/test).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from devtools.odoo_site import ROOT, db_options, demo_options, drop_database, odoo_source
from gcal_emulator.control import EmulatorControl

def addons(source: str, *first: str) -> str:
    paths = [*first, os.path.join(source, "addons"), os.path.join(source, "odoo", "addons")]
    return ",".join(path for path in paths if os.path.isdir(path))


def odoo_bin(source: str, db: str, path: str, *options: str, log) -> None:
    subprocess.run([sys.executable, os.path.join(source, "odoo-bin"), "-d", db, *db_options(), f"--addons-path={path}",
                    "--stop-after-init", *demo_options(False), "--log-level=info", *options],
                   check=True, stdout=log, stderr=subprocess.STDOUT, timeout=900)


def python(module: str, *args: str, log) -> str:
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, check=True, stdout=subprocess.PIPE,
                          stderr=log, text=True, timeout=900)
    return done.stdout


def main() -> int:
    source = odoo_source()
    from odoo import release  # noqa: PLC0415

    log_path = os.path.join(ROOT, "var", f"switch-tests-{release.version_info[0]}.log")
    odoo_google = os.environ.get("ODOO_GOOGLE") or os.path.join(source, "odoo_google")
    db = f"odoo_switch_{os.getpid()}"
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    emulator = subprocess.Popen([sys.executable, "-m", "gcal_emulator", "--host", "127.0.0.1", "--port", "0"],
                                stdout=subprocess.PIPE, text=True)
    base = emulator.stdout.readline().strip()
    started = time.monotonic()
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            log.write(f"== Odoo's modules ({odoo_google}), database {db}\n")
            log.flush()
            odoo_bin(source, db, addons(source, odoo_google), "-i", "google_calendar", log=log)
            facts = python("tests.switch.before_switch", db, base, addons(source, odoo_google), log=log)
            log.write("\n== the switch: odoo-bin -u google_account, our addons path first\n")
            log.flush()
            switch_started = time.monotonic()
            odoo_bin(source, db, addons(source, ROOT), "-u", "google_account", log=log)
            switch_seconds = time.monotonic() - switch_started
            log.write("\n== runs of ours\n")
        with open(log_path, encoding="utf-8") as log_text:
            switch_log = log_text.read().split("== the switch", 1)[1]
        with open(log_path, "a", encoding="utf-8") as log:
            report = python("tests.switch.after_switch", db, base, addons(source, ROOT), facts.strip().splitlines()[-1],
                            log=log)
        # Answered as Google's 500, which both modules retry: only the emulator tells.
        crashes = EmulatorControl(base).crashes()
    except subprocess.CalledProcessError as error:
        command = " ".join(map(str, error.cmd[:4]))
        print(f"switch: FAIL a step broke: {command}... exited {error.returncode} (see {log_path})")
        print("switch: 0 passed, 1 failed")
        return 1
    finally:
        os.kill(emulator.pid, signal.SIGTERM)
        emulator.wait(timeout=10)
        if not os.environ.get("SWITCH_KEEP_DB"):  # kept to look into a failure
            drop_database(db)
    results = json.loads(report.strip().splitlines()[-1])
    results += _log_checks(switch_log, json.loads(facts.strip().splitlines()[-1]))
    results.append(("the emulator met no failure of its own", not crashes, "\n".join(crashes[:1])))
    for name, ok, detail in results:
        print(f"switch: {'PASS' if ok else 'FAIL'} {name}{'' if ok else f': {detail}'}")
    failed = sum(1 for _, ok, _ in results if not ok)
    print(f"switch: the switch command took {switch_seconds:.1f}s, the whole scenario "
          f"{time.monotonic() - started:.0f}s (log: {log_path})")
    print(f"switch: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def _log_checks(text: str, facts: dict) -> list:
    lines = text.splitlines()
    loggers = (" odoo.addons.google_account", " odoo.addons.google_calendar_sync", " gcal_")
    ours = [line for line in lines if " ERROR " in line or " CRITICAL " in line
            or (" WARNING " in line and any(name in line for name in loggers))]
    taken = {login: any("Google Calendar switch: user" in line and f"({login})" in line for line in lines)
             for login in facts["tokens"]}
    return [
        ("the switch logs no error, and no warning of ours", not ours, "\n".join(ours[:5])),
        ("the switch leaves a log line per user saying what it took over", all(taken.values()), taken),
    ]


if __name__ == "__main__":
    sys.exit(main())
