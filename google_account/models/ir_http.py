from odoo import models
from odoo.http import request

SESSION_MESSAGE_KEY = "google_account_message"


def show_after_reload(message):
    """Have the web client show ``message`` once, when it next loads (after a redirect or a
    reload, which would wipe a notification shown now)."""
    if request:
        request.session[SESSION_MESSAGE_KEY] = message


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Hand the web client, once, the message left in this session for its next load (the
        Google callback's, or saved preferences'); not to the session refresh that precedes a
        reload (``/web/session/get_session_info``), which would take it from the page."""
        info = super().session_info()
        if request.httprequest.path != "/web/session/get_session_info":
            message = request.session.pop(SESSION_MESSAGE_KEY, None)
            if message:
                info[SESSION_MESSAGE_KEY] = message
        return info
