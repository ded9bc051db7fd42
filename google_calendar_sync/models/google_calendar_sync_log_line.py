"""One event of a run that failed, was skipped, or met a conflict; linked to the event in Odoo."""

from odoo import api, fields, models


class GoogleCalendarSyncLogLine(models.Model):
    _name = "google.calendar.sync.log.line"
    _description = "Google Calendar Synchronization Run Line"
    _order = "id"

    log_id = fields.Many2one("google.calendar.sync.log", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(related="log_id.user_id", store=True)
    kind = fields.Selection(
        [("problem", "Failed"), ("skipped", "Skipped"), ("conflict", "Conflict")], required=True, readonly=True)
    event_id = fields.Many2one("calendar.event", ondelete="set null", readonly=True)
    google_id = fields.Char("Google Event ID", readonly=True)
    name = fields.Char("Event Title", readonly=True)
    message = fields.Text(readonly=True)

    @api.model
    def _event_of(self, local_id):
        """The Odoo event behind an engine local id (a series shows as its base event)."""
        if not local_id:
            return False
        kind, record_id = local_id[0], int(local_id[1:].partition("@")[0])
        if kind == "e":
            return self.env["calendar.event"].browse(record_id).exists().id
        return self.env["calendar.recurrence"].browse(record_id).exists().base_event_id.id

    @api.model
    def _from_problem(self, problem, kind):
        return {"kind": kind, "event_id": self._event_of(problem.local_id), "google_id": problem.google_id,
                "name": problem.summary, "message": problem.message}

    @api.model
    def _from_conflict(self, conflict):
        loser = conflict.loser
        # Each term on its own: Odoo's term extraction misses a _() nested in another's arguments.
        side = self.env._("Google Calendar") if conflict.winner == "google" else self.env._("Odoo")
        lost = loser.summary if loser else self.env._("a deletion")
        lost = self.env._("The version kept is from %(side)s; the other one was: %(lost)s", side=side, lost=lost)
        return {"kind": "conflict", "event_id": self._event_of(conflict.local_id), "google_id": conflict.google_id,
                "name": loser.summary if loser else "", "message": f"{conflict.reason}. {lost}"}
