"""A synchronization run as users and administrators read it: when, how long, what it did, and
which events failed and why. Replaces "look in the server logs" of the Odoo documentation."""

from gcal_engine.errors import MassDeletionError

from odoo import fields, models

KEEP = 100  # runs kept per user
COUNTS = ("created_in_odoo", "updated_in_odoo", "deleted_in_odoo",
          "created_in_google", "updated_in_google", "deleted_in_google")


class GoogleCalendarSyncLog(models.Model):
    _name = "google.calendar.sync.log"
    _description = "Google Calendar Synchronization Run"
    _order = "started_at desc, id desc"
    _rec_name = "started_at"

    sync_id = fields.Many2one("google.calendar.sync", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(related="sync_id.user_id", store=True, index=True)
    started_at = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    finished_at = fields.Datetime(readonly=True)
    duration = fields.Float("Duration (s)", readonly=True, digits=(16, 1))
    kind = fields.Selection(
        [("first", "First synchronization"), ("incremental", "Changes"), ("resync", "Full resynchronization")],
        readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("partial", "Done, with problems"),
         ("stopped", "Stopped"), ("failed", "Failed")],
        default="running", required=True, readonly=True)
    summary = fields.Char(readonly=True)
    message = fields.Text(readonly=True, help="Why the run stopped or failed, and what to do.")
    processed = fields.Integer("Events Done", readonly=True, help="Grows while a long first synchronization runs.")
    created_in_odoo = fields.Integer("Created in Odoo", readonly=True)
    updated_in_odoo = fields.Integer("Updated in Odoo", readonly=True)
    deleted_in_odoo = fields.Integer("Deleted in Odoo", readonly=True)
    created_in_google = fields.Integer("Created in Google", readonly=True)
    updated_in_google = fields.Integer("Updated in Google", readonly=True)
    deleted_in_google = fields.Integer("Deleted in Google", readonly=True)
    conflict_count = fields.Integer("Conflicts", readonly=True)
    problem_count = fields.Integer("Problems", readonly=True)
    requests = fields.Integer("Requests to Google", readonly=True)
    line_ids = fields.One2many("google.calendar.sync.log.line", "log_id", readonly=True)

    def _progress(self, report):
        """Called by the engine after each step: a first sync of thousands shows it advancing."""
        self.write(dict(self._count_values(report), processed=sum(report.counts[name] for name in COUNTS),
                        kind=report.kind or False))
        self.sync_id._commit()

    @staticmethod
    def _count_values(report):
        return {name: report.counts[name] for name in COUNTS}

    def _record(self, report):
        """The run's report: counts, conflicts with the version that lost, problems by event."""
        Line = self.env["google.calendar.sync.log.line"]
        lines = [Line._from_problem(problem, "problem") for problem in report.problems]
        lines += [Line._from_problem(problem, "skipped") for problem in report.skipped]
        lines += [Line._from_conflict(conflict) for conflict in report.conflicts]
        if report.complete:
            state = "partial" if report.problems or report.skipped else "done"
        elif isinstance(report.fatal, MassDeletionError) or report.fatal is None and report.error is None:
            state = "stopped"
        else:
            state = "failed"
        self.write(dict(
            self._count_values(report),
            processed=sum(report.counts[name] for name in COUNTS),
            kind=report.kind or False,
            state=state,
            summary=report.summary()[:250],
            message=report.stopped or False,
            finished_at=fields.Datetime.now(),
            duration=report.duration,
            conflict_count=len(report.conflicts),
            problem_count=len(report.problems),
            requests=report.requests,
            line_ids=[(0, 0, values) for values in lines],
        ))
        self._forget_old()

    def _failed(self, message):
        self.write({"state": "failed", "message": message, "finished_at": fields.Datetime.now(),
                    "duration": (fields.Datetime.now() - self.started_at).total_seconds()})

    def _forget_old(self):
        old = self.search([("sync_id", "=", self.sync_id.id)], offset=KEEP)
        old.unlink()
