"""What Odoo's own Google Calendar left in the database, read from its columns: its code is not
loaded when google_calendar_sync installs, and its columns go once this has been read.

Odoo kept one Google id per record for everybody: ``calendar_event.google_id`` (a single event,
or an occurrence as ``<series id>_<start>``, Google's instance id) and
``calendar_recurrence.google_id`` (the series); ``need_sync`` marks what Odoo had not sent
yet; ``guests_readonly`` whether guests may change an event (Odoo sent its opposite as Google's
``guestsCanModify``). Each user's state is in ``res_users_settings``. The same in Odoo 18 and 19.
"""

import datetime as dt
from dataclasses import dataclass

ODOO_PAUSE = "google_calendar_sync_paused"
ODOO_RANGE = "google_calendar.sync.range_days"  # Odoo's window, in days either side of today


@dataclass(frozen=True)
class OdooUser:
    """A user who connected Odoo's Google Calendar (and still has their grant)."""

    user_id: int
    partner_id: int
    login: str
    sync_token: str | None
    calendar_id: str | None
    stopped: bool


@dataclass(frozen=True)
class OdooEvent:
    id: int
    google_id: str | None
    need_sync: bool
    active: bool
    user_id: int | None
    recurrence_id: int | None
    follow_recurrence: bool
    write_date: dt.datetime


@dataclass(frozen=True)
class OdooSeries:
    id: int
    google_id: str | None
    need_sync: bool
    base_event_id: int
    user_id: int | None  # the base event's organizer
    write_date: dt.datetime


class OdooLinks:
    """Odoo's links, read in bulk (a handful of queries, whatever the number of events)."""

    def __init__(self, env):
        self.cr = env.cr
        self.params = env["ir.config_parameter"].sudo()

    def present(self):
        """Whether Odoo's Google Calendar is still there to take over."""
        self.cr.execute("""
            SELECT count(*) FROM information_schema.columns
             WHERE (table_name, column_name) IN (('calendar_event', 'google_id'), ('calendar_event', 'need_sync'),
                   ('calendar_event', 'guests_readonly'), ('calendar_recurrence', 'google_id'),
                   ('res_users_settings', 'google_calendar_rtoken'))
        """)
        return self.cr.fetchone()[0] == 5

    def users(self):
        self.cr.execute("""
            SELECT u.id, u.partner_id, u.login, s.google_calendar_sync_token, s.google_calendar_cal_id,
                   COALESCE(s.google_synchronization_stopped, FALSE)
              FROM res_users_settings s
              JOIN res_users u ON u.id = s.user_id
             WHERE COALESCE(s.google_calendar_rtoken, '') != '' AND u.active AND NOT u.share
             ORDER BY u.id
        """)
        return [OdooUser(*row) for row in self.cr.fetchall()]

    def window(self):
        """Odoo's synchronization window: what it would have sent at its next run."""
        days = int(self.params.get_param(ODOO_RANGE, 365) or 365)
        now = dt.datetime.utcnow()
        return now - dt.timedelta(days=days), now + dt.timedelta(days=days)

    def events(self):
        """Events Odoo linked to Google, and single events it had not sent yet (in its window)."""
        start, stop = self.window()
        self.cr.execute("""
            SELECT id, google_id, COALESCE(need_sync, FALSE), active, user_id, recurrence_id,
                   COALESCE(follow_recurrence, FALSE), write_date
              FROM calendar_event
             WHERE COALESCE(google_id, '') != ''
                OR (active AND recurrence_id IS NULL AND stop > %s AND start < %s)
             ORDER BY id
        """, [start, stop])
        return [OdooEvent(*row[:1], row[1] or None, *row[2:]) for row in self.cr.fetchall()]

    def series(self):
        """Every series with a base event, linked or not (Odoo sends a new one at its next run)."""
        self.cr.execute("""
            SELECT r.id, r.google_id, COALESCE(r.need_sync, FALSE), r.base_event_id, e.user_id, r.write_date
              FROM calendar_recurrence r
              JOIN calendar_event e ON e.id = r.base_event_id
             WHERE COALESCE(r.active, TRUE) AND e.active
             ORDER BY r.id
        """)
        return [OdooSeries(row[0], row[1] or None, *row[2:]) for row in self.cr.fetchall()]

    def guests(self, partner_ids):
        """{event id: the partners among ``partner_ids`` who attend it}."""
        self.cr.execute("""
            SELECT calendar_event_id, array_agg(res_partner_id) FROM calendar_event_res_partner_rel
             WHERE res_partner_id = ANY(%s) GROUP BY calendar_event_id
        """, [list(partner_ids)])
        return {event_id: frozenset(partners) for event_id, partners in self.cr.fetchall()}

    def carry_guest_rights(self):
        """Odoo's ``guests_readonly`` as ``google_guests_can_modify``: the events Odoo let guests
        change (all it created) stay so on Google when next written, and Odoo keeps refusing the
        others' changes to the rest. In SQL, like the bindings: no event's write date moves."""
        self.cr.execute("""
            UPDATE calendar_event SET google_guests_can_modify = NOT COALESCE(guests_readonly, FALSE)
             WHERE google_guests_can_modify IS DISTINCT FROM NOT COALESCE(guests_readonly, FALSE)
        """)

    def paused(self):
        return (self.params.get_param(ODOO_PAUSE) or "").lower() in ("true", "1")

    def forget_params(self):
        self.params.search([("key", "in", (ODOO_PAUSE, ODOO_RANGE))]).unlink()
