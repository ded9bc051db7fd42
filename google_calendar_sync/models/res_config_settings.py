"""An administrator's settings of every user's synchronization: the pause, how far back and
ahead events are synchronized, and how many users are synchronized at once (Settings > General
Settings > Integrations > Google Calendar)."""

import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..jobs.run_queue import PARAM_RUNS_AT_A_TIME, RUNS_AT_A_TIME, RunQueue
from ..rules.sync_window import (
    DEFAULT_FUTURE_DAYS,
    DEFAULT_PAST_DAYS,
    PARAM_FUTURE,
    PARAM_PAST,
    added_spans,
    sync_window,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    google_calendar_sync_paused = fields.Boolean(
        "Pause Google Calendar Synchronization", config_parameter="google_calendar_sync.paused",
        help="Nothing is sent to or read from Google while paused; changes made meanwhile go when it resumes.")
    google_calendar_past_days = fields.Integer(
        "Days Back", config_parameter=PARAM_PAST, default=DEFAULT_PAST_DAYS,
        help="Events that ended more than this many days ago are not synchronized (a series counts whole).")
    google_calendar_future_days = fields.Integer(
        "Days Ahead", config_parameter=PARAM_FUTURE, default=DEFAULT_FUTURE_DAYS,
        help="Events that start more than this many days ahead are not synchronized (a series counts whole).")

    google_calendar_runs_at_a_time = fields.Integer(
        "Synchronizations at a Time", config_parameter=PARAM_RUNS_AT_A_TIME, default=RUNS_AT_A_TIME,
        help="Users synchronized at once, each on one cron worker of whichever Odoo server is free "
             "(--max-cron-threads per server, 2 by default): at most the cron workers of all servers together.")

    @api.constrains("google_calendar_runs_at_a_time")
    def _check_google_calendar_runs_at_a_time(self):
        if any(settings.google_calendar_runs_at_a_time < 1 for settings in self):
            raise ValidationError(self.env._("Google Calendar needs at least one synchronization at a time."))

    @api.constrains("google_calendar_past_days", "google_calendar_future_days")
    def _check_google_calendar_window(self):
        for settings in self:
            if settings.google_calendar_past_days < 0 or settings.google_calendar_future_days < 1:
                raise ValidationError(self.env._(
                    "The Google Calendar synchronization window needs 0 or more days back and at least one day ahead."))

    def set_values(self):
        """Runs at a time: as many cron jobs (RunQueue.fit_cron_jobs). Only a window that really
        grows asks anything of the users' synchronizations, and only the spans it grew by (saving
        the same days, or the defaults written the first time, is no change; what leaves a
        narrower window stays on both sides, untouched)."""
        before = sync_window(self.env)
        result = super().set_values()
        RunQueue(self.env).fit_cron_jobs(self.google_calendar_runs_at_a_time)
        spans = added_spans(before, sync_window(self.env), fields.Datetime.now().replace(tzinfo=datetime.timezone.utc))
        if spans:
            self.env["google.calendar.sync"].sudo().search([("account_id", "!=", False)])._window_widened(spans)
        return result
