"""The webhook Google notifies when a user's calendar changes (events.watch push channels), and
the user documentation that Settings link to (the addon's README, as Odoo's Apps show it)."""

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..jobs.push_channel import WEBHOOK_PATH, receive

STATUS = {"queued": 200, "ignored": 200, "handshake": 200, "refused": 403, "unknown": 404}


class GoogleCalendarWebhook(http.Controller):
    @http.route(WEBHOOK_PATH, type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def notify(self):
        """Google's POST has no body, only X-Goog-* headers: a channel, its token, the resource
        and what happened. A change queues that user's run (first in line); the answer is quick."""
        headers = request.httprequest.headers
        outcome = receive(
            request.env,
            headers.get("X-Goog-Channel-ID"),
            headers.get("X-Goog-Channel-Token"),
            headers.get("X-Goog-Resource-ID"),
            headers.get("X-Goog-Resource-State"),
            headers.get("X-Goog-Message-Number"),
        )
        return request.make_response("", status=STATUS[outcome])

    @http.route("/google_calendar_sync/documentation", type="http", auth="user", methods=["GET"])
    def documentation(self):
        """The user documentation, for the company's users (what portal users have is no calendar)."""
        if not request.env.user._is_internal():
            raise NotFound()
        module = request.env["ir.module.module"].sudo().search([("name", "=", "google_calendar_sync")], limit=1)
        return request.render("google_calendar_sync.documentation", {"content": module.description_html})
