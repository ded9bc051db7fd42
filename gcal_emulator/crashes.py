"""The emulator's own failures: a bug met while answering a request.

Google answers its own failures with a 500 ``backendError``, and so does the emulator; a client
retries those, so a bug would hide behind a retry. Each one is also kept here, with its
traceback, until taken: the test suites take them after each test and fail the test that met one.
"""

from __future__ import annotations

import threading
import traceback


class CrashLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._crashes: list[str] = []

    def record(self, method: str, path: str) -> None:
        """The exception being handled, met on ``method path``."""
        with self._lock:
            self._crashes.append(f"{method} {path}\n{traceback.format_exc()}")

    def read(self, clear: bool = False) -> list[str]:
        """The crashes not taken yet; ``clear`` takes them."""
        with self._lock:
            crashes = list(self._crashes)
            if clear:
                self._crashes.clear()
            return crashes
