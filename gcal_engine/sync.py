"""One synchronization run between a Google calendar and a local calendar.

    report = Synchronizer(client, local, SyncConfig(calendar_id="primary")).run()

A run lists what changed on Google (from the sync token, or a windowed full list the first time
and after a 410), page by page; pairs each change with its binding and any local change; lets the
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

from . import planner
from .client import CalendarClient
from .errors import EngineError, GoogleApiError, MappingError, MassDeletionError, NotFoundError, SyncTokenExpiredError
from .executor import Executor
from .local import LocalCalendar, LocalChange, SyncState
from .mapping import from_google
from .model import Event, deleted, google_id_of
from .actions import LOCAL_DELETIONS, Action, ConflictPolicy, Context, Item, Mode, Plan, RunKind
from .report import EventProblem, RunReport

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
                           self.local.namespace, tuple(getattr(self.local, "retired_properties", ())))
        report.kind = kind.value
        self.executor = Executor(self.client, self.local, config.calendar_id, self.ctx, report, state)
        self.deletions: list[Action] = []  # held until the end, behind the mass-deletion guard

        self.retry, state.retry_google_ids = state.retry_google_ids, set()
        changes = list(self.local.pending_changes(full=kind is not RunKind.INCREMENTAL, window=self.window))
        self.bound_changes = {c.binding.google_id: c for c in changes if c.binding is not None}
        self.unbound_changes = {c.local_ref: c for c in changes if c.binding is None}
        # A series deleted on one side takes its occurrences with it: changes to them are moot.
        self.doomed_series = {c.binding.google_id for c in changes if c.event is None and c.binding is not None}

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
            next_token, seen = self._pull(None)

        if self.retry - seen:
            self._process(self._fetch(self.retry - seen))
        if self.ctx.kind is not RunKind.INCREMENTAL:
            self._vanished(seen)

        doomed_local = {a.binding.local_ref for a in self.deletions if isinstance(a, LOCAL_DELETIONS)}
        leftovers = [c for c in (*self.bound_changes.values(), *self.unbound_changes.values())
                     if not (c.event is not None and c.series_local_ref in doomed_local)]
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

    # -- Google's changes --------------------------------------------------------------------

    def _pull(self, sync_token: str | None) -> tuple[str | None, set[str]]:
        """List and apply Google's changes page by page; (next sync token, ids seen)."""
        pages = self.client.list_events(
            self.config.calendar_id,
            sync_token=sync_token,
            time_min=None if sync_token else self.window[0],
            time_max=None if sync_token else self.window[1],
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
                self.report.counts["skipped_special_events"] += 1
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
        series = {e.recurring_event_id for e in events if e.recurring_event_id}
        bindings = self.local.bindings_for({google_id_of(e) for e in events} | series)
        live = {google_id_of(e) for e in events if not e.cancelled} | set(bindings)
        # A cancelled occurrence of a series this side never had (or just lost) is nothing to apply.
        events = [e for e in events if not (e.cancelled and e.is_instance and e.google_id not in bindings
                                            and e.recurring_event_id not in live)
                  and not (e.is_instance and e.recurring_event_id in self.doomed_series)]
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
                if local is not None:
                    local = self.unbound_changes.pop(local.local_ref, local)
            items.append(Item(binding, event, local))
        self._execute(planner.plan(items, self.ctx))

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
        self._execute(planner.plan(gone, self.ctx))

    def _execute(self, plan: Plan) -> None:
        self.report.conflicts += plan.conflicts
        if plan.ignored:
            self.report.counts["ignored_one_way"] += plan.ignored
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


def _inside(starts_at: dt.datetime | None, ends_at: dt.datetime | None, window: tuple[dt.datetime, dt.datetime]) -> bool:
    if starts_at is None:
        return False
    return starts_at < window[1] and (ends_at is None or ends_at > window[0])


__all__ = ["ConflictPolicy", "EngineError", "LocalChange", "Mode", "SyncConfig", "SyncState", "Synchronizer"]
