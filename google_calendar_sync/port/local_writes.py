"""Google's versions written into Odoo: new events and series, occurrences made exceptions,
updates (a single event that became a series, or back), deletions, archives, answers.

Every write carries the ``google_calendar_sync`` context key (the caller's environment), so it is
never taken for a person's edit, and runs under a savepoint: what Odoo refuses is reported for
that one event (a ``LocalWriteError`` with Odoo's own words) and the run goes on. What the writes
make is taken from the run's ``bounds.Budget``: once it is spent, the events left wait for the
next run (``DeferredError``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from gcal_engine.errors import DeferredError, LocalWriteError, RecurrenceError
from gcal_engine.model import Event, Reminder

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

from ..words import messages
from . import bounds, record_mapping
from .alarms import Alarms
from .binder import Binder
from .local_events import LocalEvents
from .local_ref import LocalRef
from .partners import Partners

# What Odoo refuses a write with: the run reports that event and goes on.
REFUSALS = (UserError, ValidationError, ValueError, RecurrenceError)


class LocalWrites:
    def __init__(self, env: api.Environment, user: models.BaseModel, binder: Binder, reads: LocalEvents,
                 partners: Partners, default_reminders: Iterable[Reminder] = (),
                 cuts: list[tuple[str, Event, bounds.Cut]] | None = None,
                 budget: bounds.Budget | None = None) -> None:
        """``default_reminders``: the Google calendar's, for its events that use them; ``cuts``
        collects (local reference, event, bounds.Cut) of the Google events not kept whole;
        ``budget``: the records the run may still make."""
        self.env = env
        self.budget = budget or bounds.Budget()
        # local reference of a series too large to hold -> where its occurrences stop
        self._stopped: dict[str, dt.datetime] = {}
        self.default_reminders = tuple(default_reminders)
        self.user = user
        self.binder = binder
        self.reads = reads
        self.partners = partners
        self.alarms = Alarms(env)
        self.Event = env["calendar.event"]
        self.Recurrence = env["calendar.recurrence"]
        self.cuts = [] if cuts is None else cuts

    def _values(self, event: Event, alarms: Mapping[tuple[str, int], int]) -> dict[str, Any]:
        return record_mapping.record_values(event, alarms, self.default_reminders)

    def create_many(self, events: Sequence[Event]) -> list[tuple[str, Event] | LocalWriteError]:
        """In bulk, as many at a time as the run's budget has room for (one at least, while
        any is left); the others wait for the next run."""
        cut = [bounds.bounded(event) for event in events]
        results: list[tuple[str, Event] | LocalWriteError] = []
        while len(results) < len(cut) and not self.budget.spent:
            chunk = cut[len(results):len(results) + 1]
            cost = bounds.cost(chunk[0][0])
            for event, what in cut[len(results) + 1:]:
                if cost + bounds.cost(event) > self.budget.left:
                    break
                chunk.append((event, what))
                cost += bounds.cost(event)
            self.budget.take(cost)
            created = self._create_many([event for event, _ in chunk])
            for (event, what), result in zip(chunk, created):
                if isinstance(result, tuple):
                    self._note(result[0], event, what)
            results += created
        waiting = DeferredError("The run made as many records as it may; the next run goes on.")
        return results + [waiting] * (len(cut) - len(results))

    def _note(self, local_ref: str, event: Event, what: bounds.Cut | None) -> None:
        """Keep, for the log, what Odoo left out of ``event``: ``what`` (a bounds.Cut, or None),
        and the occurrences of a series too large to hold."""
        until = self._stopped.pop(local_ref, None)
        if until is not None:
            what = dataclasses.replace(what or bounds.Cut(), occurrences_until=until)
        if what:
            self.cuts.append((local_ref, event, what))

    def _create_many(self, events: Sequence[Event]) -> list[tuple[str, Event] | LocalWriteError]:
        alarms = self.alarms.ids_for(events, self.default_reminders)
        guests = self.partners.guests(events)
        results = self._created([e for e in events if not e.is_series and not e.is_instance], alarms, guests)
        results.update(self._created([e for e in events if e.is_series], alarms, guests))
        for event in events:
            if event.is_instance:
                results[id(event)] = self._guarded(self._apply_occurrence, None, event, alarms, guests)
        return [results[id(event)] for event in events]

    def _created(self, events: Sequence[Event], alarms: Mapping[tuple[str, int], int],
                 guests: record_mapping.Guests) -> dict[int, tuple[str, Event] | LocalWriteError]:
        """New single events, or new series: {id(event): its local reference and stored event,
        or why Odoo refused it}, in one create; one by one when Odoo refuses one of them."""
        if not events:
            return {}
        values: list[dict[str, Any]] = []
        for event in events:
            vals = self._values(event, alarms)
            vals.update(record_mapping.new_guest_values(event, guests), user_id=self.partners.organizer(event))
            values.append(vals)
        try:
            with self.env.cr.savepoint():
                records = self.Event.create(values)
                if events[0].is_series:
                    recurrences, stopped = self.Recurrence._google_create(records, events, self.budget)
                    return {id(event): self._series_result(recurrence, event, guests, stopped)
                            for event, recurrence in zip(events, recurrences)}
        except REFUSALS as error:
            if len(events) == 1:
                return {id(events[0]): LocalWriteError(self._why_refused(error))}
            return {id(event): self._created([event], alarms, guests)[id(event)] for event in events}
        return {id(event): (str(LocalRef.event(record.id)), self.reads.single(record))
                for event, record in zip(events, records)}

    def _guarded(self, method: Callable[..., tuple[str, Event]],
                 *args: Any) -> tuple[str, Event] | LocalWriteError:
        try:
            with self.env.cr.savepoint():
                return method(*args)
        except LocalWriteError as error:
            return error
        except REFUSALS as error:
            return LocalWriteError(self._why_refused(error))

    def _why_refused(self, error: Exception) -> str:
        """Why a write was refused, in the user's language: Odoo's words, or the engine's
        recurrence problem (a series' lines it cannot expand) in ours."""
        if isinstance(error, RecurrenceError):
            return messages.problem(self.env, error)
        return _explain_refusal(error)

    def _to_series(self, base: models.BaseModel, event: Event,
                   guests: record_mapping.Guests) -> tuple[str, Event]:
        """``base`` made the first occurrence of Google's series ``event``: every occurrence with
        the guests and their answers."""
        recurrences, stopped = self.Recurrence._google_create(base, [event], self.budget)
        return self._series_result(recurrences, event, guests, stopped)

    def _series_result(self, recurrence: models.BaseModel, event: Event, guests: record_mapping.Guests,
                       stopped: Mapping[int, dt.datetime]) -> tuple[str, Event]:
        """Every occurrence of a new series with the guests and their answers; ``stopped``:
        where the occurrences of the series too large to hold stop, by recurrence id."""
        record_mapping.set_guests(recurrence.calendar_event_ids, event, guests)
        ref = str(LocalRef.series(recurrence.id))
        if recurrence.id in stopped:
            self._stopped[ref] = stopped[recurrence.id]
        return ref, self.reads.series(recurrence)

    def _to_single(self, recurrence: models.BaseModel, event: Event, alarms: Mapping[tuple[str, int], int],
                   guests: record_mapping.Guests) -> tuple[str, Event]:
        """Google's series became one event: the base event stays (its id, guests and answers), the
        other occurrences go."""
        base = recurrence.base_event_id or recurrence.calendar_event_ids.sorted("start")[:1]
        others = recurrence.calendar_event_ids - base
        base.write({"recurrence_id": False, "recurrency": False, "follow_recurrence": False})
        others.unlink()
        recurrence.unlink()
        base.write(self._values(event, alarms))
        record_mapping.set_guests(base, event, guests)
        return str(LocalRef.event(base.id)), self.reads.single(base)

    def _series_of(self, event: Event) -> models.BaseModel:
        assert event.recurring_event_id is not None  # Google names an instance's series
        row = self.binder.row_of_google(event.recurring_event_id)
        if not row.recurrence_id:
            raise LocalWriteError(self.env._("The series of this occurrence is not in Odoo."))
        return row.recurrence_id

    def _apply_occurrence(self, local_ref: str | None, event: Event, alarms: Mapping[tuple[str, int], int],
                          guests: record_mapping.Guests) -> tuple[str, Event]:
        """Make the occurrence at ``event.original_start`` (``local_ref``, when known) look like
        Google's exception."""
        assert event.original_start is not None  # Google's instance
        ref = LocalRef.parse(local_ref) if local_ref else None
        occurrence = self.Event.browse(ref.record_id).exists() if ref and ref.is_event else self.Event
        recurrence = occurrence.recurrence_id or self._series_of(event)
        if not occurrence:
            occurrence = self.reads.find_occurrence(recurrence, event.original_start)
        if event.cancelled:
            occurrence.unlink()
            if local_ref:
                return local_ref, event
            ref = LocalRef.event(occurrence.id) if occurrence else LocalRef.cancelled_occurrence(
                recurrence.id, record_mapping.encode_original(event.original_start))
            return str(ref), event
        vals = self._values(event, alarms)
        vals["follow_recurrence"] = False
        if occurrence:
            occurrence.write(dict(vals, recurrence_update="self_only"))
            record_mapping.set_guests(occurrence, event, guests)
        else:
            vals.update(record_mapping.new_guest_values(event, guests), user_id=recurrence.base_event_id.user_id.id,
                        recurrence_id=recurrence.id, recurrency=True)
            occurrence = self.Event.create(vals)
        return str(LocalRef.event(occurrence.id)), self.reads.occurrence(occurrence, event.original_start)

    def update(self, local_ref: str, event: Event) -> tuple[str, Event]:
        """Google's version written over the local event, once the run's budget allows (what
        it makes is taken: new occurrences, guests, contacts)."""
        if self.budget.spent:
            raise DeferredError("The run made as many records as it may; the next run goes on.")
        event, what = bounds.bounded(event)
        size, contacts = self._size(local_ref), self.partners.made
        local_ref, stored = self._update(local_ref, event)
        self.budget.take(max(0, self._size(local_ref) - size) + self.partners.made - contacts)
        self._note(local_ref, event, what)
        return local_ref, stored

    def _size(self, local_ref: str) -> int:
        """The records a local reference stands for: its events and their attendance records."""
        events = self._events_of(local_ref)
        return len(events) + len(events.attendee_ids)

    def _update(self, local_ref: str, event: Event) -> tuple[str, Event]:
        alarms = self.alarms.ids_for([event], self.default_reminders)
        guests = self.partners.guests([event], current=set(self._events_of(local_ref).partner_ids.ids))
        ref = LocalRef.parse(local_ref)
        try:
            with self.env.cr.savepoint():
                if event.is_instance:
                    return self._apply_occurrence(local_ref, event, alarms, guests)
                if not ref.is_event:
                    recurrence = self.Recurrence.browse(ref.record_id).exists()
                    if not recurrence:
                        raise LocalWriteError(self.env._("This series is no longer in Odoo."))
                    if not event.is_series:
                        return self._to_single(recurrence, event, alarms, guests)
                    recurrence._google_update(event, self._values(event, alarms), guests)
                    return local_ref, self.reads.series(recurrence)
                record = self.Event.browse(ref.record_id).exists()
                if not record:
                    raise LocalWriteError(self.env._("This event is no longer in Odoo."))
                record.write(self._values(event, alarms))
                record_mapping.set_guests(record, event, guests)
                if event.is_series:
                    return self._to_series(record, event, guests)
                return local_ref, self.reads.single(record)
        except REFUSALS as error:
            raise LocalWriteError(self._why_refused(error)) from error

    def archive(self, local_ref: str) -> None:
        """Google deleted what was edited here meanwhile: out of sight, still recoverable (the log
        links it)."""
        self._events_of(local_ref).write({"active": False})

    def answer(self, local_ref: str, response: str) -> Event:
        """The user's answer to someone else's event, given on Google."""
        events = self._events_of(local_ref)
        mine = events.attendee_ids.filtered(lambda attendee: attendee.partner_id == self.user.partner_id)
        mine.write({"state": response})
        stored = self.reads.of_ref(local_ref)
        assert stored is not None  # the event answered is here (the engine records it as agreed)
        return stored

    def _events_of(self, local_ref: str) -> models.BaseModel:
        """The events a reference names: one, or all of a series'."""
        ref = LocalRef.parse(local_ref)
        if ref.is_series:
            return self.Recurrence.browse(ref.record_id).exists().calendar_event_ids
        return self.Event.browse(ref.record_id).exists() if ref.is_event else self.Event

    def withdraw(self, local_ref: str) -> None:
        """The user removed someone else's event from their Google calendar: they decline it. An
        invitation from outside Odoo that nobody else here attends goes with it."""
        partner = self.user.partner_id
        for event in self._events_of(local_ref):
            internal = event.partner_ids.user_ids.filtered(lambda user: not user.share)
            if not event.user_id and internal == self.user:
                event.unlink()
            else:
                event.attendee_ids.filtered(lambda attendee: attendee.partner_id == partner).write(
                    {"state": "declined"})

    def delete(self, local_ref: str) -> None:
        ref = LocalRef.parse(local_ref)
        if ref.is_series:
            recurrence = self.Recurrence.browse(ref.record_id).exists()
            events = recurrence.calendar_event_ids
            recurrence.unlink()
            events.unlink()
        elif ref.is_event:
            self.Event.browse(ref.record_id).exists().unlink()


def _explain_refusal(error: Exception) -> str:
    """What Odoo said when it refused a write (already in the user's language)."""
    return error.args[0] if getattr(error, "args", None) else str(error)
