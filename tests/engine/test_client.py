"""The Calendar API client: retries, typed errors, streamed pages, batches, channels, no tokens in logs."""

from __future__ import annotations

import datetime as dt
import logging
import pytest

from gcal_engine import errors
from gcal_engine.client import Write
from gcal_engine.transport import Pacer
from tests.engine.conftest import Harness

HOLD = 3_600_000  # ms: Google's latency that keeps an answer waiting until the test releases it
EVENT = {"summary": "x", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}}


def test_pages_are_streamed_with_the_page_size_asked_one_page_ahead(harness: Harness) -> None:
    for i in range(5):
        harness.client.insert_event("primary", EVENT | {"summary": f"E{i}"})
    harness.emulator.clear_requests()
    pages = harness.client.list_events("primary", page_size=2)
    first = next(pages)
    assert len(first.items) == 2 and first.next_sync_token is None
    harness.emulator.set_latency(page_ms=HOLD)  # a page asked for from now on waits until released
    if len(harness.emulator.requests()) < 2:
        harness.emulator.latency(waiting=1, wait=30)
    assert len(harness.emulator.requests()) == 2, "the second page is asked for with the first in hand, no more"
    harness.emulator.clear_latency()
    rest = list(pages)
    assert [len(p.items) for p in rest] == [2, 1] and rest[-1].next_sync_token
    requests = harness.emulator.requests()
    assert len(requests) == 3 and all(r["query"]["maxResults"] == "2" for r in requests)
    assert len({r["query"].get("pageToken") for r in requests}) == 3, "each page asked for once"


def test_an_expired_sync_token_is_a_typed_error(harness: Harness) -> None:
    token = list(harness.client.list_events("primary"))[-1].next_sync_token
    harness.emulator.invalidate_sync_tokens()
    with pytest.raises(errors.SyncTokenExpiredError):
        list(harness.client.list_events("primary", sync_token=token))


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, None), (502, None), (503, None), (429, None), (403, "rateLimitExceeded"), (403, "userRateLimitExceeded")],
)
def test_transient_errors_are_retried_with_growing_jittered_backoff(harness: Harness, status: int, reason: str | None) -> None:
    harness.emulator.fault(method="POST", path_regex="/events$", status=status, reason=reason, times=3)
    created = harness.client.insert_event("primary", EVENT)
    assert created["summary"] == "x"
    assert len(harness.sleeps) == 3
    assert all(0 <= delay <= 2**attempt for attempt, delay in enumerate(harness.sleeps))


def test_retry_after_is_honoured(harness: Harness) -> None:
    harness.emulator.fault(status=429, retry_after=7)
    list(harness.client.list_events("primary"))
    assert harness.sleeps == [7.0] or harness.sleeps[0] >= 7.0


def test_retries_stop_after_the_last_attempt_with_a_typed_error(harness: Harness) -> None:
    harness.emulator.fault(status=503, times=10)
    with pytest.raises(errors.TransientError) as error:
        harness.client.insert_event("primary", EVENT)
    assert error.value.retryable and len(harness.sleeps) == 3


@pytest.mark.parametrize(("status", "reason"), [(429, None), (403, "rateLimitExceeded"), (403, "userRateLimitExceeded")])
def test_a_rate_limit_that_outlasts_the_retries_is_a_rate_limited_error(harness: Harness, status: int,
                                                                       reason: str | None) -> None:
    harness.emulator.fault(method="POST", status=status, reason=reason, retry_after=3, times=10)
    with pytest.raises(errors.RateLimitedError) as error:
        harness.client.insert_event("primary", EVENT)
    assert error.value.retryable and error.value.status == status and (reason is None or error.value.reason == reason)
    assert error.value.retry_after == 3.0 and len(harness.sleeps) == 3


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (403, "quotaExceeded", errors.QuotaExceededError),
        (403, "forbiddenForNonOrganizer", errors.ForbiddenError),
        (400, "invalid", errors.BadRequestError),
        (404, None, errors.NotFoundError),
        (409, None, errors.DuplicateIdError),
        (410, "deleted", errors.DeletedError),
        (412, None, errors.PreconditionFailedError),
    ],
)
def test_other_errors_are_never_retried(harness: Harness, status: int, reason: str | None, expected: type) -> None:
    harness.emulator.fault(method="POST", status=status, reason=reason)
    with pytest.raises(expected) as error:
        harness.client.insert_event("primary", EVENT)
    assert harness.sleeps == [] and not error.value.retryable
    assert error.value.status == status and (reason is None or error.value.reason == reason)


