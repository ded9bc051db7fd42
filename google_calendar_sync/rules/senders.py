"""Whose Odoo changes go to Google, and through which synchronizations, now.

A sync *sends* its user's changes when it was connected once and its direction sends: paused
ones too, their changes wait and go when they resume. It is *live* when it runs now (connected,
not paused, no global pause); the changes of a live sync are announced to the guests by Google,
so Odoo does not mail them itself. Both rules are google.calendar.sync's domains
(``_sending_domain``, ``_live_domain``), written there only; here, what saves ask of them.
"""

from odoo.tools import SQL


def sending(env, users):
    """The syncs that send these users' changes (sudo)."""
    Sync = env["google.calendar.sync"].sudo()
    if not users:
        return Sync
    return Sync.search([("user_id", "in", users.ids), *Sync._sending_domain()])


def announcing(env, users):
    """The syncs through which Google announces these users' changes to their guests now."""
    return sending(env, users)._live()


def as_sql(env):
    """Every sync as a row of ``id, user_id, sending, live``, by the rules above: for the hooks of
    a save, which mark bindings and ask for runs in one statement, and for reminders. What it
    reads is flushed first: a pause or a disconnection earlier in the transaction counts."""
    Sync = env["google.calendar.sync"]
    Sync.flush_model(["user_id"])
    return SQL(
        """SELECT s.id, s.user_id, s.id IN %s AS sending, s.id IN %s AS live FROM google_calendar_sync s""",
        Sync._subquery(Sync._sending_domain()), Sync._subquery(Sync._live_domain()),
    )
