"""An administrator's pause of every user's synchronization, and the Calendar app's checkbox."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    google_calendar_sync_paused = fields.Boolean(
        "Pause Google Calendar Synchronization", config_parameter="google_calendar_sync.paused",
        help="Nothing is sent to or read from Google while paused; changes made meanwhile go when it resumes.")
