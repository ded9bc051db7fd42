"""Google Calendar's own app, as people use it beside Odoo: over HTTP on the emulator, with a
grant of its own (Odoo's may be revoked or reset meanwhile)."""

import datetime as dt
import re

import requests

WEB_CLIENT = "calendar-web.apps.googleusercontent.com"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
UTC = dt.timezone.utc


class GoogleApp:
    """One person's Google Calendar app."""

    def __init__(self, control, email):
        self.control = control
        self.email = email
        self._token = None

    def call(self, method, path, body=None, **params):
        for _attempt in range(2):
            if self._token is None:
                self._token = self.control.connect(self.email, client_id=WEB_CLIENT, scopes=(CALENDAR_SCOPE,))[
                    "access_token"]
            answer = requests.request(method, f"{self.control.base_url}/calendar/v3{path}", json=body,
                                      params=params, headers={"Authorization": f"Bearer {self._token}"}, timeout=10)
            if answer.status_code != 401:
                break
            self._token = None  # expired, or revoked with the account's other grants: sign in again
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def new_calendar(self, summary):
        return self.call("POST", "/calendars", {"summary": summary})["id"]

    def occurrences(self, calendar_id):
        """Every live occurrence of the calendar, a series' one by one."""
        found, token = [], None
        while True:
            page = self.call("GET", f"/calendars/{calendar_id}/events", singleEvents="true", maxResults=2500,
                             **({"pageToken": token} if token else {}))
            found += page.get("items", [])
            token = page.get("nextPageToken")
            if not token:
                return found

    def insert(self, calendar_id, body):
        return self.call("POST", f"/calendars/{calendar_id}/events", body)

    def patch(self, calendar_id, event_id, body):
        return self.call("PATCH", f"/calendars/{calendar_id}/events/{event_id}", body)

    def delete(self, calendar_id, event_id):
        self.call("DELETE", f"/calendars/{calendar_id}/events/{event_id}")

    def get(self, calendar_id, event_id):
        return self.call("GET", f"/calendars/{calendar_id}/events/{event_id}")

    def instances(self, calendar_id, series_id):
        """The series' occurrences in order, cancelled ones too (``status``)."""
        return self.call("GET", f"/calendars/{calendar_id}/events/{series_id}/instances", showDeleted="true",
                         maxResults=2500)["items"]

    def answer(self, calendar_id, event, response):
        """The calendar's owner answers (a guest's only change to an invitation)."""
        attendees = [dict(a, responseStatus=response) if a.get("self") else a for a in event.get("attendees", [])]
        self.patch(calendar_id, event["id"], {"attendees": attendees})

    # -- a series from one occurrence on ("this and following events") --------------------------

    def split(self, calendar_id, occurrence, **changes):
        """Google's "this and following events": the series ends before ``occurrence``, and a
        new series, with ``changes``, takes its place from there, each occurrence as it was
        (from the first occurrence, the series itself changes). Whether a new series was made."""
        series_id = occurrence["recurringEventId"]
        series = self.get(calendar_id, series_id)
        instances = self.instances(calendar_id, series_id)
        if instances[0]["id"] == occurrence["id"]:
            self.patch(calendar_id, series_id, changes)  # from the first one: all events
            return False
        since = instant(occurrence["originalStartTime"])
        following = [i for i in instances if instant(i["originalStartTime"]) >= since]
        new = self.insert(calendar_id, {
            **{key: series[key] for key in ("summary", "location", "description") if key in series},
            "start": dict(series["start"], dateTime=occurrence["originalStartTime"]["dateTime"]),
            "end": dict(series["end"], dateTime=_shifted(series, occurrence["originalStartTime"]["dateTime"])),
            "recurrence": [_rule(series, f"COUNT={len(following)}")],
            **changes,
        })
        for old, moved in zip(following, self.instances(calendar_id, new["id"])):
            if old.get("status") == "cancelled":
                self.delete(calendar_id, moved["id"])
            elif old.get("location", "") != series.get("location", "") and "location" not in changes:
                self.patch(calendar_id, moved["id"], {"location": old.get("location", "")})
        self.end_before(calendar_id, occurrence)
        return True

    def end_before(self, calendar_id, occurrence):
        """Google's "this and following events" deletion: the series ends before ``occurrence``."""
        series = self.get(calendar_id, occurrence["recurringEventId"])
        first = self.instances(calendar_id, series["id"])[0]
        if first["id"] == occurrence["id"]:
            self.delete(calendar_id, series["id"])
            return
        until = instant(occurrence["originalStartTime"]) - dt.timedelta(seconds=1)
        self.patch(calendar_id, series["id"], {"recurrence": [_rule(series, f"UNTIL={until:%Y%m%dT%H%M%SZ}")]})


def instant(value):
    """A Google time (dateTime with an offset) in UTC."""
    return dt.datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00")).astimezone(UTC)


def _rule(series, end):
    """The series' RRULE line, ending as ``end`` says (COUNT=n or UNTIL=...)."""
    rule = next(line for line in series["recurrence"] if line.startswith("RRULE:"))
    rule = re.sub(r";(COUNT|UNTIL)=[^;]*", "", rule)
    return f"{rule};{end}"


def _shifted(series, start):
    """The end of an occurrence starting at ``start``, as long as the series' occurrences."""
    duration = instant(series["end"]) - instant(series["start"])
    begin = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
    return (begin + duration).isoformat()
