"""The demo database of ``bin/run`` (devtools/demo.py), configured in a real Odoo, then logged
into from a browser as a reviewer would."""

import importlib
import pathlib
import re
import sys
from unittest.mock import patch

from odoo.tests import tagged

from .common import GoogleCalendarSyncCase

ROOT = pathlib.Path(__file__).resolve().parents[2]  # the checkout: devtools lies beside the addons


@tagged("post_install", "-at_install")
class TestDemo(GoogleCalendarSyncCase):
    def test_the_demo_admin_keeps_the_demos_time_zone_at_the_first_login(self):
        # It became UTC: Odoo gives a user the browser's time zone at their first login.
        with patch.object(sys, "path", [str(ROOT), *sys.path]):
            demo = importlib.import_module("devtools.demo")
        admin = self.env.ref("base.user_admin")
        self.env["res.users.log"].sudo().search([("create_uid", "=", admin.id)]).unlink()  # never logged in
        demo.configure(self.env, self.base_url(), self.google)
        self.assertEqual(admin.tz, "Europe/Brussels")

        self.logout()
        login_page = self.url_open("/web/login").text
        csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', login_page)[1]
        self.opener.cookies.set("tz", "UTC")  # what the login page's script sets: the browser's zone
        answer = self.url_open("/web/login", data={"login": "admin", "password": "admin", "csrf_token": csrf_token},
                               allow_redirects=False)
        self.assertEqual(answer.status_code, 303, "logged in")
        self.env.invalidate_all()
        self.assertEqual(admin.tz, "Europe/Brussels")
