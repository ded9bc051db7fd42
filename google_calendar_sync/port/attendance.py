"""Whose Google calendar shows which Odoo event, and how: the rule of "Who sees what" in the docs.

For a user connected to Google, an event is on their Google calendar when they organize it, or
when they attend it (they did not decline, unless they chose to see declined events):

- their own event (``organizer``): their synchronization creates it on Google, where Google
  invites the guests and mails them;
- a colleague's event whose organizer synchronizes with Google now (``invited``): Google's own
  invitation brings it, from the organizer's event; nothing is sent from the attendee's account;
- an invitation received on Google (``attendee``), from someone outside Odoo or from a colleague
  whose synchronization is off: it comes in, and the user's answer goes back; every connected
  attendee has the same invitation, from Google;
- any other event they attend, a colleague's who does not synchronize or one without organizer
  (``copy``): their synchronization imports a private copy into their calendar only, which
  keeps the real organizer, mails nobody, and gives way to the organizer's invitation once the
  organizer synchronizes (the same iCalUID).
"""

from __future__ import annotations

from typing import Any

from gcal_engine.model import Access

from odoo import api, fields, models

from ..rules import senders
from .local_ref import LocalRef


class Attendance:
    """The access of one user's synchronization to Odoo events, read once per batch of events."""

    def __init__(self, sync: models.BaseModel, live: set[int] | None = None) -> None:
        self.sync = sync
        self.user = sync.user_id
        self._live = live
        self._invitations: set[int] | None = None

    def live_organizers(self) -> set[int]:
        """The users whose own synchronization carries their events to Google (an administrator's
        pause of everyone's does not count: it stops every run alike)."""
        if self._live is None:
            Sync = self.sync.env["google.calendar.sync"].sudo()
            self._live = set(Sync.search([*Sync._sending_domain(), *Sync._live_domain(admin_pause=False)]).user_id.ids)
        return self._live

    def invitations(self) -> set[int]:
        """The events that came from a Google invitation (their series' base events too), bound, or
        remembered on this user's calendar: a forgotten binding (a reset) leaves it an invitation
        there, not an event of Odoo's that the user attends. (On another calendar, it is one.)"""
        if self._invitations is None:
            env = self.sync.env
            rows = env["google.calendar.binding"].sudo().search([("access", "=", Access.ATTENDEE.value)])
            remembered = env["google.calendar.identity"].sudo().search(
                [("access", "=", Access.ATTENDEE.value), ("calendar", "=", self.sync.sudo()._calendar_key())])
            self._invitations = set((rows.event_id | rows.recurrence_id.base_event_id | rows.base_event_id
                                     | remembered.event_id | remembered.recurrence_id.base_event_id).ids)
        return self._invitations

    def access(self, event: models.BaseModel, current: Access | None = None) -> Access | None:
        """How ``event`` (a single event, an occurrence, or a series' base event) is on this user's
        Google calendar, or None when it is not theirs to show; ``current``: the binding's access."""
        if not event or not event.active:
            return None
        if event.user_id == self.user:
            return Access.ORGANIZER
        mine = event.attendee_ids.filtered(lambda attendee: attendee.partner_id == self.user.partner_id)
        if not mine:
            return None
        if event.user_id and event.user_id.id in self.live_organizers():
            return Access.INVITED
        if current is Access.ATTENDEE or event.id in self.invitations():
            return Access.ATTENDEE
        if mine[:1].state == "declined" and not self.sync.show_declined:
            return None
        return Access.COPY


def owed_copies(env: api.Environment, events: models.BaseModel) -> list[dict[str, Any]]:
    """The binding rows of private copies these events owe to connected attendees who have none
    yet (values to create, dirty): the first step of an event reaching an attendee's calendar."""
    records = (events.filtered(lambda e: not e.recurrence_id) | events.recurrence_id.base_event_id).filtered("active")
    if not records:
        return []
    syncs = senders.sending(env, records.partner_ids.user_ids)
    if not syncs:
        return []
    refs = {record.id: _ref_of(record) for record in records}
    existing = {(row.sync_id.id, row.local_ref) for row in env["google.calendar.binding"].sudo().search([
        ("sync_id", "in", syncs.ids), ("local_ref", "in", list(refs.values()))])}
    live = Attendance(syncs[:1]).live_organizers()
    now = fields.Datetime.now()
    values: list[dict[str, Any]] = []
    for sync in syncs:
        attendance = Attendance(sync, live)
        for record in records.filtered(lambda r, s=sync: s.user_id.partner_id in r.partner_ids):
            ref = refs[record.id]
            if (sync.id, str(ref)) in existing or attendance.access(record) is not Access.COPY:
                continue
            if record.id <= sync.new_after_event_id:
                continue  # after a reset to "only new events", what existed then stays out
            values.append({"sync_id": sync.id, "local_ref": str(ref), "access": Access.COPY.value,
                           "event_id": record.id if ref.is_event else False,
                           "recurrence_id": record.recurrence_id.id if ref.is_series else False,
                           "base_event_id": record.id if ref.is_series else False,
                           "dirty": True, "dirty_at": now, "notify": False})
    return values


def _ref_of(record: models.BaseModel) -> LocalRef:
    """The local reference of a single event, or of the series whose base event ``record`` is."""
    return LocalRef.series(record.recurrence_id.id) if record.recurrence_id else LocalRef.event(record.id)
