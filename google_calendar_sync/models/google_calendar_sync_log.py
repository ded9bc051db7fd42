"""A synchronization run as users and administrators read it: when, how long, what it did, and
which events failed and why. Replaces "look in the server logs" of the Odoo documentation."""

from gcal_engine.errors import MassDeletionError

from odoo import api, fields, models
from odoo.tools import format_datetime

from ..words import messages
from ..jobs.transaction import Transaction

KEEP = 100  # runs kept per user


class GoogleCalendarSyncLog(models.Model):
    _name = "google.calendar.sync.log"
    _description = "Google Calendar Synchronization Run"
    _order = "started_at desc, id desc"

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
    problem_line_ids = fields.One2many(
        "google.calendar.sync.log.line", "log_id", "Events Not Synchronized", readonly=True,
        domain=[("kind", "in", ("problem", "skipped", "note"))])
    conflict_line_ids = fields.One2many(
        "google.calendar.sync.log.line", "log_id", "Conflicting Events", readonly=True,
        domain=[("kind", "=", "conflict")])

    @api.depends("started_at")
    @api.depends_context("tz", "lang")
    def _compute_display_name(self):
        for log in self:
            log.display_name = format_datetime(self.env, log.started_at) if log.started_at else ""

    def _progress(self, report):
        """Called by the engine after each step: a first sync of thousands shows it advancing."""
        if report.processed != self.processed:  # a step that changed nothing has nothing to show
            self.write(dict(self._count_values(report), processed=report.processed, kind=report.kind or False))
            Transaction(self.env).commit()

    @api.model
    def _summary(self, report):
        """The run in a line, in the user's language: "In Odoo: 3 created; In Google Calendar: 1 deleted";
        empty for a run that stopped before doing anything."""
        counts = report.counts
        parts = []
        sides = (
            (self.env._("In Odoo"), counts.created_local, counts.updated_local, counts.deleted_local,
             counts.archived_local, counts.withdrawn_local),
            (self.env._("In Google Calendar"), counts.created_google, counts.updated_google, counts.deleted_google,
             0, 0),
        )
        for label, created, updated, deleted, archived, declined in sides:
            # Plain names inside _(): Odoo's term extraction (Babel) cannot read an f-string there.
            done = [text for count, text in (
                (created, self.env._("%(count)s created", count=created)),
                (updated, self.env._("%(count)s updated", count=updated)),
                (deleted, self.env._("%(count)s deleted", count=deleted)),
                (archived, self.env._("%(count)s archived (deleted on the other side after an edit here)",
                                      count=archived)),
                (declined, self.env._("%(count)s declined (removed from your Google calendar)", count=declined)),
            ) if count]
            if done:
                parts.append(f"{label}: {', '.join(done)}")
        if report.conflicts:
            parts.append(self.env._("%(count)s changed on both sides", count=len(report.conflicts)))
        if report.problems:
            parts.append(self.env._("%(count)s failed", count=len(report.problems)))
        if report.skipped:
            parts.append(self.env._("%(count)s skipped", count=len(report.skipped)))
        if parts or not report.complete:  # a run that stopped did not find "nothing to change"
            return "; ".join(parts)
        return self.env._("Nothing to change")

    @staticmethod
    def _count_values(report):
        """The log's count fields (archived and withdrawn events are in the summary and ``processed``)."""
        counts = report.counts
        return {"created_in_odoo": counts.created_local, "updated_in_odoo": counts.updated_local,
                "deleted_in_odoo": counts.deleted_local, "created_in_google": counts.created_google,
                "updated_in_google": counts.updated_google, "deleted_in_google": counts.deleted_google}

    def _record(self, report, cuts=()):
        """The run's report: counts, conflicts with the version that lost, problems by event, and
        the events from Google kept in part (``cuts``: OdooCalendar's)."""
        Line = self.env["google.calendar.sync.log.line"]
        lines = [Line._from_problem(problem, "problem") for problem in report.problems]
        lines += [Line._from_cut(*cut) for cut in cuts]
        lines += [Line._from_problem(problem, "skipped") for problem in report.skipped]
        lines += [Line._from_conflict(conflict) for conflict in report.conflicts]
        # Events not synchronized, or kept in part: each a line, and each counted as a problem.
        problem_count = len(report.problems) + len(report.skipped) + len(cuts)
        if report.complete:
            state = "partial" if problem_count else "done"
        elif isinstance(report.fatal, MassDeletionError) or report.fatal is None and report.error is None:
            state = "stopped"
        else:
            state = "failed"
        message = messages.stop(self.env, report)
        self.write(dict(
            self._count_values(report),
            processed=report.processed,
            kind=report.kind or False,
            state=state,
            summary="; ".join(part for part in (self._summary(report), message) if part),
            message=message,
            finished_at=fields.Datetime.now(),
            duration=report.duration,
            conflict_count=len(report.conflicts),
            problem_count=problem_count,
            requests=report.requests,
            line_ids=[(0, 0, values) for values in lines],
        ))
        self._forget_old()

    def _failed(self, message):
        self.write({"state": "failed", "message": message, "summary": message, "finished_at": fields.Datetime.now(),
                    "duration": (fields.Datetime.now() - self.started_at).total_seconds()})

    def _forget_old(self):
        old = self.search([("sync_id", "=", self.sync_id.id)], offset=KEEP)
        old.unlink()
