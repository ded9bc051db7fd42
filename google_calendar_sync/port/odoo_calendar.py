"""gcal_engine's LocalCalendar over Odoo's ORM, for one user's synchronization.

Local references name Odoo records (see local_ref). Bindings are ``google.calendar.binding``
rows, read and written through the binder; a person's edit marks them dirty (binder.mark_changed),
which is what ``pending_changes`` reads. Writes made here carry the ``google_calendar_sync`` context
key, so they are never taken for a person's edit. ``commit`` ends the transaction, so a run
killed midway loses at most the step in progress, never a binding of a write Google confirmed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Collection, Iterator, Sequence

from gcal_engine import local as engine
from gcal_engine.errors import EngineError, LocalWriteError
from gcal_engine.model import Access, Event, Reminder

from odoo import api, fields, models

from . import bounds, record_mapping
from ..switch import odoo_markers
from .attendance import Attendance
from .binder import Binder
from .event_matcher import EventMatcher
from .local_events import LocalEvents
from .local_ref import LocalRef
from .local_writes import LocalWrites
from .partners import Partners
from ..rules.sync_window import EXTENSION_STEP, sync_window
from ..jobs.transaction import Transaction

UTC = dt.timezone.utc
SYNC_CONTEXT = {
    "google_calendar_sync": True,
    "dont_notify": True,
    "no_mail_to_attendees": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "tracking_disable": True,
    "active_test": False,
    # Odoo 19 appends the organizer's contact details to a new event's description unless told
    # not to: an event from Google keeps Google's (Odoo 18 has no such key).
    "skip_contact_description": True,
}


class OdooCalendar(engine.LocalCalendar):
    """One ``google.calendar.sync`` record's calendar, as gcal_engine sees it (declared as the
    engine's port, so that mypy checks every method against it)."""

    managed_fields = record_mapping.MANAGED_FIELDS

    def __init__(self, sync: models.BaseModel, default_reminders: Sequence[Reminder] = ()) -> None:
        """``default_reminders``: the Google calendar's (``Reminder``s), for events that use them."""
        self.sync = sync.sudo()
        self.env: api.Environment = self.sync.env(context=dict(self.sync.env.context, **SYNC_CONTEXT))
        self.user = self.sync.user_id
        self.namespace = self.env["google.calendar.sync"]._namespace()
        self._marker_prefix = odoo_markers.prefix(self.env)  # Odoo's own module's, after a switch from it
        self.retired_properties = odoo_markers.retired_keys(self._marker_prefix)
        self.Event = self.env["calendar.event"]
        self.Recurrence = self.env["calendar.recurrence"]
        self.binder = Binder(self.sync, self.env)
        self.transaction = Transaction(self.env)
        self.cuts: list[tuple[str, Event, bounds.Cut]] = []  # the Google events not kept whole
        self.budget = bounds.Budget()  # the records this run may still make from Google
        self._written = False  # since the last commit: an idle run commits nothing, re-reads nothing
        self._default_reminders = default_reminders

    # What only runs with something to read or write need (an idle run reads none of it).

    @functools.cached_property
    def people(self) -> record_mapping.People:
        connected = self.env["google.account"].search([("state", "=", "connected"), ("email", "!=", False)])
        return record_mapping.People(
            own_partner=self.user.partner_id.id,
            own_email=(self.sync.account_id.email or self.user.email or "").lower(),
            google_emails={account.user_id.partner_id.id: account.email.lower() for account in connected
                           if account.user_id != self.user},
        )

    @functools.cached_property
    def reads(self) -> LocalEvents:
        return LocalEvents(self.env, self.user, self.people, self.binder)

    @functools.cached_property
    def attendance(self) -> Attendance:
        return Attendance(self.sync)

    @functools.cached_property
    def matcher(self) -> EventMatcher:
        return EventMatcher(self.env, self.sync, self.binder, self.reads, self.namespace, self.attendance,
                            self._marker_prefix)

    @functools.cached_property
    def writes(self) -> LocalWrites:
        partners = Partners(self.env, self.user, self.people)
        return LocalWrites(self.env, self.user, self.binder, self.reads, partners, self._default_reminders, self.cuts,
                           self.budget)

    # -- state -------------------------------------------------------------------------------

    def load_state(self) -> engine.SyncState:
        retry = json.loads(self.sync.retry_google_ids or "[]")
        spans = [(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
                 for start, end in json.loads(self.sync.added_ranges or "[]")]
        return engine.SyncState(self.sync.sync_token or None, set(retry), spans)

    def save_state(self, state: engine.SyncState) -> None:
        values = {
            "sync_token": state.sync_token or False,
            "retry_google_ids": json.dumps(sorted(state.retry_google_ids)) if state.retry_google_ids else False,
            "added_ranges": json.dumps([[start.isoformat(), end.isoformat()] for start, end in state.added_ranges])
            if state.added_ranges else False,
        }
        if any(self.sync[key] != value for key, value in values.items()):
            # Not a reason to commit by itself: a new token alone goes with the run's outcome (an
            # older token still lists the same changes, should the run stop before).
            self.sync.write(values)

    def commit(self) -> None:
        """End the transaction: what Google confirmed and its bindings are durable together. What
        was read and written leaves the cache with it: a first import holds a page, not the
        whole calendar."""
        if self._written:
            self.transaction.commit()
            self.env.invalidate_all()
            self._written = False

    # -- bindings ----------------------------------------------------------------------------

    def binding_count(self) -> int:
        return self.binder.count()

    def bindings_for(self, google_ids: Collection[str]) -> dict[str, engine.Binding]:
        return self.binder.for_google(google_ids)

    def all_bindings(self) -> Iterator[engine.Binding]:
        return self.binder.all()

    def bind_many(self, bindings: Sequence[engine.Binding]) -> None:
        if bindings:
            self._written = True
            self.binder.bind_many(bindings)

    def unbind(self, binding: engine.Binding) -> None:
        self._written = True
        self.binder.unbind(binding)

    def record_error(self, local_ref: str | None, google_id: str | None, error: EngineError) -> None:
        self._written = True
        self.binder.record_error(local_ref, google_id, error)

    # -- reading -----------------------------------------------------------------------------

    def _change(self, row: models.BaseModel, event: Event | None, access: Access) -> engine.LocalChange:
        series = row.series_binding_id
        return engine.LocalChange(
            local_ref=row.local_ref,
            event=event,
            modified_at=(row.dirty_at or row.write_date).replace(tzinfo=UTC),
            binding=self.binder.binding(row) if row.google_id else None,
            notify=row.notify,
            series_local_ref=series.local_ref if series else None,
            series_google_id=series.google_id or None if series else None,
            access=access,
        )

    def _record_of(self, row: models.BaseModel) -> models.BaseModel:
        """The Odoo event that decides a row's access: the event, a series' base (an occurrence
        goes with its series)."""
        row = row.series_binding_id or row
        return row.event_id or row.recurrence_id.base_event_id or row.base_event_id

    def pending_changes(self, full: bool, window: tuple[dt.datetime, dt.datetime]) -> Iterator[engine.LocalChange]:
        for row in self.binder.rows(("dirty", "=", True)):
            stored = Access(row.access)
            record = self._record_of(row)
            access = self.attendance.access(record, stored) if record else stored
            # An event no longer this user's to show goes as a deletion, under what it was.
            event = self.reads.of_row(row) if access is not None else None
            yield self._change(row, event, access or stored)
        if full:
            yield from self._unbound_in_window(window)

    def _unbound_in_window(self, window: tuple[dt.datetime, dt.datetime]) -> Iterator[engine.LocalChange]:
        """On a first sync or a resync: the events of this user's calendar that have no binding
        yet: those they organize, and the copies of those they attend (see attendance); and any
        other that was bound on this calendar before, with that binding (``remembered``: the engine
        finds it again, or finds it deleted there meanwhile)."""
        start, stop = record_mapping.odoo_datetime(window[0]), record_mapping.odoo_datetime(window[1])
        known = self.binder.rows()
        bound_events, bound_series = set(known.event_id.ids), set(known.recurrence_id.ids)
        partner = self.user.partner_id.id
        # After a reset to "only new events", what existed then stays out (ids only grow).
        singles = self.Event.search([
            "|", ("user_id", "=", self.user.id), ("partner_ids", "in", partner),
            ("recurrence_id", "=", False), ("active", "=", True),
            ("stop", ">", start), ("start", "<", stop), ("id", "not in", list(bound_events)),
            ("id", ">", self.sync.new_after_event_id),
        ])
        series = self.Recurrence.search([
            "|", ("base_event_id.user_id", "=", self.user.id), ("base_event_id.partner_ids", "in", partner),
            ("id", "not in", list(bound_series)), ("id", ">", self.sync.new_after_series_id),
        ])
        # (A series split from an older one is new, but its events are not.)
        series = series.filtered(lambda r: r.calendar_event_ids and r.base_event_id.id > self.sync.new_after_event_id)
        remembered = self.binder.remembered_here(
            [str(LocalRef.event(e.id)) for e in singles] + [str(LocalRef.series(r.id)) for r in series])
        for event in singles:
            access, ref = self.attendance.access(event), str(LocalRef.event(event.id))
            if access is None or (access not in (Access.ORGANIZER, Access.COPY) and ref not in remembered):
                continue
            yield engine.LocalChange(ref, self.reads.single(event), event.write_date.replace(tzinfo=UTC),
                                     notify=False, access=access, remembered=remembered.get(ref))
        for recurrence in series:
            access, series_ref = self.attendance.access(recurrence.base_event_id), str(LocalRef.series(recurrence.id))
            sends = access in (Access.ORGANIZER, Access.COPY)
            if access is None or (not sends and series_ref not in remembered):
                continue
            series_event = self.reads.series(recurrence)
            whole = engine.LocalChange(series_ref, series_event, recurrence.write_date.replace(tzinfo=UTC),
                                       notify=False, access=access, remembered=remembered.get(series_ref))
            yield whole
            if not sends:
                continue  # (an invitation's occurrences are its organizer's)
            # Its occurrences that were exceptions on Google (moved, changed, deleted) go along.
            sent = set()
            for local_ref, event in self.reads.remembered_occurrences(recurrence):
                yield engine.LocalChange(local_ref, event, whole.modified_at, notify=False,
                                         series_local_ref=series_ref, access=access)
                assert event.original_start is not None  # an occurrence's, as remembered
                sent.add(event.original_start.instant())
            yield from self._exceptions(recurrence, whole, series_event, sent)

    def _exceptions(self, recurrence: models.BaseModel, whole: engine.LocalChange, series: Event,
                    sent: set[dt.datetime]) -> Iterator[engine.LocalChange]:
        """The occurrences of a series sent whole (``whole``, unbound: to a calendar that has not
        had it, or after a reset; ``series``: its event) that are not as the series has them, and were never exceptions
        on Google (``sent``: the original starts of those that were): deleted or changed here
        since. (Where a moved occurrence came from is not known without its binding: it goes as
        the series has it.)"""
        occurrences = self.Event.search([("recurrence_id", "=", recurrence.id), ("follow_recurrence", "=", True),
                                         ("id", "!=", recurrence.base_event_id.id)])
        for event in occurrences:
            original = record_mapping.original_start_of(event)
            if original.instant() in sent:
                continue
            if event.active:
                occurrence = self.reads.occurrence(event, original)
                in_place = occurrence.replace(start=series.start, end=series.end, recurrence=series.recurrence,
                                              original_start=None)
                if in_place.content_hash(self.managed_fields) == series.content_hash(self.managed_fields):
                    continue
            else:
                occurrence = record_mapping.cancelled_occurrence(original)
            yield engine.LocalChange(str(LocalRef.event(event.id)), occurrence, event.write_date.replace(tzinfo=UTC),
                                     notify=False, series_local_ref=whole.local_ref, access=whole.access)

    def match(self, events: Sequence[Event]) -> dict[str, engine.LocalChange]:
        return self.matcher.match(events)

    # -- writing (local_writes) -------------------------------------------------------------

    def create_many(self, events: Sequence[Event]) -> list[tuple[str, Event] | LocalWriteError]:
        self._written = True
        return self.writes.create_many(events)

    def update(self, local_ref: str, event: Event) -> tuple[str, Event]:
        self._written = True
        return self.writes.update(local_ref, event)

    def delete(self, local_ref: str) -> None:
        self._written = True
        self.writes.delete(local_ref)

    def archive(self, local_ref: str) -> None:
        self._written = True
        self.writes.archive(local_ref)

    def answer(self, local_ref: str, response: str) -> Event:
        self._written = True
        return self.writes.answer(local_ref, response)

    def withdraw(self, local_ref: str) -> None:
        self._written = True
        self.writes.withdraw(local_ref)

    # -- the window moving on ---------------------------------------------------------------

    def extend_series(self) -> bool:
        """Bring in the occurrences of this user's Google series that entered the window since
        they were made (a day's worth at least), as far as the run has room for, and commit;
        whether some are left for the next run."""
        _past, future = sync_window(self.env)
        due = fields.Datetime.now() + future - EXTENSION_STEP
        recurrences = self.binder.rows(
            ("recurrence_id.google_recurrence", "!=", False),
            "|", ("recurrence_id.google_shown_until", "=", False), ("recurrence_id.google_shown_until", "<=", due),
        ).recurrence_id
        if not recurrences:
            return False
        self._written = True
        waiting = recurrences._google_extend(self.budget)
        self.commit()
        return bool(waiting)
