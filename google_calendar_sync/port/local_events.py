"""Odoo's events as the engine sees them: the neutral event behind a binding row or a local
reference, now. Read through binding rows where possible, so that records come in bulk."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from gcal_engine.model import Event, EventTime

from odoo import api, models

from . import record_mapping
from .binder import Binder
from .local_ref import LocalRef


class LocalEvents:
    def __init__(self, env: api.Environment, user: models.BaseModel, people: record_mapping.People,
                 binder: Binder) -> None:
        """``people``: who is who on Google (``record_mapping.People``)."""
        self.env = env
        self.user = user
        self.people = people
        self.binder = binder
        self.Event = env["calendar.event"]
        self.Recurrence = env["calendar.recurrence"]

    def zone(self, event: models.BaseModel) -> str:
        return record_mapping.zone_name(event.google_time_zone) or record_mapping.zone_name(self.user.tz) or "UTC"

    def single(self, event: models.BaseModel) -> Event:
        return record_mapping.event_from_record(event, self.zone(event), self.people)

    def series(self, recurrence: models.BaseModel) -> Event:
        """A series as Google holds it: its rule from its first occurrence, even when that one was
        deleted (Odoo then makes the next one its base; on Google the series stays where it began
        and that occurrence is a cancelled exception) or changed alone (Odoo keeps a series' values
        on its occurrences: an edit of the first one alone is that occurrence's, an exception of the
        series here; the series' values are then the first other occurrence's, and it begins where
        its base was)."""
        base = recurrence.base_event_id or recurrence.calendar_event_ids[:1]
        zone = record_mapping.zone_name(recurrence.event_tz) or self.zone(base)
        occurrences = self.binder.rows(("series_binding_id.recurrence_id", "=", recurrence.id))  # their own bindings
        exceptions = occurrences.filtered("event_id")
        own = exceptions.filtered(lambda row: row.event_id == base)[:1]
        template = next((event for event in recurrence.calendar_event_ids.filtered("active").sorted("start")
                         if event not in exceptions.event_id), base) if own else base
        event = record_mapping.event_from_record(template, zone, self.people, recurrence=self._series_lines(recurrence))
        begins = record_mapping.decode_original(own.original_start) if own.original_start else (
            record_mapping.times_of(base.start, base.stop, base.allday, base.start_date, base.stop_date, zone)[0])
        first = self._first_deleted(recurrence, occurrences.filtered("original_start"), begins) or begins
        if first.instant() == event.start.instant():
            return event
        if event.start.all_day:
            start = EventTime(date=first.date)
            # An all-day series' times are dates.
            assert start.date is not None and event.start.date is not None and event.end.date is not None
            end = EventTime(date=start.date + (event.end.date - event.start.date))
        else:
            assert first.date_time is not None  # an occurrence of a timed series is timed
            moment = first.date_time.astimezone(ZoneInfo(zone))
            start = EventTime(date_time=moment, time_zone=event.start.time_zone)
            end = EventTime(date_time=moment + (event.end.instant() - event.start.instant()),
                            time_zone=event.end.time_zone)
        return event.replace(start=start, end=end)

    @staticmethod
    def _first_deleted(recurrence: models.BaseModel, rows: models.BaseModel, start: EventTime) -> EventTime | None:
        """The earliest deleted occurrence of ``recurrence`` before ``start`` (its original start),
        or None: among ``rows``, this synchronization's exceptions of the series, and its archived
        occurrences (those a series sent to a calendar that never had it must begin with, as
        cancelled: Odoo moved the series' base past them, and the rule counts from its start)."""
        deleted = [record_mapping.decode_original(row.original_start) for row in rows
                   if not (row.event_id and row.event_id.active)]
        archived = recurrence.with_context(active_test=False).calendar_event_ids.filtered(
            lambda event: not event.active and event.follow_recurrence)
        deleted += [record_mapping.original_start_of(event) for event in archived]
        earlier = [original for original in deleted if original.instant() < start.instant()]
        return min(earlier, key=lambda original: original.instant()) if earlier else None

    @staticmethod
    def _series_lines(recurrence: models.BaseModel) -> tuple[str, ...]:
        if recurrence.google_recurrence:
            return tuple(line for line in recurrence.google_recurrence.splitlines() if line.strip())
        return (recurrence._google_rrule_line(),)

    def occurrence(self, event: models.BaseModel, original_start: EventTime) -> Event:
        """An occurrence, at ``original_start`` in its series (as bindings store it: in UTC, or a
        date, whatever zone Google gave it in)."""
        zone = record_mapping.zone_name(event.recurrence_id.event_tz) or self.zone(event)
        original_start = record_mapping.decode_original(record_mapping.encode_original(original_start))
        return record_mapping.event_from_record(event, zone, self.people, original_start=original_start)

    def of_row(self, row: models.BaseModel) -> Event | None:
        """The local event of a binding row now, or None when it was deleted (the row's links
        are set null then)."""
        ref = LocalRef.parse(row.local_ref)
        if not ref.is_event:
            if ref.original_start:
                return record_mapping.cancelled_occurrence(record_mapping.decode_original(row.original_start))
            recurrence = row.recurrence_id
            return self.series(recurrence) if recurrence and recurrence.calendar_event_ids else None
        event = row.event_id
        if row.series_binding_id:
            original_start = record_mapping.decode_original(row.original_start)
            if not event or not event.active:
                return record_mapping.cancelled_occurrence(original_start)
            return self.occurrence(event, original_start)
        if not event or not event.active:
            return None
        return self.single(event)

    def remembered_occurrences(self, recurrence: models.BaseModel) -> list[tuple[str, Event]]:
        """The occurrences of ``recurrence`` that were exceptions on Google in a binding since
        forgotten (models/google_calendar_identity.py): (local reference, event), a deleted one
        as its cancellation. A series sent to another calendar takes them along."""
        identities = self.env["google.calendar.identity"].search(
            [("recurrence_id", "=", recurrence.id), ("original_start", "!=", False)], order="id desc")
        found: dict[str, tuple[str, Event]] = {}
        for identity in identities:
            if identity.original_start in found:
                continue
            original = record_mapping.decode_original(identity.original_start)
            event = identity.event_id
            if event and event.active and event.recurrence_id == recurrence:
                found[identity.original_start] = (str(LocalRef.event(event.id)), self.occurrence(event, original))
            elif not event or event.recurrence_id == recurrence:
                ref = LocalRef.event(event.id) if event else LocalRef.cancelled_occurrence(
                    recurrence.id, identity.original_start)
                found[identity.original_start] = (str(ref), record_mapping.cancelled_occurrence(original))
        return list(found.values())

    def of_ref(self, local_ref: str) -> Event | None:
        """The local event a reference names now, or None when it is gone."""
        ref = LocalRef.parse(local_ref)
        if not ref.is_event:
            recurrence = self.Recurrence.browse(ref.record_id).exists()
            return self.series(recurrence) if recurrence and recurrence.calendar_event_ids else None
        event = self.Event.browse(ref.record_id).exists()
        return self.single(event) if event and event.active else None

    def find_occurrence(self, recurrence: models.BaseModel, original_start: EventTime) -> models.BaseModel:
        """The occurrence of ``recurrence`` that sits at ``original_start`` (pristine ones only
        sit where the rule put them; bound ones, or ones once bound, remember where they came
        from)."""
        encoded = record_mapping.encode_original(original_start)
        bound = self.binder.rows(("series_binding_id.recurrence_id", "=", recurrence.id),
                                ("original_start", "=", encoded), limit=1)
        if bound.event_id:
            return bound.event_id
        remembered = self.env["google.calendar.identity"].search(
            [("recurrence_id", "=", recurrence.id), ("original_start", "=", encoded), ("event_id", "!=", False)],
            limit=1).event_id
        if remembered.recurrence_id == recurrence:
            return remembered
        for event in recurrence.calendar_event_ids:
            if record_mapping.original_start_of(event).instant() == original_start.instant():
                return event
        return self.Event
