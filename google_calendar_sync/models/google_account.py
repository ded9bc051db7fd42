"""A connection starts the user's synchronization; a disconnection stops it. Either way, and
when the Google account changes, the events the user organizes or attends change hands on
Google (see sync/attendance.py)."""

from odoo import models


class GoogleAccount(models.Model):
    _inherit = "google.account"

    def write(self, vals):
        watched = {"state", "email"} & set(vals)
        before = {account.id: (account.state, account.email) for account in self} if watched else {}
        result = super().write(vals)
        # (The address of an account first learned, as for a grant carried from Odoo's own module,
        # is no change of account.)
        changed = self.filtered(lambda a: a.id in before and (
            a.state != before[a.id][0] or (before[a.id][1] and a.email != before[a.id][1])))
        if changed:
            self.env["google.calendar.binding"]._recheck_people(changed.user_id)
        return result

    def _on_connected(self):
        result = super()._on_connected()
        Sync = self.env["google.calendar.sync"]
        for account in self:
            Sync._for_user(account.user_id)._request_sync(urgent=True)
        return result

    def _connected_message(self):
        return self.env._("%(connected)s. Your calendar synchronizes now, and then by itself.",
                          connected=super()._connected_message())

    def _on_disconnect(self):
        result = super()._on_disconnect()
        self.env["google.calendar.sync"].sudo().search([("account_id", "in", self.ids)])._reset_after_disconnect()
        return result
