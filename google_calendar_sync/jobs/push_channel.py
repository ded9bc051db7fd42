"""Google's push notifications for one user's calendar: the channel (events.watch), opened and
renewed after successful runs, stopped on disconnect and reset, and what a notification does.

Push needs Odoo at a public https address (``web.base.url``, or the system parameter
``google_calendar_sync.webhook_base_url`` behind a proxy and in tests); without one, polling
alone brings Google's changes. A notification is trusted when it names a live channel and its
secret token; it queues that user's run, first in line.
"""

import datetime
import hmac
import logging
import re
import secrets
import uuid
from urllib.parse import urlsplit

from gcal_engine.client import expiry_from_ms
from gcal_engine.errors import EngineError

from odoo import fields

from odoo.addons.google_account.exceptions import GoogleAccountError

from ..gateway.google_client import calendar_client
from .run_queue import RunQueue
from .transaction import Transaction

_logger = logging.getLogger(__name__)

PARAM_WEBHOOK = "google_calendar_sync.webhook_base_url"
WEBHOOK_PATH = "/google_calendar_sync/notify"
CHANNEL_TTL = datetime.timedelta(days=7)  # Google's longest for events.watch
CHANNEL_RENEWAL = datetime.timedelta(days=1)  # renewed when it expires sooner than this
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
CHANNEL_FIELDS = ("channel_id", "channel_token", "channel_resource_id", "channel_expires_at")
CHANNEL_ID = re.compile(r"[0-9a-f]{32}")  # the channel ids this addon gives Google (uuid4().hex)
MESSAGE_NUMBER = re.compile(r"[0-9]{1,19}")


def webhook_url(env):
    """Where Google can notify this Odoo, or None: a public https address is required."""
    params = env["ir.config_parameter"].sudo()
    override = params.get_param(PARAM_WEBHOOK)
    if override:
        return override.rstrip("/") + WEBHOOK_PATH
    base = urlsplit(params.get_param("web.base.url") or "")
    if base.scheme != "https" or not base.hostname or base.hostname in LOCAL_HOSTS:
        return None
    return f"https://{base.netloc}{WEBHOOK_PATH}"


def receive(env, channel_id, token, resource_id, resource_state, message_number=None):
    """A POST from Google on the webhook: 'unknown', 'refused' (spoofed), 'handshake' (the first
    message of a channel), 'ignored' (a message not newer than the last one) or 'queued' (a
    change: this user runs next). Headers are anyone's text: checked before any query."""
    if not CHANNEL_ID.fullmatch(channel_id or ""):
        return "unknown"
    sync = env["google.calendar.sync"].sudo().search([("channel_id", "=", channel_id)], limit=1)
    if not sync:
        return "unknown"
    if not (token and hmac.compare_digest(token.encode(), (sync.channel_token or "").encode())):
        return "refused"
    if resource_state == "sync":
        return "handshake"
    # Until watch() answered, the resource id is unknown: the secret token alone vouches.
    stored = sync.channel_resource_id
    if stored and not hmac.compare_digest((resource_id or "").encode(), stored.encode()):
        return "refused"
    if not MESSAGE_NUMBER.fullmatch(message_number or ""):
        return "refused"  # Google numbers every message
    if not env["google.calendar.sync.message"].sudo()._is_new(sync, channel_id, int(message_number)):
        return "ignored"
    RunQueue(env).notified(sync)
    return "queued"


class PushChannel:
    """The push channel of one ``google.calendar.sync`` (sudo)."""

    def __init__(self, sync):
        self.sync = sync
        self.transaction = Transaction(sync.env)

    def keep(self, client):
        """Have a live channel when push is possible: open one, or a new one before the old
        expires (then stop the old). Failures only mean polling goes on."""
        sync = self.sync
        address = webhook_url(sync.env)
        soon = fields.Datetime.now() + CHANNEL_RENEWAL
        if address and sync.channel_id and sync.channel_expires_at and sync.channel_expires_at > soon:
            return
        if not address and not sync.channel_id:
            return  # polling only, as before: nothing to write
        previous = {name: sync[name] for name in CHANNEL_FIELDS}
        values = dict.fromkeys(CHANNEL_FIELDS, False)
        if address:
            channel_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
            # Google's first message may arrive before watch() answers: it must find the channel.
            sync.write(dict(values, channel_id=channel_id, channel_token=token))
            self.transaction.commit()
            try:
                channel = client.watch(sync.calendar_id or "primary", channel_id, address, token,
                                       ttl_seconds=int(CHANNEL_TTL.total_seconds()))
            except EngineError as error:
                _logger.info("Google push channel for user %s not opened: %s", sync.user_id.id, error)
                sync.write(previous)
                return
            expires = expiry_from_ms(channel.get("expiration"))
            values = {"channel_id": channel_id, "channel_token": token, "channel_resource_id": channel["resourceId"],
                      "channel_expires_at": expires.replace(tzinfo=None) if expires else False}
        sync.write(values)
        self.transaction.commit()  # Google's messages on the new channel are checked against it from now on
        if previous["channel_id"]:
            self._stop(client, previous["channel_id"], previous["channel_resource_id"])

    def close(self):
        """Stop the channel (disconnect, reset, another calendar), while the tokens still work."""
        sync = self.sync
        if not sync.channel_id:
            return
        try:
            client = calendar_client(sync)
        except GoogleAccountError:
            client = None
        if client is not None:
            self._stop(client, sync.channel_id, sync.channel_resource_id)
            client.session.close()
        self.forget()

    def forget(self):
        """Forget the channel without stopping it: Google stops a channel only for the grant that
        opened it, and that one is gone (another Google account is connected now). Its messages
        are answered "unknown" from now on, and it expires by itself within a week; the next
        complete run opens a channel of the account connected now."""
        self.sync.write(dict.fromkeys(CHANNEL_FIELDS, False))

    def _stop(self, client, channel_id, resource_id):
        try:
            client.stop_channel(channel_id, resource_id)
        except EngineError as error:  # it expires by itself within a week
            _logger.info("Google push channel %s not stopped: %s", channel_id, error)
