from odoo import models
from odoo.http import request

SESSION_MESSAGE_KEY = "google_account_message"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Hand the web client, once, the message the Google callback left in this session."""
        info = super().session_info()
        message = request.session.pop(SESSION_MESSAGE_KEY, None)
        if message:
            info[SESSION_MESSAGE_KEY] = message
        return info
