"""A connection starts the user's synchronization; a disconnection stops it."""

from odoo import models


class GoogleAccount(models.Model):
    _inherit = "google.account"

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
