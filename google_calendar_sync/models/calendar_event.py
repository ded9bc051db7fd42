"""calendar.event: queue a person's changes for Google (never waiting on it), and let Google,
not Odoo, send the invitations of the events it synchronizes."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..port import binder, record_mapping
from ..rules import senders
from ..rules.reminders import REMINDING

# Fields whose change Google must hear about (what the mapping reads).
SYNCED_FIELDS = {
    "name", "description", "location", "start", "stop", "allday", "start_date", "stop_date", "duration",
    "partner_ids", "attendee_ids", "alarm_ids", "privacy", "show_as", "videocall_location", "active",
    "google_time_zone", "google_meet", "recurrency", "rrule", "event_tz",
    "google_guests_can_modify", "google_guests_can_invite_others", "google_guests_can_see_other_guests",
}
SERIES_UPDATES = ("all_events", "future_events")
# Fields that change whose Google calendars show an event.
ATTENDANCE_FIELDS = {"partner_ids", "attendee_ids", "user_id", "active"}


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    google_time_zone = fields.Char(
        help="The time zone Google Calendar gives this event (Odoo keeps one only for series).")
    # Google Meet among Odoo's video call sources, as Odoo's own google_calendar has it (18 and 19).
    videocall_source = fields.Selection(selection_add=[("google_meet", "Google Meet")])
    google_meet = fields.Boolean(
        compute="_compute_google_meet", store=True, readonly=False,
        help="The video call is a Google Meet: ticked, Google makes one when the event is synchronized with "
             "Google Calendar, and its link comes back here.")
    google_guests_can_modify = fields.Boolean(
        "Guests Can Modify", help="On Google Calendar, the guests may change this event, not only answer.")
    google_guests_can_invite_others = fields.Boolean(
        "Guests Can Invite Others", default=True, help="On Google Calendar, the guests may invite others.")
    google_guests_can_see_other_guests = fields.Boolean(
        "Guests Can See Other Guests", default=True, help="On Google Calendar, the guests see the guest list.")

    @api.depends("videocall_location")
    def _compute_google_meet(self):
        """A Meet link is a Google Meet; another link, or none, is not (the Meet is then removed
        from Google, and not made again)."""
        for event in self:
            event.google_meet = bool(record_mapping.meet_url_of(event.videocall_location))

    @api.depends("videocall_location")
    def _compute_videocall_source(self):
        """Google Meet, for a Meet link (as Odoo 19's own module says); Odoo's sources for the others."""
        meet = self.filtered(lambda event: record_mapping.meet_url_of(event.videocall_location))
        meet.videocall_source = "google_meet"
        return super(CalendarEvent, self - meet)._compute_videocall_source()

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        if not self.env.context.get("google_calendar_sync"):
            binder.track_new_events(self.env, events)
            binder.track_attendance(self.env, events.filtered(lambda event: not event.recurrence_id))
        return events

    def write(self, vals):
        context = self.env.context
        if context.get("google_calendar_sync") or context.get("google_series_write") or not SYNCED_FIELDS & set(vals):
            return super().write(vals)
        self._check_google_guest_rights(vals)
        if vals.get("recurrence_update") in SERIES_UPDATES:
            # Odoo rewrites or splits the series; its inner writes are not edits of one occurrence.
            recurrences = self.recurrence_id
            single = vals.get("recurrency") is False and vals["recurrence_update"] == "all_events" and len(self) == 1
            series_rows = binder.series_rows(self.env, recurrences) if single else None
            result = super(CalendarEvent, self.with_context(google_series_write=True)).write(vals)
            if single:
                binder.series_became_single(self.env, series_rows, self)
            binder.mark_changed(self.env, events=self, recurrences=(recurrences | self.recurrence_id).exists())
            return result
        originals = binder.original_starts(self.env, self)
        result = super().write(vals)
        whole = self.recurrence_id.browse()
        if vals.get("active") is False:
            # The calendar's Delete of all events archives every occurrence: the series is deleted.
            whole = self.recurrence_id.filtered(lambda recurrence: not recurrence.calendar_event_ids)
            originals = {event_id: found for event_id, found in originals.items()
                         if self.browse(event_id).recurrence_id not in whole}
        binder.mark_changed(self.env, events=self, recurrences=whole, originals=originals)
        if ATTENDANCE_FIELDS & set(vals):
            binder.track_attendance(self.env, self)
        return result

    def unlink(self):
        events = self - self._declined_instead_of_deleted()
        if not self.env.context.get("google_calendar_sync"):
            whole = events.recurrence_id.filtered(lambda r: not (r.calendar_event_ids - events))
            alone = events.filtered(lambda e: e.recurrence_id not in whole)
            binder.mark_changed(self.env, events=events, recurrences=whole,
                                originals=binder.original_starts(self.env, alone))
        return super(CalendarEvent, events).unlink()

    def _check_google_guest_rights(self, vals):
        """On Google, only the organizer changes an event whose organizer forbade guests' changes
        (``guestsCanModify`` false): the others answer it, and invite others where the organizer
        lets them. Odoo refuses the same change on every synchronized event, whoever synchronizes
        it: through a guest's synchronization, Google would refuse it and the change be lost; through
        the organizer's, it would reach Google as the organizer's own. The organizer and
        administrators still change it."""
        user = self.env.user
        others = self.filtered(lambda event: event.user_id != user and not event.google_guests_can_modify)
        if self.env.su or user._is_system() or not others:
            return
        rows = self.env["google.calendar.binding"].sudo().search([
            "|", ("event_id", "in", others.ids), ("recurrence_id", "in", others.recurrence_id.ids)])
        synchronized = others.filtered(lambda e: e in rows.event_id or e.recurrence_id in rows.recurrence_id)
        changed = SYNCED_FIELDS & set(vals)
        for event in synchronized:
            inviting = changed <= {"partner_ids", "attendee_ids"} and event.google_guests_can_invite_others
            if not inviting:
                raise UserError(self.env._(
                    "Only the organizer of “%(event)s” can change it: on Google Calendar, they did not let "
                    "guests modify it. You can answer it.", event=event.name))

    def _declined_instead_of_deleted(self):
        """A guest who deletes a colleague's meeting that Google synchronizes declines it: the
        meeting stays for the others (as on Google, where only the organizer can cancel it)."""
        user = self.env.user
        context = self.env.context
        if context.get("google_calendar_sync") or context.get("google_series_write") or self.env.su:
            return self.browse()
        theirs = self.filtered(lambda event: event.user_id and event.user_id != user and not event.recurrence_id
                               and user.partner_id in event.partner_ids)
        if not theirs or not self.env["google.calendar.sync"].sudo().search_count(
                [("user_id", "in", (user | theirs.user_id).ids)], limit=1):
            return self.browse()
        theirs.attendee_ids.filtered(lambda attendee: attendee.partner_id == user.partner_id).do_decline()
        return theirs

    def _skip_send_mail_status_update(self):
        """Google mails the guests of the events it synchronizes (sendUpdates=all): Odoo must not too.
        Reminders are not Google's announcements: who Google reminds is decided attendee by
        attendee (see calendar.attendee).

        The organizers Google announces for are looked up once per mailing (see calendar.attendee).
        """
        if super()._skip_send_mail_status_update():
            return True
        if self.env.context.get(REMINDING):
            return False
        announced = self.env.context.get("google_announced_users")
        if announced is None:
            return bool(senders.announcing(self.env, self.user_id))
        return self.user_id.id in announced
