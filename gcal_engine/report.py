"""What a run did: counts per action, conflicts with the losing version, per-event errors."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from .model import Event


@dataclass(frozen=True)
class EventProblem:
    """An event the run could not sync; ``retryable`` ones are tried again on the next run."""

    local_id: str | None
    google_id: str | None
    summary: str
    message: str
    retryable: bool = False


@dataclass(frozen=True)
class Conflict:
    """Both sides changed one event; ``winner`` is the side kept, ``loser`` the version dropped."""

    local_id: str
    google_id: str
    winner: str
    loser: Event | None
    reason: str


@dataclass
class RunReport:
    started_at: dt.datetime
    kind: str = ""
    mode: str = ""
    finished_at: dt.datetime | None = None
    counts: Counter[str] = field(default_factory=Counter)
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[EventProblem] = field(default_factory=list)
    skipped: list[EventProblem] = field(default_factory=list)
    requests: int = 0
    resynced: bool = False
    complete: bool = False
    stopped: str | None = None
    timed_out: bool = False  # the time budget ran out between two steps; the next run goes on
    fatal: Exception | None = None  # needs a person: reconnect, wait for the quota
    error: Exception | None = None  # the run failed as a whole; the next run retries

    @property
    def duration(self) -> float:
        return ((self.finished_at or self.started_at) - self.started_at).total_seconds()

    @property
    def ok(self) -> bool:
        return self.complete and not self.problems

    def summary(self) -> str:
        counts = ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in sorted(self.counts.items()) if count)
        parts = [counts or "nothing to do"]
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflict(s)")
        if self.problems:
            parts.append(f"{len(self.problems)} event(s) failed")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.stopped:
            parts.append(self.stopped)
        return "; ".join(parts)
