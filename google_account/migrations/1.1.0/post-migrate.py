"""1.1.0: on a database that used Odoo's own Google modules, take over their OAuth client,
users' grants, and Odoo's Google Calendar (see google_account/takeover.py)."""

from odoo import api
from odoo.addons.google_account.takeover import take_over


def migrate(cr, version):
    take_over(api.Environment(cr, api.SUPERUSER_ID, {}))
