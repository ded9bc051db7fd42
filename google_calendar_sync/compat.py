"""What differs between the Odoo series this addon runs on (18.0 and 19.0), and only that: the
rest of the addon is written once for every series (see google_account/compat.py, whose names
this module shares)."""

from odoo.addons.google_account.compat import SERIES, Constraint

__all__ = ["ATTENDEES_MAILING", "POPOVER_DELETE_EVENT", "SERIES", "Constraint"]

# calendar.attendee's mailing of a template to attendees (invitations, changes, reminders), by name:
# Odoo 18's (mail_template, force_send=False), Odoo 19's (mail_template, notify_author=False,
# force_send=False).
ATTENDEES_MAILING = "_notify_attendees" if SERIES >= 19 else "_send_mail_to_attendees"

# calendar.popover.delete.wizard's field for the event it deletes: Odoo 18's record, Odoo 19's
# calendar_event_id.
POPOVER_DELETE_EVENT = "calendar_event_id" if SERIES >= 19 else "record"
