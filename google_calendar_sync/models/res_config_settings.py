"""An administrator's settings of every user's synchronization: the pause, and how far back and
ahead events are synchronized (Settings > General Settings > Integrations > Google Calendar)."""

import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..sync.sync_window import (
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

    @api.constrains("google_calendar_past_days", "google_calendar_future_days")
    def _check_google_calendar_window(self):
        for settings in self:
            if settings.google_calendar_past_days < 0 or settings.google_calendar_future_days < 1:
                raise ValidationError(self.env._(
                    "The Google Calendar synchronization window needs 0 or more days back and at least one day ahead."))

    def set_values(self):
        """Only a window that really grows asks anything of the users' synchronizations, and only
        the spans it grew by (saving the same days, or the defaults written the first time, is no
        change; what leaves a narrower window stays on both sides, untouched)."""
        before = sync_window(self.env)
        result = super().set_values()
        spans = added_spans(before, sync_window(self.env), fields.Datetime.now().replace(tzinfo=datetime.timezone.utc))
        if spans:
            self.env["google.calendar.sync"].sudo().search([("account_id", "!=", False)])._window_widened(spans)
        return result
