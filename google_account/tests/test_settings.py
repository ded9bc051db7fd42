"""Settings > General Settings > Integrations > Google Calendar."""

from lxml import etree

from odoo.tests import TransactionCase, tagged

from ..exceptions import GoogleNotConfigured


@tagged("post_install", "-at_install")
class TestSettings(TransactionCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("web.base.url", "https://odoo.example.com")

    def test_redirect_url_defaults_to_the_base_url_and_the_callback_path(self):
        settings = self.env["res.config.settings"].create({})

        self.assertEqual(
            settings.google_redirect_uri_effective, "https://odoo.example.com/google_account/authentication"
        )
        self.assertFalse(settings.google_redirect_uri_warning)
        self.assertEqual(self.env["google.account"]._redirect_uri(), settings.google_redirect_uri_effective)

    def test_saved_settings_configure_the_oauth_client(self):
        self.env["res.config.settings"].create({
            "google_calendar_enabled": True,
            "google_client_id": "  id.apps.googleusercontent.com ",
            "google_client_secret": "GOCSPX-secret",
            "google_redirect_uri": "https://public.example.com/google_account/authentication",
            "google_endpoint": "http://127.0.0.1:9",
        }).execute()

        config = self.env["google.account"]._oauth_client().config
        self.assertEqual(config.client_id, "id.apps.googleusercontent.com")
        self.assertEqual(config.client_secret, "GOCSPX-secret")
        self.assertEqual(config.redirect_uri, "https://public.example.com/google_account/authentication")
        self.assertEqual(config.endpoints.token, "http://127.0.0.1:9/token")

    def test_plain_http_redirect_url_is_flagged_unless_on_localhost(self):
        settings = self.env["res.config.settings"].create({})
        cases = {
            "http://odoo.example.com/google_account/authentication": "https://",
            "http://localhost:8069/google_account/authentication": False,
            "http://127.0.0.1:8069/google_account/authentication": False,
            "odoo.example.com/google_account/authentication": "full address",
            "https://odoo.example.com/oauth2/callback": "/google_account/authentication",
        }
        for url, warning in cases.items():
            with self.subTest(url=url):
                settings.google_redirect_uri = url
                if warning:
                    self.assertIn(warning, settings.google_redirect_uri_warning)
                else:
                    self.assertFalse(settings.google_redirect_uri_warning)

    def test_google_calendar_setting_sits_in_integrations_with_a_hidden_secret(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        block = etree.fromstring(arch).xpath("//block[@name='integration']")[0]

        setting = block.xpath(".//setting[@id='google_calendar_setting']")[0]
        self.assertTrue(setting.xpath(".//field[@name='google_calendar_enabled']"))
        self.assertEqual(setting.xpath(".//field[@name='google_client_secret']")[0].get("password"), "True")
        self.assertTrue(setting.xpath(".//field[@name='google_redirect_uri_effective'][@widget='CopyClipboardChar']"))

    def test_connecting_without_settings_says_what_the_administrator_must_do(self):
        with self.assertRaisesRegex(GoogleNotConfigured, "Client ID and Client Secret"):
            self.env["google.account"]._oauth_client()
