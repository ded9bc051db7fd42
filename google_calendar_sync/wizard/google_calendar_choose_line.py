"""One of the user's Google calendars in the Choose a Google Calendar dialog."""

from odoo import fields, models


class GoogleCalendarChooseLine(models.TransientModel):
    _name = "google.calendar.choose.line"
    _description = "A Google Calendar to Choose"
    _order = "primary desc, name"

    wizard_id = fields.Many2one("google.calendar.choose", required=True, ondelete="cascade")
    google_calendar_id = fields.Char("Google Calendar ID", required=True)
    name = fields.Char("Google Calendar", required=True)
    primary = fields.Boolean()
    current = fields.Boolean("In Use")

    def action_choose(self):
        """Synchronize with this calendar from now on (the old one's bindings are forgotten)."""
        self.ensure_one()
        sync = self.wizard_id.sync_id
        sync._check_own()
        calendar_id = "primary" if self.primary else self.google_calendar_id
        sync.sudo()._switch_calendar(calendar_id, self.name)
        return self.wizard_id.action_back()
