"""gcal_engine's LocalCalendar over Odoo's ORM, for one user's synchronization.

Local ids are ``e<id>`` (a ``calendar.event``: a single event, or an occurrence that differs
from its series), ``r<id>`` (a ``calendar.recurrence``: a series, seen through its base event)
and ``r<id>@<original start>`` (an occurrence Google cancelled that Odoo never had). Bindings are
``google.calendar.binding`` rows; a local edit marks them dirty (see models/calendar_event.py),
which is what ``pending_changes`` reads. Writes made here carry the ``google_calendar_sync``
context key, so they are never taken for a user's edit. ``commit`` ends the transaction, so a
run killed midway loses at most the step in progress, never a binding of a write Google confirmed.
"""

import datetime as dt
import json
import logging

from gcal_engine import local as engine
from gcal_engine.errors import LocalWriteError
from gcal_engine.ids import local_id_from_link
from gcal_engine.model import EventTime
from gcal_engine.recurrence import RecurrenceError, parse_instance_suffix, split_instance_id

from odoo.exceptions import UserError, ValidationError

from . import mapping

_logger = logging.getLogger(__name__)

UTC = dt.timezone.utc
NEVER = dt.datetime(1970, 1, 1, tzinfo=UTC)  # when a record was never edited by a person
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


class OdooCalendar:
    """One ``google.calendar.sync`` record's calendar, as gcal_engine sees it."""

    managed_fields = mapping.MANAGED_FIELDS

    def __init__(self, sync):
        self.sync = sync.sudo()
        self.env = self.sync.env(context=dict(self.sync.env.context, **SYNC_CONTEXT))
        self.user = self.sync.user_id
        self.namespace = self.env["google.calendar.sync"]._namespace()
        self.Binding = self.env["google.calendar.binding"]
        self.Event = self.env["calendar.event"]
        self.Recurrence = self.env["calendar.recurrence"]
        self.own = (self.user.partner_id.id, (self.sync.account_id.email or self.user.email or "").lower())
        self._alarms = None
        self._written = False  # since the last commit: an idle run commits nothing, re-reads nothing

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
        if not self._written:
            return
        self.env.flush_all()
        if not self.env.registry.in_test_mode():
            self.env.cr.commit()  # pylint: disable=invalid-commit
        self._written = False

    # -- bindings ----------------------------------------------------------------------------

    def _bound(self):
        return [("sync_id", "=", self.sync.id), ("google_id", "!=", False)]

    def _row(self, local_id):
        return self.Binding.search([("sync_id", "=", self.sync.id), ("local_ref", "=", local_id)], limit=1)

    def _row_of_google(self, google_id):
        return self.Binding.search([("sync_id", "=", self.sync.id), ("google_id", "=", google_id)], limit=1)

    def binding_count(self):
        return self.Binding.search_count(self._bound())

    @staticmethod
    def _engine_binding(row):
        return engine.Binding(
            local_id=row.local_ref,
            google_id=row.google_id,
            etag=row.etag or None,
            ical_uid=row.ical_uid or None,
            local_hash=row.local_hash or "",
            remote_hash=row.remote_hash or "",
            starts_at=row.starts_at.replace(tzinfo=UTC) if row.starts_at else None,
            ends_at=row.ends_at.replace(tzinfo=UTC) if row.ends_at else None,
        )

    def bindings_for(self, google_ids):
        rows = self.Binding.search([("sync_id", "=", self.sync.id), ("google_id", "in", list(google_ids))])
        return {row.google_id: self._engine_binding(row) for row in rows}

    def all_bindings(self):
        for row in self.Binding.search(self._bound()):
            yield self._engine_binding(row)

    def bind_many(self, bindings):
        if not bindings:
            return
        self._written = True
        rows = self.Binding.search([
            ("sync_id", "=", self.sync.id),
            "|", ("local_ref", "in", [b.local_id for b in bindings]),
            ("google_id", "in", [b.google_id for b in bindings]),
        ])
        by_ref = {row.local_ref: row for row in rows}
        by_google = {row.google_id: row for row in rows if row.google_id}
        links = self._record_links(bindings)
        creates = []
        for binding in bindings:
            values = dict(self._binding_values(binding), **links[binding.local_id])
            other = by_google.get(binding.google_id)
            row = by_ref.get(binding.local_id)
            if other and other != row:
                other.unlink()  # that Google event now belongs to another local record
            if row:
                row.write(values)
            else:
                creates.append(dict(values, sync_id=self.sync.id, local_ref=binding.local_id))
        self.Binding.create(creates)

    @staticmethod
    def _binding_values(binding):
        return {
            "google_id": binding.google_id,
            "etag": binding.etag or False,
            "ical_uid": binding.ical_uid or False,
            "local_hash": binding.local_hash,
            "remote_hash": binding.remote_hash,
            "starts_at": mapping.odoo_datetime(binding.starts_at) if binding.starts_at else False,
            "ends_at": mapping.odoo_datetime(binding.ends_at) if binding.ends_at else False,
            "dirty": False,
            "last_error": False,
        }

    def _record_links(self, bindings):
        """The records behind each binding (those that still exist), and for an occurrence, its
        series' binding and original start, read from its Google instance id."""
        parsed = {b.local_id: self._parse(b.local_id) for b in bindings}
        events = set(self.Event.browse([i for k, i, _ in parsed.values() if k == "e"]).exists().ids)
        series = set(self.Recurrence.browse([i for k, i, _ in parsed.values() if k == "r"]).exists().ids)
        instances = {b.local_id: split_instance_id(b.google_id) for b in bindings}
        masters = self.Binding.search([
            ("sync_id", "=", self.sync.id), ("google_id", "in", [p[0] for p in instances.values() if p]),
        ])
        master_by_google = {row.google_id: row.id for row in masters}
        links = {}
        for binding in bindings:
            kind, record_id, _ = parsed[binding.local_id]
            values = {
                "event_id": record_id if kind == "e" and record_id in events else False,
                "recurrence_id": record_id if kind == "r" and record_id in series else False,
            }
            if values["recurrence_id"]:
                values["base_event_id"] = self.Recurrence.browse(record_id).base_event_id.id
            instance = instances[binding.local_id]
            if instance and instance[0] in master_by_google:
                moment, all_day = parse_instance_suffix(instance[1])
                original = EventTime(date=moment.date()) if all_day else EventTime(date_time=moment)
                values.update(series_binding_id=master_by_google[instance[0]],
                              original_start=mapping.encode_original(original))
            links[binding.local_id] = values
        return links

    def unbind(self, binding):
        self._written = True
        self.Binding.search([
            ("sync_id", "=", self.sync.id),
            "|", ("local_ref", "=", binding.local_id), ("google_id", "=", binding.google_id),
        ]).unlink()

    def record_error(self, local_id, google_id, message):
        self._written = True
        domain = [("sync_id", "=", self.sync.id)]
        domain += [("local_ref", "=", local_id)] if local_id else [("google_id", "=", google_id)]
        self.Binding.search(domain, limit=1).last_error = message[:500]

    # -- reading local events ----------------------------------------------------------------

    @staticmethod
    def _parse(local_id):
        """(kind, record id, original start) of a local id."""
        head, _, original = local_id.partition("@")
        return head[0], int(head[1:]), original or None

    def _zone(self, event):
        return mapping.zone_name(event.google_time_zone) or mapping.zone_name(self.user.tz) or "UTC"

    def _series_lines(self, recurrence):
        if recurrence.google_recurrence:
            return tuple(line for line in recurrence.google_recurrence.splitlines() if line.strip())
        return (recurrence._google_rrule_line(),)

    def _series_event(self, recurrence):
        base = recurrence.base_event_id or recurrence.calendar_event_ids[:1]
        zone = mapping.zone_name(recurrence.event_tz) or self._zone(base)
        return mapping.event_from_record(base, zone, self.own, recurrence=self._series_lines(recurrence))

    def _occurrence_event(self, event, original_start):
        recurrence = event.recurrence_id
        zone = mapping.zone_name(recurrence.event_tz) or self._zone(event)
        return mapping.event_from_record(event, zone, self.own, original_start=original_start)

    def _current(self, row):
        """The local event of a binding row now, or None when it was deleted (the row's links
        are set null then); read through the rows, so that records are fetched in bulk."""
        kind, _, original = self._parse(row.local_ref)
        if kind == "r":
            if original:
                return mapping.cancelled_occurrence(mapping.decode_original(row.original_start))
            recurrence = row.recurrence_id
            return self._series_event(recurrence) if recurrence and recurrence.calendar_event_ids else None
        event = row.event_id
        if row.series_binding_id:
            original_start = mapping.decode_original(row.original_start)
            if not event or not event.active:
                return mapping.cancelled_occurrence(original_start)
            return self._occurrence_event(event, original_start)
        if not event or not event.active:
            return None
        return mapping.event_from_record(event, self._zone(event), self.own)

    def _change(self, row, event, modified_at=None):
        series = row.series_binding_id
        return engine.LocalChange(
            local_id=row.local_ref,
            event=event,
            modified_at=(modified_at or row.dirty_at or row.write_date).replace(tzinfo=UTC),
            binding=self._engine_binding(row) if row.google_id else None,
            notify=row.notify,
            series_local_id=series.local_ref if series else None,
            series_google_id=series.google_id or None if series else None,
        )

    def pending_changes(self, full, window):
        rows = self.Binding.search([("sync_id", "=", self.sync.id), ("dirty", "=", True)])
        guest_rows = rows.filtered(lambda r: r.role == "guest")
        # Only the organizer's copy can change an event on Google: a guest's edit stays in Odoo.
        if guest_rows:
            guest_rows.write({"dirty": False})
            self._written = True
        for row in rows - guest_rows:
            yield self._change(row, self._current(row))
        if full:
            yield from self._unbound_in_window(window)

    def _unbound_in_window(self, window):
        """On a first sync or a resync: the user's events that have no binding yet."""
        start, stop = mapping.odoo_datetime(window[0]), mapping.odoo_datetime(window[1])
        known = self.Binding.search([("sync_id", "=", self.sync.id)])
        bound_events, bound_series = set(known.event_id.ids), set(known.recurrence_id.ids)
        # After a reset to "only new events", what existed then stays out (ids only grow).
        singles = self.Event.search([
            ("user_id", "=", self.user.id), ("recurrence_id", "=", False), ("active", "=", True),
            ("stop", ">", start), ("start", "<", stop), ("id", "not in", list(bound_events)),
            ("id", ">", self.sync.new_after_event_id),
        ])
        for event in singles:
            yield engine.LocalChange(f"e{event.id}", mapping.event_from_record(event, self._zone(event), self.own),
                                     event.write_date.replace(tzinfo=UTC), notify=False)
        series = self.Recurrence.search([
            ("base_event_id.user_id", "=", self.user.id), ("id", "not in", list(bound_series)),
            ("id", ">", self.sync.new_after_series_id),
        ])
        for recurrence in series.filtered("calendar_event_ids"):
            yield engine.LocalChange(f"r{recurrence.id}", self._series_event(recurrence),
                                     recurrence.write_date.replace(tzinfo=UTC), notify=False)

    def match(self, events):
        """Unbound Google events that already are local events: ours (by link), the same meeting
        synced by another user (by iCalUID), or an occurrence of a series we hold."""
        found = {}
        uids = [event.ical_uid for event in events if event.ical_uid and not event.is_instance]
        others = {}  # one query for the page, not one per event
        for row in self.Binding.search([("ical_uid", "in", uids), ("sync_id", "!=", self.sync.id)]) if uids else ():
            others.setdefault(row.ical_uid, row)
        for event in events:
            change = self._match_link(event) or self._match_ical(event, others) or self._match_occurrence(event)
            if change is not None:
                found[event.google_id] = change
        return found

    def _match_link(self, event):
        local_id = local_id_from_link(self.namespace, event.link)
        if not local_id or event.is_instance:
            return None
        row = self._row(local_id)
        if row.google_id:
            return None  # already bound to another Google event
        current = self._current_of(local_id)
        if current is None and not row.dirty:
            return None
        # A dirty row without its event is a deletion not yet sent: the newer change will win.
        edited = row.dirty_at.replace(tzinfo=UTC) if row.dirty and row.dirty_at else NEVER
        return engine.LocalChange(local_id, current, edited)

    def _current_of(self, local_id):
        kind, record_id, _ = self._parse(local_id)
        if kind == "r":
            recurrence = self.Recurrence.browse(record_id).exists()
            return self._series_event(recurrence) if recurrence and recurrence.calendar_event_ids else None
        event = self.Event.browse(record_id).exists()
        return mapping.event_from_record(event, self._zone(event), self.own) if event and event.active else None

    def _match_ical(self, event, others):
        """``others``: the bindings of other users' syncs, by iCalUID."""
        other = others.get(event.ical_uid) if not event.is_instance else None
        if not other:
            return None
        current = self._current_of(other.local_ref)
        if current is None or self._row(other.local_ref):
            return None
        return engine.LocalChange(other.local_ref, current, NEVER)

    def _match_occurrence(self, event):
        if not event.is_instance:
            return None
        series = self._row_of_google(event.recurring_event_id)
        if not series.recurrence_id:
            return None
        occurrence = self._find_occurrence(series.recurrence_id, event.original_start)
        if not occurrence:
            return None
        return engine.LocalChange(f"e{occurrence.id}", self._occurrence_event(occurrence, event.original_start), NEVER,
                                  series_local_id=series.local_ref, series_google_id=series.google_id)

    def _find_occurrence(self, recurrence, original_start):
        """The occurrence of ``recurrence`` that sits at ``original_start`` (pristine ones only
        sit where the rule put them; bound ones remember where they came from)."""
        bound = self.Binding.search([
            ("sync_id", "=", self.sync.id), ("series_binding_id.recurrence_id", "=", recurrence.id),
            ("original_start", "=", mapping.encode_original(original_start)),
        ], limit=1)
        if bound.event_id:
            return bound.event_id
        for event in recurrence.calendar_event_ids:
            if mapping.original_start_of(event).instant() == original_start.instant():
                return event
        return self.Event

    # -- writing local events ----------------------------------------------------------------

    def _alarm_ids(self, events):
        """calendar.alarm ids for every reminder of ``events``; missing ones are created once."""
        if self._alarms is None:
            self._alarms = {(a.alarm_type, a.duration_minutes): a.id for a in self.env["calendar.alarm"].search([])}
        missing = {
            ("email" if r.method == "email" else "notification", r.minutes)
            for event in events for r in event.reminders.overrides
        } - set(self._alarms)
        for alarm_type, minutes in sorted(missing):
            unit, amount = next((u, minutes // d) for u, d in (("days", 1440), ("hours", 60), ("minutes", 1))
                                if minutes % d == 0)
            alarm = self.env["calendar.alarm"].create({
                "name": f"{'Email' if alarm_type == 'email' else 'Notification'} - {amount} {unit.title()}",
                "alarm_type": alarm_type, "duration": amount, "interval": unit,
            })
            self._alarms[(alarm_type, minutes)] = alarm.id
        return self._alarms

    def _guests(self, events):
        """The guests of ``events`` as partners: users' partners first, then existing contacts;
        unknown addresses become contacts (one create for all)."""
        emails = {a.email.lower() for event in events for a in event.attendees}
        partners = {self.own[1]: self.own[0]} if self.own[1] else {}
        emails -= set(partners)
        if not emails:
            return mapping.Guests(partners, self.own[0])
        Partner = self.env["res.partner"]
        for partner in Partner.search([("email_normalized", "in", list(emails))], order="id"):
            current = partners.get(partner.email_normalized)
            if current is None or (partner.user_ids and not Partner.browse(current).user_ids):
                partners[partner.email_normalized] = partner.id
        missing = sorted(emails - set(partners))
        names = {a.email.lower(): a.name for event in events for a in event.attendees}
        created = Partner.create([{"name": names.get(email) or email, "email": email} for email in missing])
        partners.update(zip(missing, created.ids))
        return mapping.Guests(partners, self.own[0])

    def _organizer(self, event):
        if event.organizer is None or event.organizer.is_self or event.organizer.email == self.own[1]:
            return self.user.id
        user = self.env["res.users"].search([("email_normalized", "=", event.organizer.email)], limit=1)
        return user.id or False

    def create_many(self, events):
        self._written = True
        alarms = self._alarm_ids(events)
        guests = self._guests(events)
        singles = [e for e in events if not e.is_series and not e.is_instance]
        results = {}
        values = []
        for event in singles:
            vals = mapping.record_values(event, alarms)
            vals.update(mapping.new_guest_values(event, guests), user_id=self._organizer(event))
            values.append(vals)
        try:
            with self.env.cr.savepoint():
                records = self.Event.create(values)
            for event, record in zip(singles, records):
                results[id(event)] = (f"e{record.id}", mapping.event_from_record(record, self._zone(record), self.own))
        except (UserError, ValidationError, ValueError) as error:
            if len(singles) > 1:
                for event in singles:
                    results[id(event)] = self.create_many([event])[0]
            else:
                results[id(singles[0])] = LocalWriteError(self._explain(error))
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
        except (UserError, ValidationError, ValueError, RecurrenceError) as error:
            return LocalWriteError(self._explain(error))

    @staticmethod
    def _explain(error):
        return getattr(error, "args", [str(error)])[0] if getattr(error, "args", None) else str(error)

    def _create_series(self, event, alarms, guests):
        vals = mapping.record_values(event, alarms)
        vals.update(mapping.new_guest_values(event, guests), user_id=self._organizer(event))
        base = self.Event.create(vals)
        recurrence = self.Recurrence._google_create(base, event)
        return f"r{recurrence.id}", self._series_event(recurrence)

    def _series_of(self, event):
        row = self._row_of_google(event.recurring_event_id)
        if not row.recurrence_id:
            raise LocalWriteError(f"the series {event.recurring_event_id} of this occurrence is not in Odoo")
        return row.recurrence_id

    def _apply_occurrence(self, local_id, event, alarms, guests):
        """Make the occurrence at ``event.original_start`` look like Google's exception."""
        recurrence = self._series_of(event)
        occurrence = self.Event.browse(self._parse(local_id)[1]).exists() if local_id else \
            self._find_occurrence(recurrence, event.original_start)
        if event.cancelled:
            occurrence.unlink()
            return (local_id or (f"e{occurrence.id}" if occurrence else
                                 f"r{recurrence.id}@{mapping.encode_original(event.original_start)}")), event
        vals = mapping.record_values(event, alarms)
        vals["follow_recurrence"] = False
        if occurrence:
            occurrence.write(dict(vals, recurrence_update="self_only"))
            mapping.set_guests(occurrence, event, guests)
        else:
            vals.update(mapping.new_guest_values(event, guests), user_id=recurrence.base_event_id.user_id.id,
                        recurrence_id=recurrence.id, recurrency=True)
            occurrence = self.Event.create(vals)
        return f"e{occurrence.id}", self._occurrence_event(occurrence, event.original_start)

    def update(self, local_id, event):
        self._written = True
        alarms = self._alarm_ids([event])
        guests = self._guests([event])
        kind, record_id, _ = self._parse(local_id)
        try:
            with self.env.cr.savepoint():
                if event.is_instance:
                    return self._apply_occurrence(local_id, event, alarms, guests)[1]
                if kind == "r":
                    recurrence = self.Recurrence.browse(record_id).exists()
                    if not recurrence:
                        raise LocalWriteError(f"the series {local_id} is no longer in Odoo")
                    recurrence._google_update(event, mapping.record_values(event, alarms), guests)
                    return self._series_event(recurrence)
                record = self.Event.browse(record_id).exists()
                if not record:
                    raise LocalWriteError(f"the event {local_id} is no longer in Odoo")
                record.write(mapping.record_values(event, alarms))
                mapping.set_guests(record, event, guests)
                return mapping.event_from_record(record, self._zone(record), self.own)
        except (UserError, ValidationError, ValueError, RecurrenceError) as error:
            raise LocalWriteError(self._explain(error)) from error

    def delete(self, local_id):
        self._written = True
        kind, record_id, original = self._parse(local_id)
        if kind == "r" and not original:
            recurrence = self.Recurrence.browse(record_id).exists()
            events = recurrence.calendar_event_ids
            recurrence.unlink()
            events.unlink()
        elif kind == "e":
            self.Event.browse(record_id).exists().unlink()
