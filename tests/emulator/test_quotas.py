"""Per-minute quotas as Google enforces them: per user and per project, over a sliding minute."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from gcal_emulator.control import EmulatorControl
from tests.emulator.conftest import ALICE, Api, error_reason

BOB = "bob@example.com"
EVENT = {"summary": "x", "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"}}


def colors(api: Api) -> int:
    return api("GET", "/colors").status_code


def test_googles_default_limit_is_600_requests_a_minute_per_user(api: Api, emulator: EmulatorControl) -> None:
    assert emulator.quotas() == {"per_user_per_minute": 600, "per_project_per_minute": 10000}
    answer = api.batch([("GET", "/colors", None)] * 600)
    assert answer.text.count("HTTP/1.1 200") == 600, "the batch envelope does not count"
    wall = api("GET", "/colors")
    assert error_reason(wall) == (403, "userRateLimitExceeded")
    assert wall.json()["error"] == {"code": 403, "message": "User Rate Limit Exceeded", "errors": [
        {"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "User Rate Limit Exceeded"}]}
    assert "Retry-After" not in wall.headers


def test_the_minute_slides_on_the_emulators_clock(api: Api, emulator: EmulatorControl) -> None:
    emulator.set_quotas(per_user_per_minute=3)
    emulator.clear_requests()
    assert [colors(api) for _ in range(2)] == [200, 200]
    emulator.advance_clock(40)
    assert [colors(api) for _ in range(3)] == [200, 403, 403], "refused requests are not counted"
    emulator.advance_clock(21)
    assert [colors(api) for _ in range(3)] == [200, 200, 403], "the first two have left the minute, not the third"
    statuses = [r["status"] for r in emulator.requests()]
    assert statuses == [200, 200, 200, 403, 403, 200, 200, 403], "the request log shows the 403s"


def test_each_user_has_a_limit_and_the_project_one_for_all(
    api: Api, emulator: EmulatorControl, alice_token: dict[str, Any]
) -> None:
    bob = Api(emulator.base_url, emulator.connect(BOB, client_id=alice_token["client_id"])["access_token"])
    emulator.set_quotas(per_user_per_minute=2, per_project_per_minute=100)
    assert [colors(api) for _ in range(3)] == [200, 200, 403]
    assert [colors(bob) for _ in range(3)] == [200, 200, 403], "Alice's wall is hers alone"
    emulator.set_quotas(per_user_per_minute=100, per_project_per_minute=6)
    assert [colors(bob) for _ in range(2)] == [200, 200]
    assert error_reason(api("GET", "/colors")) == (403, "rateLimitExceeded"), "the project has used its minute"
    other = Api(emulator.base_url, emulator.connect("carol@example.com", client_id="other-project")["access_token"])
    assert colors(other) == 200, "another project has its own quota"


def test_each_part_of_a_batch_counts_once(api: Api, emulator: EmulatorControl) -> None:
    emulator.set_quotas(per_user_per_minute=3)
    answer = api.batch([("POST", "/calendars/primary/events", EVENT)] * 5)
    assert answer.status_code == 200
    assert answer.text.count("HTTP/1.1 200") == 3 and answer.text.count("HTTP/1.1 403") == 2
    assert "userRateLimitExceeded" in answer.text
    emulator.advance_clock(60)
    assert len(api("GET", "/calendars/primary/events").json()["items"]) == 3, "refused parts wrote nothing"


def test_only_authorized_calendar_calls_count(api: Api, emulator: EmulatorControl, alice_token: dict[str, Any]) -> None:
    emulator.set_quotas(per_user_per_minute=1)
    del api.session.headers["Authorization"]
    assert [api("GET", "/colors").status_code for _ in range(3)] == [401] * 3
    api.session.headers["Authorization"] = f"Bearer {alice_token['access_token']}"
    emulator.mails(), emulator.requests(), emulator.quotas()  # the control API is no Google call
    assert colors(api) == 200 and colors(api) == 403


def test_the_client_library_sees_googles_error(service: Any, emulator: EmulatorControl) -> None:
    emulator.set_quotas(per_project_per_minute=1)
    service.events().list(calendarId="primary").execute()
    with pytest.raises(HttpError) as error:
        service.events().list(calendarId="primary").execute()
    assert error.value.resp.status == 403 and error.value.error_details[0]["reason"] == "rateLimitExceeded"


def test_the_limits_are_set_and_reset_through_the_control_api(emulator: EmulatorControl) -> None:
    assert emulator.set_quotas(per_user_per_minute=5) == {"per_user_per_minute": 5, "per_project_per_minute": 10000}
    assert emulator.set_quotas(per_project_per_minute=50) == {"per_user_per_minute": 5, "per_project_per_minute": 50}
    emulator.reset()
    assert emulator.quotas() == {"per_user_per_minute": 600, "per_project_per_minute": 10000}
    token = emulator.connect(ALICE)
    assert Api(emulator.base_url, token["access_token"])("GET", "/colors").status_code == 200


def test_the_busiest_minutes_and_the_refusals_are_reported(
    api: Api, emulator: EmulatorControl, alice_token: dict[str, Any]
) -> None:
    bob = Api(emulator.base_url, emulator.connect(BOB, client_id=alice_token["client_id"])["access_token"])
    emulator.set_quotas(per_user_per_minute=3, per_project_per_minute=5)
    emulator.quota_usage(clear=True)
    assert [colors(api) for _ in range(4)] == [200, 200, 200, 403]
    assert [colors(bob) for _ in range(3)] == [200, 200, 403]
    assert emulator.quota_usage() == {"peak_per_user_per_minute": 3, "peak_per_project_per_minute": 5,
                                      "refused": {"userRateLimitExceeded": 1, "rateLimitExceeded": 1}}
    emulator.advance_clock(61)
    assert colors(bob) == 200
    assert emulator.quota_usage()["peak_per_project_per_minute"] == 5, "a peak stays the peak"
    assert emulator.quota_usage(clear=True)["peak_per_user_per_minute"] == 3
    assert emulator.quota_usage()["peak_per_user_per_minute"] == 0, "counting starts again"
