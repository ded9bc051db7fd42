"""The contract checker itself: were it to pass everything, every suite would check nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from tests.conftest import ContractChecker
from tests.emulator.conftest import Api

EVENT = {
    "kind": "calendar#event", "id": "abcdef12345", "status": "confirmed", "summary": "Review", "sequence": 0,
    "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T11:00:00Z"},
    "attendees": [{"email": "guest@example.com", "responseStatus": "needsAction"}],
}
PATH = "/calendar/v3/calendars/primary/events/abcdef12345"


def request(method: str = "GET", path: str = PATH, body: Any = None) -> Request:
    return Request(EnvironBuilder(method=method, path=path, json=body).get_environ())


def answer(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=UTF-8")


def violations(endpoint: str, sent: Request, received: Response) -> list[str]:
    checker = ContractChecker()
    checker(endpoint, sent, received)
    assert checker.checked == 1
    return checker.violations


def test_a_response_true_to_the_discovery_document_passes() -> None:
    assert violations("event", request(), answer(EVENT)) == []
    assert violations("event", request("PATCH", body={"summary": None}), answer(EVENT)) == [], "patch may send null"


@pytest.mark.parametrize(("change", "found"), [
    ({"colour": "red"}, "Event: unknown property 'colour'"),
    ({"summary": 5}, "Event.summary: expected string, got int"),
    ({"sequence": "0"}, "Event.sequence: expected integer, got str"),
    ({"guestsCanModify": "yes"}, "Event.guestsCanModify: expected boolean, got str"),
    ({"attendees": {"email": "guest@example.com"}}, "Event.attendees: expected array, got dict"),
    ({"attendees": [{"email": "guest@example.com", "rsvp": True}]}, "Event.attendees[0]: unknown property 'rsvp'"),
    ({"start": {"dateTime": "2026-12-01 10:00"}}, "Event.start.dateTime: not an RFC 3339 date-time"),
    ({"start": {"date": "20261201"}}, "Event.start.date: not a date"),
    ({"reminders": {"overrides": "popup"}}, "Event.reminders.overrides: expected array, got str"),
    ({"extendedProperties": {"private": {"odoo": 1}}},
     "Event.extendedProperties.private['odoo']: expected string, got int"),
], ids=["unknown property", "string", "integer", "boolean", "array", "nested unknown property", "date-time format",
        "date format", "nested array", "map value"])
def test_a_response_departing_from_the_discovery_document_is_a_violation(change: dict[str, Any], found: str) -> None:
    found_here = violations("event", request(), answer(EVENT | change))
    assert len(found_here) == 1 and found in found_here[0], found_here


@pytest.mark.parametrize(("endpoint", "sent", "received", "found"), [
    ("event", request("PUT", body=EVENT | {"colour": "red"}), answer(EVENT), "unknown property 'colour'"),
    ("event", request("PUT", body=[EVENT]), answer(EVENT), "request: not a JSON object"),
    ("events", request(path="/calendar/v3/calendars/primary/events"), answer({"error": "notFound"}, 404),
     "error body"),
    ("event", request(), answer({"error": {"code": 404, "message": "Not Found", "errors": [{"reason": "notFound"}]}},
                                404), "item without domain/reason/message"),
    ("token", request("POST", "/token"), answer({"access_token": "a", "token_type": "Bearer", "secret": "s"}),
     "token response"),
    ("token", request("POST", "/token"), answer({"error": {"code": 400}}, 400), "OAuth error body"),
], ids=["request body", "request not an object", "error envelope", "error item", "token response", "OAuth error"])
def test_requests_errors_and_token_answers_are_checked_too(
    endpoint: str, sent: Request, received: Response, found: str
) -> None:
    assert any(found in violation for violation in violations(endpoint, sent, received))


def test_the_suite_checker_sees_the_emulators_traffic_and_reports_a_departure(
    api: Api, contract: ContractChecker
) -> None:
    checked = contract.checked
    # The emulator ignores an unknown field, as Google does; the checker must still see it was sent.
    api.insert({"summary": "x", "colour": "red", "start": EVENT["start"], "end": EVENT["end"]})
    assert contract.checked == checked + 1
    assert contract.violations == [
        "POST /calendar/v3/calendars/primary/events -> 200: Event: unknown property 'colour'"]
    contract.violations.clear()  # the one departure this test makes on purpose; the fixture fails on any other
