"""Google's OAuth scopes: their aliases, what each lets a token do, and how the consent page words them."""

from __future__ import annotations

SCOPE_ALIASES = {
    "email": "https://www.googleapis.com/auth/userinfo.email",
    "profile": "https://www.googleapis.com/auth/userinfo.profile",
}
_CAL = "https://www.googleapis.com/auth/calendar"
READ_SCOPES = frozenset(f"{_CAL}{s}" for s in ("", ".readonly", ".events", ".events.readonly", ".events.owned", ".events.owned.readonly"))
WRITE_SCOPES = frozenset(f"{_CAL}{s}" for s in ("", ".events", ".events.owned"))
LIST_SCOPES = frozenset(f"{_CAL}{s}" for s in ("", ".readonly", ".calendarlist", ".calendarlist.readonly"))
CALENDAR_WRITE_SCOPES = frozenset((_CAL, f"{_CAL}.calendars", f"{_CAL}.app.created"))
BASIC_SCOPES = frozenset(("openid", SCOPE_ALIASES["email"], SCOPE_ALIASES["profile"]))
SCOPE_LABELS = {
    _CAL: "See, edit, share and permanently delete all the calendars you can access using Google Calendar",
    f"{_CAL}.readonly": "See and download any calendar you can access using your Google Calendar",
    f"{_CAL}.events": "View and edit events on all your calendars",
    f"{_CAL}.events.readonly": "View events on all your calendars",
    f"{_CAL}.events.owned": "See, create, change and delete events on Google calendars you own",
    f"{_CAL}.calendarlist.readonly": "See the list of Google calendars you're subscribed to",
    SCOPE_ALIASES["email"]: "See your primary Google Account email address",
    SCOPE_ALIASES["profile"]: "See your personal info, including any personal info you've made publicly available",
    "openid": "Associate you with your personal info on Google",
}


def normalise_scopes(text: str) -> list[str]:
    scopes = []
    for scope in text.split():
        scope = SCOPE_ALIASES.get(scope, scope)
        if scope not in scopes:
            scopes.append(scope)
    return scopes

