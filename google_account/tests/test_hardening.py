"""What the callback leaves behind and what a refused visitor sees: no authorization code or
state in Odoo's logs, and the addon's own page rather than a bare 403."""

import logging
from urllib.parse import quote

from odoo.tests import new_test_user, tagged

from .common import GoogleAccountCase


@tagged("post_install", "-at_install")
class TestHardening(GoogleAccountCase):
    def test_codes_and_states_never_reach_the_log(self):
        self.login(self.alice)
        callback_url = self.google_consent(self.start_connect())
        query = self.query(callback_url)
        lines = Lines()
        logging.getLogger().addHandler(lines)  # what every handler of the log receives
        # What a server logs by default (--log-level=info), whatever this run logs (pytest-odoo's
        # default is critical: nothing would reach the handler, and the test would prove nothing).
        quiet = {name: logging.getLogger(name).level for name in ("", "odoo", "werkzeug")
                 if not logging.getLogger(name).isEnabledFor(logging.INFO)}
        for name in quiet:
            logging.getLogger(name).setLevel(logging.INFO)
        try:
            self.callback(callback_url)
            self.logout()
            # A login page carrying the callback as its redirect (a session that ended meanwhile).
            callback_path = "/google_account/authentication?" + callback_url.split("?")[1]
            self.url_open("/web/login?redirect=" + quote(callback_path))
        finally:
            logging.getLogger().removeHandler(lines)
            for name, level in quiet.items():
                logging.getLogger(name).setLevel(level)
        written = "\n".join(lines.written)
        self.assertIn("/google_account/authentication?(query hidden)", written)
        for secret in (query["code"], quote(query["code"], safe=""), query["state"]):
            self.assertNotIn(secret, written)
        self.assertEqual(self.account(self.alice).state, "connected", "the connection itself went through")

    def test_a_portal_user_gets_the_addons_page_not_a_bare_403(self):
        portal = new_test_user(self.env, login="ga_portal", password="ga_portal_password", groups="base.group_portal")
        self.authenticate(portal.login, "ga_portal_password")
        response = self.url_open("/google_account/connect")
        self.assertEqual(response.status_code, 403)
        self.assertIn("o_google_account_failure", response.text)
        self.assertIn("Only internal users can connect a Google account.", response.text)
        self.assertNotIn("Try again", response.text)


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.written = []

    def emit(self, record):
        self.written.append(record.getMessage())
