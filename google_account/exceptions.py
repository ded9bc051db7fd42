"""Typed errors of the Google account layer, for the addons built on it.

Each error says what happened (``cause``) and what a person must do (``fix``), already
translated; ``retryable`` tells a caller (a cron, a sync job) whether trying later can help.
They are ``UserError`` subclasses, so an error that reaches the web client shows as a clear
message, never as a traceback.
"""

from odoo.exceptions import UserError


class GoogleAccountError(UserError):
    """A Google connection problem that a person can fix."""

    retryable = False
    http_status = 400
    return_url = None  # the local page the person started from, when known: "Try again" leads back there

    def __init__(self, cause, fix=""):
        super().__init__(f"{cause}\n{fix}" if fix else cause)
        self.cause = cause
        self.fix = fix


class GoogleNotConfigured(GoogleAccountError):
    """Google Calendar is disabled, or its Client ID or Client Secret is missing."""


class GoogleReconnectRequired(GoogleAccountError):
    """The user's grant is gone (revoked, expired, never given): only a new consent helps."""


class GoogleTemporaryError(GoogleAccountError):
    """Google did not answer or failed on its side: the same call may work later."""

    retryable = True
    http_status = 503


class GoogleAuthorizationError(GoogleAccountError):
    """The answer from Google's consent page could not be turned into a connection."""
