"""events.watch channels over plain HTTP: their expiry, as the notifications carry it and as it ends them."""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any

import pytest
import requests

from gcal_emulator.control import EmulatorControl
from tests.emulator.conftest import Api, Receiver, error_reason

EVENT = {"summary": "Ping", "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}
WEEK = 7 * 86400


def watch(api: Api, channel_id: str, address: str, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": channel_id, "type": "web_hook", "address": address}
    if params:
        body["params"] = params
    answer = api("POST", "/calendars/primary/events/watch", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def emulator_now(emulator: EmulatorControl) -> dt.datetime:
    return dt.datetime.fromisoformat(emulator.advance_clock(0).replace("Z", "+00:00"))


def lifetime(channel: dict[str, Any], emulator: EmulatorControl) -> float:
    """Seconds from the emulator's now to the channel's expiration."""
    return int(channel["expiration"]) / 1000 - emulator_now(emulator).timestamp()


def test_notifications_carry_the_expiration_and_an_expired_channel_goes_quiet(
    api: Api, emulator: EmulatorControl, receiver: Receiver
) -> None:
    channel = watch(api, "chan-ttl", receiver.url, ttl="60")
    assert 58 < lifetime(channel, emulator) <= 60
    handshake = receiver.next()
    expiration = email.utils.parsedate_to_datetime(handshake["X-Goog-Channel-Expiration"])
    assert int(expiration.timestamp()) == int(channel["expiration"]) // 1000
    api.insert(EVENT)
    change = receiver.next()
    assert (change["X-Goog-Resource-State"], change["X-Goog-Channel-Expiration"]) == (
        "exists", handshake["X-Goog-Channel-Expiration"])

    emulator.advance_clock(61)
    api.insert(EVENT)
    # Deliveries are in order: once the next channel's handshake arrives, nothing else is on its way.
    watch(api, "chan-next", receiver.url)
    assert receiver.next()["X-Goog-Channel-Id"] == "chan-next"
    assert receiver.received.empty()
    live = requests.get(f"{emulator.base_url}/_emulator/notifications", timeout=10).json()["channels"]
    assert [c["id"] for c in live] == ["chan-next"]
    stop = api("POST", "/channels/stop", json={"id": "chan-ttl", "resourceId": channel["resourceId"]})
    assert error_reason(stop) == (404, "notFound")


@pytest.mark.parametrize(("ttl", "seconds"), [
    ("60", 60),
    ("999999999999", 30 * 86400),
    ("²", WEEK),
    ("abc", WEEK),
    ("-60", WEEK),
    ("9" * 400, 30 * 86400),
], ids=["digits", "beyond the cap", "superscript digit", "letters", "negative", "400 digits"])
def test_a_ttl_is_capped_at_30_days_and_a_malformed_one_gets_the_default_week(
    api: Api, emulator: EmulatorControl, ttl: str, seconds: int
) -> None:
    emulator.hold_push()  # the address is never called
    channel = watch(api, "chan-1", "https://odoo.example.com/google_calendar/notify", ttl=ttl)
    assert seconds - 2 < lifetime(channel, emulator) <= seconds
