"""One row per Odoo event (or series) and Google event kept in sync for one user: the engine's
binding, plus the dirty flag that queues a local change. Kept apart from calendar.event, so the
business record carries no sync plumbing, and kept after a local deletion until Google has it.
Written only by ``port/binder.py``."""

from odoo import fields, models

from ..compat import Constraint


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
