"""The Google Calendar connection in the user's preferences: status and connect/disconnect.

The status fields read ``google.account`` with the reader's own rights, so a user sees their
own connection, an administrator everyone's, and nobody a token.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .google_account import STATES


class ResUsers(models.Model):
    _inherit = "res.users"

    google_account_state = fields.Selection(STATES, "Google Calendar", compute="_compute_google_account")
    google_account_email = fields.Char("Google Account", compute="_compute_google_account")
    google_account_last_error = fields.Text("Google Calendar Problem", compute="_compute_google_account")
    google_account_expires_at = fields.Datetime(
        "Google Connection Ends On", compute="_compute_google_account",
        help="While the app is in Testing mode at Google, Google ends every connection after 7 days: connect "
             "again then, or have an administrator publish the app (Google Auth Platform > Audience).")

    @api.depends_context("uid")
    def _compute_google_account(self):
        Account = self.env["google.account"]
        accounts = Account.search([("user_id", "in", self.ids)]) if Account.has_access("read") else Account
        by_user = {account.user_id.id: account for account in accounts}
        for user in self:
            account = by_user.get(user.id, Account)
            user.google_account_state = account.state or False
            user.google_account_email = account.email
            user.google_account_last_error = account.last_error
            user.google_account_expires_at = account.refresh_token_expires_at

    def action_google_account_connect(self):
        """Send the user to Google's consent page; they come back to the web client."""
        self.ensure_one()
        if self != self.env.user:
            raise AccessError(self.env._("You can only connect your own Google account."))
        url = self.env["google.account"]._authorization_url(self.env.context.get("google_account_return_url"))
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def action_google_account_disconnect(self):
        """End the user's Google connection (their own, or anyone's for an administrator)."""
        self.ensure_one()
        if self != self.env.user and not self.env.user._is_system():
            raise AccessError(self.env._("You can only disconnect your own Google account."))
        accounts = self.env["google.account"].search([("user_id", "=", self.id)])
        accounts.action_disconnect()
        problem = accounts.sudo().last_error  # Google could not be told: what to do about it
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if problem else "info",
                "message": problem or self.env._("Google Calendar disconnected: Google ended Odoo's access."),
                # The page behind (a calendar with its Google button) shows the new state.
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
