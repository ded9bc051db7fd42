"""One Google connection per user: its status, its tokens, and the API other addons call.

Tokens are fields of a group nobody is given (``group_google_tokens``): only server code reads
them, through ``sudo()``; a user reads the status of their own record (record rules), an
administrator everyone's. Every OAuth call to Google goes
through gcal_engine's ``OAuthClient``, which sends tokens only in POST bodies and headers.
"""

import datetime
import logging
from urllib.parse import urlsplit, urlunsplit

from gcal_engine.endpoints import Endpoints
from gcal_engine.errors import (
    AccessDeniedError,
    InvalidClientError,
    InvalidGrantError,
    OAuthError,
    OAuthTransientError,
    RedirectUriMismatchError,
    ScopeNotGrantedError,
    UnauthorizedError,
)
from gcal_engine.oauth import DEFAULT_SCOPES, OAuthClient, OAuthConfig, Pkce, error_from_callback

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request

from ..compat import Constraint
from ..exceptions import (
    GoogleAccountError,
    GoogleAuthorizationError,
    GoogleNotConfigured,
    GoogleReconnectRequired,
    GoogleTemporaryError,
)

_logger = logging.getLogger(__name__)

CALLBACK_PATH = "/google_account/authentication"
HOME_URL = "/odoo"
MAX_RETURN_URL = 2048  # characters: what browsers and proxies keep of an address
# A token expiring sooner than this is refreshed first: a sync run must not start on it.
EXPIRY_MARGIN = datetime.timedelta(minutes=5)
STATES = [
    ("connected", "Connected"),
    ("needs_reconnect", "Needs reconnection"),
    ("disconnected", "Disconnected"),
]
CLEARED_TOKENS = {
    "access_token": False,
    "access_token_expires_at": False,
    "refresh_token": False,
    "refresh_token_expires_at": False,
}


