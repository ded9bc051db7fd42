"""gcal_engine's LocalCalendar over Odoo's ORM, for one user's synchronization.

Local references name Odoo records (see local_ref). Bindings are ``google.calendar.binding``
rows (binding_store); a person's edit marks them dirty (see models/calendar_event.py), which
is what ``pending_changes`` reads. Writes made here carry the ``google_calendar_sync`` context
key, so they are never taken for a person's edit. ``commit`` ends the transaction, so a run
killed midway loses at most the step in progress, never a binding of a write Google confirmed.
"""

import datetime as dt
import json

from gcal_engine import local as engine
from gcal_engine.errors import LocalWriteError, RecurrenceError
from gcal_engine.merge import Access

from odoo.exceptions import UserError, ValidationError

from . import bounds, mapping, odoo_markers
from .alarms import Alarms
from .attendance import Attendance
from .binding_store import BindingStore
from .event_matcher import EventMatcher
from .local_events import LocalEvents
from .local_ref import LocalRef
from .partners import Partners
from .transaction import Transaction

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
}
# What Odoo refuses a write with: the run reports that event and goes on.
REFUSALS = (UserError, ValidationError, ValueError, RecurrenceError)


class OdooCalendar:
    """One ``google.calendar.sync`` record's calendar, as gcal_engine sees it."""

    managed_fields = mapping.MANAGED_FIELDS

    def __init__(self, sync):
        self.sync = sync.sudo()
        self.env = self.sync.env(context=dict(self.sync.env.context, **SYNC_CONTEXT))
        self.user = self.sync.user_id
        self.namespace = self.env["google.calendar.sync"]._namespace()
        marker_prefix = odoo_markers.prefix(self.env)
        self.retired_properties = odoo_markers.retired_keys(marker_prefix)
        self.Event = self.env["calendar.event"]
        self.Recurrence = self.env["calendar.recurrence"]
        self.people = self._people()
        self.store = BindingStore(self.sync, self.env)
        self.reads = LocalEvents(self.env, self.user, self.people, self.store)
        self.attendance = Attendance(self.sync)
        self.matcher = EventMatcher(self.env, self.sync, self.store, self.reads, self.namespace, self.attendance,
                                    marker_prefix)
        self.partners = Partners(self.env, self.user, self.people)
        self.alarms = Alarms(self.env)
        self.transaction = Transaction(self.env)
        self._written = False  # since the last commit: an idle run commits nothing, re-reads nothing
        self.cuts = []  # (local reference, event, bounds.Cut): Google events not kept whole

    def _people(self):
        connected = self.env["google.account"].search([("state", "=", "connected"), ("email", "!=", False)])
        return mapping.People(
            own_partner=self.user.partner_id.id,
            own_email=(self.sync.account_id.email or self.user.email or "").lower(),
            google_emails={account.user_id.partner_id.id: account.email.lower() for account in connected
                           if account.user_id != self.user},
        )

    # -- state -------------------------------------------------------------------------------

    def load_state(self):
        retry = json.loads(self.sync.retry_google_ids or "[]")
        return engine.SyncState(self.sync.sync_token or None, set(retry))

    def save_state(self, state):
        values = {
            "sync_token": state.sync_token or False,
            "retry_google_ids": json.dumps(sorted(state.retry_google_ids)) if state.retry_google_ids else False,
        }
        if any(self.sync[key] != value for key, value in values.items()):
            self.sync.write(values)
            self._written = True

    def commit(self):
        """End the transaction: what Google confirmed and its bindings are durable together."""
        if self._written:
            self.transaction.commit()
            self._written = False

    # -- bindings ----------------------------------------------------------------------------

    def binding_count(self):
        return self.store.count()

    def bindings_for(self, google_ids):
        return self.store.for_google(google_ids)

    def all_bindings(self):
        return self.store.all()

    def bind_many(self, bindings):
        if bindings:
            self._written = True
            self.store.bind_many(bindings)

    def unbind(self, binding):
        self._written = True
        self.store.unbind(binding)

    def record_error(self, local_ref, google_id, error):
        self._written = True
        self.store.record_error(local_ref, google_id, error)

    # -- reading -----------------------------------------------------------------------------

    def _change(self, row, event, access):
        series = row.series_binding_id
        return engine.LocalChange(
            local_ref=row.local_ref,
            event=event,
            modified_at=(row.dirty_at or row.write_date).replace(tzinfo=UTC),
            binding=self.store.binding(row) if row.google_id else None,
            notify=row.notify,
            series_local_ref=series.local_ref if series else None,
            series_google_id=series.google_id or None if series else None,
            access=access,
        )

    def _record_of(self, row):
        """The Odoo event that decides a row's access: the event, a series' base (an occurrence
        goes with its series)."""
        row = row.series_binding_id or row
        return row.event_id or row.recurrence_id.base_event_id or row.base_event_id

    def pending_changes(self, full, window):
        for row in self.store.rows(("dirty", "=", True)):
            stored = Access(row.access)
            record = self._record_of(row)
            access = self.attendance.access(record, stored) if record else stored
            # An event no longer this user's to show goes as a deletion, under what it was.
            event = self.reads.of_row(row) if access is not None else None
            yield self._change(row, event, access or stored)
        if full:
            yield from self._unbound_in_window(window)

    def _unbound_in_window(self, window):
        """On a first sync or a resync: the events of this user's calendar that have no binding
        yet: those they organize, and the copies of those they attend (see attendance)."""
        start, stop = mapping.odoo_datetime(window[0]), mapping.odoo_datetime(window[1])
        known = self.store.rows()
        bound_events, bound_series = set(known.event_id.ids), set(known.recurrence_id.ids)
        partner = self.user.partner_id.id
        # After a reset to "only new events", what existed then stays out (ids only grow).
        singles = self.Event.search([
            "|", ("user_id", "=", self.user.id), ("partner_ids", "in", partner),
            ("recurrence_id", "=", False), ("active", "=", True),
            ("stop", ">", start), ("start", "<", stop), ("id", "not in", list(bound_events)),
            ("id", ">", self.sync.new_after_event_id),
        ])
        for event in singles:
            access = self.attendance.access(event)
            if access in (Access.ORGANIZER, Access.COPY):
                yield engine.LocalChange(str(LocalRef.event(event.id)), self.reads.single(event),
                                         event.write_date.replace(tzinfo=UTC), notify=False, access=access)
        series = self.Recurrence.search([
            "|", ("base_event_id.user_id", "=", self.user.id), ("base_event_id.partner_ids", "in", partner),
            ("id", "not in", list(bound_series)), ("id", ">", self.sync.new_after_series_id),
        ])
        for recurrence in series.filtered("calendar_event_ids"):
            access = self.attendance.access(recurrence.base_event_id)
            if access in (Access.ORGANIZER, Access.COPY):
                yield engine.LocalChange(str(LocalRef.series(recurrence.id)), self.reads.series(recurrence),
                                         recurrence.write_date.replace(tzinfo=UTC), notify=False, access=access)

    def match(self, events):
        return self.matcher.match(events)

    # -- writing -----------------------------------------------------------------------------

    def create_many(self, events):
        cut = [bounds.bounded(event) for event in events]
        results = self._create_many([event for event, _ in cut])
        for (event, what), result in zip(cut, results):
            if what and isinstance(result, tuple):
                self.cuts.append((result[0], event, what))
        return results

    def _create_many(self, events):
        self._written = True
        alarms = self.alarms.ids_for(events)
        guests = self.partners.guests(events)
        singles = [e for e in events if not e.is_series and not e.is_instance]
        results = {}
        values = []
        for event in singles:
            vals = mapping.record_values(event, alarms)
            vals.update(mapping.new_guest_values(event, guests), user_id=self.partners.organizer(event))
            values.append(vals)
        try:
            with self.env.cr.savepoint():
                records = self.Event.create(values)
            for event, record in zip(singles, records):
                results[id(event)] = (str(LocalRef.event(record.id)), self.reads.single(record))
        except REFUSALS as error:
            if len(singles) > 1:
                for event in singles:
                    results[id(event)] = self._create_many([event])[0]
            else:
                results[id(singles[0])] = LocalWriteError(_explain(error))
        for event in events:
            if event.is_series:
                results[id(event)] = self._guarded(self._create_series, event, alarms, guests)
            elif event.is_instance:
                results[id(event)] = self._guarded(self._apply_occurrence, None, event, alarms, guests)
        return [results[id(event)] for event in events]

    def _guarded(self, method, *args):
        try:
            with self.env.cr.savepoint():
                return method(*args)
        except REFUSALS as error:
            return LocalWriteError(_explain(error))

    def _create_series(self, event, alarms, guests):
        vals = mapping.record_values(event, alarms)
        vals.update(mapping.new_guest_values(event, guests), user_id=self.partners.organizer(event))
        base = self.Event.create(vals)
        recurrence = self.Recurrence._google_create(base, event)
        return str(LocalRef.series(recurrence.id)), self.reads.series(recurrence)

    def _series_of(self, event):
        row = self.store.row_of_google(event.recurring_event_id)
        if not row.recurrence_id:
            raise LocalWriteError(self.env._("The series of this occurrence is not in Odoo."))
        return row.recurrence_id

    def _apply_occurrence(self, local_ref, event, alarms, guests):
        """Make the occurrence at ``event.original_start`` look like Google's exception."""
        recurrence = self._series_of(event)
        occurrence = self.Event.browse(LocalRef.parse(local_ref).record_id).exists() if local_ref else \
            self.reads.find_occurrence(recurrence, event.original_start)
        if event.cancelled:
            occurrence.unlink()
            if local_ref:
                return local_ref, event
            ref = LocalRef.event(occurrence.id) if occurrence else LocalRef.cancelled_occurrence(
                recurrence.id, mapping.encode_original(event.original_start))
            return str(ref), event
        vals = mapping.record_values(event, alarms)
        vals["follow_recurrence"] = False
        if occurrence:
            occurrence.write(dict(vals, recurrence_update="self_only"))
            mapping.set_guests(occurrence, event, guests)
        else:
            vals.update(mapping.new_guest_values(event, guests), user_id=recurrence.base_event_id.user_id.id,
                        recurrence_id=recurrence.id, recurrency=True)
            occurrence = self.Event.create(vals)
        return str(LocalRef.event(occurrence.id)), self.reads.occurrence(occurrence, event.original_start)

    def update(self, local_ref, event):
        event, what = bounds.bounded(event)
        local = self._update(local_ref, event)
        if what:
            self.cuts.append((local_ref, event, what))
        return local

    def _update(self, local_ref, event):
        self._written = True
        alarms = self.alarms.ids_for([event])
        guests = self.partners.guests([event])
        ref = LocalRef.parse(local_ref)
        try:
            with self.env.cr.savepoint():
                if event.is_instance:
                    return self._apply_occurrence(local_ref, event, alarms, guests)[1]
                if not ref.is_event:
                    recurrence = self.Recurrence.browse(ref.record_id).exists()
                    if not recurrence:
                        raise LocalWriteError(self.env._("This series is no longer in Odoo."))
                    recurrence._google_update(event, mapping.record_values(event, alarms), guests)
                    return self.reads.series(recurrence)
                record = self.Event.browse(ref.record_id).exists()
                if not record:
                    raise LocalWriteError(self.env._("This event is no longer in Odoo."))
                record.write(mapping.record_values(event, alarms))
                mapping.set_guests(record, event, guests)
                return self.reads.single(record)
        except REFUSALS as error:
            raise LocalWriteError(_explain(error)) from error

    def archive(self, local_ref):
        """Google deleted what was edited here meanwhile: out of sight, still recoverable (the log
        links it)."""
        self._written = True
        self._events_of(local_ref).write({"active": False})

    def answer(self, local_ref, response):
        """The user's answer to someone else's event, given on Google."""
        self._written = True
        events = self._events_of(local_ref)
        mine = events.attendee_ids.filtered(lambda attendee: attendee.partner_id == self.user.partner_id)
        mine.write({"state": response})
        return self.reads.of_ref(local_ref)

    def _events_of(self, local_ref):
        """The events a reference names: one, or all of a series'."""
        ref = LocalRef.parse(local_ref)
        if ref.is_series:
            return self.Recurrence.browse(ref.record_id).exists().calendar_event_ids
        return self.Event.browse(ref.record_id).exists() if ref.is_event else self.Event

    def withdraw(self, local_ref):
        """The user removed someone else's event from their Google calendar: they decline it. An
        invitation from outside Odoo that nobody else here attends goes with it."""
        self._written = True
        partner = self.user.partner_id
        for event in self._events_of(local_ref):
            internal = event.partner_ids.user_ids.filtered(lambda user: not user.share)
            if not event.user_id and internal == self.user:
                event.unlink()
            else:
                event.attendee_ids.filtered(lambda attendee: attendee.partner_id == partner).write(
                    {"state": "declined"})

    def delete(self, local_ref):
        self._written = True
        ref = LocalRef.parse(local_ref)
        if ref.is_series:
            recurrence = self.Recurrence.browse(ref.record_id).exists()
            events = recurrence.calendar_event_ids
            recurrence.unlink()
            events.unlink()
        elif ref.is_event:
            self.Event.browse(ref.record_id).exists().unlink()


def _explain(error):
    """What Odoo said when it refused a write (already in the user's language)."""
    return error.args[0] if getattr(error, "args", None) else str(error)
