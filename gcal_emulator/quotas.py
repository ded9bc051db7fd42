"""The Calendar API's per-minute quotas: per user of a project, and per project.

Google's "Usage limits" guide: 600 requests a minute per user per project and 10,000 per
project by default, counted over a sliding minute; over either, Google answers "403 usageLimits
or 429 usageLimits". Here a project is an OAuth client, a user a Google account, each part of a
batch is one request (the envelope is none), and the minute is the emulator's clock's.

Which answer: Google's "Handle API errors" guide lists 403 ``userRateLimitExceeded`` ("one of the
limits from the Developer Console has been reached"), 403 ``rateLimitExceeded`` ("the maximum
request rate per calendar or per authenticated user"), 429 ``rateLimitExceeded`` ("too many
requests in a given amount of time") and 403 ``quotaExceeded`` (Google Calendar's own usage
limits, on events and invitations created, not on requests: not emulated). The emulator answers
the per-user limit with 403 ``userRateLimitExceeded``, the guide's name for a user's console
limit, and the per-project limit with 403 ``rateLimitExceeded``, the reason real answers carry for
a project's "Queries per minute" quota; both in the ``usageLimits`` domain, and 403 rather than
429 because the guide gives these reasons under 403. Clients must treat 403 with either reason,
and 429, alike: wait, then retry.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from .errors import ApiError

PER_USER = 600
PER_PROJECT = 10_000
WINDOW = dt.timedelta(minutes=1)
_SETTINGS = {"per_user_per_minute": "per_user", "per_project_per_minute": "per_project"}


class Quotas:
    """Request counts over the last minute, per project and per user, against their limits."""

    def __init__(self, now: Callable[[], dt.datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Google's default limits, and nothing counted."""
        with self._lock:
            self.per_user = PER_USER
            self.per_project = PER_PROJECT
            self._calls: dict[tuple[str, ...], deque[dt.datetime]] = {}
            self._clear_usage()

    def _clear_usage(self) -> None:
        self._peaks = {"user": 0, "project": 0}
        self._refused = {"userRateLimitExceeded": 0, "rateLimitExceeded": 0}

    def usage(self, clear: bool = False) -> dict[str, Any]:
        """What the limits met since counting started: the most requests any user and any project
        made within one sliding minute, and the requests refused, by reason; ``clear`` starts
        counting again."""
        with self._lock:
            usage = {"peak_per_user_per_minute": self._peaks["user"],
                     "peak_per_project_per_minute": self._peaks["project"], "refused": dict(self._refused)}
            if clear:
                self._clear_usage()
        return usage

    def limits(self) -> dict[str, int]:
        return {"per_user_per_minute": self.per_user, "per_project_per_minute": self.per_project}

    def configure(self, spec: dict[str, Any]) -> dict[str, int]:
        """Set the limits ``spec`` names (the control API's body); the others stay as they are."""
        unknown = set(spec) - set(_SETTINGS)
        if unknown:
            raise ApiError(400, "invalid", f"Unknown quota settings: {sorted(unknown)}.")
        for key, value in spec.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ApiError(400, "invalid", f"{key} must be a whole number of requests, at least 1.")
        with self._lock:
            for key, value in spec.items():
                setattr(self, _SETTINGS[key], value)
        return self.limits()

    def charge(self, project: str, user: str) -> None:
        """Count one request of ``user`` through ``project``, or refuse it as Google does over a limit.

        A refused request is not counted: the wall lifts once the minute has slid past the calls
        that reached it.
        """
        now = self._now()
        with self._lock:
            by_user = self._window(("user", project, user), now)
            by_project = self._window(("project", project), now)
            reason = "userRateLimitExceeded" if len(by_user) >= self.per_user else \
                "rateLimitExceeded" if len(by_project) >= self.per_project else None
            if reason:
                self._refused[reason] += 1
                raise ApiError(403, reason)
            by_user.append(now)
            by_project.append(now)
            self._peaks["user"] = max(self._peaks["user"], len(by_user))
            self._peaks["project"] = max(self._peaks["project"], len(by_project))

    def _window(self, key: tuple[str, ...], now: dt.datetime) -> deque[dt.datetime]:
        calls = self._calls.setdefault(key, deque())
        while calls and calls[0] <= now - WINDOW:
            calls.popleft()
        return calls
