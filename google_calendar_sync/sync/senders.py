"""Whose Odoo changes go to Google, and through which synchronizations, now.

A sync *sends* its user's changes when it was connected once and its direction sends: paused
ones too, their changes wait and go when they resume. It is *live* when it runs now (connected,
not paused, no global pause); the changes of a live sync are announced to the guests by Google,
so Odoo does not mail them itself.
"""

from odoo.tools import SQL


def sending(env, users):
    """The syncs that send these users' changes (sudo)."""
    Sync = env["google.calendar.sync"].sudo()
    if not users:
        return Sync
    return Sync.search([
        ("user_id", "in", users.ids),
        ("direction", "!=", "google_to_odoo"),
        ("account_id.state", "in", ("connected", "needs_reconnect")),
    ])


def live(syncs):
    """Those of ``syncs`` that run now."""
    if syncs._globally_paused():
        return syncs.browse()
    return syncs.filtered(lambda sync: sync.enabled and sync.account_id.state == "connected")


def announcing(env, users):
    """The syncs through which Google announces these users' changes to their guests now."""
    return live(sending(env, users))


def as_sql(env):
    """Every sync as a row of ``id, user_id, sending, live``, by the rules above: for the hooks of
    a save, which mark bindings and ask for runs in one statement, and for reminders. What it
    reads is flushed first: a pause or a disconnection earlier in the transaction counts."""
    env["google.calendar.sync"].flush_model(["user_id", "account_id", "direction", "enabled"])
    env["google.account"].flush_model(["state"])
    return SQL(
        """SELECT s.id, s.user_id,
                  s.direction != 'google_to_odoo' AND a.state IN ('connected', 'needs_reconnect') AS sending,
                  s.enabled AND a.state = 'connected' AND NOT %s AS live
             FROM google_calendar_sync s JOIN google_account a ON a.id = s.account_id""",
        env["google.calendar.sync"]._globally_paused(),
    )
