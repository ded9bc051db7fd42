"""Google events without a binding that already are Odoo events: found before anything is
created, so that nothing exists twice.

A full list (a first synchronization, a resynchronization after a 410, a window or direction
change, a reset, another calendar or account) meets events that Odoo holds without a binding
of this synchronization. They are found by what Odoo knows of them, in this order: the link this
database wrote on Google; the marker of Odoo's own module, after a switch from it; the iCalUID,
from another synchronization's binding (the same meeting on a colleague's calendar) or from the
identity Odoo kept when a binding was forgotten (models/google_calendar_identity.py); for an
occurrence, its series (bound, or found in the same batch) and where the series put it. An event
found through a forgotten binding comes with it: what both sides agreed on then is the base that
tells what changed since, on which side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence

from gcal_engine import local as engine
from gcal_engine.ids import local_ref_from_link
from gcal_engine.model import Access, Event

from odoo import api, models

from . import record_mapping
from ..switch import odoo_markers
from .attendance import Attendance
from .binder import Binder
from .local_events import LocalEvents
from .local_ref import LocalRef

UTC = dt.timezone.utc
NEVER = dt.datetime(1970, 1, 1, tzinfo=UTC)  # when a record was never edited by a person


class EventMatcher:
    def __init__(self, env: api.Environment, sync: models.BaseModel, binder: Binder, reads: LocalEvents,
                 namespace: str, attendance: Attendance, marker_prefix: str = "") -> None:
        self.env = env
        self.marker_prefix = marker_prefix  # Odoo's own module's, after a switch from it
        self.sync = sync
        self.binder = binder
        self.reads = reads
        self.namespace = namespace
        self.attendance = attendance
        self.Identity = env["google.calendar.identity"]

    def _access_of(self, local_ref: str) -> Access:
        ref = LocalRef.parse(local_ref)
        if ref.is_event:
            record = self.env["calendar.event"].browse(ref.record_id).exists()
        else:
            record = self.env["calendar.recurrence"].browse(ref.record_id).exists().base_event_id
        return self.attendance.access(record) or Access.ORGANIZER

    def match(self, events: Sequence[Event]) -> dict[str, engine.LocalChange]:
        """{Google id: local change} for the unbound ``events`` that are Odoo events (see the
        module's docstring); each Odoo event is found once."""
        found: dict[str, engine.LocalChange] = {}
        uids = {event.ical_uid for event in events if event.ical_uid}
        others = self._bindings_by_uid(uids)
        remembered = self._identities_by_uid(uids)
        # Google id of a series found in this batch -> its recurrence (read by an instance's series id)
        series_found: dict[str | None, models.BaseModel] = {}
        for event in sorted(events, key=lambda e: e.is_instance):  # a series before its occurrences
            assert event.google_id is not None  # an event read from Google
            if event.is_instance:
                change = self._occurrence(event, series_found.get(event.recurring_event_id))
            else:
                change = (self._by_link(event) or self._by_odoo_marker(event) or self._by_ical(event, others)
                          or self._by_identity(event, remembered))
            if change is None or any(c.local_ref == change.local_ref for c in found.values()):
                continue
            found[event.google_id] = self._with_base(change, event, remembered)
            ref = LocalRef.parse(change.local_ref)
            if event.is_series and ref.is_series:
                series_found[event.google_id] = self.env["calendar.recurrence"].browse(ref.record_id)
        return found

    # -- what Odoo knows, read for the batch in one query each -------------------------------------

    def _bindings_by_uid(self, uids: Collection[str]) -> dict[str | None, models.BaseModel]:
        """Series and single events of any synchronization, by iCalUID."""
        others: dict[str | None, models.BaseModel] = {}  # read by an event's iCalUID, which may be None
        for row in self.env["google.calendar.binding"].search(
                [("ical_uid", "in", list(uids)), ("series_binding_id", "=", False)], order="id") if uids else ():
            others.setdefault(row.ical_uid, row)
        return others

    def _identities_by_uid(self, uids: Collection[str]) -> dict[str | None, list[models.BaseModel]]:
        remembered: dict[str | None, list[models.BaseModel]] = {}
        for identity in self.Identity.search([("ical_uid", "in", list(uids))], order="id desc") if uids else ():
            remembered.setdefault(identity.ical_uid, []).append(identity)
        return remembered

    def _with_base(self, change: engine.LocalChange, event: Event,
                   remembered: Mapping[str | None, list[models.BaseModel]]) -> engine.LocalChange:
        """``change`` with the binding Odoo remembers for this pair in this calendar, if any: what
        both sides agreed on when it was forgotten, and how the event was the user's."""
        calendar = self.binder.calendar()
        for identity in remembered.get(event.ical_uid, ()):
            if identity.local_ref == change.local_ref and identity.calendar == calendar:
                assert event.google_id is not None  # an event read from Google
                base = self.binder.remembered(identity, event.google_id)
                return engine.LocalChange(change.local_ref, change.event, change.modified_at, base, change.notify,
                                          change.series_local_ref, change.series_google_id, base.access)
        return change

    # -- the ways an Odoo event is found ---------------------------------------------------------

    def _by_link(self, event: Event) -> engine.LocalChange | None:
        local_ref = local_ref_from_link(self.namespace, event.link)
        if not local_ref or event.is_instance:
            return None
        return self._by_ref(local_ref)

    def _by_odoo_marker(self, event: Event) -> engine.LocalChange | None:
        """An event Odoo's module created and never linked (its answer lost), or a series Google
        split: the Odoo record is this event unless it is bound already, as Odoo's rule had it."""
        local_ref = odoo_markers.local_ref(event, self.marker_prefix)
        return self._by_ref(local_ref) if local_ref else None

    def _by_ref(self, local_ref: str) -> engine.LocalChange | None:
        row = self.binder.row(local_ref)
        if row.google_id:
            return None  # already bound to another Google event
        current = self.reads.of_ref(local_ref)
        if current is None and not row.dirty and not self.Identity.search_count(
                [("local_ref", "=", local_ref), ("calendar", "=", self.binder.calendar())], limit=1):
            return None  # (one deleted since its binding here was forgotten: found as its deletion)
        # A dirty row without its event is a deletion not yet sent: the newer change will win.
        edited = row.dirty_at.replace(tzinfo=UTC) if row.dirty and row.dirty_at else NEVER
        return engine.LocalChange(local_ref, current, edited, access=self._access_of(local_ref))

    def _by_ical(self, event: Event,
                 others: Mapping[str | None, models.BaseModel]) -> engine.LocalChange | None:
        """``others``: bindings by iCalUID, of any user's synchronization."""
        other = others.get(event.ical_uid)
        if not other:
            return None
        current = self.reads.of_ref(other.local_ref)
        mine = self.binder.row(other.local_ref)
        if current is None or mine.google_id and mine.access != Access.COPY.value:
            return None  # gone here, or bound to another Google event that no invitation replaces
        return engine.LocalChange(other.local_ref, current, NEVER, access=self._access_of(other.local_ref))

    def _by_identity(self, event: Event,
                     remembered: Mapping[str | None, list[models.BaseModel]]) -> engine.LocalChange | None:
        """An Odoo event or series that was this Google event in a binding since forgotten."""
        for identity in remembered.get(event.ical_uid, ()):
            if identity.original_start:
                continue
            record = identity.recurrence_id if event.is_series else identity.event_id
            if not record or (not event.is_series and identity.recurrence_id):
                continue
            local_ref = str(LocalRef.series(record.id) if event.is_series else LocalRef.event(record.id))
            current = self.reads.of_ref(local_ref)
            if current is not None and not self.binder.row(local_ref).google_id:
                return engine.LocalChange(local_ref, current, NEVER, access=self._access_of(local_ref))
        return None

    def _occurrence(self, event: Event,
                    recurrence: models.BaseModel | None = None) -> engine.LocalChange | None:
        """The Odoo occurrence of Google's instance ``event``, in its series bound here, or found
        in this batch (``recurrence``); a deleted one Odoo remembers, as its cancellation."""
        assert event.recurring_event_id is not None and event.original_start is not None  # Google's instance
        series = self.binder.row_of_google(event.recurring_event_id)
        recurrence = series.recurrence_id or recurrence
        if not recurrence:
            return None
        original = record_mapping.decode_original(record_mapping.encode_original(event.original_start))
        occurrence = self.reads.find_occurrence(recurrence, original)
        local_ref: str | None
        current: Event | None
        if occurrence:
            local_ref = str(LocalRef.event(occurrence.id))
            current = self.reads.occurrence(occurrence, original) if occurrence.active else (
                record_mapping.cancelled_occurrence(original))
        else:
            local_ref, current = next(((ref, remembered) for ref, remembered in self.reads.remembered_occurrences(
                recurrence) if remembered.cancelled and remembered.original_start == original), (None, None))
            if local_ref is None:
                return None
        if self.binder.row(local_ref).google_id:
            return None  # bound to another Google event already
        series_ref = series.local_ref if series else str(LocalRef.series(recurrence.id))
        access = Access(series.access) if series else self._access_of(series_ref)
        return engine.LocalChange(local_ref, current, NEVER, series_local_ref=series_ref,
                                  series_google_id=event.recurring_event_id, access=access)
