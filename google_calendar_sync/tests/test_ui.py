"""In a real browser (headless Chromium): click Google in the Calendar app, consent on Google's
page, come back connected, and see an event made on Google in Odoo's calendar."""

import datetime as dt
import json
from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler

from odoo.addons.google_account.tests.chrome import DependableChromeBrowser

from .common import ALICE_GOOGLE, GoogleCalendarSyncCase
from .test_status import QUOTA

CONNECT_TOUR = "google_calendar_sync_connect"


@contextmanager
def alices_calendar_in_a_browser(case):
    """A browser driven by hand, logged in as alice, on her calendar. Inside the context until
    the browser is gone and its last requests served: Odoo 19 turns away requests the test does
    not make itself, and holds its test lock again when the context ends, while a request may
    still be running."""
    browser = DependableChromeBrowser(case, headless=True, success_signal="tour succeeded")
    with case.outside_requests(browser):
        try:
            case.authenticate(case.alice.login, f"{case.alice.login}_password", browser=browser)
            case.cr.flush()
            case.cr.clear()
            browser.navigate_to(case.base_url() + "/odoo/calendar")
            yield browser
        finally:
            browser.stop()
            case._wait_remaining_requests()  # pylint: disable=protected-access


@tagged("post_install", "-at_install")
class TestUi(GoogleCalendarSyncCase):
    def setUp(self):
        # alice connects in the browser here, not through the common set-up's shortcut.
        super(GoogleCalendarSyncCase, self).setUp()  # pylint: disable=bad-super-call
        self.sync = self.env["google.calendar.sync"]._for_user(self.alice)

    def connect_in_browser(self):
        """The tour clicks Google; Google's consent page is another site, so the browser is driven
        there directly, as a user would: choose the account, Continue, and back to Odoo."""
        with alices_calendar_in_a_browser(self) as browser:
            self.assertTrue(browser._wait_ready(f"odoo.isTourReady({CONNECT_TOUR!r})"))
            options = {"stepDelay": 0, "keepWatchBrowser": False, "debug": False, "startUrl": "/odoo/calendar"}
            # Not awaited: the tour's click leaves the page for Google's, and the wait below follows it.
            browser.run_script(f"odoo.startTour({CONNECT_TOUR!r}, {json.dumps(options)})")
            on_consent_page = (f"location.href.startsWith({self.google.base_url!r})"
                               " && document.querySelector('#allow') !== null")
            self.assertTrue(browser._wait_ready(on_consent_page, timeout=30), "Google's consent page opens")
            browser.run_script(f"document.querySelector('#email').value = {ALICE_GOOGLE!r};"
                               " document.querySelector('#allow').click()")
            back = ("location.pathname === '/odoo/calendar'"
                    f" && document.body.innerText.includes('Google Calendar connected as {ALICE_GOOGLE}')")
            self.assertTrue(browser._wait_ready(back, timeout=30),
                            "back in the calendar, connected, with the message")

    def test_connect_then_see_a_google_event_in_the_calendar(self):
        self.connect_in_browser()
        self.env.invalidate_all()
        self.assertEqual((self.account(self.alice).state, self.account(self.alice).email), ("connected", ALICE_GOOGLE))
        today = dt.datetime.now(dt.timezone.utc).replace(hour=10, minute=0, second=0, microsecond=0)
        self.insert_on_google("Planning from Google", start=today.isoformat(),
                              end=(today + dt.timedelta(hours=1)).isoformat(), zone="UTC")
        self.run_sync()  # what the cron does once Odoo is told of the connection
        self.start_tour("/odoo/calendar", "google_calendar_sync_see_event", login=self.alice.login)


