"""A guest's answer changed in Odoo: Google must hear it too. Google, not Odoo, mails the guests
of the events it synchronizes."""

from odoo import models


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals and not self.env.context.get("google_calendar_sync"):
            Binding = self.env["google.calendar.binding"]
            Binding._mark_changed(events=self.event_id)
            Binding._track_attendance(self.event_id)
        return result

    def _send_mail_to_attendees(self, mail_template, force_send=False):
        """Odoo asks event by event whether to mail (``_skip_send_mail_status_update``): answer
        for all of this mailing's organizers with one query."""
        announced = self.env["google.calendar.sync"]._syncs_announcing(self.event_id.user_id).user_id
        mailing = self.with_context(google_announced_users=tuple(announced.ids))
        return super(CalendarAttendee, mailing)._send_mail_to_attendees(mail_template, force_send=force_send)
