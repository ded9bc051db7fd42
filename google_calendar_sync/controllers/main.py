"""The webhook Google notifies when a user's calendar changes (events.watch push channels)."""

from odoo import http
from odoo.http import request

from ..sync.push_channel import WEBHOOK_PATH, receive

STATUS = {"queued": 200, "handshake": 200, "refused": 403, "unknown": 404}


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
        )
        return request.make_response("", status=STATUS[outcome])
