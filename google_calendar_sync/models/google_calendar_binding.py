"""One row per Odoo event (or series) and Google event kept in sync for one user: the engine's
binding, plus the dirty flag that queues a local change. Kept apart from calendar.event, so the
business record carries no sync plumbing, and kept after a local deletion until Google has it."""

from odoo import api, fields, models
from odoo.tools import SQL

from ..compat import Constraint
from ..sync import mapping, senders
from ..sync.attendance import owed_copies
from ..sync.local_ref import LocalRef
from ..sync.run_queue import RunQueue
from ..sync.sync_window import sync_window


class GoogleCalendarBinding(models.Model):
    _name = "google.calendar.binding"
    _description = "Google Calendar Binding"
    _order = "id"

    sync_id = fields.Many2one("google.calendar.sync", required=True, ondelete="cascade", index=True)
    local_ref = fields.Char("Local Reference", required=True, help="The engine's id: e<event>, r<series>.")
    event_id = fields.Many2one("calendar.event", ondelete="set null", index="btree_not_null")
    recurrence_id = fields.Many2one("calendar.recurrence", ondelete="set null", index="btree_not_null")
    base_event_id = fields.Many2one(
        "calendar.event", ondelete="set null",
        help="For a series: its base event, which survives when Odoo rewrites the series.")
    series_binding_id = fields.Many2one(
        "google.calendar.binding", ondelete="cascade", index="btree_not_null",
        help="For an occurrence that differs from its series: the binding of the series.")
    original_start = fields.Char(help="For an occurrence: where the series put it (its Google instance).")
    google_id = fields.Char("Google Event ID", index="btree_not_null")
    etag = fields.Char()
    ical_uid = fields.Char("iCalUID", index="btree_not_null")
    local_hash = fields.Char()
    remote_hash = fields.Char()
    starts_at = fields.Datetime()
    ends_at = fields.Datetime()
    access = fields.Selection(
        [("organizer", "Organizer"), ("attendee", "Invited from outside Odoo"),
         ("invited", "Invited by a synchronized colleague"), ("copy", "Private copy")],
        default="organizer", required=True,
        help="What this user's synchronization may do with the Google event: the user's own event goes both "
             "ways; an invitation brings the organizer's version and sends the user's answer; a colleague's "
             "invitation is carried by the colleague's synchronization; a private copy (for an organizer "
             "who does not synchronize) is sent by this one and brings back the user's answer.")
    local_digests = fields.Text(help="Per field, what Odoo had when both sides last agreed (JSON).")
    remote_digests = fields.Text(help="Per field, what Google had when both sides last agreed (JSON).")
    dirty = fields.Boolean(index=True, help="Changed in Odoo since the last synchronization.")
    dirty_at = fields.Datetime("Changed On")
    notify = fields.Boolean(default=True, help="Google mails the guests about this change.")
    last_error = fields.Char()

    _local_unique = Constraint("unique(sync_id, local_ref)", "An Odoo event is bound once per synchronization.")
    _google_unique = Constraint("unique(sync_id, google_id)", "A Google event is bound once per synchronization.")

    # -- queueing a person's changes ------------------------------------------------------------
    # Called from calendar.event/recurrence/attendee hooks: one statement per save, which marks
    # the bindings and asks for their runs (RunQueue.queue), no HTTP; the cron does the rest.

    @api.model
    def _track_new_events(self, events):
        """New single events of users whose changes go to Google: bind them, dirty, for a push."""
        singles = events.filtered(lambda e: e.active and e.user_id and not e.recurrence_id)
        if not singles:
            return
        # One INSERT for them all: a user creating a thousand events must not wait for a
        # thousand ORM creates of plumbing rows (nothing computes from these fields).
        now, uid = fields.Datetime.now(), self.env.uid
        RunQueue(self.env).queue(SQL(
            """
            INSERT INTO google_calendar_binding
                   (sync_id, local_ref, event_id, dirty, dirty_at, notify, access,
                    create_uid, create_date, write_uid, write_date)
            SELECT s.id, e.ref, e.id, TRUE, %(now)s, s.live, 'organizer', %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(ids)s::int[], %(users)s::int[], %(refs)s::varchar[]) AS e(id, user_id, ref)
              JOIN (%(syncs)s) s ON s.user_id = e.user_id AND s.sending
            RETURNING CASE WHEN notify THEN sync_id END AS sync_id
            """,
            now=now, uid=uid, ids=singles.ids, users=[event.user_id.id for event in singles],
            refs=[str(LocalRef.event(event.id)) for event in singles],
            syncs=senders.as_sql(self.env),
        ))

    @api.model
    def _track_new_series(self, recurrences):
        """A new series: bind it for its organizer. When it replaces a series (Odoo rewrites a
        series on an "all events" edit) or turns a bound single event into a series, the
        existing binding moves to it, so Google gets a patch of the same event, not a new one."""
        Binding = self.sudo()
        now = fields.Datetime.now()
        syncs = senders.sending(self.env, recurrences.base_event_id.user_id)
        announcing = senders.live(syncs)
        for recurrence in recurrences.filtered("base_event_id"):
            base = recurrence.base_event_id
            sync = syncs.filtered(lambda s, b=base: s.user_id == b.user_id)
            previous = Binding.search([
                "|", ("event_id", "=", base.id), "&", ("base_event_id", "=", base.id), ("recurrence_id", "=", False),
            ])
            values = {"local_ref": str(LocalRef.series(recurrence.id)), "recurrence_id": recurrence.id,
                      "event_id": False, "base_event_id": base.id, "dirty": True, "dirty_at": now,
                      "notify": bool(sync & announcing)}
            if previous:
                previous.write(values)
            elif sync and base.id > sync.new_after_event_id:
                # (An older series, rewritten by Odoo after a reset to "only new events", stays out.)
                Binding.create(dict(values, sync_id=sync.id))
        syncs._request_sync()

    @api.model
    def _track_attendance(self, events):
        """Connected attendees of these events who get a private copy and have no binding yet get
        one, dirty (see sync/attendance.py)."""
        values = owed_copies(self.env, events)
        if values:
            senders.live(self.sudo().create(values).sync_id)._request_sync()

    @api.model
    def _recheck_people(self, users):
        """These users connected, disconnected, paused or resumed: the events they organize change
        hands on their attendees' calendars (a private copy, or the organizer's invitation), and
        those they attend reach their Google address. Nobody is mailed for it."""
        since = fields.Datetime.now() - sync_window(self.env)[0]
        Event = self.env["calendar.event"].sudo()
        events = Event.search([("user_id", "in", users.ids), ("stop", ">", since)]) | Event.search(
            [("partner_ids", "in", users.partner_id.ids), ("stop", ">", since)])
        rows = self.sudo().search(["|", ("event_id", "in", events.ids),
                                   ("recurrence_id", "in", events.recurrence_id.ids)])
        # (A row already waiting keeps when and how it was changed.)
        rows.filtered(lambda row: not row.dirty).write({"dirty": True, "dirty_at": fields.Datetime.now(),
                                                        "notify": False})
        self._track_attendance(events)
        senders.live(rows.sync_id)._request_sync()

    @api.model
    def _series_became_single(self, series_rows, event):
        """A series made one event again in Odoo ("all events", not recurrent): its bindings move
        to that event, so Google gets a patch of the same event (its recurrence removed, its id,
        guests and answers kept), not a deletion and a new event."""
        rows = series_rows.exists()
        children = self.sudo().search([("series_binding_id", "in", rows.ids)])
        children.unlink()  # the occurrences' exceptions go with the recurrence on Google
        rows.write({"local_ref": str(LocalRef.event(event.id)), "event_id": event.id, "recurrence_id": False,
                    "base_event_id": False, "dirty": True, "dirty_at": fields.Datetime.now()})

    @api.model
    def _original_starts(self, events):
        """For occurrences of bound series: {event id: (series bindings, original start)}, read
        before a change moves or deletes them."""
        if not events.recurrence_id:
            return {}
        series_rows = self.sudo().search([("recurrence_id", "in", events.recurrence_id.ids)])
        if not series_rows:
            return {}
        return {
            event.id: (series_rows.filtered(lambda r, e=event: r.recurrence_id == e.recurrence_id),
                       mapping.original_start_of(event))
            for event in events.filtered("recurrence_id")
        }

    @api.model
    def _mark_changed(self, events=None, recurrences=None, originals=None, notify=True):
        """Mark the bindings of these records dirty (an occurrence that changes alone gets its
        own binding, as an exception of its series) and queue their syncs. Google announces the
        change (``notify``) only for syncs that are on now: for the others, Odoo mailed."""
        events = events or self.env["calendar.event"]
        recurrences = recurrences or self.env["calendar.recurrence"]
        if not events and not recurrences:
            return
        if originals:
            self._bind_exceptions(originals)
        now = fields.Datetime.now()
        RunQueue(self.env).queue(SQL(
            """
            UPDATE google_calendar_binding b
               SET dirty = TRUE, dirty_at = %(now)s, notify = s.live AND %(notify)s,
                   write_uid = %(uid)s, write_date = %(now)s
              FROM (%(syncs)s) s
             WHERE s.id = b.sync_id AND (b.event_id = ANY(%(events)s) OR b.recurrence_id = ANY(%(recurrences)s))
            RETURNING CASE WHEN s.live THEN b.sync_id END AS sync_id
            """,
            now=now, notify=notify, uid=self.env.uid, events=events.ids, recurrences=recurrences.ids,
            syncs=senders.as_sql(self.env),
        ))

    @api.model
    def _bind_exceptions(self, originals):
        """Bindings for occurrences of bound series that change alone, where they have none yet:
        ``originals`` maps an event id to (its series' binding rows, its original start)."""
        Binding = self.sudo()
        rows = Binding.search([("event_id", "in", list(originals))])
        creates = []
        for event_id, (series_rows, original) in originals.items():
            for series_row in series_rows:
                if not rows.filtered(lambda r, s=series_row, e=event_id: r.sync_id == s.sync_id and r.event_id.id == e):
                    creates.append({
                        "sync_id": series_row.sync_id.id, "local_ref": str(LocalRef.event(event_id)),
                        "event_id": event_id, "series_binding_id": series_row.id,
                        "original_start": mapping.encode_original(original), "access": series_row.access,
                    })
        Binding.create(creates)
