"""gcal_engine's Calendar client for one user's synchronization, paced below Google's quotas.

The pace is shared by every Odoo process of the database (see shared_pacer): Google allows 600
requests a minute per user and 10,000 per project by default; the system parameters
``google_calendar_sync.quota_per_minute`` and ``google_calendar_sync.project_quota_per_minute``
say otherwise when the project's quotas in Google Cloud Console do.
"""

from gcal_engine.client import CalendarClient
from gcal_engine.transport import GoogleSession

from .shared_pacer import Allowance, SharedPacer

PARAM_QUOTA = "google_calendar_sync.quota_per_minute"
PARAM_PROJECT_QUOTA = "google_calendar_sync.project_quota_per_minute"
# How much of a quota may go at once. A user's requests come in runs: half of theirs at once lets
# a first export of a few hundred events go without a cron worker sleeping on it while other
# users (and Google's notifications) wait. The project's are every user's, all minute long: a
# tenth at once keeps most of it for a steady flow.
USER_AT_ONCE, PROJECT_AT_ONCE = 0.5, 0.1


def calendar_client(sync):
    """A client with the user's tokens (refreshed first when they expire soon); close its
    ``session`` when done."""
    account = sync.account_id
    credentials = account._google_credentials()
    pacer = SharedPacer(sync.env.registry, (
        Allowance.for_quota(f"project:{credentials.client_id}", _quota(sync, PARAM_PROJECT_QUOTA, 10000),
                            PROJECT_AT_ONCE),
        Allowance.for_quota(f"user:{account.email or account.user_id.id}", _quota(sync, PARAM_QUOTA, 600),
                            USER_AT_ONCE),
    ))
    # A grant Google refuses in the middle of any call (a run, the calendar list, a channel) is
    # lost at once: the account says "needs reconnection" and the session asks Google no more.
    session = GoogleSession(credentials, on_token_refreshed=account._save_refreshed_credentials,
                            on_grant_refused=account._lose_connection, pacer=pacer)
    return CalendarClient(session, sync.env["google.account"]._endpoints())


def _quota(sync, key, default):
    """A quota parameter as a number of requests a minute; Google's default when it is none."""
    value = (sync._param(key) or "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


def primary_email(client):
    """The Google account's address: its primary calendar's id (a grant carried from Odoo's own
    module has no email scope to ask Google's userinfo for it)."""
    return next((entry["id"] for entry in client.calendar_list() if entry.get("primary")), False)
