"""Google Calendar in Settings > General Settings > Integrations.

The values live in ``ir.config_parameter`` (keys ``google_account.*``), which only
administrators can read; the Client Secret is also kept out of ``default_get`` for anyone else,
because that method answers over RPC without any access check.
"""

from urllib.parse import urlsplit

from odoo import api, fields, models

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    google_calendar_enabled = fields.Boolean(
        "Google Calendar", config_parameter="google_account.calendar_enabled"
    )
    google_client_id = fields.Char("Client ID", config_parameter="google_account.client_id")
    google_client_secret = fields.Char(
        "Client Secret", config_parameter="google_account.client_secret", groups="base.group_system"
    )
    google_redirect_uri = fields.Char(
        "Public Redirect URL",
        config_parameter="google_account.redirect_uri",
        help="Only behind a reverse proxy or with several domains: the public address of "
        "/google_account/authentication. Leave empty to use the URL above.",
    )
    google_redirect_uri_default = fields.Char(compute="_compute_google_redirect_uri")
    google_redirect_uri_effective = fields.Char("Redirect URL", compute="_compute_google_redirect_uri")
    google_redirect_uri_warning = fields.Char(compute="_compute_google_redirect_uri")
    google_endpoint = fields.Char(
        config_parameter="google_account.endpoint",
        help="For trials and tests only: a base URL that serves Google's OAuth and Calendar paths "
        "(such as the gcal_emulator). Leave empty to use Google.",
    )

    @api.depends("google_redirect_uri")
    def _compute_google_redirect_uri(self):
        default = self.env["google.account"]._default_redirect_uri()
        for settings in self:
            effective = (settings.google_redirect_uri or "").strip() or default
            settings.google_redirect_uri_default = default
            settings.google_redirect_uri_effective = effective
            settings.google_redirect_uri_warning = self._redirect_uri_problem(effective)

    @api.model
    def _redirect_uri_problem(self, url):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return self.env._(
                "The Redirect URL must be a full address, such as "
                "https://odoo.example.com/google_account/authentication."
            )
        if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
            return self.env._(
                "Google accepts http:// redirect URLs only for localhost: serve Odoo over https:// "
                "(set web.base.url, or the Public Redirect URL, to its https:// address)."
            )
        if not parts.path.endswith("/google_account/authentication"):
            return self.env._(
                "The Redirect URL must lead to this Odoo's /google_account/authentication page."
            )
        return False

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "google_client_secret" in values and not self.env.is_system():
            values["google_client_secret"] = False
        return values
