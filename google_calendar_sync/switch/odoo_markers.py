"""The extended properties Odoo's own Google Calendar module put on Google events, after a
switch from it (see switch/): ``<database>_odoo_id``, the Odoo event (or series) an event is,
and ``<database>_owner_id``, its organizer in Odoo. They name the database to every guest, so
they go as each event is next written; until then they still find the event an Odoo record is.
"""

from ..port.local_ref import LocalRef

PARAM_PREFIX = "google_calendar_sync.odoo_marker_prefix"  # the database name Odoo used in them


def prefix(env):
    return env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX) or ""


def retired_keys(marker_prefix):
    """The properties to remove from events as they are written (none without a switch)."""
    return (f"{marker_prefix}_odoo_id", f"{marker_prefix}_owner_id") if marker_prefix else ()


def local_ref(event, marker_prefix):
    """The local reference Odoo's marker on ``event`` (a gcal_engine Event) names, or None: a
    series master names a series (Odoo marked it with its recurrence), anything else an event."""
    if not marker_prefix or event.is_instance:
        return None
    key = f"{marker_prefix}_odoo_id"
    value = dict(event.shared_properties).get(key) or dict(event.private_properties).get(key)
    if not value or not value.isdigit():
        return None
    record_id = int(value)
    return str(LocalRef.series(record_id) if event.is_series else LocalRef.event(record_id))
