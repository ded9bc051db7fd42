"""1.1.0: on a database that used Odoo's own Google modules, take over their OAuth client,
users' grants, and Odoo's Google Calendar (see google_account/odoo_grants.py)."""

from odoo import api
from odoo.addons.google_account.odoo_grants import carry_odoo_grants


def migrate(cr, version):
    carry_odoo_grants(api.Environment(cr, api.SUPERUSER_ID, {}))
