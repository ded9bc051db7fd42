"""A guest's answer changed in Odoo: Google must hear it too."""

from odoo import models


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals and not self.env.context.get("google_calendar_sync"):
            self.env["google.calendar.binding"]._mark_changed(events=self.event_id)
        return result
