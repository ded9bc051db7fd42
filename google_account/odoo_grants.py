"""The upgrade of google_account from Odoo's own module to this one: what Odoo's Google Calendar
leaves to it, read before that module goes.

Odoo's google_calendar kept the OAuth client in ``google_calendar_client_id``/``_secret`` and
each user's grant in ``res_users_settings``. The grant was made for that same client, so its
refresh token works here as it is: nobody sees Google's consent page again. Odoo asked for the
whole calendar scope; Google keeps what it granted and answers a refresh with it, which covers
the narrower scopes used here.

Odoo's google_calendar cannot stay beside google_calendar_sync (same model name, and each would
synchronize the same events): it is marked for removal and google_calendar_sync for
installation, in the same run of Odoo's module loader. google_calendar_sync's install reads
Odoo's links before removing the module (google_calendar_sync/switch).
"""

import logging

from odoo import fields

_logger = logging.getLogger(__name__)

ODOO_SCOPE = "https://www.googleapis.com/auth/calendar"
ODOO_PARAMS = {"google_calendar_client_id": "client_id", "google_calendar_client_secret": "client_secret"}


def carry_odoo_grants(env):
    """Carry Odoo's OAuth client and users' grants, and hand Odoo's Google Calendar over to
    google_calendar_sync; does nothing on a database that never had Odoo's module."""
    _carry_client(env)
    if _has_column(env.cr, "res_users_settings", "google_calendar_rtoken"):
        _carry_grants(env)
    _hand_over_calendar(env)


def _has_column(cr, table, column):
    cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
               [table, column])
    return bool(cr.fetchone())


def _carry_client(env):
    """The Client ID and Secret, under this module's keys; Odoo's keys go (one copy of a secret)."""
    params = env["ir.config_parameter"].sudo()
    found = params.search([("key", "in", list(ODOO_PARAMS))])
    values = {param.key: param.value for param in found}
    if not values:
        return
    for key, name in ODOO_PARAMS.items():
        if values.get(key) and not params.get_param(f"google_account.{name}"):
            params.set_param(f"google_account.{name}", values[key])
    if all(values.get(key) for key in ODOO_PARAMS):
        params.set_param("google_account.calendar_enabled", "True")
    found.unlink()
    _logger.info("Google account: the Client ID and Secret of Odoo's Google Calendar are now this module's")


def _carry_grants(env):
    """A connected google.account per active internal user who had connected Odoo's module."""
    env.cr.execute("""
        SELECT s.user_id, s.google_calendar_rtoken, s.google_calendar_token, s.google_calendar_token_validity
          FROM res_users_settings s
          JOIN res_users u ON u.id = s.user_id
         WHERE COALESCE(s.google_calendar_rtoken, '') != '' AND u.active AND NOT u.share
         ORDER BY s.user_id
    """)
    grants = env.cr.fetchall()
    Account = env["google.account"].sudo()
    known = set(Account.search([("user_id", "in", [row[0] for row in grants])]).user_id.ids)
    now = fields.Datetime.now()
    Account.create([{
        "user_id": user_id,
        "state": "connected",
        "scopes": ODOO_SCOPE,
        "connected_at": now,
        "refresh_token": refresh_token,
        "access_token": access_token or False,
        "access_token_expires_at": expires_at if access_token else False,
    } for user_id, refresh_token, access_token, expires_at in grants if user_id not in known])


def _hand_over_calendar(env):
    """Odoo's google_calendar (and what depends on it) to remove, google_calendar_sync to install."""
    Module = env["ir.module.module"]
    odoo_calendar = Module.search([("name", "=", "google_calendar"), ("state", "in", ("installed", "to upgrade"))])
    if not odoo_calendar:
        return
    odoo_calendar.button_uninstall()
    Module.search([("name", "=", "google_calendar_sync"), ("state", "=", "uninstalled")]).button_install()
    _logger.info("Google account: Odoo's Google Calendar is replaced by Google Calendar Sync, which takes over "
                 "its links and pending changes as it installs")
