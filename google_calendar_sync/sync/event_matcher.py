"""Google events without a binding that already are Odoo events: found before anything is
created, so that nothing exists twice."""

import datetime as dt

from gcal_engine import local as engine
from gcal_engine.ids import local_ref_from_link
from gcal_engine.merge import Access

from . import odoo_markers
from .local_ref import LocalRef

UTC = dt.timezone.utc
NEVER = dt.datetime(1970, 1, 1, tzinfo=UTC)  # when a record was never edited by a person


class EventMatcher:
    def __init__(self, env, sync, store, reads, namespace, attendance, marker_prefix=""):
        self.env = env
        self.marker_prefix = marker_prefix  # Odoo's own module's, after a switch from it
        self.sync = sync
        self.store = store
        self.reads = reads
        self.namespace = namespace
        self.attendance = attendance

    def _access_of(self, local_ref):
        ref = LocalRef.parse(local_ref)
        if ref.is_event:
            record = self.env["calendar.event"].browse(ref.record_id).exists()
        else:
            record = self.env["calendar.recurrence"].browse(ref.record_id).exists().base_event_id
        return self.attendance.access(record) or Access.ORGANIZER

    def match(self, events):
        """{Google id: local change} for the unbound ``events`` that are ours (by link, or by the
        marker of Odoo's own module), the same meeting synced by another user, or an invitation
        that replaces our private copy (by iCalUID), or an occurrence of a series we hold."""
        found = {}
        uids = [event.ical_uid for event in events if event.ical_uid and not event.is_instance]
        others = {}  # one query for the page, not one per event
        Binding = self.env["google.calendar.binding"]
        for row in Binding.search([("ical_uid", "in", uids)], order="id") if uids else ():
            others.setdefault(row.ical_uid, row)
        for event in events:
            change = (self._by_link(event) or self._by_odoo_marker(event) or self._by_ical(event, others)
                      or self._occurrence(event))
            if change is not None:
                found[event.google_id] = change
        return found

    def _by_link(self, event):
        local_ref = local_ref_from_link(self.namespace, event.link)
        if not local_ref or event.is_instance:
            return None
        return self._by_ref(local_ref)

    def _by_odoo_marker(self, event):
        """An event Odoo's module created and never linked (its answer lost), or a series Google
        split: the Odoo record is this event unless it is bound already, as Odoo's rule had it."""
        local_ref = odoo_markers.local_ref(event, self.marker_prefix)
        return self._by_ref(local_ref) if local_ref else None

    def _by_ref(self, local_ref):
        row = self.store.row(local_ref)
        if row.google_id:
            return None  # already bound to another Google event
        current = self.reads.of_ref(local_ref)
        if current is None and not row.dirty:
            return None
        # A dirty row without its event is a deletion not yet sent: the newer change will win.
        edited = row.dirty_at.replace(tzinfo=UTC) if row.dirty and row.dirty_at else NEVER
        return engine.LocalChange(local_ref, current, edited, access=self._access_of(local_ref))

    def _by_ical(self, event, others):
        """``others``: bindings by iCalUID, of any user's synchronization."""
        other = others.get(event.ical_uid) if not event.is_instance else None
        if not other:
            return None
        current = self.reads.of_ref(other.local_ref)
        mine = self.store.row(other.local_ref)
        if current is None or mine.google_id and mine.access != Access.COPY.value:
            return None  # gone here, or bound to another Google event that no invitation replaces
        return engine.LocalChange(other.local_ref, current, NEVER, access=self._access_of(other.local_ref))

    def _occurrence(self, event):
        if not event.is_instance:
            return None
        series = self.store.row_of_google(event.recurring_event_id)
        if not series.recurrence_id:
            return None
        occurrence = self.reads.find_occurrence(series.recurrence_id, event.original_start)
        if not occurrence:
            return None
        return engine.LocalChange(
            str(LocalRef.event(occurrence.id)), self.reads.occurrence(occurrence, event.original_start), NEVER,
            series_local_ref=series.local_ref, series_google_id=series.google_id, access=Access(series.access))
