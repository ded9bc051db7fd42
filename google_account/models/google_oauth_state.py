"""Pending Google authorizations: the OAuth ``state`` and the PKCE verifier behind it.

The ``state`` sent to Google is ``nonce.expiry.signature``: an HMAC-SHA256, keyed with the
database secret, over the nonce, the user, the database and the expiry. A forged, altered,
expired or other user's state fails the signature or expiry check without touching the
database. The row behind the nonce holds what must never reach the browser (the PKCE verifier)
and is deleted when the answer comes back, so a state works once.
"""

import base64
import datetime
import hashlib
import hmac
import re
import secrets

from odoo import api, fields, models

from ..exceptions import GoogleAuthorizationError
from ..compat import Constraint

STATE_TTL = datetime.timedelta(minutes=10)
# nonce.expiry.signature, as _issue writes it; anything else is refused before it is looked at.
STATE_FORMAT = re.compile(r"([A-Za-z0-9_-]{16,64})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})", re.ASCII)


class GoogleOAuthState(models.Model):
    _name = "google.oauth.state"
    _description = "Pending Google Authorization"
    _log_access = False

    nonce = fields.Char(required=True, index=True, readonly=True)
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade", readonly=True)
    code_verifier = fields.Char(required=True, readonly=True)
    redirect_uri = fields.Char(required=True, readonly=True)
    return_url = fields.Char(required=True, readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True)

    _nonce_unique = Constraint("unique(nonce)", "An authorization nonce is used once.")

    @api.model
    def _issue(self, user, code_verifier, redirect_uri, return_url):
        """Record a new authorization for ``user`` and return its signed state. An earlier one
        that ``user`` left unfinished stops working: only the latest consent page counts."""
        self.sudo().search([("user_id", "=", user.id)]).unlink()
        nonce = secrets.token_urlsafe(24)
        expires_at = fields.Datetime.now().replace(microsecond=0) + STATE_TTL
        expiry = int(expires_at.replace(tzinfo=datetime.timezone.utc).timestamp())
        self.sudo().create({
            "nonce": nonce,
            "user_id": user.id,
            "code_verifier": code_verifier,
            "redirect_uri": redirect_uri,
            "return_url": return_url,
            "expires_at": expires_at,
        })
        return f"{nonce}.{expiry}.{self._signature(nonce, user.id, expiry)}"

    @api.model
    def _consume(self, state, user):
        """The pending authorization behind ``state``, removed so that it cannot serve again.

        Raises GoogleAuthorizationError (HTTP 400) for a missing, forged, expired, replayed or
        other user's state.
        """
        nonce, expiry = self._verify(state, user)
        self.env.cr.execute(
            """
            DELETE FROM google_oauth_state
             WHERE nonce = %s AND user_id = %s
         RETURNING code_verifier, redirect_uri, return_url
            """,
            [nonce, user.id],
        )
        row = self.env.cr.fetchone()
        self.invalidate_model()
        if expiry < datetime.datetime.now(datetime.timezone.utc).timestamp():
            raise GoogleAuthorizationError(
                self.env._("This connection attempt expired: it must be completed within 10 minutes."),
                self.env._("Start the connection to Google Calendar again from Odoo."),
            )
        if row is None:
            raise GoogleAuthorizationError(
                self.env._("This connection attempt was already used."),
                self.env._("Start the connection to Google Calendar again from Odoo."),
            )
        code_verifier, redirect_uri, return_url = row
        return {"code_verifier": code_verifier, "redirect_uri": redirect_uri, "return_url": return_url}

    def _verify(self, state, user):
        parts = STATE_FORMAT.fullmatch(state or "")
        if parts:
            nonce, expiry, signature = parts[1], int(parts[2]), parts[3]
            if hmac.compare_digest(signature.encode(), self._signature(nonce, user.id, expiry).encode()):
                return nonce, expiry
            if self.sudo().search_count([("nonce", "=", nonce), ("user_id", "!=", user.id)], limit=1):
                raise GoogleAuthorizationError(
                    self.env._("This connection to Google Calendar was started by another Odoo user."),
                    self.env._("Log in as the user who started it, or start the connection again."),
                )
        raise GoogleAuthorizationError(
            self.env._("The answer from Google could not be verified (invalid state)."),
            self.env._("Start the connection to Google Calendar again from Odoo."),
        )

    def _signature(self, nonce, user_id, expiry):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        message = f"google_account.oauth_state|{nonce}|{user_id}|{self.env.cr.dbname}|{expiry}"
        digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    @api.autovacuum
    def _gc_expired(self):
        """Forget the authorizations nobody completed."""
        self.sudo().search([("expires_at", "<", fields.Datetime.now())]).unlink()
