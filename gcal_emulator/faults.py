"""Fault injection: make the next matching requests fail, stall, or lose their response."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from .errors import ApiError


@dataclass
class Fault:
    method: str | None
    path_regex: re.Pattern[str] | None
    status: int | None
    reason: str | None
    times: int
    delay_ms: int
    drop_response: bool
    retry_after: int | None
    message: str | None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method != method.upper():
            return False
        return self.path_regex is None or bool(self.path_regex.search(path))

    def describe(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path_regex": self.path_regex.pattern if self.path_regex else None,
            "status": self.status,
            "reason": self.reason,
            "times": self.times,
            "delay_ms": self.delay_ms,
            "drop_response": self.drop_response,
            "retry_after": self.retry_after,
        }


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()

    def add(self, spec: dict[str, Any]) -> Fault:
        status = spec.get("status")
        drop = bool(spec.get("drop_response", False))
        delay = spec.get("delay_ms", 0)
        if status is None and not drop and not delay:
            raise ApiError(400, "required", "A fault needs a status, drop_response or delay_ms.")
        if status is not None and (not isinstance(status, int) or not 400 <= status <= 599):
            raise ApiError(400, "invalid", "status must be an HTTP error code (400-599).")
        times = spec.get("times", 1)
        if not isinstance(times, int) or times < 1 or not isinstance(delay, int) or delay < 0:
            raise ApiError(400, "invalid", "times must be >= 1 and delay_ms >= 0.")
        for key in ("method", "path_regex", "reason", "message"):
            if spec.get(key) is not None and not isinstance(spec[key], str):
                raise ApiError(400, "invalid", f"{key} must be a string.")
        retry_after = spec.get("retry_after")
        if retry_after is not None and (not isinstance(retry_after, int) or isinstance(retry_after, bool) or retry_after < 0):
            raise ApiError(400, "invalid", "retry_after must be a number of seconds.")
        try:
            pattern = re.compile(spec["path_regex"]) if spec.get("path_regex") else None
        except re.error as exc:
            raise ApiError(400, "invalid", f"Invalid path_regex: {exc}") from exc
        fault = Fault(
            method=spec["method"].upper() if spec.get("method") else None,
            path_regex=pattern,
            status=status,
            reason=spec.get("reason"),
            times=times,
            delay_ms=delay,
            drop_response=drop,
            retry_after=retry_after,
            message=spec.get("message"),
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, used up by one."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.describe() for fault in self._faults]
