"""What the user sees in the browser, in headless Chromium."""

from odoo.tests import tagged

from .common import GoogleAccountCase


@tagged("post_install", "-at_install")
class TestConnectedMessageInTheWebClient(GoogleAccountCase):
    def test_web_client_shows_the_connected_account_after_googles_consent(self):
        self.google.add_user("tour.user@example.com")
        self.register_client(test_users=["tour.user@example.com"])
        self.google.consent("tour.user@example.com")

        self.start_tour(
            "/google_account/connect?return_url=/odoo", "google_account_connected_message", login="ga_alice"
        )

        self.assertEqual(self.account(self.alice).email, "tour.user@example.com")
