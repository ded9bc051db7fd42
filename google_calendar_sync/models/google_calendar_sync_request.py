"""A reason to run a user's synchronization: their edit, Google's notification, a poll.

Requests are only inserted, and deleted by the claim that serves them. Whoever asks for a run (a
person saving an event, Google's webhook) never updates the synchronization record a running
cron job writes to, so asking never conflicts with a run under PostgreSQL's repeatable read.
"""

from odoo import fields, models


class GoogleCalendarSyncRequest(models.Model):
    _name = "google.calendar.sync.request"
    _description = "Google Calendar Synchronization Request"
    _order = "urgent desc, requested_at, id"
    _log_access = False

    sync_id = fields.Many2one("google.calendar.sync", required=True, ondelete="cascade", index=True)
    requested_at = fields.Datetime(required=True, default=fields.Datetime.now)
    urgent = fields.Boolean(help="Google notified a change, or the user clicked Sync now: runs first.")
    not_before = fields.Datetime(help="Not run before then: Google notified a change right after a run.")
