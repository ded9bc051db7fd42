"""One user's bindings, made from Odoo's links: which Google event of their calendar each Odoo
event and series is, and with which access (see port/attendance.py).

Odoo kept one Google id per event for everybody, the organizer's: a colleague's invitation is
the same event on each guest's calendar, under the same id. Odoo sent an event through its
organizer's grant when the organizer had one, else through the guest who synchronized: so an
event on a user's calendar is their own (``organizer``), a synchronizing colleague's invitation
(``invited``: their synchronization carries it), a colleague's who never connected (``copy``:
this user's synchronization carries it), or one without organizer in Odoo, an invitation from
outside as far as Odoo can tell (``attendee``: only the user's answer goes out).

A binding made here knows the Google id and what Odoo had not sent yet (``dirty``); it has no
content hashes: the engine compares whole events for it until its next write. Nothing is sent
with a mail (``notify`` off): guests were told when the change was made.
"""

from dataclasses import dataclass, field

from gcal_engine.model import Access, EventTime
from gcal_engine.recurrence import parse_instance_suffix, split_instance_id

from ..port import record_mapping
from ..port.local_ref import LocalRef


@dataclass
class Taken:
    """What one user's bindings take over, counted for their log line."""

    events: int = 0
    series: int = 0
    exceptions: int = 0
    pending: int = 0
    new: int = 0
    rows: list = field(default_factory=list)  # binding values but sync_id and series_binding_id
    exception_rows: list = field(default_factory=list)  # (series local ref, values)


class UserBindings:
    def __init__(self, user, events, series, guests, token_users):
        """``user``: an OdooUser; ``events``/``series``: every OdooEvent/OdooSeries; ``guests``:
        {event id: partners attending}; ``token_users``: who had a grant (stopped or not)."""
        self.user, self.token_users = user, token_users
        self.events, self.series, self.guests = events, series, guests

    def _theirs(self, organizer, event_id):
        return organizer == self.user.user_id or self.user.partner_id in self.guests.get(event_id, ())

    def _access(self, organizer):
        if organizer == self.user.user_id:
            return Access.ORGANIZER
        if organizer in self.token_users:
            return Access.INVITED
        return Access.COPY if organizer else Access.ATTENDEE

    def _values(self, local_ref, access, google_id, pending, write_date, **links):
        dirty = pending and access is not Access.INVITED  # the organizer's synchronization sends it
        return {
            "local_ref": str(local_ref), "access": access.value, "google_id": google_id or None,
            "ical_uid": f"{google_id}@google.com" if google_id and not links.get("original_start") else None,
            "dirty": dirty, "dirty_at": write_date if dirty else None, "notify": False,
            "event_id": links.get("event_id"), "recurrence_id": links.get("recurrence_id"),
            "base_event_id": links.get("base_event_id"), "original_start": links.get("original_start"),
        }

    def take(self):
        taken = Taken()
        bound_series = {}
        for series in self.series:
            if not self._theirs(series.user_id, series.base_event_id):
                continue
            access = self._access(series.user_id)
            if not series.google_id and (access is not Access.ORGANIZER):
                continue  # a new series goes with its organizer (or as copies: see switch.synchronizations)
            ref = LocalRef.series(series.id)
            taken.rows.append(self._values(ref, access, series.google_id, series.need_sync or not series.google_id,
                                           series.write_date, recurrence_id=series.id,
                                           base_event_id=series.base_event_id))
            if series.google_id:
                bound_series[series.id] = (str(ref), series.google_id, access)
                taken.series += 1
            else:
                taken.new += 1
            taken.pending += bool(series.google_id and series.need_sync)
        for event in self.events:
            if event.recurrence_id:
                self._exception(taken, event, bound_series.get(event.recurrence_id))
            elif self._theirs(event.user_id, event.id):
                self._single(taken, event)
        return taken

    def _single(self, taken, event):
        if not event.active and not event.need_sync:
            return  # gone on both sides already
        access = self._access(event.user_id)
        if not event.google_id:
            if access is Access.ORGANIZER:
                taken.rows.append(self._values(LocalRef.event(event.id), access, None, True, event.write_date,
                                               event_id=event.id))
                taken.new += 1
            return
        taken.rows.append(self._values(LocalRef.event(event.id), access, event.google_id, event.need_sync,
                                       event.write_date, event_id=event.id))
        taken.events += 1
        taken.pending += event.need_sync and access is not Access.INVITED

    def _exception(self, taken, event, series):
        """An occurrence Odoo changed or deleted alone: Google's exception, at its instance id."""
        changed = not event.follow_recurrence or event.need_sync or not event.active
        if series is None or not event.google_id or not changed or (not event.active and not event.need_sync):
            return
        series_ref, series_google_id, access = series
        parts = split_instance_id(event.google_id)
        if parts is None or parts[0] != series_google_id:
            return
        moment, all_day = parse_instance_suffix(parts[1])
        original = EventTime(date=moment.date()) if all_day else EventTime(date_time=moment)
        taken.exception_rows.append((series_ref, self._values(
            LocalRef.event(event.id), access, event.google_id, event.need_sync, event.write_date,
            event_id=event.id, original_start=record_mapping.encode_original(original))))
        taken.exceptions += 1
        taken.pending += event.need_sync and access is not Access.INVITED