class GoogleAccount(models.Model):
    _name = "google.account"
    _description = "Google Account"
    _order = "user_id"

    user_id = fields.Many2one("res.users", required=True, index=True, ondelete="cascade", readonly=True)
    state = fields.Selection(STATES, required=True, default="disconnected", readonly=True)
    email = fields.Char("Google Account", readonly=True, help="The Google account this user connected.")
    scopes = fields.Char("Granted Scopes", readonly=True)
    connected_at = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True, help="What went wrong last, and how to fix it.")
    refresh_token_expires_at = fields.Datetime(
        "Connection Ends On",
        readonly=True,
        help="Google ends connections to apps in Testing mode after 7 days; publish the app in "
        "Google Cloud Console (OAuth consent screen) to lift the limit.",
    )
    access_token = fields.Char(groups="google_account.group_google_tokens", copy=False, readonly=True)
    access_token_expires_at = fields.Datetime(groups="google_account.group_google_tokens", copy=False, readonly=True)
    refresh_token = fields.Char(groups="google_account.group_google_tokens", copy=False, readonly=True)

    _user_unique = Constraint("unique(user_id)", "A user has one Google account record.")

    @api.depends("user_id.name", "email")
    def _compute_display_name(self):
        for account in self:
            name = account.user_id.name or ""
            account.display_name = f"{name} ({account.email})" if account.email else name

    # -- settings ------------------------------------------------------------------------------

    @api.model
    def _setting(self, name):
        return self.env["ir.config_parameter"].sudo().get_param(f"google_account.{name}") or ""

    @api.model
    def _default_redirect_uri(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return base_url.rstrip("/") + CALLBACK_PATH

    @api.model
    def _redirect_uri(self):
        """Where Google sends users back: the configured URL, else web.base.url + the callback path."""
        return self._setting("redirect_uri") or self._default_redirect_uri()

    @api.model
    def _endpoints(self):
        """Google's URLs, or all of them under the developer-mode endpoint (the emulator)."""
        return Endpoints.from_base_url(self._setting("endpoint"))

    @api.model
    def _oauth_scopes(self):
        """The scopes asked of Google; an addon that needs more extends this."""
        return DEFAULT_SCOPES

    @api.model
    def _oauth_client(self, redirect_uri=None):
        """gcal_engine's OAuth client for the configured Google Cloud project.

        Raises GoogleNotConfigured when Google Calendar is off or its credentials are missing.
        """
        client_id, client_secret = self._setting("client_id"), self._setting("client_secret")
        if not (self._setting("calendar_enabled") and client_id and client_secret):
            raise GoogleNotConfigured(
                self.env._("Google Calendar is not set up in this database."),
                self.env._(
                    "An administrator must tick Google Calendar in Settings > General Settings > "
                    "Integrations and enter the Client ID and Client Secret from Google Cloud Console."
                ),
            )
        config = OAuthConfig(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=redirect_uri or self._redirect_uri(),
            endpoints=self._endpoints(),
            scopes=tuple(self._oauth_scopes()),
        )
        return OAuthClient(config)

    # -- API for other addons ------------------------------------------------------------------

    @api.model
    def _for_user(self, user):
        """The Google account record of ``user``, created on first use, in sudo mode.

        Server code only: the record can read tokens, so it must never be returned to a client.
        """
        account = self.sudo().search([("user_id", "=", user.id)], limit=1)
        return account or self.sudo().create({"user_id": user.id})

    def _get_access_token(self):
        """A valid access token, refreshed at Google and saved when it expires within 5 minutes.

        Raises GoogleReconnectRequired when the grant is gone (the account then shows
        "Needs reconnection" and the reason), GoogleTemporaryError when Google did not answer,
        GoogleNotConfigured or GoogleAccountError for a settings problem. The status change
        belongs to the current transaction: catch the error and let the transaction commit (a
        rollback, or a savepoint rolled back around the call, undoes it until the next call).
        """
        self.ensure_one()
        account = self.sudo()
        if account.state != "connected" or not account.refresh_token:
            raise GoogleReconnectRequired(
                account.last_error or self.env._("Google Calendar is not connected for %(user)s.",
                                                 user=account.user_id.name),
                self.env._("Connect Google Calendar again."),
            )
        expires_at = account.access_token_expires_at
        if account.access_token and expires_at and expires_at > fields.Datetime.now() + EXPIRY_MARGIN:
            return account.access_token
        try:
            grant = account._oauth_client().refresh(account.refresh_token)
        except InvalidGrantError as exc:
            account._lose_connection(exc)
            raise GoogleReconnectRequired(*self._explain_oauth_error(exc)) from exc
        except OAuthError as exc:
            error = self._error_for(exc)
            if not error.retryable:
                account.last_error = f"{error.cause} {error.fix}"
            raise error from exc
        account.write({
            "access_token": grant.access_token,
            "access_token_expires_at": _naive_utc(grant.expires_at),
            "refresh_token": grant.refresh_token or account.refresh_token,
            "scopes": " ".join(grant.scopes) or account.scopes,
            "last_error": False,
        })
        return grant.access_token

    def _google_credentials(self):
        """google-auth credentials for gcal_engine's GoogleSession, holding a fresh access token.

        Pass ``_save_refreshed_credentials`` as the session's ``on_token_refreshed`` so that a
        token google-auth refreshes during a long run is kept.
        """
        self.ensure_one()
        token = self._get_access_token()
        account = self.sudo()
        expires_at = account.access_token_expires_at
        expires_at = expires_at.replace(tzinfo=datetime.timezone.utc) if expires_at else None
        return account._oauth_client().credentials(token, expires_at, account.refresh_token)

    def _save_refreshed_credentials(self, credentials):
        """Keep the access token that google-auth refreshed during a run."""
        self.ensure_one()
        account = self.sudo()
        values = {"access_token": credentials.token, "access_token_expires_at": credentials.expiry or False}
        if credentials.refresh_token and credentials.refresh_token != account.refresh_token:
            values["refresh_token"] = credentials.refresh_token
        account.write(values)

    def _lose_connection(self, exc):
        """Google refused the grant (``exc``: invalid_grant on a refresh, or a 401 that fresh
        tokens did not cure, see gcal_engine.transport.refuses_grant): the account needs
        reconnection, and says why. Belongs to the current transaction, as in _get_access_token."""
        cause, fix = self._explain_oauth_error(exc)
        self.sudo().write(dict(CLEARED_TOKENS, state="needs_reconnect", last_error=f"{cause} {fix}"))

    def _on_connected(self):
        """Called after a connection succeeded and its tokens were stored; for addons building on it."""

    def _on_disconnect(self):
        """Called when a connection is ended on purpose, before the grant is revoked and the
        tokens are cleared (they still work here); for addons building on it."""

    def _connected_message(self):
        self.ensure_one()
        return self.env._("Google Calendar connected as %(email)s", email=self.email)

    # -- connecting ----------------------------------------------------------------------------

    @api.model
    def _authorization_url(self, return_url=None):
        """Google's consent URL for the current user, who comes back to ``return_url`` (local).

        The state is signed, bound to the user and this database, single use and valid for
        10 minutes; the PKCE verifier stays in the database.
        """
        user = self.env.user
        if not user._is_internal():
            raise AccessError(self.env._("Only internal users can connect a Google account."))
        redirect_uri = self._redirect_uri()
        client = self._oauth_client(redirect_uri)
        pkce = Pkce.new()
        state = self.env["google.oauth.state"]._issue(user, pkce.verifier, redirect_uri, self._local_url(return_url))
        account = self.sudo().search([("user_id", "=", user.id)], limit=1)
        return client.authorization_url(state, pkce.challenge, login_hint=account.email or None,
                                        consent=not account._holds_lasting_grant())

    def _holds_lasting_grant(self):
        """Whether Odoo holds a refresh token that does not expire (the app is published): then a
        reconnection asks Google for none (no consent page, see _connect_user). Google revokes a
        grant as a whole, every refresh token of the client and account together, so a token a
        reconnection replaced could not be revoked alone: it would stay live. A token that expires
        (Testing mode: 7 days) is replaced by a reconnection on purpose, for 7 more days."""
        return self.state == "connected" and bool(self.refresh_token) and not self.refresh_token_expires_at

    @api.model
    def _complete_authorization(self, state=None, code=None, error=None, error_description=None):
        """Turn the answer of Google's consent page into a connection of the current user.

        Returns ``(account, return_url)``. Any failure raises a GoogleAccountError saying what
        happened and how to fix it, and stores nothing (the state is used up all the same).
        """
        pending = self.env["google.oauth.state"]._consume(state, self.env.user)
        try:
            return self._connect_user(pending, code, error, error_description), pending["return_url"]
        except GoogleAccountError as exc:
            exc.return_url = pending["return_url"]
            raise

    @api.model
    def _connect_user(self, pending, code, error, error_description):
        """The current user's account, connected with the grant behind Google's answer."""
        if error:
            raise self._error_for(error_from_callback(error, error_description or "", pending["redirect_uri"]))
        if not code:
            raise GoogleAuthorizationError(
                self.env._("Google's answer has no authorization code."),
                self.env._("Start the connection to Google Calendar again from Odoo."),
            )
        client = self._oauth_client(pending["redirect_uri"])
        try:
            grant = client.exchange_code(code, pending["code_verifier"])
        except OAuthError as exc:
            raise self._error_for(exc, exchanging=True) from exc
        account = self._for_user(self.env.user)
        try:
            email = client.userinfo(grant.access_token).get("email") or ""
        except OAuthError as exc:
            if not account.refresh_token:  # else it may be that grant's: revoking would end it too
                _revoke_quietly(client, grant.refresh_token or grant.access_token)
            raise self._error_for(exc) from exc
        # Google gives no refresh token to an account that granted one already, unless asked to
        # consent again: a reconnection of the account Odoo holds one for keeps it.
        kept = not grant.refresh_token and account._holds_lasting_grant() and account.email == email
        if not grant.refresh_token and not kept:
            # Without one, the connection would die with this access token, within the hour.
            _revoke_quietly(client, grant.access_token)
            raise GoogleAuthorizationError(
                self.env._("Google did not grant lasting access to your calendar (no refresh token)."),
                self.env._("Remove Odoo from your Google account's third-party connections at "
                           "https://myaccount.google.com/connections, then connect again."),
            )
        if account.refresh_token and account.email != email:
            account._on_disconnect()
            account._revoke()
        account.write({
            "state": "connected",
            "email": email,
            "scopes": " ".join(grant.scopes),
            "connected_at": fields.Datetime.now(),
            "last_error": False,
            "access_token": grant.access_token,
            "access_token_expires_at": _naive_utc(grant.expires_at),
            **({} if kept else {"refresh_token": grant.refresh_token,
                                "refresh_token_expires_at": _naive_utc(grant.refresh_expires_at)}),
        })
        account._on_connected()
        return account

    @api.model
    def _local_url(self, url):
        """``url`` as a path on this Odoo, else the web client's home: never an open redirect, and
        nothing but a page's address is kept (anything else from a caller, a dict or megabytes,
        is no page to come back to)."""
        url = url.strip() if isinstance(url, str) and len(url) <= MAX_RETURN_URL else ""
        try:
            parts = urlsplit(url)
        except ValueError:  # such as an unclosed IPv6 bracket
            return HOME_URL
        own_hosts = {urlsplit(self._default_redirect_uri()).netloc, urlsplit(self._redirect_uri()).netloc}
        if request:
            own_hosts.add(request.httprequest.host)
        if (
            parts.scheme not in ("", "http", "https")
            or (parts.netloc and parts.netloc not in own_hosts)
            or not parts.path.startswith("/")
            or parts.path.startswith("//")
            or "\\" in url
        ):
            return HOME_URL
        return urlunsplit(("", "", parts.path, parts.query, parts.fragment))

    # -- disconnecting -------------------------------------------------------------------------

    def action_disconnect(self):
        """Revoke the grant at Google and forget the tokens.

        Users may disconnect their own account, administrators anyone's (record rules). When
        Google cannot be reached the tokens are still deleted, and ``last_error`` says so.
        """
        self.check_access("read")
        for account in self.sudo():
            account._on_disconnect()
            problem = account._revoke()
            account.write(dict(
                CLEARED_TOKENS,
                state="disconnected",
                email=False,
                scopes=False,
                connected_at=False,
                last_error=problem or False,
            ))
        return True

    def _revoke(self):
        """End the grant at Google; returns the problem in plain words when that failed."""
        token = self.refresh_token or self.access_token
        if not token:
            return None
        try:
            self._oauth_client().revoke(token)
        except (OAuthError, GoogleNotConfigured) as exc:
            _logger.info("Google account %s: revocation at Google failed (%s)", self.id, type(exc).__name__)
            return self.env._(
                "Google could not be told to end the connection (%(cause)s); Odoo deleted its tokens "
                "anyway. To be sure, remove the app from the Google account at "
                "https://myaccount.google.com/connections.",
                cause=self._explain_oauth_error(exc)[0] if isinstance(exc, OAuthError) else exc.cause,
            )
        return None

    # -- errors in plain words -----------------------------------------------------------------

    @api.model
    def _error_for(self, exc, exchanging=False):
        """The typed, translated error for an OAuth failure of gcal_engine."""
        cause, fix = self._explain_oauth_error(exc, exchanging=exchanging)
        if isinstance(exc, OAuthTransientError):
            return GoogleTemporaryError(cause, fix)
        if isinstance(exc, InvalidGrantError) and not exchanging:
            return GoogleReconnectRequired(cause, fix)
        if isinstance(exc, InvalidClientError | RedirectUriMismatchError) and not exchanging:
            return GoogleAccountError(cause, fix)
        return GoogleAuthorizationError(cause, fix)

    @api.model
    def _explain_oauth_error(self, exc, exchanging=False):
        """(cause, fix) of an OAuth failure (or of Google refusing the grant's tokens), translated;
        the texts of gcal_engine's errors."""
        if isinstance(exc, AccessDeniedError):
            return (
                self.env._("Access was not allowed on Google's page (Error 403: access_denied)."),
                self.env._(
                    "If you clicked Cancel, connect again and choose Continue. If Google said the app is "
                    "blocked or being tested, your Google account must be one of its test users: an "
                    "administrator adds it in Google Cloud Console > APIs & Services > OAuth consent screen "
                    "> Test users (or publishes the app)."
                ),
            )
        if isinstance(exc, RedirectUriMismatchError):
            return (
                self.env._("Google refused the redirect URL (Error 400: redirect_uri_mismatch)."),
                self.env._(
                    "In Google Cloud Console > Credentials, use an OAuth client of type Web application "
                    "(not Desktop app) and add exactly %(url)s under Authorized redirect URIs.",
                    url=exc.redirect_uri or self._redirect_uri(),
                ),
            )
        if isinstance(exc, InvalidClientError):
            return (
                self.env._("Google does not recognize the OAuth client (invalid_client)."),
                self.env._(
                    "Check the Client ID and Client Secret in Settings > General Settings > Integrations "
                    "> Google Calendar: they must be copied exactly from Google Cloud Console > Credentials."
                ),
            )
        if isinstance(exc, InvalidGrantError) and exchanging:
            return (
                self.env._(
                    "Google refused the authorization code (invalid_grant): it expired or was already used."
                ),
                self.env._("Start the connection to Google Calendar again from Odoo."),
            )
        if isinstance(exc, InvalidGrantError):
            return (
                self.env._(
                    "Google no longer accepts this connection (invalid_grant): access was revoked or has expired."
                ),
                self.env._(
                    "Apps in Testing mode get refresh tokens that last 7 days; publish the app to avoid "
                    "this. Reconnect Google Calendar to continue."
                ),
            )
        if isinstance(exc, UnauthorizedError):
            return (
                self.env._("Google refuses this connection (401 Unauthorized), even with a new access token."),
                self.env._("Connect Google Calendar again."),
            )
        if isinstance(exc, ScopeNotGrantedError):
            return (
                self.env._("Google Calendar access was not granted."),
                self.env._(
                    "On Google's consent screen, tick the boxes that let Odoo see and edit your calendar "
                    "events, then connect again."
                ),
            )
        if isinstance(exc, OAuthTransientError):
            return (
                self.env._("Google's sign-in service did not answer."),
                self.env._("Try again in a few minutes."),
            )
        return (
            self.env._("Google answered with an error (%(error)s).", error=exc.error),
            self.env._("Check the Google Calendar settings and try connecting again."),
        )


def _naive_utc(moment):
    """An aware datetime as Odoo stores it (naive UTC); False for None."""
    if moment is None:
        return False
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _revoke_quietly(client, token):
    """Drop a grant that will not be used; Google forgets unused grants anyway if this fails."""
    try:
        client.revoke(token)
    except OAuthError as exc:
        _logger.info("Revoking an unused Google grant failed (%s)", type(exc).__name__)
