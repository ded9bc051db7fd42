"""The last message Google sent on a user's push channel: a notification whose number does not
increase (a replay, or one overtaken by a later one) queues nothing.

A row of its own, not a field of the synchronization: the webhook must not write the record a
running cron job writes to (see google.calendar.sync.request).
"""

from odoo import fields, models

from ..compat import Constraint


class GoogleCalendarSyncMessage(models.Model):
    _name = "google.calendar.sync.message"
    _description = "Google Calendar Push Message"
    _log_access = False

    sync_id = fields.Many2one("google.calendar.sync", required=True, ondelete="cascade", index=True)
    channel_id = fields.Char(required=True)
    number = fields.Float("Message Number", digits=(20, 0), required=True, help="X-Goog-Message-Number")

    _sync_unique = Constraint("unique(sync_id)", "One last message per synchronization.")

    def _is_new(self, sync, channel_id, number):
        """Record message ``number`` of ``channel_id``; False when it is not newer than the last one
        (one statement: two deliveries of one message cannot both pass)."""
        self.env.cr.execute(
            """INSERT INTO google_calendar_sync_message AS m (sync_id, channel_id, number) VALUES (%s, %s, %s)
               ON CONFLICT (sync_id) DO UPDATE SET channel_id = EXCLUDED.channel_id, number = EXCLUDED.number
                WHERE m.channel_id != EXCLUDED.channel_id OR m.number < EXCLUDED.number
               RETURNING id""",
            [sync.id, channel_id, number],
        )
        return bool(self.env.cr.fetchone())
