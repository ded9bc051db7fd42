"""What the planner decides: inert action objects, and the context it decides in.

An action does nothing by itself; the executor performs it. Each names the event it concerns
and carries what the write needs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .local import Binding, LocalChange
from .model import Access, Event
from .report import Conflict


class Mode(str, enum.Enum):
    TWO_WAY = "two_way"
    GOOGLE_TO_LOCAL = "google_to_local"
    LOCAL_TO_GOOGLE = "local_to_google"

    @property
    def pulls(self) -> bool:
        return self is not Mode.LOCAL_TO_GOOGLE

    @property
    def pushes(self) -> bool:
        return self is not Mode.GOOGLE_TO_LOCAL


class ConflictPolicy(str, enum.Enum):
    NEWEST = "newest"  # the side modified last wins; ties go to Google
    GOOGLE = "google"
    LOCAL = "local"


class RunKind(str, enum.Enum):
    FIRST = "first"  # never synced: nobody is mailed
    INCREMENTAL = "incremental"  # from a sync token: people's changes mail their guests
    RESYNC = "resync"  # after a 410 or a reset: rebinding, nobody is mailed


GOOGLE, LOCAL = "google", "local"


@dataclass(frozen=True)
class Item:
    """One event seen in a run: its binding, Google's version, the local change (each optional);
    for an occurrence of a bound series that has no binding of its own, the series' (``series``)."""

    binding: Binding | None
    remote: Event | None
    local: LocalChange | None
    series: Binding | None = None


@dataclass(frozen=True)
class CreateLocal:
    remote: Event
    replaces: Binding | None = None


@dataclass(frozen=True)
class UpdateLocal:
    """Write Google's version ``remote`` locally, or ``merged``, a merge of both sides; then,
    with ``push``, send the local version as stored to Google (a merge both sides must take).
    The binding records ``remote`` as Google's version either way."""

    local_ref: str
    remote: Event
    binding: Binding | None = None
    push: UpdateRemote | ImportRemote | None = None
    merged: Event | None = None
    access: Access = Access.ORGANIZER


@dataclass(frozen=True)
class DeleteLocal:
    binding: Binding


@dataclass(frozen=True)
class ArchiveLocal:
    """Google deleted an event edited locally meanwhile, and Google's deletion won: the local
    event is archived, not deleted, so the edit can still be recovered."""

    binding: Binding


@dataclass(frozen=True)
class Withdraw:
    """The user's copy of someone else's event is gone from Google: the user no longer attends
    (the local side declines for them); the event itself stays for the others."""

    binding: Binding


@dataclass(frozen=True)
class AnswerLocal:
    """The user answered on Google (``response``) in their private copy of someone's event:
    only their answer comes into the local event."""

    binding: Binding
    remote: Event
    response: str


@dataclass(frozen=True)
class RemoteWrite:
    """A write of the local version to Google. ``outgoing`` is the event whose ``fields`` are
    sent (default: the local version, all managed fields)."""

    local: LocalChange
    google_id: str
    send_updates: str

    @property
    def event(self) -> Event:
        return _sent(self.local)


@dataclass(frozen=True)
class CreateRemote(RemoteWrite):
    pass


@dataclass(frozen=True)
class UpdateRemote(RemoteWrite):
    """``waiting``: Google's changes the direction does not take (see planner.held)."""

    etag: str | None = None
    binding: Binding | None = None
    outgoing: Event | None = None
    fields: frozenset[str] | None = None
    waiting: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ImportRemote(RemoteWrite):
    """A private copy of the local event in the user's calendar (events.import), for an organizer
    who does not synchronize: identified by ``ical_uid``, it keeps the real organizer and mails
    nobody. Importing again replaces the copy (or a copy an invitation brought)."""

    ical_uid: str = ""
    binding: Binding | None = None


@dataclass(frozen=True)
class DeleteRemote:
    binding: Binding
    etag: str | None
    send_updates: str
    local: LocalChange


@dataclass(frozen=True)
class Bind:
    """Both sides agree: only the binding moves (new ETag, new hashes), and the local event is clean."""

    binding: Binding


@dataclass(frozen=True)
class Unbind:
    binding: Binding


Action = (CreateLocal | UpdateLocal | DeleteLocal | ArchiveLocal | Withdraw | AnswerLocal | CreateRemote
          | UpdateRemote | ImportRemote | DeleteRemote | Bind | Unbind)
LOCAL_DELETIONS = (DeleteLocal, ArchiveLocal)


@dataclass(frozen=True)
class Context:
    mode: Mode
    policy: ConflictPolicy
    kind: RunKind
    fields: frozenset[str]
    namespace: str
    # Extended properties another tool left on Google (Odoo's own module): removed from an event
    # as it is next written, never by a write of their own.
    retired: tuple[str, ...] = ()


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    deletions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    ignored: int = 0

    def extend(self, other: Plan) -> None:
        self.actions += other.actions
        self.deletions += other.deletions
        self.conflicts += other.conflicts
        self.ignored += other.ignored


def _sent(local: LocalChange) -> Event:
    """The local version a write sends: never a deleted one (see the planner)."""
    if local.event is None:
        raise ValueError(f"local event {local.local_ref} was deleted: there is nothing to send")
    return local.event
