"""An in-memory LocalCalendar with transactions, standing in for Odoo in the engine's tests.

Writes go to a working copy; ``commit()`` makes them durable; ``crash()`` throws the working copy
away, as a killed Odoo worker's transaction would be. Tests play the user with ``add``, ``edit``
and ``remove``, which mark events dirty as Odoo's write() does.

It knows what Odoo's storage knows, no more: an event's content (not Google's id, iCalUID, link
or ETag, which Odoo keeps only on bindings); the bindings its synchronization forgot
(``forget_bindings``, as a calendar or account change or a reset does in Odoo), as
google_calendar_sync's identity memory keeps them: by iCalUID, with the versions both sides had
agreed on; and where an occurrence sits in its series.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable

from gcal_engine.errors import EngineError, LocalWriteError
from gcal_engine.ids import local_ref_from_link
from gcal_engine.local import Binding, LocalChange, SyncState
from gcal_engine.model import CONTENT_FIELDS, Access, Event
from gcal_engine.planner import span

UTC = dt.timezone.utc


@dataclass(frozen=True)
class Record:
    event: Event | None  # None: deleted locally, waiting for the deletion to reach Google
    modified_at: dt.datetime
    dirty: bool = True
    notify: bool = True
    series_local_ref: str | None = None
    access: Access = Access.ORGANIZER


@dataclass
class Store:
    records: dict[str, Record] = field(default_factory=dict)
    bindings: dict[str, Binding] = field(default_factory=dict)  # by local reference
    by_google: dict[str, str] = field(default_factory=dict)  # google id -> local reference
    state: SyncState = field(default_factory=SyncState)
    errors: list[tuple[str | None, str | None, EngineError]] = field(default_factory=list)
    archived: dict[str, Event] = field(default_factory=dict)  # out of sight, recoverable
    withdrawn: list[str] = field(default_factory=list)  # events the user stopped attending
    # Bindings forgotten, by (calendar, local reference): Odoo's google.calendar.identity.
    remembered: dict[tuple[str, str], Binding] = field(default_factory=dict)

    def copy(self) -> Store:
        return Store(dict(self.records), dict(self.bindings), dict(self.by_google),
                     SyncState(self.state.sync_token, set(self.state.retry_google_ids), list(self.state.added_ranges)),
                     list(self.errors), dict(self.archived), list(self.withdrawn), dict(self.remembered))


class MemoryCalendar:
    def __init__(self, namespace: str = "memory", clock: Callable[[], dt.datetime] | None = None,
                 fields: Collection[str] = CONTENT_FIELDS) -> None:
        self.namespace = namespace
        self.managed_fields = frozenset(fields)
        self.retired_properties: tuple[str, ...] = ()
        self.clock = clock or (lambda: dt.datetime.now(UTC))
        self.durable = Store()
        self.work = self.durable.copy()
        self._ids = itertools.count(1)
        self.commits = 0
        self.fail_on: Callable[[str, Any], None] | None = None  # tests inject crashes here
        self.calendar = "primary"  # the Google calendar the bindings are in (what Odoo's sync record says)

    # -- the user's side -------------------------------------------------------------------------

    def add(self, event: Event, series: str | None = None, notify: bool = True, dirty: bool = True,
            access: Access = Access.ORGANIZER) -> str:
        """A new local event; not ``dirty``: one that was there before the synchronization (a full
        list in its window finds it, as Odoo's events without binding); ``access``: how the event
        is the user's (Access.COPY: an organizer who does not synchronize)."""
        local_ref = f"L{next(self._ids)}"
        self.work.records[local_ref] = Record(event, self.clock(), dirty, notify, series, access)
        self.commit()
        return local_ref

    def edit(self, local_ref: str, **changes: Any) -> None:
        record = self.work.records[local_ref]
        self.work.records[local_ref] = dataclasses.replace(
            record, event=record.event.replace(**changes), modified_at=self.clock(), dirty=True, notify=True)
        self.commit()

    def remove(self, local_ref: str) -> None:
        for other_id, other in list(self.work.records.items()):
            if other.series_local_ref == local_ref:
                self._drop(other_id)
        self._drop(local_ref)
        self.commit()

    def _drop(self, local_ref: str) -> None:
        """Keep a tombstone until the deletion reached Google, as the binding table does in Odoo."""
        record = self.work.records[local_ref]
        self.work.records[local_ref] = dataclasses.replace(record, event=None, modified_at=self.clock(), dirty=True)

    def events(self) -> dict[str, Event]:
        return {i: r.event for i, r in self.durable.records.items() if r.event is not None}

    def binding(self, local_ref: str) -> Binding | None:
        return self.durable.bindings.get(local_ref)

    def lose_bindings(self, *local_refs: str) -> None:
        """Forget these events' bindings but keep the events, as a reset does: what Odoo remembers
        of them stays."""
        for local_ref in local_refs:
            self._forget(local_ref)
        self.commit()

    def forget_bindings(self, calendar: str) -> None:
        """Every binding and the sync state forgotten, as Odoo does when the user synchronizes with
        another Google ``calendar`` or account (deletions not sent yet go with their bindings)."""
        for local_ref in list(self.work.bindings):
            self._forget(local_ref)
        self.work.records = {ref: r for ref, r in self.work.records.items() if r.event is not None}
        self.work.state = SyncState()
        self.calendar = calendar
        self.commit()

    def _forget(self, local_ref: str) -> None:
        binding = self.work.bindings.pop(local_ref)
        self.work.by_google.pop(binding.google_id, None)
        if binding.ical_uid:
            self.work.remembered[(self.calendar, local_ref)] = binding

    def crash(self) -> None:
        """Lose everything not committed, as a killed transaction does."""
        self.work = self.durable.copy()

    # -- LocalCalendar -----------------------------------------------------------------------------

    def load_state(self) -> SyncState:
        state = self.work.state
        return SyncState(state.sync_token, set(state.retry_google_ids), list(state.added_ranges))

    def save_state(self, state: SyncState) -> None:
        self.work.state = SyncState(state.sync_token, set(state.retry_google_ids), list(state.added_ranges))

    def binding_count(self) -> int:
        return len(self.work.bindings)

    def bindings_for(self, google_ids: Collection[str]) -> dict[str, Binding]:
        found = {}
        for google_id in google_ids:
            local_ref = self.work.by_google.get(google_id)
            if local_ref is not None:
                found[google_id] = self.work.bindings[local_ref]
        return found

    def all_bindings(self) -> Iterator[Binding]:
        return iter(list(self.work.bindings.values()))

    def _change(self, local_ref: str, record: Record, series_google_id: str | None = None) -> LocalChange:
        binding = self.work.bindings.get(local_ref)
        series_binding = self.work.bindings.get(record.series_local_ref) if record.series_local_ref else None
        return LocalChange(local_ref, record.event, record.modified_at, binding, record.notify,
                           record.series_local_ref, series_binding.google_id if series_binding else series_google_id,
                           access=record.access)

    def pending_changes(self, full: bool, window: tuple[dt.datetime, dt.datetime]) -> Iterator[LocalChange]:
        for local_ref, record in list(self.work.records.items()):
            unbound_in_window = (
                full and local_ref not in self.work.bindings and record.event is not None
                and _overlaps(record.event, window)
            )
            if record.dirty or unbound_in_window:
                change = self._change(local_ref, record)
                if unbound_in_window and not record.series_local_ref:
                    change = dataclasses.replace(change, remembered=self.work.remembered.get((self.calendar, local_ref)))
                yield change

    def match(self, events: Sequence[Event]) -> dict[str, LocalChange]:
        """Unbound local events that are these Google events, as Odoo finds them: ours by link;
        by an iCalUID remembered from a forgotten binding; an occurrence by its series (bound, or
        found in this same batch) and where it sits in it. One linked or remembered but deleted
        here since is found as its deletion."""
        unbound = {i: r for i, r in self.work.records.items() if i not in self.work.bindings}
        by_uid = {b.ical_uid: ref for (_calendar, ref), b in self.work.remembered.items()
                  if ref in unbound and unbound[ref].event is not None and not unbound[ref].event.is_instance}
        found: dict[str, LocalChange] = {}
        series_found: dict[str, str] = {}  # Google id of a series matched here -> its local reference
        taken: set[str] = set()
        for event in sorted(events, key=lambda e: e.is_instance):
            if event.google_id is None:
                continue
            local_ref: str | None
            if event.is_instance:
                series = self.work.by_google.get(event.recurring_event_id or "") or series_found.get(
                    event.recurring_event_id or "")
                local_ref = self._occurrence(unbound, series, event) if series else None
            else:
                local_ref = local_ref_from_link(self.namespace, event.link)
                if local_ref not in unbound and event.ical_uid:
                    local_ref = by_uid.get(event.ical_uid, local_ref)
            base = self.work.remembered.get((self.calendar, local_ref or ""))
            if base is not None and base.ical_uid != event.ical_uid:
                base = None
            if local_ref is None or local_ref in taken or local_ref in self.work.bindings:
                continue
            if local_ref in unbound:
                change = self._change(local_ref, unbound[local_ref], event.recurring_event_id)
            elif base is not None:
                change = LocalChange(local_ref, None, dt.datetime(1970, 1, 1, tzinfo=UTC))  # deleted here since
            else:
                continue
            if base is not None:
                change = dataclasses.replace(change, binding=dataclasses.replace(
                    base, google_id=event.google_id, etag=None), access=base.access)
            found[event.google_id] = change
            taken.add(local_ref)
            if event.is_series:
                series_found[event.google_id] = local_ref
        return found

    @staticmethod
    def _occurrence(unbound: dict[str, Record], series: str, event: Event) -> str | None:
        """The local occurrence of ``series`` that sits where Google's instance ``event`` does."""
        assert event.original_start is not None
        for local_ref, record in unbound.items():
            original = record.event.original_start if record.event is not None else None
            if record.series_local_ref == series and original is not None and (
                    original.instant() == event.original_start.instant()):
                return local_ref
        return None

    def _check(self, operation: str, payload: Any) -> None:
        if self.fail_on is not None:
            self.fail_on(operation, payload)

    def create_many(self, events: Sequence[Event]) -> list[tuple[str, Event] | LocalWriteError]:
        results: list[tuple[str, Event] | LocalWriteError] = []
        for event in events:
            try:
                self._check("create", event)
            except LocalWriteError as error:
                results.append(error)
                continue
            series = None
            if event.is_instance:
                series = self.work.by_google.get(event.recurring_event_id or "")
                if series is None or self.work.records[series].event is None:
                    results.append(LocalWriteError(f"the series {event.recurring_event_id} of this occurrence is not here"))
                    continue
            local_ref = f"L{next(self._ids)}"
            stored = _stored(event)
            self.work.records[local_ref] = Record(stored, self.clock(), dirty=False, notify=False, series_local_ref=series)
            results.append((local_ref, stored))
        return results

    def update(self, local_ref: str, event: Event) -> tuple[str, Event]:
        self._check("update", event)
        record = self.work.records.get(local_ref)
        if record is None:
            raise LocalWriteError(f"local event {local_ref} is gone")
        stored = _stored(event)
        self.work.records[local_ref] = dataclasses.replace(record, event=stored, dirty=False, modified_at=self.clock())
        return local_ref, stored

    def delete(self, local_ref: str) -> None:
        self._check("delete", local_ref)
        record = self.work.records.get(local_ref)
        if record is not None and record.event is not None and record.event.is_instance:
            # An occurrence deleted from a live series stays a hole in it, as in Odoo.
            cancelled = record.event.replace(status="cancelled", start=record.event.original_start,
                                             end=record.event.original_start)
            self.work.records[local_ref] = dataclasses.replace(record, event=cancelled, dirty=False)
            return
        for other_id, other in list(self.work.records.items()):
            if other.series_local_ref == local_ref:
                self.work.records.pop(other_id)
                binding = self.work.bindings.pop(other_id, None)
                if binding is not None:
                    self.work.by_google.pop(binding.google_id, None)
        self.work.records.pop(local_ref, None)

    def archive(self, local_ref: str) -> None:
        """Out of sight with its occurrences, as Odoo archives a series' events."""
        self._check("archive", local_ref)
        for other_id, other in list(self.work.records.items()):
            if other_id == local_ref or other.series_local_ref == local_ref:
                self.work.records.pop(other_id)
                if other.event is not None:
                    self.work.archived[other_id] = other.event
                if other_id != local_ref:
                    binding = self.work.bindings.pop(other_id, None)
                    if binding is not None:
                        self.work.by_google.pop(binding.google_id, None)

    def answer(self, local_ref: str, response: str) -> Event:
        self._check("answer", local_ref)
        record = self.work.records[local_ref]
        assert record.event is not None
        attendees = tuple(dataclasses.replace(a, response=response) if a.is_self else a for a in record.event.attendees)
        stored = record.event.replace(attendees=attendees)
        self.work.records[local_ref] = dataclasses.replace(record, event=stored)
        return stored

    def withdraw(self, local_ref: str) -> None:
        self._check("withdraw", local_ref)
        self.work.records.pop(local_ref, None)
        self.work.withdrawn.append(local_ref)

    def bind_many(self, bindings: Sequence[Binding]) -> None:
        for binding in bindings:
            self._bind(binding)

    def _bind(self, binding: Binding) -> None:
        self._check("bind", binding)
        old = self.work.bindings.get(binding.local_ref)
        if old is not None:
            self.work.by_google.pop(old.google_id, None)
        other = self.work.by_google.get(binding.google_id)
        if other is not None and other != binding.local_ref:
            self.work.bindings.pop(other, None)
        self.work.bindings[binding.local_ref] = binding
        self.work.by_google[binding.google_id] = binding.local_ref
        record = self.work.records.get(binding.local_ref)
        if record is not None:
            self.work.records[binding.local_ref] = dataclasses.replace(record, dirty=False)

    def unbind(self, binding: Binding) -> None:
        self._check("unbind", binding)
        if self.work.bindings.get(binding.local_ref) == binding or binding.local_ref not in self.work.records:
            self.work.bindings.pop(binding.local_ref, None)
        if self.work.by_google.get(binding.google_id) == binding.local_ref:
            self.work.by_google.pop(binding.google_id)
        record = self.work.records.get(binding.local_ref)
        if record is not None and record.event is None:
            self.work.records.pop(binding.local_ref)

    def record_error(self, local_ref: str | None, google_id: str | None, error: EngineError) -> None:
        self.work.errors.append((local_ref, google_id, error))

    def commit(self) -> None:
        self._check("commit", None)
        self.durable = self.work.copy()
        self.commits += 1


def _overlaps(event: Event, window: tuple[dt.datetime, dt.datetime]) -> bool:
    start, end = span(event)  # a series counts whole
    return start < window[1] and (end is None or end > window[0])


def _stored(event: Event) -> Event:
    """What the local side keeps: the content, not Google's identity and metadata (Odoo knows
    them only through bindings)."""
    return event.replace(etag=None, updated=None, created=None, google_id=None, ical_uid=None, link=None,
                         recurring_event_id=None, create_meet=False)
