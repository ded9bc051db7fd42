"""Before the switch: a database that uses Odoo's own Google Calendar, against the emulator.

    python -m tests.switch.before_switch DB EMULATOR_URL ADDONS_PATH   (Odoo's Python; prints facts as JSON)

Users connect through Odoo's own OAuth code and synchronize with its own cron: alice organizes
single events and a series with a moved and a deleted occurrence, bob attends them and creates
an event in Google Calendar, alice a Google Meet there that bob attends (guests may not modify
it, Google's default; Odoo's own events let them), dave (never connected) organizes an event alice attends, carol
synchronizes and then stops. Then the administrator pauses the synchronization, and changes pile
up that Odoo does not send: an edited event, an edited occurrence, a new event, a deleted one.
Meanwhile, on Google, bob deletes his event, and an event Odoo created is there without Odoo
knowing its id (an insert whose answer was lost).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from urllib.parse import parse_qs, urlsplit

import requests

from devtools.odoo_site import db_options, odoo_source
from gcal_emulator.control import EmulatorControl

from . import google

CLIENT_ID, CLIENT_SECRET = "switch.apps.googleusercontent.com", "switch-secret"
CONNECTED = ("alice", "bob", "carol")


def point_odoo_at(base: str) -> None:
    """The test harness's part: Odoo's module calls Google's real URLs; here, the emulator's
    (which answers Google's legacy OAuth paths and the access_token query parameter). Odoo 18's
    res_users_settings refreshes tokens with its own copy of the token URL, 19's google.service."""
    from odoo.addons.google_account.models import google_service  # noqa: PLC0415
    from odoo.addons.google_calendar.models import res_users_settings  # noqa: PLC0415

    google_service.GOOGLE_AUTH_ENDPOINT = f"{base}/o/oauth2/auth"
    google_service.GOOGLE_TOKEN_ENDPOINT = res_users_settings.GOOGLE_TOKEN_ENDPOINT = f"{base}/o/oauth2/token"
    google_service.GOOGLE_API_BASE_URL = base
    request = google_service.GoogleService._do_request
    request.__defaults__ = (*request.__defaults__[:3], base, *request.__defaults__[4:])


def connect(env, control: EmulatorControl, user) -> None:
    """Odoo's own consent flow for ``user``: the authorize URL, Google's answer, the code exchange."""
    from odoo.addons.google_calendar.utils.google_calendar import GoogleCalendarService  # noqa: PLC0415

    service = GoogleCalendarService(env["google.service"].with_user(user))
    control.consent(user.email)
    answer = requests.get(service._google_authentication_url(from_url="/odoo/calendar"), allow_redirects=False,
                          timeout=20)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    redirect_uri = env["google.service"].get_base_url() + "/google_account/authentication"
    access, refresh, ttl = env["google.service"]._get_google_tokens(code, "calendar", redirect_uri)
    user.res_users_settings_id._set_google_auth_tokens(access, refresh, ttl)


def main(db: str, base: str, addons: str) -> None:
    odoo_source()
    from odoo import api, tools  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    tools.config.parse_config([*db_options(), f"--addons-path={addons}", "--log-level=warn"])
    registry = Registry(db)
    point_odoo_at(base)
    control = EmulatorControl(base)
    facts: dict = {"db": db}

    def step(work):
        with registry.cursor() as cr:  # committed at the end: Odoo's module sends after commit
            return work(api.Environment(cr, api.SUPERUSER_ID, {}))

    def setup(env):
        params = env["ir.config_parameter"]
        params.set_param("google_calendar_client_id", CLIENT_ID)
        params.set_param("google_calendar_client_secret", CLIENT_SECRET)
        redirect_uri = params.get_param("web.base.url") + "/google_account/authentication"
        control.add_client(CLIENT_ID, CLIENT_SECRET, [redirect_uri], publishing_status="production")
        users = env["res.users"].with_context(no_reset_password=True)
        for name in (*CONNECTED, "dave"):
            users.create({"name": name.title(), "login": name, "email": f"{name}@example.com", "tz": "Europe/Brussels"})
            control.add_user(f"{name}@example.com")

    step(setup)
    user = lambda env, login: env["res.users"].search([("login", "=", login)])  # noqa: E731
    for login in CONNECTED:
        step(lambda env, login=login: connect(env, control, user(env, login)))

    monday = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday()), dt.time(9))

    def events(env):
        alice, bob, carol, dave = (user(env, login) for login in ("alice", "bob", "carol", "dave"))
        Event = env["calendar.event"]
        Event.with_user(alice).create({"name": "Alice 1:1", "start": monday, "stop": monday + dt.timedelta(hours=1),
                                       "partner_ids": [(6, 0, [alice.partner_id.id, bob.partner_id.id])]})
        Event.with_user(alice).create({
            "name": "Alice weekly", "start": monday + dt.timedelta(hours=2), "stop": monday + dt.timedelta(hours=3),
            "partner_ids": [(6, 0, [alice.partner_id.id, bob.partner_id.id])], "recurrency": True,
            "rrule_type": "weekly", "interval": 1, "end_type": "count", "count": 6, "mon": True,
            "event_tz": "Europe/Brussels"})
        Event.with_user(bob).create({"name": "Bob solo", "start": monday + dt.timedelta(days=1),
                                     "stop": monday + dt.timedelta(days=1, hours=1)})
        Event.with_user(dave).create({"name": "Dave review", "start": monday + dt.timedelta(days=2),
                                      "stop": monday + dt.timedelta(days=2, hours=1), "user_id": dave.id,
                                      "partner_ids": [(6, 0, [dave.partner_id.id, alice.partner_id.id])]})
        Event.with_user(carol).create({"name": "Carol plan", "start": monday + dt.timedelta(days=3),
                                       "stop": monday + dt.timedelta(days=3, hours=1)})

    step(events)

    def series_exceptions(env):
        occurrences = env["calendar.event"].search([("name", "=", "Alice weekly")], order="start")
        alice = user(env, "alice")
        third, fourth = occurrences[2].with_user(alice), occurrences[3].with_user(alice)
        third.write({"start": third.start + dt.timedelta(hours=1), "stop": third.stop + dt.timedelta(hours=1),
                     "recurrence_update": "self_only"})
        fourth.unlink()

    step(series_exceptions)
    tokens = step(lambda env: {login: user(env, login).res_users_settings_id.google_calendar_rtoken
                               for login in CONNECTED})
    access = {login: google.access_token(base, CLIENT_ID, CLIENT_SECRET, token) for login, token in tokens.items()}
    from_google = google.insert(base, access["bob"], {
        "summary": "Bob from Google", "start": {"dateTime": (monday + dt.timedelta(days=4)).isoformat() + "Z"},
        "end": {"dateTime": (monday + dt.timedelta(days=4, hours=1)).isoformat() + "Z"}})
    google.insert(base, access["alice"], {
        "summary": "Alice meets Bob", "attendees": [{"email": "alice@example.com"}, {"email": "bob@example.com"}],
        "start": {"dateTime": (monday + dt.timedelta(days=4, hours=2)).isoformat() + "Z"},
        "end": {"dateTime": (monday + dt.timedelta(days=4, hours=3)).isoformat() + "Z"},
        "conferenceData": {"createRequest": {"requestId": "switch-meet"}}}, conferenceDataVersion=1)
    for _round in range(2):  # Odoo's cron, twice: the second run takes in the echo of the first
        step(lambda env: env["res.users"]._sync_all_google_calendar())
    step(lambda env: user(env, "carol").stop_google_synchronization())

    def pending(env):
        env["ir.config_parameter"].set_param("google_calendar_sync_paused", True)
        alice, bob = user(env, "alice"), user(env, "bob")
        Event = env["calendar.event"]
        Event.search([("name", "=", "Alice 1:1")]).with_user(alice).write({"name": "Alice 1:1 (moved)"})
        fifth = Event.search([("name", "=", "Alice weekly"), ("follow_recurrence", "=", True)], order="start")[3]
        fifth.with_user(alice).write({"name": "Alice weekly (special)", "recurrence_update": "self_only"})
        Event.search([("name", "=", "Bob solo")]).with_user(bob).unlink()
        new = Event.with_user(alice).create({"name": "Alice new while paused", "start": monday + dt.timedelta(days=5),
                                             "stop": monday + dt.timedelta(days=5, hours=1)})
        return new.id

    new_id = step(pending)
    google.delete(base, access["bob"], from_google["id"])
    google.insert(base, access["alice"], {
        "id": "orphan0001", "summary": "Alice new while paused",
        "start": {"dateTime": (monday + dt.timedelta(days=5)).isoformat() + "Z"},
        "end": {"dateTime": (monday + dt.timedelta(days=5, hours=1)).isoformat() + "Z"},
        "extendedProperties": {"shared": {f"{db}_odoo_id": str(new_id)}}})

    def record(env):
        Event = env["calendar.event"]
        facts["odoo_events"] = Event.search_count([])
        facts["odoo_series"] = env["calendar.recurrence"].search_count([])
        facts["pending"] = Event.search_count([("need_sync", "=", True)], ) + env["calendar.recurrence"].search_count(
            [("need_sync", "=", True)])
        facts["odoo_mails"] = env["mail.mail"].search_count([])
        facts["tokens"] = tokens
        facts["stopped"] = [u.login for u in env["res.users"].search([("login", "in", CONNECTED)])
                            if u.google_synchronization_stopped]
        # A colleague's event Odoo never sent to a guest's calendar (Odoo 19 sends an event through
        # its organizer only; 18 through a guest who synchronizes): ours sends the guest a copy.
        connected = env["res.users"].search([("login", "in", CONNECTED)])
        facts["unsent"] = {u.login: Event.search([
            ("partner_ids", "in", u.partner_id.id), ("user_id", "not in", connected.ids),
            ("google_id", "=", False), ("recurrence_id", "=", False)]).mapped("name") for u in connected}
        meet = Event.search([("name", "=", "Alice meets Bob")])
        facts["meet"] = [meet.videocall_source, meet.guests_readonly]

    step(record)
    facts["google"] = {login: sorted(e.get("summary", "") for e in google.events(base, token)
                                     if not e.get("recurringEventId")) for login, token in access.items()}
    facts["google_mails"] = len(control.mails())
    json.dump(facts, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:4])
