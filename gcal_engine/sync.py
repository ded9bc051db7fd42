"""One synchronization run between a Google calendar and a local calendar.

    report = Synchronizer(client, local, SyncConfig(calendar_id="primary")).run()

A run lists what changed on Google (from the sync token, or a windowed full list the first time,
after a 410 and after a change of direction; the spans a wider window adds beside the sync token),
page by page; pairs each change with its binding and any local change; lets the
planner decide; executes; then sends the local changes Google did not touch. Deletions wait to
the end, behind the mass-deletion guard. The new sync token is saved only when everything was
listed and applied, so an interrupted run is simply done again, and finds nothing left to redo.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import planner, recurrence
from .client import CalendarClient
from .errors import (
    EngineError, GoogleApiError, MappingError, MassDeletionError, NotFoundError, SyncTokenExpiredError,
)
from .executor import Executor
from .local import Binding, LocalCalendar, LocalChange, SyncState
from .mapping import from_google, format_time
from .model import Event, deleted, google_id_of
from .actions import GOOGLE, LOCAL, LOCAL_DELETIONS, Action, ConflictPolicy, Context, CreateLocal, Item, Mode, Plan, RunKind
from .report import Conflict, ConflictKind, EventProblem, RunReport

UTC = dt.timezone.utc


@dataclass(frozen=True)
class SyncConfig:
    calendar_id: str = "primary"
    mode: Mode = Mode.TWO_WAY
    policy: ConflictPolicy = ConflictPolicy.NEWEST
    past: dt.timedelta = dt.timedelta(days=365)
    future: dt.timedelta = dt.timedelta(days=730)
    mass_deletion_share: float = 0.5
    mass_deletion_minimum: int = 10
    allow_mass_deletion: bool = False
    time_budget: float | None = None  # seconds; a longer run stops between pages and resumes next time
    page_size: int = 2500
    # "Synchronize only new events" (after a reset): Google events created before this stay out.
    created_after: dt.datetime | None = None


class _Stop(Exception):
    """The run stops between two steps: its time budget ran out, or the local side left events
    for the next run (it made as many records as a run may). The next run goes on."""


class Synchronizer:
    def __init__(
        self,
        client: CalendarClient,
        local: LocalCalendar,
        config: SyncConfig | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        progress: Callable[[RunReport], None] | None = None,
    ) -> None:
        self.client = client
        self.local = local
        self.config = config or SyncConfig()
        self.clock = clock
        self.monotonic = monotonic
        self.progress = progress  # told after each step, to show a long first sync advancing

    def run(self) -> RunReport:
        report = RunReport(started_at=self.clock(), mode=self.config.mode.value)
        requests_before = self.client.requests_made
        deadline = None if self.config.time_budget is None else self.monotonic() + self.config.time_budget
        try:
            _Run(self, report, deadline).go()
        except _Stop:
            self.local.commit()
        except EngineError as exc:
            if exc.ends_run:
                report.fatal = exc
            elif isinstance(exc, GoogleApiError):
                # Google failed the run itself (not one event) beyond retries: keep what is done, try again later.
                report.error = exc
            else:
                raise
            self.local.commit()
        finally:
            report.requests = self.client.requests_made - requests_before
            report.finished_at = self.clock()
        return report


class _Run:
    """One run's working state, read from the local calendar when the run starts."""

    def __init__(self, sync: Synchronizer, report: RunReport, deadline: float | None) -> None:
        self.client = sync.client
        self.local = sync.local
        self.config = config = sync.config
        self.monotonic = sync.monotonic
        self.progress = sync.progress
        self.report = report
        self.deadline = deadline
        self.state = state = self.local.load_state()
        if state.sync_token:
            kind = RunKind.INCREMENTAL
        else:
            kind = RunKind.RESYNC if self.local.binding_count() else RunKind.FIRST
        now = sync.clock()
        self.window = (now - config.past, now + config.future)
        self.ctx = Context(config.mode, config.policy, kind, frozenset(self.local.managed_fields),
                           self.local.namespace, self.local.retired_properties)
        report.kind = kind.value
        self.executor = Executor(self.client, self.local, config.calendar_id, self.ctx, report, state)
        self.deletions: list[Action] = []  # held until the end, behind the mass-deletion guard

        self.retry, state.retry_google_ids = state.retry_google_ids, set()
        # A full list covers the spans the window grew by; a run from the sync token lists them.
        self.ranges, state.added_ranges = (state.added_ranges if kind is RunKind.INCREMENTAL else []), []
        changes = list(self.local.pending_changes(full=kind is not RunKind.INCREMENTAL, window=self.window))
        self.bound_changes = {c.binding.google_id: c for c in changes if c.binding is not None}
        self.unbound_changes = {c.local_ref: c for c in changes if c.binding is None}
        for span in self.ranges:
            self._read_unbound(span)
        # A series deleted here takes its occurrences with it: changes to them are moot (unless
        # a newer change on Google makes the series again: see _process).
        self.doomed_series = {c.binding.google_id for c in changes if c.event is None and c.binding is not None}
        # Series deleted here found again by the match (remembered from another calendar or a
        # reset), with what both sides agreed on: their occurrences may come on later pages.
        self.remembered_series: dict[str, Binding] = {}

    def go(self) -> None:
        config, state = self.config, self.state
        try:
            next_token, seen = self._pull(state.sync_token)
        except SyncTokenExpiredError:
            # 410: the token is gone. List everything again; bindings make it a rebinding.
            self.report.resynced = True
            self.ctx = dataclasses.replace(self.ctx, kind=RunKind.RESYNC)
            self.executor.ctx = self.ctx
            self.report.kind = RunKind.RESYNC.value
            self._read_unbound(self.window)
            next_token, seen = self._pull(None)

        for time_min, time_max in self.ranges if self.ctx.kind is RunKind.INCREMENTAL else ():
            # The window grew: what lies in the added span is new to this run, as in a first sync.
            seen |= self._pull(None, (time_min, time_max))[1]
        if self.retry - seen:
            self._process(self._fetch(self.retry - seen))
        if self.ctx.kind is not RunKind.INCREMENTAL:
            self._vanished(seen)

        doomed_local = {a.binding.local_ref for a in self.deletions if isinstance(a, LOCAL_DELETIONS)}
        changes = (*self.bound_changes.values(), *self.unbound_changes.values())
        for change in changes:
            if change.event is not None and change.series_local_ref in doomed_local and not change.event.cancelled and (
                    change.binding is None or change.binding.local_hash != change.event.content_hash(self.ctx.fields)):
                self._taken_with_series(change.local_ref, change.binding.google_id if change.binding else "",
                                        GOOGLE, change.event)
        leftovers = [c for c in changes if not (c.event is not None and c.series_local_ref in doomed_local)]
        self._execute(planner.plan([Item(c.binding, None, c) for c in leftovers], self.ctx))
        self.executor.flush()
        self.deletions += self.executor.held
        self._between_steps()

        guard = planner.mass_deletion(
            self.deletions, self.local.binding_count(), config.mass_deletion_share, config.mass_deletion_minimum,
        ) if self.deletions else None
        if guard is not None and not config.allow_mass_deletion:
            side, count = guard
            self.report.fatal = MassDeletionError(side, count, self.local.binding_count())
            self.local.commit()
            return
        self.executor.run(self.deletions)
        self.executor.flush()
        state.sync_token = next_token
        self.local.save_state(state)
        self.local.commit()
        self.report.complete = True

    def _read_unbound(self, window: tuple[dt.datetime, dt.datetime]) -> None:
        """Local events without binding in ``window`` join the changes to send (those read already
        stay as read)."""
        for change in self.local.pending_changes(full=True, window=window):
            if change.binding is None:
                self.unbound_changes.setdefault(change.local_ref, change)

    # -- Google's changes --------------------------------------------------------------------

    def _pull(self, sync_token: str | None, window: tuple[dt.datetime, dt.datetime] | None = None,
              ) -> tuple[str | None, set[str]]:
        """List and apply Google's changes page by page, from the sync token, or all of ``window``
        (default: the synchronized window); (next sync token, ids seen)."""
        window = window or self.window
        pages = self.client.list_events(
            self.config.calendar_id,
            sync_token=sync_token,
            time_min=None if sync_token else window[0],
            time_max=None if sync_token else window[1],
            page_size=self.config.page_size,
        )
        seen: set[str] = set()
        next_token = None
        for page in pages:
            events = self._read(page.items)
            seen.update(google_id_of(e) for e in events)
            self._process(events)
            next_token = page.next_sync_token
            self._between_steps()
        return next_token, seen

    def _read(self, items: Iterable[Any]) -> list[Event]:
        events = []
        for item in items:
            try:
                event = from_google(item)
            except MappingError as exc:
                google_id = item.get("id") if isinstance(item, dict) else None
                summary = item.get("summary", "") if isinstance(item, dict) else ""
                self.report.skipped.append(EventProblem(None, google_id, summary, exc))
                continue
            if event.event_type not in ("default", "fromGmail") and not planner.is_deletion(event):
                self.report.counts.skipped_special_events += 1
                continue  # focus time, out of office, working location: not meetings
            events.append(event)
        return events

    def _fetch(self, google_ids: Iterable[str]) -> Iterator[Event]:
        """Events that failed to apply last time, fetched again one by one."""
        for google_id in sorted(google_ids):
            try:
                yield from_google(self.client.get_event(self.config.calendar_id, google_id))
            except NotFoundError:
                yield deleted(google_id)
            except (GoogleApiError, MappingError) as exc:
                if exc.ends_run:
                    raise
                self.report.problems.append(EventProblem(None, google_id, "", exc, retryable=True))
                self.state.retry_google_ids.add(google_id)

    def _process(self, events: Iterable[Event]) -> None:
        events = list(events)
        if not events:
            return
        # An occurrence Google lists (changed) whose series, listed with it, no longer has it
        # (it ends before it now): Google dropped it with the rule; it is cancelled.
        rules = {google_id_of(e): e for e in events if e.is_series and not e.cancelled}
        events = [e.replace(status="cancelled") if e.is_instance and not e.cancelled and e.recurring_event_id in rules
                  and not _in_rule(rules[e.recurring_event_id], google_id_of(e)) else e for e in events]
        series = {e.recurring_event_id for e in events if e.recurring_event_id}
        bindings = self.local.bindings_for({google_id_of(e) for e in events} | series)
        live = {google_id_of(e) for e in events if not e.cancelled} | set(bindings)
        # A cancelled occurrence of a series this side never had (or just lost) is nothing to apply.
        events = [e for e in events if not (e.cancelled and e.is_instance and e.google_id not in bindings
                                            and e.recurring_event_id not in live)]
        cutoff = self.config.created_after
        if cutoff is not None:
            events = [e for e in events if e.google_id in bindings or e.created is None or e.created >= cutoff]
        unbound = [e for e in events if e.google_id not in bindings and not planner.is_deletion(e)]
        matches = self.local.match(unbound) if unbound else {}
        items = []
        for event in events:
            google_id = google_id_of(event)
            binding = bindings.get(google_id)
            local: LocalChange | None
            if binding is not None:
                local = self.bound_changes.pop(google_id, None)
            else:
                local = matches.get(google_id)
                pending = self.unbound_changes.pop(local.local_ref, None) if local is not None else None
                if local is not None:
                    # A binding the local side forgot (another calendar, a reset) and remembers:
                    # what both sides agreed on then tells what changed since.
                    binding = local.binding
                if local is not None and pending is not None:
                    # The change as read (when and by whom it was made), with what only the match
                    # knows: how the Google event is the user's, and its series' Google id.
                    local = dataclasses.replace(pending, access=local.access,
                                                series_google_id=pending.series_google_id or local.series_google_id)
            of_series = None
            if binding is None and event.recurring_event_id:
                # Its series as both sides last agreed on it: bound, or found again in this batch
                # with the binding remembered from another calendar (not bound yet: still the base).
                of_series = bindings.get(event.recurring_event_id)
                found_series = matches.get(event.recurring_event_id)
                if of_series is None and found_series is not None:
                    of_series = found_series.binding
            items.append(Item(binding, event, local, of_series))
            if google_id not in bindings and binding is not None and event.is_series and local is not None \
                    and local.event is None:
                self.remembered_series[google_id] = binding
                self.doomed_series.add(google_id)
        series_plan = planner.plan([i for i in items if i.remote is None or not i.remote.is_instance], self.ctx)
        # A series deleted here whose deletion lost to a newer change on Google is made again: its
        # occurrences' changes apply. Those of a series whose deletion goes are moot.
        self.doomed_series -= {a.replaces.google_id for a in series_plan.actions
                               if isinstance(a, CreateLocal) and a.replaces is not None}
        self._execute(series_plan)
        occurrences = self._dropped(items, bindings, {google_id_of(e) for e in events})
        for item in items:
            if item.remote is None or not item.remote.is_instance:
                continue
            if item.remote.recurring_event_id not in self.doomed_series:
                occurrences.append(item)
                continue
            if not item.remote.cancelled:
                series_id = item.remote.recurring_event_id or ""
                self._overruled(item.remote, item.binding,
                                bindings.get(series_id) or self.remembered_series[series_id])
            if item.local is not None and item.binding is not None:
                self.bound_changes[item.binding.google_id] = item.local  # (its deletion goes with the others)
        if occurrences:
            self._execute(planner.plan(occurrences, self.ctx))

    def _dropped(self, items: list[Item], bindings: dict[str, Binding], listed: set[str]) -> list[Item]:
        """The bound occurrences of series whose rule Google changed that the rule no longer has
        (the series ends before them now, say): Google dropped them with the rule, without
        listing them. Each is deleted on Google, against what this side did to it since."""
        changed = {google_id_of(i.remote): i.remote for i in items if i.remote is not None and i.remote.is_series
                   and not i.remote.cancelled and google_id_of(i.remote) in bindings
                   and google_id_of(i.remote) not in self.doomed_series
                   and bindings[google_id_of(i.remote)].remote_hash != i.remote.content_hash(self.ctx.fields)}
        if not changed:
            return []
        dropped = []
        for binding in self.local.all_bindings():
            parts = recurrence.split_instance_id(binding.google_id)
            if parts is None or parts[0] not in changed or binding.google_id in listed:
                continue
            if not _in_rule(changed[parts[0]], binding.google_id):
                dropped.append(Item(binding, deleted(binding.google_id),
                                    self.bound_changes.pop(binding.google_id, None)))
        return dropped

    def _overruled(self, event: Event, own: Binding | None, series: Binding) -> None:
        """An occurrence changed on Google, of a series deleted here: it goes with its series, and
        the log shows it, unless it is as this side last saw it (``own``: its binding, bound or
        remembered)."""
        if own is not None and own.remote_hash == event.content_hash(self.ctx.fields):
            return
        self._taken_with_series(own.local_ref if own else series.local_ref, google_id_of(event), LOCAL, event)

    def _taken_with_series(self, local_ref: str, google_id: str, winner: str, loser: Event) -> None:
        """An occurrence edited on one side goes with its series, deleted whole on the other."""
        kind = ConflictKind.DELETED_LOCAL_EDITED_GOOGLE if winner == LOCAL else ConflictKind.DELETED_GOOGLE_EDITED_LOCAL
        self.report.conflicts.append(Conflict(local_ref, google_id, winner, loser, kind, "series"))

    def _vanished(self, seen: set[str]) -> None:
        """After a full list: bound events inside the window that Google no longer lists are gone.

        Where the local side changed the event too, its tombstone is fetched: the time of the
        deletion decides the conflict.
        """
        gone = []
        for binding in self.local.all_bindings():
            if binding.google_id in seen or not _inside(binding.starts_at, binding.ends_at, self.window):
                continue
            local = self.bound_changes.pop(binding.google_id, None)
            remote = deleted(binding.google_id)
            if local is not None:
                remote = next(self._fetch([binding.google_id]), remote)
            gone.append(Item(binding, remote, local))
        self._execute(planner.plan(gone + self._forgotten_gone(seen), self.ctx))

    def _forgotten_gone(self, seen: set[str]) -> list[Item]:
        """After a full list: the unbound local events that remember a binding on this calendar
        (the local side forgot it: another calendar or account, a reset) and were not found in
        it. Their Google events are fetched: one deleted meanwhile is a deletion, as for a bound
        event; one still there left the window, and is left alone. None is sent as a new event,
        nor are the occurrences of a series left alone."""
        remembered = [self.unbound_changes.pop(ref) for ref, c in list(self.unbound_changes.items()) if c.remembered]
        fetched = {google_id_of(e): e for e in self._fetch({c.remembered.google_id for c in remembered
                                                            if c.remembered and c.remembered.google_id not in seen})}
        gone, left = [], set()
        for change in remembered:
            forgotten = change.remembered
            assert forgotten is not None  # as filtered above
            tombstone = fetched.get(forgotten.google_id)
            if tombstone is not None and tombstone.cancelled:
                gone.append(Item(forgotten, tombstone, dataclasses.replace(change, binding=forgotten, remembered=None)))
            else:
                left.add(change.local_ref)
        for ref in [ref for ref, c in self.unbound_changes.items() if c.series_local_ref in left]:
            del self.unbound_changes[ref]
        return gone

    def _execute(self, plan: Plan) -> None:
        self.report.conflicts += plan.conflicts
        if plan.ignored:
            self.report.counts.ignored_one_way += plan.ignored
        self.deletions += plan.deletions
        self.executor.run(plan.actions)
        if self.progress is not None:
            self.progress(self.report)

    def _between_steps(self) -> None:
        """Between two steps: stop when events wait for the next run, or the time is up."""
        if self.report.deferred:
            raise _Stop()
        if self.deadline is not None and self.monotonic() > self.deadline:
            self.report.timed_out = True
            raise _Stop()


def _in_rule(series: Event, google_id: str) -> bool:
    """Whether Google's series ``series`` has the occurrence whose instance id is ``google_id``."""
    return recurrence.has_instance(series.recurrence, format_time(series.start, series=True), google_id)


def _inside(starts_at: dt.datetime | None, ends_at: dt.datetime | None, window: tuple[dt.datetime, dt.datetime]) -> bool:
    if starts_at is None:
        return False
    return starts_at < window[1] and (ends_at is None or ends_at > window[0])


__all__ = ["SyncConfig", "Synchronizer"]
