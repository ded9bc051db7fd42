"""What the engine needs from the local calendar (Odoo's, or the in-memory one of the tests).

The engine owns no storage. A :class:`LocalCalendar` keeps the events, one :class:`Binding`
per synchronized event, and the :class:`SyncState`; it makes a local write and its binding
durable together at ``commit()``, so a run killed anywhere leaves a state the next run resumes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .errors import EngineError, LocalWriteError
from .model import Access, Event


@dataclass(frozen=True)
class Binding:
    """The link between one local event and one Google event, as of the last successful sync.

    ``local_hash``/``remote_hash`` are each side's content hash then, and ``local_digests``/
    ``remote_digests`` each field's (see gcal_engine.merge; empty for bindings recorded before
    per-field merges); ``starts_at``/``ends_at`` bound the Google event in time (``ends_at``
    None: a series without end), which tells a full resync whether the event should have been
    listed. ``access`` says what the local side may do with the Google event.
    """

    local_ref: str
    google_id: str
    etag: str | None
    ical_uid: str | None
    local_hash: str
    remote_hash: str
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    access: Access = Access.ORGANIZER
    local_digests: tuple[tuple[str, str], ...] = ()
    remote_digests: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LocalChange:
    """A local event created, edited or deleted since it was last synced.

    ``event`` is None when the local event was deleted (or is no longer this user's to show).
    ``notify`` says whether a person made the change (Google then mails the guests) or a bulk
    operation did (no mail). An occurrence of a series names its series: ``series_local_ref``
    and, once bound, ``series_google_id``. ``access`` is what the user may do with the event
    now: their own, someone else's (then whose synchronization carries it). ``remembered``, on an
    unbound event of a full list: the binding it had on this calendar before the local side forgot
    it (another calendar or account, a reset), with the Google event's id then: an event Google no
    longer lists there was deleted meanwhile, and is never sent as new.
    """

    local_ref: str
    event: Event | None
    modified_at: dt.datetime
    binding: Binding | None = None
    notify: bool = True
    series_local_ref: str | None = None
    series_google_id: str | None = None
    access: Access = Access.ORGANIZER
    remembered: Binding | None = None


@dataclass
class SyncState:
    """Where the synchronization stands: Google's sync token, the events to fetch again, and
    ``added_ranges``: spans of time the synchronized window grew by (an administrator widened
    it), to list once in full while the sync token goes on, instead of listing everything again."""

    sync_token: str | None = None
    retry_google_ids: set[str] = field(default_factory=set)
    added_ranges: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)


class LocalCalendar(Protocol):
    managed_fields: frozenset[str]
    namespace: str
    # Extended properties another tool left on Google events (Odoo's own module's, after a switch
    # from it): each goes from an event as it is next written; empty when there are none.
    retired_properties: tuple[str, ...]

    def load_state(self) -> SyncState: ...

    def save_state(self, state: SyncState) -> None: ...

    def binding_count(self) -> int: ...

    def bindings_for(self, google_ids: Collection[str]) -> dict[str, Binding]: ...

    def all_bindings(self) -> Iterator[Binding]: ...

    def pending_changes(self, full: bool, window: tuple[dt.datetime, dt.datetime]) -> Iterator[LocalChange]:
        """Local events to send: dirty ones; with ``full``, also every unbound one in the window."""
        ...

    def match(self, events: Sequence[Event]) -> dict[str, LocalChange]:
        """Existing local events that are these unbound Google events (by link or iCalUID, an
        occurrence by its series); a change's ``binding`` is one the local side had forgotten and
        remembers (another calendar, a reset), now naming the Google event it was found for."""
        ...

    def create_many(self, events: Sequence[Event]) -> list[tuple[str, Event] | LocalWriteError]:
        """Create local events from Google ones, in bulk: for each, its local reference and the event
        as stored, or the error that kept that one event out."""
        ...

    def update(self, local_ref: str, event: Event) -> tuple[str, Event]:
        """Overwrite a local event with Google's version; its local reference (a new one when a
        single event became a series, or a series a single event) and the event as stored."""
        ...

    def delete(self, local_ref: str) -> None: ...

    def archive(self, local_ref: str) -> None:
        """Keep the local event out of sight but recoverable (Google's deletion won over a local edit)."""
        ...

    def answer(self, local_ref: str, response: str) -> Event:
        """Set the user's own answer to this event (accepted, declined...); the event as stored."""
        ...

    def withdraw(self, local_ref: str) -> None:
        """The user no longer attends this event that is not theirs (their copy is gone on Google)."""
        ...

    def bind_many(self, bindings: Sequence[Binding]) -> None:
        """Record each binding, replacing any other binding of its local reference or Google id; those
        local events count as synced (no longer dirty)."""
        ...

    def unbind(self, binding: Binding) -> None: ...

    def record_error(self, local_ref: str | None, google_id: str | None, error: EngineError) -> None: ...

    def commit(self) -> None: ...
