"""Odoo's test browser, made dependable on a slow machine.

Odoo's ``ChromeBrowser`` skips a test when Chromium starts slower than 10 s, fails a wait that
evaluates while a page navigates ("Inspected target navigated or closed"), and, when closing
fails, leaves Chromium and its WebSocket thread alive, which keeps Odoo's process from exiting.
Here a slow start gets a minute and then fails (a browser test that cannot run is a failure,
never a skip), waits go on across navigations, and stopping always ends Chromium.
"""

import logging
import os
import pathlib
import resource
import shutil
import subprocess
import time
import unittest

from odoo.tests import common

_logger = logging.getLogger(__name__)

START_TIMEOUT = 60  # seconds for Chromium to open its DevTools port (Odoo allows 10)
DEVTOOLS_TIMEOUT = 30  # seconds for its first DevTools answers (Odoo allows 3)
# What Chromium answers when an evaluation outlives the page it ran in: evaluate again.
NAVIGATION_ERRORS = ("Inspected target navigated or closed", "Cannot find context with specified id",
                     "Execution context was destroyed")


def _without_memory_limit():
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


class BrowserUnavailable(AssertionError):
    """Chromium could not be started or reached: the test fails, it is not skipped."""


class DependableChromeBrowser(common.ChromeBrowser):
    def __init__(self, *args, **kwargs):
        try:
            super().__init__(*args, **kwargs)
        except unittest.SkipTest as skip:
            self._end_chromium()
            raise BrowserUnavailable(f"Chromium did not start: {skip}") from None

    def _spawn_chrome(self, cmd):
        # Chromium reserves more address space than Odoo's memory limit allows (as Odoo lifts it).
        process = subprocess.Popen(  # pylint: disable=subprocess-popen-preexec-fn
            cmd, stderr=subprocess.DEVNULL, preexec_fn=_without_memory_limit if os.name == "posix" else None)
        self.chrome = process  # so that a failure below can end it
        port_file = pathlib.Path(self.user_data_dir, "DevToolsActivePort")
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise unittest.SkipTest(f"Chromium exited at start (status {process.returncode})")
            if port_file.is_file() and port_file.stat().st_size > 5:
                with port_file.open(encoding="utf-8") as lines:
                    return process, int(lines.readline())
            time.sleep(0.1)  # polling a file Chromium writes once; the deadline bounds it
        raise unittest.SkipTest(f"Chromium opened no DevTools port within {START_TIMEOUT}s")

    def _json_command(self, command, timeout=3):
        return super()._json_command(command, timeout=max(timeout, DEVTOOLS_TIMEOUT))

    def _wait_ready(self, ready_code=None, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                return super()._wait_ready(ready_code, timeout=max(1, deadline - time.monotonic()))
            except common.ChromeBrowserException as error:
                if not any(text in str(error) for text in NAVIGATION_ERRORS) or time.monotonic() > deadline:
                    raise
                self._logger.info("The page navigated while it was evaluated; evaluating again")

    def run_script(self, expression):
        """Run ``expression`` in the page without waiting for what it starts (a click that
        navigates ends the page it ran in, which is no failure: the next wait tells)."""
        try:
            self._websocket_request("Runtime.evaluate", params={"expression": expression})
        except common.ChromeBrowserException as error:
            if not any(text in str(error) for text in NAVIGATION_ERRORS):
                raise

    def stop(self):
        try:
            return super().stop()
        # Whatever failed, Chromium must go.
        except Exception as error:  # pylint: disable=broad-exception-caught
            self._logger.info("Chromium did not close cleanly (%s); ending it", error)
            return None
        finally:
            self._end_chromium()

    def _end_chromium(self):
        """Close the DevTools socket (its reader thread then ends) and end Chromium's process."""
        ws = getattr(self, "ws", None)
        if ws is not None and ws.connected:
            ws.close()
        process = getattr(self, "chrome", None)
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        profile = getattr(self, "user_data_dir", None)
        if profile and pathlib.Path(profile).is_dir():
            shutil.rmtree(profile, ignore_errors=True)