def test_a_timeout_and_a_dropped_answer_are_retried(harness: Harness) -> None:
    # The answer comes 30 s late, the client waits 2 s: it times out however loaded the machine.
    client = harness.new_client(timeout=(5, 2))
    harness.emulator.fault(method="GET", delay_ms=30_000)
    harness.emulator.fault(method="GET", drop_response=True)
    assert list(client.list_events("primary"))[-1].next_sync_token
    assert harness.emulator.faults() == [], "both met"
    assert len(harness.sleeps) >= 2, "each attempt after a pause"


def test_an_expired_access_token_is_refreshed_once_and_saved(harness: Harness) -> None:
    client = harness.new_client()
    client.session.credentials.expiry = None  # the client does not know it expired
    harness.clock.advance(3600)
    assert list(client.list_events("primary"))
    assert len(harness.refreshed) == 1 and harness.refreshed[0] != harness.token["access_token"]


def test_a_revoked_grant_is_invalid_grant_that_ends_the_run(harness: Harness) -> None:
    client = harness.new_client()
    client.session.credentials.expiry = None
    harness.emulator.revoke_tokens("alice@example.com")
    with pytest.raises(errors.InvalidGrantError) as error:
        list(client.list_events("primary"))
    assert error.value.code == "invalid_grant" and error.value.ends_run and not error.value.retryable


@pytest.mark.parametrize("refusal", ["revoked", "401 after a refresh"])
def test_a_refused_grant_is_told_once_and_no_later_call_asks_google(harness: Harness, refusal: str) -> None:
    refused: list[Exception] = []
    client = harness.new_client()
    client.session.on_grant_refused = refused.append
    if refusal == "revoked":  # while the access token still looks valid: Google answers 401, the refresh fails
        harness.emulator.revoke_tokens("alice@example.com")
        expected: type = errors.InvalidGrantError
    else:  # Google refuses the call however fresh the token: google-auth refreshes twice, then gives up
        harness.emulator.fault(method="GET", status=401, reason="authError", times=3)
        expected = errors.UnauthorizedError
    with pytest.raises(expected) as first:
        list(client.list_events("primary"))
    harness.emulator.clear_requests()
    with pytest.raises(expected) as again:
        client.calendar_list()
    assert again.value is first.value and refused == [first.value]
    assert harness.emulator.requests() == [], "the session does not ask Google again"


def test_batches_hold_at_most_50_calls_and_report_each_result(harness: Harness) -> None:
    harness.client.insert_event("primary", EVENT | {"id": "present00001"})
    writes = [Write("POST", "primary", body=EVENT | {"id": f"batch{i:07d}"}) for i in range(120)]
    writes.append(Write("POST", "primary", body=EVENT | {"id": "present00001"}))
    writes.append(Write("DELETE", "primary", "nosuchevent01"))
    harness.emulator.clear_requests()
    results = harness.client.write_many(writes)
    outer = [r for r in harness.emulator.requests() if not r["batch"]]
    assert len(outer) == 3 and all(r["path"] == "/batch/calendar/v3" for r in outer)
    assert [r.event["id"] for r in results[:120]] == [f"batch{i:07d}" for i in range(120)]
    assert isinstance(results[120].error, errors.DuplicateIdError)
    assert isinstance(results[121].error, errors.NotFoundError)


