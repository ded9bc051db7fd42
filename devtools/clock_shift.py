"""Run a Python program days away from today, its clock ticking:

    python -m devtools.clock_shift DAYS PROGRAM [ARGS...]    (DAYS may be negative)

bin/odoo-tests runs Odoo so when GCAL_CLOCK_SHIFT_DAYS is set (bin/test passes it to pytest too,
see tests/conftest.py), to prove that no test depends on the date it runs on. The program's own
clock is shifted with freezegun (Odoo's test dependency); the programs it starts (Odoo's test
browser, whose calendar shows its own today) with libfaketime, where Debian's ``faketime`` is
installed. PostgreSQL keeps its clock: Odoo's test cursors date records with Python's.
"""

from __future__ import annotations

import datetime as dt
import glob
import logging  # noqa: F401 - before the clock is shifted: Formatter.converter keeps the real localtime
import os
import runpy
import sys


def main() -> None:
    days, program, *_ = sys.argv[1:] or ["", ""]
    if not program:
        sys.exit(__doc__)
    shifted = dt.timedelta(days=int(days))
    libraries = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    if libraries:
        os.environ["LD_PRELOAD"] = " ".join(filter(None, (os.environ.get("LD_PRELOAD"), libraries[0])))
        os.environ["FAKETIME"] = f"{int(shifted.total_seconds()):+d}"
    from freezegun import freeze_time  # pylint: disable=import-outside-toplevel

    freeze_time(dt.datetime.now(dt.timezone.utc) + shifted, tick=True).start()
    sys.argv = sys.argv[2:]
    sys.path[0] = os.path.dirname(os.path.abspath(program))  # as ``python PROGRAM`` would have it
    runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    main()
