"""The demo's Google side (bin/run seeds it before Odoo starts): it must hold what the README shows."""

from __future__ import annotations

import datetime as dt

import requests

from devtools.demo import DEMO_GOOGLE, google_events, seed_google
from gcal_emulator.control import EmulatorControl


def test_the_demo_account_has_its_events_and_a_second_calendar_to_choose(emulator: EmulatorControl) -> None:
    seed_google(emulator)

    token = emulator.connect(DEMO_GOOGLE, client_id="calendar-web.apps.googleusercontent.com")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    api = f"{emulator.base_url}/calendar/v3"
    calendars = requests.get(f"{api}/users/me/calendarList", headers=headers, timeout=10).json()["items"]
    assert sorted(c["summary"] for c in calendars) == sorted([DEMO_GOOGLE, "Team rota"])
    events = requests.get(f"{api}/calendars/primary/events", headers=headers, timeout=10).json()["items"]
    assert len(events) == len(google_events(dt.date.today()))
