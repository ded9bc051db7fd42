"""What Odoo remembers of an event on Google once a synchronization forgot its binding.

A binding belongs to one synchronization and one Google calendar: another calendar, another
account or a reset forgets it. The event is still the same meeting on Google, under the same
iCalUID (and, for an occurrence, the same original start) in every calendar that holds it. When
a binding is forgotten, that identity is kept here with what both sides had last agreed on, so
that a later full list finds the Odoo event again instead of importing it twice, and merges what
changed since on either side instead of guessing (see port/event_matcher.py); an Odoo event
deleted since is found as its deletion, which that calendar then gets. Written only by
``port/binder.py``.
"""

from odoo import fields, models


class GoogleCalendarIdentity(models.Model):
    _name = "google.calendar.identity"
    _description = "Google Calendar Event Identity"
    _log_access = False

    local_ref = fields.Char("Local Reference", required=True, index=True)
    event_id = fields.Many2one("calendar.event", ondelete="set null", index="btree_not_null")
    recurrence_id = fields.Many2one("calendar.recurrence", ondelete="set null", index="btree_not_null")
    ical_uid = fields.Char("iCalUID", required=True, index=True)
    # The Google calendar the binding was in (a primary calendar by its owner's address): what
    # both sides agreed on is that calendar's.
    calendar = fields.Char(required=True)
    # The Google event's id there: once back on that calendar, an event a full list does not find
    # is fetched by it (deleted meanwhile, or gone out of the window).
    google_id = fields.Char("Google Event ID")
    # For an occurrence: where its series put it (its Google instance); without an event, an
    # occurrence deleted from the series.
    original_start = fields.Char()
    # What the forgotten binding recorded (see google.calendar.binding).
    access = fields.Char()
    local_hash = fields.Char()
    remote_hash = fields.Char()
    local_digests = fields.Text()
    remote_digests = fields.Text()
    starts_at = fields.Datetime()
    ends_at = fields.Datetime()
