"""What a run did: counts per action, conflicts with the losing version, per-event errors.

Everything here is data (counts, typed errors with codes, conflict kinds): the application
that shows a run chooses the words.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from .errors import EngineError
from .model import Event


@dataclass(slots=True)
class RunCounts:
    """What a run did, one count per kind of work, on each side (the application words each)."""

    created_local: int = 0
    updated_local: int = 0  # a user's own answer to an invitation, taken from Google, included
    deleted_local: int = 0
    archived_local: int = 0  # deleted on Google after an edit here: out of sight, recoverable
    withdrawn_local: int = 0  # someone else's event the user removed from their Google calendar: taken out for them
    created_google: int = 0
    updated_google: int = 0
    deleted_google: int = 0
    skipped_special_events: int = 0  # Google's own kinds of event (focus time, out of office...), left alone
    ignored_one_way: int = 0  # changes the run's direction does not carry

    @property
    def local_changes(self) -> int:
        """Events the run changed in the local calendar: what a person looking at it sees."""
        return (self.created_local + self.updated_local + self.deleted_local + self.archived_local
                + self.withdrawn_local)

    @property
    def google_changes(self) -> int:
        return self.created_google + self.updated_google + self.deleted_google

    @property
    def changes(self) -> int:
        """Events changed on either side."""
        return self.local_changes + self.google_changes


@dataclass(frozen=True)
class EventProblem:
    """An event the run could not sync (``error`` says why); ``retryable`` ones are tried again
    on the next run. ``summary`` is the event's title, when known."""

    local_ref: str | None
    google_id: str | None
    summary: str
    error: EngineError
    retryable: bool = False


class ConflictKind(str, enum.Enum):
    EDITED_BOTH = "edited_both"
    DELETED_GOOGLE_EDITED_LOCAL = "deleted_google_edited_local"
    DELETED_LOCAL_EDITED_GOOGLE = "deleted_local_edited_google"


@dataclass(frozen=True)
class Conflict:
    """Both sides changed one event; ``winner`` is the side kept ("google" or "local"), ``loser``
    the version dropped (None: a deletion), ``rule`` the conflict policy, "one_way", or "series" (an
    occurrence went with its series, deleted whole on the other side).
    ``fields`` are the fields changed on both sides when the others were merged (empty: the
    whole event)."""

    local_ref: str
    google_id: str
    winner: str
    loser: Event | None
    kind: ConflictKind
    rule: str
    fields: tuple[str, ...] = ()


@dataclass
class RunReport:
    started_at: dt.datetime
    kind: str = ""
    mode: str = ""
    finished_at: dt.datetime | None = None
    counts: RunCounts = field(default_factory=RunCounts)
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[EventProblem] = field(default_factory=list)
    skipped: list[EventProblem] = field(default_factory=list)
    requests: int = 0
    resynced: bool = False
    complete: bool = False
    timed_out: bool = False  # the time budget ran out between two steps; the next run goes on
    deferred: int = 0  # events the local side left for the next run, having made as many records as a run may
    fatal: EngineError | None = None  # needs a person (reconnect, wait for the quota, confirm deletions)
    error: EngineError | None = None  # the run failed as a whole; the next run retries

    @property
    def duration(self) -> float:
        return ((self.finished_at or self.started_at) - self.started_at).total_seconds()

    @property
    def ok(self) -> bool:
        return self.complete and not self.problems

    @property
    def processed(self) -> int:
        """Events created, updated, deleted, archived or withdrawn, on either side."""
        return self.counts.changes

    @property
    def changed_local(self) -> bool:
        """Whether the run changed the local calendar: what a person looking at it sees."""
        return bool(self.counts.local_changes)

    @property
    def stopped(self) -> bool:
        """The run ended before it was complete: out of time, out of room for local records, or
        stopped by ``fatal`` or ``error``."""
        return not self.complete and (self.timed_out or bool(self.deferred) or self.fatal is not None
                                      or self.error is not None)
