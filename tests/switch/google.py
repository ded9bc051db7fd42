"""Reading a Google calendar in the emulator as its owner would, for the scenario's counts."""

from __future__ import annotations

import requests

TIMEOUT = 20


def access_token(base: str, client_id: str, client_secret: str, refresh_token: str) -> str:
    answer = requests.post(f"{base}/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token,
                                                  "client_id": client_id, "client_secret": client_secret},
                           timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()["access_token"]


def events(base: str, token: str) -> list[dict]:
    """Every live event of the primary calendar: single events, series, changed occurrences."""
    answer = requests.get(f"{base}/calendar/v3/calendars/primary/events", params={"maxResults": 2500},
                          headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    answer.raise_for_status()
    return [item for item in answer.json()["items"] if item.get("status") != "cancelled"]


def insert(base: str, token: str, body: dict, **params) -> dict:
    answer = requests.post(f"{base}/calendar/v3/calendars/primary/events", json=body, params=params,
                           headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()


def delete(base: str, token: str, event_id: str) -> None:
    requests.delete(f"{base}/calendar/v3/calendars/primary/events/{event_id}",
                    headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT).raise_for_status()
