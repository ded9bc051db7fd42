"""A guest's answer changed in Odoo: Google must hear it too. Google, not Odoo, mails the guests
of the events it synchronizes, and reminds the attendees it reminds. New attendees follow their
events in one pass over them."""

from collections import defaultdict

from odoo import models

from ..compat import ATTENDEES_MAILING
from ..port import binder
from ..rules import senders
from ..rules.reminders import REMINDING, reminded_by_google


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals and not self.env.context.get("google_calendar_sync"):
            binder.mark_changed(self.env, events=self.event_id)
            binder.track_attendance(self.env, self.event_id)
        return result

    def _mail_attendees(self, *args, **kwargs):
        """Odoo's mailing of a template to attendees (invitations, changes, reminders; its name
        per series is compat.ATTENDEES_MAILING). Odoo asks event by event whether to mail
        (``_skip_send_mail_status_update``): answer for all of this mailing's organizers at once."""
        announced = senders.announcing(self.env, self.event_id.user_id).user_id
        mailing = self.with_context(google_announced_users=tuple(announced.ids))
        return getattr(super(CalendarAttendee, mailing), ATTENDEES_MAILING)(*args, **kwargs)

    def _should_notify_attendee(self, *args, **kwargs):
        """Odoo's, but a reminder rings once: not by mail for an attendee Google reminds."""
        if self.env.context.get(REMINDING) and reminded_by_google(self):
            return False
        return super()._should_notify_attendee(*args, **kwargs)

    def _subscribe_partner(self):
        """Odoo's: new attendees follow their events, one subscription per set of partners; in one
        pass over them, where Odoo's compares each event's attendees with all those created (a
        first synchronization creates thousands at once)."""
        partners_of = defaultdict(set)
        for attendee in self:
            partners_of[attendee.event_id.id].add(attendee.partner_id.id)
        events_of = defaultdict(list)
        for event in self.event_id:
            partners = partners_of[event.id] - set(event.message_partner_ids.ids) - {self.env.user.partner_id.id}
            events_of[frozenset(partners)].append(event.id)
        for partners, event_ids in events_of.items():
            self.env["calendar.event"].browse(event_ids).message_subscribe(partner_ids=list(partners))


# The override of Odoo's mailing, under the name the series gives it.
setattr(CalendarAttendee, ATTENDEES_MAILING, CalendarAttendee._mail_attendees)
