"""Which attendees Google reminds of an event, so that Odoo does not remind them too.

Google rings an event's reminders on the Google calendars that hold it. An attendee's own
synchronization puts the event there (their own event, a private copy, or the invitation it
binds) and keeps it in step while it runs: it sends their changes and is live (connected,
paused neither by them nor by an administrator). So an attendee is reminded by Google when
their synchronization is such, and has bound the event, or its series, to a Google event.
Everyone else gets Odoo's reminder as before: guests outside Odoo, colleagues without Google, a
paused or disconnected synchronization (its Google calendar may be out of date), an event Google
does not have yet.
"""

from odoo.tools import SQL

from . import senders

REMINDING = "google_calendar_sync_reminding"  # context key of the reminder cron's mailings


def reminded_by_google(attendees):
    """Those of ``attendees`` (calendar.attendee) whom Google reminds of their event, in one query."""
    if not attendees:
        return attendees
    env = attendees.env
    env["calendar.attendee"].flush_model(["event_id", "partner_id"])
    env["calendar.event"].flush_model(["recurrence_id"])
    env["google.calendar.binding"].flush_model(["sync_id", "google_id", "event_id", "recurrence_id"])
    env["res.users"].flush_model(["partner_id"])
    env.cr.execute(SQL(
        """SELECT attendee.id
             FROM calendar_attendee attendee
             JOIN calendar_event event ON event.id = attendee.event_id
             JOIN res_users person ON person.partner_id = attendee.partner_id
             JOIN (%s) sync ON sync.user_id = person.id AND sync.sending AND sync.live
            WHERE attendee.id IN %s
              AND EXISTS (SELECT 1 FROM google_calendar_binding binding
                           WHERE binding.sync_id = sync.id AND binding.google_id IS NOT NULL
                             AND (binding.event_id = event.id OR binding.recurrence_id = event.recurrence_id))""",
        senders.as_sql(env), tuple(attendees.ids),
    ))
    return attendees.browse(row[0] for row in env.cr.fetchall())
