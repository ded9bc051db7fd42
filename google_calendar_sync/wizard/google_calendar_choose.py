"""Pick which Google calendar a user's Odoo calendar is synchronized with (from calendarList)."""

from gcal_engine.errors import EngineError

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.google_account.exceptions import GoogleAccountError


class GoogleCalendarChoose(models.TransientModel):
    _name = "google.calendar.choose"
    _description = "Choose a Google Calendar"

    sync_id = fields.Many2one("google.calendar.sync", required=True, ondelete="cascade")
    calendar_id = fields.Selection(selection="_selection_calendars", string="Google Calendar", required=True)

    @api.model
    def _selection_calendars(self):
        """The user's calendars on Google, read when the dialog opens (an explicit request)."""
        sync_id = self.env.context.get("default_sync_id")
        if not sync_id:
            return []
        sync = self.env["google.calendar.sync"].browse(sync_id)
        sync._check_own()
        try:
            entries = sync.sudo()._calendar_list()
        except (EngineError, GoogleAccountError) as error:
            raise UserError(self.env._("Google did not list your calendars: %(error)s", error=str(error))) from error
        return [(entry["id"], entry.get("summaryOverride") or entry.get("summary") or entry["id"]) for entry in entries
                if entry.get("accessRole") in ("owner", "writer")]

    def action_choose(self):
        self.ensure_one()
        self.sync_id._check_own()
        names = dict(self._fields["calendar_id"]._description_selection(self.env))
        self.sync_id.sudo()._switch_calendar(self.calendar_id, names.get(self.calendar_id, self.calendar_id))
        return {"type": "ir.actions.act_window_close"}
