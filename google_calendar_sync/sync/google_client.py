"""gcal_engine's Calendar client for one user's synchronization, paced below Google's quotas.

The pace is kept per process: a user's calls within a minute over all their runs in this
process (Google allows 600 a minute per user; ``google_calendar_sync.quota_per_minute``
lowers it). Google's other quota, 10,000 calls a minute per project, stays out of reach while a
cron worker runs one user at a time.
"""

from gcal_engine.client import CalendarClient
from gcal_engine.transport import GoogleSession, Pacer

PARAM_QUOTA = "google_calendar_sync.quota_per_minute"
_PACERS = {}  # (database, user id) -> Pacer


def calendar_client(sync):
    """A client with the user's tokens (refreshed first when they expire soon); close its
    ``session`` when done."""
    account = sync.account_id
    quota = int(sync._param(PARAM_QUOTA, "600") or 600)
    key = (sync.env.cr.dbname, sync.user_id.id)
    if key not in _PACERS or _PACERS[key].per_minute != quota:
        _PACERS[key] = Pacer(per_minute=quota)
    session = GoogleSession(
        account._google_credentials(),
        on_token_refreshed=account._save_refreshed_credentials,
        pacer=_PACERS[key],
    )
    return CalendarClient(session, sync.env["google.account"]._endpoints())


def primary_email(client):
    """The Google account's address: its primary calendar's id (a grant carried from Odoo's own
    module has no email scope to ask Google's userinfo for it)."""
    return next((entry["id"] for entry in client.calendar_list() if entry.get("primary")), False)
