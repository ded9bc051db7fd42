"""Google's request quotas as allowances shared by every Odoo process of the database.

One row per quota: the project's (the OAuth client's) and each Google account's. The rows are
read and written by ``gateway/shared_pacer.py`` in single statements; nothing else touches them.
"""

from odoo import fields, models

from ..compat import Constraint


class GoogleCalendarQuota(models.Model):
    _name = "google.calendar.quota"
    _description = "Google Calendar Request Allowance"
    _log_access = False

    key = fields.Char(required=True, help="project:<client id> or user:<Google address>.")
    tokens = fields.Float(help="Requests that can be sent now, as of the last refill.")
    refilled_at = fields.Datetime(required=True)

    _key_unique = Constraint("UNIQUE(key)", "One allowance per quota.")
