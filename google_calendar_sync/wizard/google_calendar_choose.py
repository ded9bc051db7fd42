"""Pick which Google calendar a user's Odoo calendar is synchronized with (from calendarList)."""

from gcal_engine.errors import EngineError

from odoo import api, fields, models

from odoo.addons.google_account.exceptions import GoogleAccountError

from ..words import messages


class GoogleCalendarChoose(models.TransientModel):
    _name = "google.calendar.choose"
    _description = "Choose a Google Calendar"

    sync_id = fields.Many2one("google.calendar.sync", required=True, ondelete="cascade")
    line_ids = fields.One2many("google.calendar.choose.line", "wizard_id", "Your Google Calendars", readonly=True)

    @api.model
    def _calendar_name(self, entry):
        """The name a person knows the calendar by: Google names the primary one after its owner's
        address, and the preferences call it the primary calendar."""
        name = entry.get("summaryOverride") or entry.get("summary") or entry["id"]
        return self.env._("Primary calendar (%(name)s)", name=name) if entry.get("primary") else name

    @api.model
    def _open_for(self, sync):
        """The dialog, saved with the calendars Google lists now (those the user can write to), so
        that each line's button acts on a real record. When Google refuses, a message says why,
        and the transaction goes on: a lost connection is saved as "needs reconnection"."""
        sync._check_own()
        try:
            entries = sync.sudo()._calendar_list()
        except GoogleAccountError as error:
            return self._refusal(f"{error.cause} {error.fix}".strip())
        except EngineError as error:
            return self._refusal(messages.problem(self.env, error))
        current = sync.sudo().calendar_id
        # Made here only (users may read it, not create or write it): its lines are what Google
        # listed, and a line's calendar is the one its button chooses.
        wizard = self.sudo().create({"sync_id": sync.id, "line_ids": [(0, 0, {
            "google_calendar_id": entry["id"],
            "name": self._calendar_name(entry),
            "primary": bool(entry.get("primary")),
            "current": entry["id"] == current or current == "primary" and bool(entry.get("primary")),
        }) for entry in entries if entry.get("accessRole") in ("owner", "writer")]})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Choose a Google Calendar"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_back(self):
        """Back to the preferences this dialog was opened from (Odoo shows one dialog at a time)."""
        return dict(self.env["res.users"].action_get(), res_id=self.env.uid)

    @api.model
    def _refusal(self, text):
        """The notification that says why Google did not list the calendars; the transaction goes
        on (a lost connection is saved as "needs reconnection")."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "danger",
                "sticky": True,
                "message": self.env._("Google did not list your calendars: %(error)s", error=text),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