@tagged("post_install", "-at_install")
class TestLiveCalendarUi(GoogleCalendarSyncCase):
    def test_the_open_calendar_shows_what_a_run_brought_without_a_reload(self):
        """A change on Google, Google's notification, a run: the calendar open in alice's browser
        shows it (it showed it after a reload only: 90 s observed, in the database in a second)."""
        # Odoo turns its bus's websocket off in tests; its own bus tests turn it on so.
        self.startPatcher(patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True))
        with alices_calendar_in_a_browser(self) as browser:
            self.assertTrue(browser._wait_ready("document.querySelector('.o_google_calendar_button') !== null"
                                                " && document.querySelector('.fc-view') !== null"))
            browser.run_script("window.googleCalendarSyncPage = 'the same page'")  # gone with a reload
            now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
            # (The browser's requests share this test's transaction: Odoo is used through cursors
            # that wait for them, as run_sync's does.)
            with self.worker() as env:
                env["google.calendar.sync"]._for_user(self.alice)._client().insert_event("primary", {
                    "summary": "Pushed to the open calendar", "start": {"dateTime": now.isoformat()},
                    "end": {"dateTime": (now + dt.timedelta(hours=1)).isoformat()}})
            self.run_sync()  # the run Google's notification asked for
            self.deliver_bus_notifications(self.alice.partner_id)
            shown = ("window.googleCalendarSyncPage === 'the same page'"
                     " && [...document.querySelectorAll('.fc-event')]"
                     ".some((event) => event.innerText.includes('Pushed to the open calendar'))")
            self.assertTrue(browser._wait_ready(shown, timeout=30), "shown by the page already open")

    def deliver_bus_notifications(self, partner):
        """What the commit of the run's transaction does after it, as Odoo's bus tests do: wake the
        websockets of this partner's channel (Odoo's test cursor drops post-commit hooks). One
        that subscribes later is sent what it missed then."""
        channel = hashable(channel_with_db(self.registry.db_name, partner))
        for websocket in list(dispatch._channels_to_ws.get(channel, ())):
            websocket.trigger_notification_dispatching()


@tagged("post_install", "-at_install")
class TestChooseCalendarUi(GoogleCalendarSyncCase):
    def test_choose_another_google_calendar_from_the_preferences(self):
        self.add_google_calendar("Clinic")
        self.start_tour("/odoo/calendar", "google_calendar_sync_choose_calendar", login=self.alice.login)
        self.env.invalidate_all()
        self.assertEqual(self.sync.calendar_name, "Clinic")


@tagged("post_install", "-at_install")
class TestStatusUi(GoogleCalendarSyncCase):
    def test_unticking_synchronize_my_calendar_saves_and_says_it_is_paused(self):
        self.start_tour("/odoo/calendar", "google_calendar_sync_preferences_toggle", login=self.alice.login)
        self.env.invalidate_all()
        self.assertEqual((self.sync.enabled, self.sync.direction), (False, "two_way"))

    def test_a_paused_user_resumes_from_the_google_button(self):
        self.sync.sudo().enabled = False
        self.start_tour("/odoo/calendar", "google_calendar_sync_paused_click", login=self.alice.login)
        self.env.invalidate_all()
        self.assertTrue(self.sync.enabled)
        self.assertTrue(self.sync.sudo().request_ids, "and a run is queued")

    def test_a_used_up_quota_is_explained_by_the_google_button(self):
        self.google.fault(**QUOTA)
        self.run_sync(problem="Google's daily quota is used up")
        self.start_tour("/odoo/calendar", "google_calendar_sync_quota_error", login=self.alice.login)


@tagged("post_install", "-at_install")
class TestFrenchUi(GoogleCalendarSyncCase):
    def test_a_french_user_reads_the_button_and_preferences_in_french_and_syncs_now(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["google_account", "google_calendar_sync"], ["fr_FR"])
        self.alice.lang = "fr_FR"
        self.start_tour("/odoo/calendar", "google_calendar_sync_french", login=self.alice.login)
        self.env.invalidate_all()
        self.assertTrue(self.sync.sudo().request_ids, "a run is queued")


@tagged("post_install", "-at_install")
class TestSmallUi(GoogleCalendarSyncCase):
    def test_the_settings_question_mark_opens_the_modules_documentation_on_this_odoo(self):
        # It opened odoo.com/documentation/18.0/google_calendar_sync/documentation: not found.
        self.start_tour("/odoo/settings", "google_calendar_sync_settings_documentation", login=self.admin.login)

    def test_the_direction_offers_no_empty_choice(self):
        # The empty choice was saved as nothing, silently keeping the direction before.
        self.start_tour("/odoo/calendar", "google_calendar_sync_preferences_direction", login=self.alice.login)

    def test_after_a_reset_the_user_form_shows_the_synchronization_started_over(self):
        clinic = self.add_google_calendar("Clinic")
        self.sync.sudo().write({"calendar_id": clinic, "calendar_name": "Clinic"})
        self.create_in_odoo("Sent to the clinic's calendar")
        self.run_sync()
        self.assertEqual(self.sync.last_summary, "In Google Calendar: 1 created")
        self.start_tour(f"/odoo/action-base.action_res_users/{self.alice.id}",
                        "google_calendar_sync_reset_user_form", login=self.admin.login)
        self.env.invalidate_all()
        self.assertEqual((self.sync.calendar_id, self.sync.last_summary, self.sync.last_run_at),
                         ("primary", False, False))
