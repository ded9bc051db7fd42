"""Odoo's events as the engine sees them: the neutral event behind a binding row or a local
reference, now. Read through binding rows where possible, so that records come in bulk."""

from . import mapping
from .local_ref import LocalRef


class LocalEvents:
    def __init__(self, env, user, people, store):
        """``people``: who is who on Google (``mapping.People``)."""
        self.env = env
        self.user = user
        self.people = people
        self.store = store
        self.Event = env["calendar.event"]
        self.Recurrence = env["calendar.recurrence"]

    def zone(self, event):
        return mapping.zone_name(event.google_time_zone) or mapping.zone_name(self.user.tz) or "UTC"

    def single(self, event):
        return mapping.event_from_record(event, self.zone(event), self.people)

    def series(self, recurrence):
        base = recurrence.base_event_id or recurrence.calendar_event_ids[:1]
        zone = mapping.zone_name(recurrence.event_tz) or self.zone(base)
        return mapping.event_from_record(base, zone, self.people, recurrence=self._series_lines(recurrence))

    @staticmethod
    def _series_lines(recurrence):
        if recurrence.google_recurrence:
            return tuple(line for line in recurrence.google_recurrence.splitlines() if line.strip())
        return (recurrence._google_rrule_line(),)

    def occurrence(self, event, original_start):
        zone = mapping.zone_name(event.recurrence_id.event_tz) or self.zone(event)
        return mapping.event_from_record(event, zone, self.people, original_start=original_start)

    def of_row(self, row):
        """The local event of a binding row now, or None when it was deleted (the row's links
        are set null then)."""
        ref = LocalRef.parse(row.local_ref)
        if not ref.is_event:
            if ref.original_start:
                return mapping.cancelled_occurrence(mapping.decode_original(row.original_start))
            recurrence = row.recurrence_id
            return self.series(recurrence) if recurrence and recurrence.calendar_event_ids else None
        event = row.event_id
        if row.series_binding_id:
            original_start = mapping.decode_original(row.original_start)
            if not event or not event.active:
                return mapping.cancelled_occurrence(original_start)
            return self.occurrence(event, original_start)
        if not event or not event.active:
            return None
        return self.single(event)

    def of_ref(self, local_ref):
        """The local event a reference names now, or None when it is gone."""
        ref = LocalRef.parse(local_ref)
        if not ref.is_event:
            recurrence = self.Recurrence.browse(ref.record_id).exists()
            return self.series(recurrence) if recurrence and recurrence.calendar_event_ids else None
        event = self.Event.browse(ref.record_id).exists()
        return self.single(event) if event and event.active else None

    def find_occurrence(self, recurrence, original_start):
        """The occurrence of ``recurrence`` that sits at ``original_start`` (pristine ones only
        sit where the rule put them; bound ones remember where they came from)."""
        bound = self.store.rows(("series_binding_id.recurrence_id", "=", recurrence.id),
                                ("original_start", "=", mapping.encode_original(original_start)), limit=1)
        if bound.event_id:
            return bound.event_id
        for event in recurrence.calendar_event_ids:
            if mapping.original_start_of(event).instant() == original_start.instant():
                return event
        return self.Event
