"""Reset Account (Settings > Users > a user > Calendar): what happens to the user's synchronized
events, and what the next synchronization sends, as in Odoo's documentation. Administrators only."""

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from .account_reset import AccountReset, GrantRefused

DELETE_POLICIES = [
    ("dont_delete", "Leave them untouched"),
    ("delete_google", "Delete from the current Google Calendar account"),
    ("delete_odoo", "Delete from Odoo"),
    ("delete_both", "Delete from both"),
]
SYNC_POLICIES = [
    ("new", "Synchronize only new events"),
    ("all", "Synchronize all existing events"),
]


class GoogleCalendarReset(models.TransientModel):
    _name = "google.calendar.reset"
    _description = "Reset a User's Google Calendar Synchronization"

    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    delete_policy = fields.Selection(
        DELETE_POLICIES, "User's Existing Events", default="dont_delete", required=True,
        help="Only the events of this user's calendar that are synchronized and that the user organizes.")
    sync_policy = fields.Selection(
        SYNC_POLICIES, "Next Synchronization", default="new", required=True,
        help="Only new events: what exists now on either side stays out of the synchronization. "
        "All existing events: the next synchronization sends and receives everything again.")
    notify_attendees = fields.Boolean(
        "Notify attendees", help="Let Google mail the guests of the events it deletes.")

    def action_reset(self):
        """Apply the choices, revoke the user's Google grant, and leave them to reconnect."""
        self.ensure_one()
        if not self.env.user._is_system():
            raise AccessError(self.env._("Only administrators can reset a Google Calendar synchronization."))
        sync = self.env["google.calendar.sync"].sudo().search([("user_id", "=", self.user_id.id)])
        if not sync:
            raise UserError(self.env._("%(user)s has no Google Calendar synchronization to reset.",
                                       user=self.user_id.name))
        try:
            kept, reason = AccountReset(sync).apply(self.delete_policy, self.sync_policy, self.notify_attendees)
        except GrantRefused as refusal:
            # Answered, not raised: the lost connection Google's refusal revealed is saved.
            return _notification(str(refusal), "danger", sticky=True)
        message = self.env._("The Google Calendar synchronization of %(user)s was reset; they can connect again.",
                             user=self.user_id.name)
        if kept:
            message += " " + self.env._(
                "Google did not delete %(count)s of the events (%(reason)s): they stay in Google Calendar and in Odoo.",
                count=kept, reason=reason)
        return _notification(message, "warning" if kept else "success", sticky=bool(kept))


def _notification(message, kind, sticky):
    """The wizard's answer: a notification, then the dialog closes."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"type": kind, "message": message, "sticky": sticky,
                   "next": {"type": "ir.actions.act_window_close"}},
    }
