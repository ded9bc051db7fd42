"""The addons' methods a client can call over JSON-RPC, called as an attacker would, over HTTP:
odd input gets a clear error (an AccessError or a UserError, never a traceback or a database
error in the log), nothing odd is stored, and portal users get nothing."""

from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import GoogleCalendarSyncCase

SYNC = "google.calendar.sync"
ACCESS, USER = "odoo.exceptions.AccessError", "odoo.exceptions.UserError"


@tagged("post_install", "-at_install")
class TestRpc(GoogleCalendarSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(cls.env, login="gcs_portal", password="gcs_portal_password",
                                   groups="base.group_portal")

    def answer(self, user, model, method, *args, **kwargs):
        """The call's result; never an ERROR line (a traceback, a refused query) in Odoo's log."""
        with self.assertNoLogs("odoo", "ERROR"):
            return self.call(user, model, method, *args, **kwargs)

    def refused(self, error, user, model, method, *args, **kwargs):
        with self.assertNoLogs("odoo", "ERROR"), self.assertRaises(JsonRpcException) as refusal:
            self.call(user, model, method, *args, **kwargs)
        self.assertIn(error, str(refusal.exception), f"{model}.{method}{args}")

    def stored_return_url(self, user):
        return self.env["google.oauth.state"].sudo().search([("user_id", "=", user.id)]).return_url

    def test_a_return_address_that_is_no_page_of_odoo_is_its_home_page(self):
        # google_connect_url({"a": 1}) raised AttributeError; a 5 MB address was stored.
        for junk in ({"a": 1}, 12, ["/odoo/calendar"], "/" + "x" * 5_000_000):
            with self.subTest(junk=str(junk)[:20]):
                url = self.answer(self.alice, SYNC, "google_connect_url", junk)
                self.assertTrue(url.startswith(self.google.base_url + "/o/oauth2/v2/auth?"))
                self.assertEqual(self.stored_return_url(self.alice), "/odoo")
        self.answer(self.alice, SYNC, "google_connect_url", "/odoo/calendar?view=week")
        self.assertEqual(self.stored_return_url(self.alice), "/odoo/calendar?view=week")

    def test_the_calendar_chooser_is_made_by_odoo_alone(self):
        # create({}) left a "bad query" ERROR; lines could be made to choose any calendar id.
        Choose, Line = "google.calendar.choose", "google.calendar.choose.line"
        self.refused(ACCESS, self.alice, Choose, "create", {})
        self.refused(ACCESS, self.alice, Choose, "create", {"sync_id": self.sync.id, "line_ids": [
            (0, 0, {"google_calendar_id": "x" * 100_000, "name": "Forged"})]})
        action = self.answer(self.alice, "res.users", "action_google_calendar_choose", [self.alice.id])
        wizard = self.env[Choose].sudo().browse(action["res_id"])
        [line] = wizard.line_ids
        self.refused(ACCESS, self.alice, Line, "create", {"wizard_id": wizard.id, "google_calendar_id": "forged",
                                                          "name": "Forged"})
        self.refused(ACCESS, self.alice, Line, "write", [line.id], {"google_calendar_id": "forged"})
        self.refused(ACCESS, self.alice, Choose, "write", [wizard.id], {"sync_id": self.sync.id})
        self.assertEqual(self.env[Choose].sudo().search([]), wizard, "nothing else was made")
        self.answer(self.alice, Line, "action_choose", [line.id])  # what the dialog does: it works
        self.assertEqual(self.sync.calendar_id, "primary")

    def test_a_portal_user_gets_nothing(self):
        # google_sync_now gave a portal user a Google account record and an enabled sync.
        portal = self.portal
        for method in ("google_sync_now", "google_resume", "get_google_status", "google_connect_url"):
            self.refused(ACCESS, portal, SYNC, method)
        for method in ("action_google_calendar_sync_now", "action_google_calendar_log", "action_google_calendar_choose",
                       "action_google_calendar_allow_deletions", "action_google_account_connect",
                       "action_google_account_disconnect"):
            self.refused(ACCESS, portal, "res.users", method, [portal.id])
        for values in ({"google_calendar_sync_enabled": False}, {"google_calendar_show_declined": True},
                       {"google_calendar_direction": "odoo_to_google"}):
            self.refused(ACCESS, portal, "res.users", "write", [portal.id], values)
        self.assertFalse(self.env["google.account"].sudo().search([("user_id", "=", portal.id)]))
        self.assertFalse(self.env[SYNC].sudo().search([("user_id", "=", portal.id)]))
        self.login(portal)
        self.assertEqual(self.url_open("/google_calendar_sync/documentation").status_code, 404)

    def test_a_direction_is_one_of_the_directions(self):
        # False (the choice the form left empty) silently kept the old one; an unknown one was a traceback.
        for value in (False, "", "bogus", 3):
            with self.subTest(value=value):
                self.refused(USER, self.alice, "res.users", "write", [self.alice.id],
                             {"google_calendar_direction": value})
        self.answer(self.alice, "res.users", "write", [self.alice.id], {"google_calendar_direction": "odoo_to_google"})
        self.assertEqual(self.sync.direction, "odoo_to_google")

    def test_another_users_synchronization_is_out_of_reach(self):
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        bob = self.env[SYNC]._for_user(self.bob)
        for method in ("action_sync_now", "action_pause", "action_resume", "action_allow_deletions",
                       "action_disconnect"):
            self.refused(ACCESS, self.alice, SYNC, method, [bob.id])
        self.refused(ACCESS, self.alice, SYNC, "write", [bob.id], {"calendar_id": "forged"})
        for method in ("action_google_calendar_sync_now", "action_google_calendar_log", "action_google_calendar_choose",
                       "action_google_calendar_allow_deletions", "action_google_account_connect",
                       "action_google_account_disconnect"):
            self.refused(ACCESS, self.alice, "res.users", method, [self.bob.id])
        self.refused(ACCESS, self.alice, "google.account", "action_disconnect", [bob.account_id.id])
        self.refused(ACCESS, self.alice, "google.calendar.reset", "create", {"user_id": self.bob.id})
        self.assertEqual((bob.enabled, bob.account_id.state, bob.calendar_id), (True, "connected", "primary"))

    def test_resetting_a_user_without_a_synchronization_stores_nothing(self):
        for user in (self.portal, self.carol):
            with self.subTest(user=user.login):
                wizard = self.answer(self.admin, "google.calendar.reset", "create", {"user_id": user.id})
                self.refused(USER, self.admin, "google.calendar.reset", "action_reset", [wizard])
                self.assertFalse(self.env[SYNC].sudo().search([("user_id", "=", user.id)]))
                self.assertFalse(self.env["google.account"].sudo().search([("user_id", "=", user.id)]))
