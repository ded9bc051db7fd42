"""One event of a run that failed, was skipped, or met a conflict; linked to the event in Odoo."""

from odoo import api, fields, models

from ..words import messages
from ..port.local_ref import LocalRef


class GoogleCalendarSyncLogLine(models.Model):
    _name = "google.calendar.sync.log.line"
    _description = "Google Calendar Synchronization Run Line"
    _order = "id"

    log_id = fields.Many2one("google.calendar.sync.log", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(related="log_id.user_id", store=True)
    kind = fields.Selection(
        [("problem", "Failed"), ("skipped", "Skipped"), ("note", "Kept in part"), ("conflict", "Conflict")],
        required=True, readonly=True)
    event_id = fields.Many2one("calendar.event", ondelete="set null", readonly=True)
    google_id = fields.Char("Google Event ID", readonly=True)
    name = fields.Char("Event Title", readonly=True)
    message = fields.Text(readonly=True)

    @api.model
    def _event_of(self, local_ref):
        """The Odoo event behind a local reference (a series shows as its base event)."""
        if not local_ref:
            return False
        ref = LocalRef.parse(local_ref)
        if ref.is_event:
            return self.env["calendar.event"].browse(ref.record_id).exists().id
        return self.env["calendar.recurrence"].browse(ref.record_id).exists().base_event_id.id

    @api.model
    def _from_problem(self, problem, kind):
        return {"kind": kind, "event_id": self._event_of(problem.local_ref), "google_id": problem.google_id,
                "name": problem.summary, "message": messages.problem(self.env, problem.error)}

    @api.model
    def _from_cut(self, local_ref, event, what):
        return {"kind": "note", "event_id": self._event_of(local_ref), "google_id": event.google_id,
                "name": event.summary, "message": messages.cut(self.env, what)}

    @api.model
    def _from_conflict(self, conflict):
        loser = conflict.loser
        return {"kind": "conflict", "event_id": self._event_of(conflict.local_ref), "google_id": conflict.google_id,
                "name": loser.summary if loser else "", "message": messages.conflict(self.env, conflict)}

    def action_open_event(self):
        """The event in Odoo, from the log (a list row's button: the log is read-only)."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "calendar.event", "res_id": self.event_id.id,
                "view_mode": "form", "views": [(False, "form")], "target": "current"}
