"""A connection starts the user's synchronization; a disconnection stops it. Either way, and
when the Google account changes, the events the user organizes or attends change hands on
Google (see port/attendance.py)."""

from odoo import models

from ..port import binder

LOST = "google_calendar_sync.lost_connections"  # the accounts this transaction found refused, for its commit


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
            binder.recheck_people(self.env, changed.user_id)
        return result

    def _on_connected(self):
        result = super()._on_connected()
        Sync = self.env["google.calendar.sync"]
        for account in self:
            sync = Sync._for_user(account.user_id)
            sync._forget_replaced_account()
            sync._sync_now()
        return result

    def _connected_message(self):
        return self.env._("%(connected)s. Your calendar synchronizes now, and then by itself.",
                          connected=super()._connected_message())

    def _lose_connection(self, exc):
        """The user is told in their open Odoo (Odoo's bus) when the transaction that found the
        grant refused commits (a run, the calendar list, a reset), unless that transaction ended
        the connection on purpose meanwhile (a disconnection): once, where it was found."""
        result = super()._lose_connection(exc)
        lost = self.env.cr.precommit.data.setdefault(LOST, set())
        if not lost:
            self.env.cr.precommit.add(self._tell_lost_connections)
        lost.update(self.ids)
        return result

    def _tell_lost_connections(self):
        accounts = self.sudo().browse(self.env.cr.precommit.data.pop(LOST, ()))
        for account in accounts.filtered(lambda a: a.state == "needs_reconnect"):
            account.user_id.partner_id._bus_send("simple_notification", {
                "type": "warning", "sticky": True, "message": account.last_error,
                "title": self.env._("Google Calendar needs you"),
            })

    def _on_disconnect(self):
        result = super()._on_disconnect()
        self.env["google.calendar.sync"].sudo().search([("account_id", "in", self.ids)])._reset_after_disconnect()
        return result