def test_transient_failures_of_batch_items_are_sent_again(harness: Harness) -> None:
    harness.emulator.fault(method="POST", path_regex="/events$", status=503, times=2)
    results = harness.client.write_many([Write("POST", "primary", body=EVENT | {"summary": f"B{i}"}) for i in range(4)])
    assert all(r.error is None for r in results)
    assert len(harness.google_events()) == 4 and len(harness.sleeps) == 1


def test_calendar_list_and_push_channels(harness: Harness) -> None:
    [calendar] = harness.client.calendar_list()
    assert calendar["id"] == "alice@example.com" and calendar["primary"]
    channel = harness.client.watch("primary", "channel-1", "https://odoo.example.com/google_calendar/notify", "tok",
                                   ttl_seconds=3600)
    expires = dt.datetime.fromtimestamp(int(channel["expiration"]) / 1000, dt.timezone.utc)
    assert dt.timedelta(minutes=59) < expires - harness.clock.now() <= dt.timedelta(hours=1)
    harness.client.stop_channel("channel-1", channel["resourceId"])
    with pytest.raises(errors.NotFoundError):
        harness.client.stop_channel("channel-1", channel["resourceId"])


def test_tokens_never_appear_in_urls_or_logs(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = harness.new_client()
    client.session.credentials.expiry = None
    harness.clock.advance(3600)  # forces a refresh during the calls below
    harness.emulator.fault(status=503)
    client.insert_event("primary", EVENT)
    list(client.list_events("primary"))
    client.write_many([Write("POST", "primary", body=EVENT)] * 2)
    secrets = [harness.token["access_token"], harness.token["refresh_token"], harness.token["client_secret"],
               *harness.refreshed]
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "urllib3" in logged and "gcal_engine" in logged, "DEBUG logging was really on"
    assert not [s for s in secrets if s in logged]
    urls = [r["path"] + str(r["query"]) for r in harness.emulator.requests()]
    assert not [s for s in secrets if any(s in u for u in urls)]


def test_the_pacer_keeps_a_minute_under_the_quota() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    pacer = Pacer(per_minute=100, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        pacer.acquire(50)
        now[0] += 1
    assert waits == [58.0], "the third 50 waits until the first 50 leave the minute"


def test_write_results_keep_the_order_of_writes(harness: Harness) -> None:
    first = harness.client.insert_event("primary", EVENT)
    results = harness.client.write_many([
        Write("PATCH", "primary", first["id"], {"summary": "patched"}),
        Write("DELETE", "primary", first["id"]),
    ])
    assert results[0].event["summary"] == "patched" and results[1].event is None and results[1].error is None



def test_a_batch_whose_parts_all_meet_an_expired_token_is_sent_again_once_refreshed(harness: Harness) -> None:
    # Google answers the batch itself 200 and each part 401 when the access token expired early.
    client = harness.new_client()
    client.session.credentials.expiry = None  # the client does not know it expired
    harness.clock.advance(3600)
    results = client.write_many([Write("POST", "primary", body=EVENT | {"summary": f"R{i}"}) for i in range(3)])
    assert [r.error for r in results] == [None] * 3
    assert sorted(r.event["summary"] for r in results if r.event) == ["R0", "R1", "R2"]
    assert len(harness.refreshed) == 1, "refreshed once for the whole batch, and saved"


def test_a_batch_whose_token_refresh_met_the_network_refreshes_before_it_is_sent_again(harness: Harness) -> None:
    client = harness.new_client()
    client.session.credentials.expiry = None  # the client does not know it expired
    harness.clock.advance(3600)
    harness.emulator.fault(method="POST", path_regex="^/token$", drop_response=True)
    results = client.write_many([Write("POST", "primary", body=EVENT | {"summary": f"N{i}"}) for i in range(3)])
    assert [r.error for r in results] == [None] * 3, "sent again once the token was refreshed"
    assert harness.emulator.faults() == [], "the refresh met the network once"
    assert len(harness.refreshed) == 1
