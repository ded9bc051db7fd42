"""Odoo's calendar records to and from gcal_engine's neutral Event: every field correspondence.

Odoo keeps naive UTC datetimes (``start``/``stop``), all-day events as inclusive dates, alarms as
``calendar.alarm`` records and guests as partners; Google keeps aware times with a zone, an
exclusive end date, reminder overrides and e-mail addresses. This module is the only place that
knows both. The zone of a single event lives in ``google_time_zone`` (Odoo stores one only for
series, in ``event_tz``).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gcal_engine.mapping import MAX_REMINDERS
from gcal_engine.model import Attendee, Event, EventTime, Person, Reminder, Reminders

from odoo import models

UTC = dt.timezone.utc
MEET_HOST = "meet.google.com"
# What Odoo stores of an event, so what its content hash covers (see gcal_engine.model).
MANAGED_FIELDS = frozenset({
    "summary", "description", "location", "start", "end", "recurrence", "original_start", "attendees",
    "meet_url", "reminders", "visibility", "transparency", "status",
    "guests_can_modify", "guests_can_invite_others", "guests_can_see_other_guests",
})
PRIVACY_TO_VISIBILITY = {"public": "public", "private": "private", "confidential": "confidential"}
VISIBILITY_TO_PRIVACY = {"default": False, "public": "public", "private": "private", "confidential": "confidential"}
# A video call that is not Google Meet reaches Google's guests as the description's last line.
VIDEO_LINE = '<p>Video call: <a href="{url}">{url}</a></p>'
_VIDEO_LINE = re.compile(r'\s*<p>[^<>]*: <a href="(https?://[^"]+)">([^<]*)</a></p>\s*$')


def zone_name(name: str | None) -> str | None:
    """``name`` when it is a time zone both sides know, else None."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def odoo_datetime(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as Odoo stores it: naive UTC, to the second."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def times_of(record_start: dt.datetime, record_stop: dt.datetime, allday: bool, start_date: dt.date | None,
             stop_date: dt.date | None, zone: str | None) -> tuple[EventTime, EventTime]:
    """(start, end) EventTimes of an Odoo event; all-day ends are exclusive, as Google's."""
    if allday:
        first = start_date or record_start.date()
        last = stop_date or record_stop.date()
        return EventTime(date=first), EventTime(date=max(last, first) + dt.timedelta(days=1))
    tz = ZoneInfo(zone) if zone else UTC
    start = record_start.replace(tzinfo=UTC).astimezone(tz)
    stop = record_stop.replace(tzinfo=UTC).astimezone(tz)
    return EventTime(date_time=start, time_zone=zone), EventTime(date_time=stop, time_zone=zone)


def time_values(start: EventTime, end: EventTime) -> dict[str, Any]:
    """Odoo values for a Google start/end: all-day as inclusive dates, timed as naive UTC."""
    if start.all_day:
        assert start.date is not None and end.date is not None  # both dates, as mapping has them
        last = max(end.date - dt.timedelta(days=1), start.date)
        return {
            "allday": True,
            "start": dt.datetime.combine(start.date, dt.time()),
            "stop": dt.datetime.combine(last, dt.time()),
        }
    assert start.date_time is not None and end.date_time is not None  # both timed, as mapping has them
    stop = end.date_time if end.date_time >= start.date_time else start.date_time
    return {"allday": False, "start": odoo_datetime(start.date_time), "stop": odoo_datetime(stop)}


def meet_url_of(videocall_location: str | None) -> str | None:
    return videocall_location if videocall_location and MEET_HOST in videocall_location else None


@dataclass(frozen=True)
class People:
    """Who is who between Odoo and Google for one user's synchronization: the user (their
    partner and connected Google address) and the Google address each connected colleague's
    partner has. On Google a person is their Google account, which Google's invitations reach,
    not the address of their Odoo contact."""

    own_partner: int
    own_email: str
    google_emails: dict[int, str]  # partner id -> Google address, for the users connected to Google

    def email_of(self, partner: models.BaseModel) -> str:
        if partner.id == self.own_partner:
            return self.own_email
        return self.google_emails.get(partner.id) or partner.email_normalized or ""


def event_from_record(event: models.BaseModel, zone: str, people: People,
                      original_start: EventTime | None = None, recurrence: Iterable[str] = ()) -> Event:
    """The neutral event of a ``calendar.event`` (a single event, a series' base, or an occurrence),
    as the synchronizing user sees it (``people``: a ``People``)."""
    start, end = times_of(event.start, event.stop, event.allday, event.start_date, event.stop_date, zone)
    attendees = tuple(
        Attendee(email=people.email_of(attendee.partner_id), name=attendee.partner_id.name or "",
                 response=attendee.state or "needsAction", is_self=attendee.partner_id.id == people.own_partner)
        for attendee in event.attendee_ids
        if people.email_of(attendee.partner_id)
    )
    if [a.email for a in attendees] == [people.own_email]:
        attendees = ()  # the user alone: an event without guests on Google (see Guests)
    alarms = sorted(event.alarm_ids, key=lambda alarm: alarm.duration_minutes)[:MAX_REMINDERS]
    reminders = Reminders(
        use_default=not alarms,
        overrides=tuple(Reminder("email" if a.alarm_type == "email" else "popup", a.duration_minutes) for a in alarms),
    )
    organizer = event.user_id
    return Event(
        start=start,
        end=end,
        summary=event.name or "",
        description=_with_video_line(_plain_html(event.description), event.videocall_location),
        location=event.location or "",
        recurrence=tuple(recurrence),
        original_start=original_start,
        attendees=attendees,
        organizer=Person(people.email_of(organizer.partner_id) or organizer.email or "", organizer.name or "",
                         is_self=organizer.partner_id.id == people.own_partner) if organizer else None,
        meet_url=meet_url_of(event.videocall_location),
        reminders=reminders,
        visibility=PRIVACY_TO_VISIBILITY.get(event.privacy or "", "default"),
        transparency="transparent" if event.show_as == "free" else "opaque",
        create_meet=bool(event.google_meet) and not meet_url_of(event.videocall_location),
        guests_can_modify=bool(event.google_guests_can_modify),
        guests_can_invite_others=bool(event.google_guests_can_invite_others),
        guests_can_see_other_guests=bool(event.google_guests_can_see_other_guests),
    )


def _with_video_line(description: str, videocall_location: str | None) -> str:
    if not videocall_location or meet_url_of(videocall_location):
        return description
    url = html.escape(videocall_location, quote=True)
    return description + VIDEO_LINE.format(url=url)


def _without_video_line(description: str) -> tuple[str, str | None]:
    """(description, video URL) of a description that may end with the video call's line."""
    match = _VIDEO_LINE.search(description or "")
    if not match or html.unescape(match[2]) != html.unescape(match[1]):
        return description, None
    return description[:match.start()], html.unescape(match[1])


def cancelled_occurrence(original_start: EventTime) -> Event:
    """An occurrence deleted from a series: Google's cancelled exception."""
    return Event(start=original_start, end=original_start, original_start=original_start, status="cancelled")


def _plain_html(value: Any) -> str:
    """Odoo's empty editor content counts as no description."""
    text = str(value or "")
    return "" if text in ("<p><br></p>", "<p></p>") else text


def reminders_of(event: Event, default_reminders: Sequence[Reminder] = ()) -> Sequence[Reminder]:
    """The reminders an event has: its own, or (``useDefault``) its calendar's defaults."""
    return default_reminders if event.reminders.use_default else event.reminders.overrides


def record_values(event: Event, alarms: Mapping[tuple[str, int], int],
                  default_reminders: Sequence[Reminder] = ()) -> dict[str, Any]:
    """``calendar.event`` values for a Google event but its guests; ``alarms`` maps a
    (type, minutes) pair to a ``calendar.alarm`` id; ``default_reminders``: the Google
    calendar's, for an event that uses them."""
    description, video = _without_video_line(event.description)
    values: dict[str, Any] = {
        "name": event.summary or "(No title)",
        "description": description or False,
        "location": event.location or False,
        "privacy": VISIBILITY_TO_PRIVACY.get(event.visibility, False),
        "show_as": "free" if event.transparency == "transparent" else "busy",
        "google_time_zone": zone_name(event.start.time_zone) or False,
        "google_guests_can_modify": event.guests_can_modify,
        "google_guests_can_invite_others": event.guests_can_invite_others,
        "google_guests_can_see_other_guests": event.guests_can_see_other_guests,
        **time_values(event.start, event.end),
    }
    if event.meet_url or video:
        values["videocall_location"] = event.meet_url or video
    values["alarm_ids"] = [(6, 0, sorted({
        alarms[("email" if r.method == "email" else "notification", r.minutes)]
        for r in reminders_of(event, default_reminders)
    }))]
    return values


@dataclass(frozen=True)
class Guests:
    """Who is who among Google attendees: partner ids by e-mail (the connected Google address
    included), and ``owner``, the partner of the user whose calendar it is. The owner is a guest
    of every event in their calendar, as in Odoo, where one sees the events one attends: a
    Google event without guests is theirs alone. Someone else's organizer is a guest too (who
    has accepted, as Google counts them): Odoo names only its users as organizers."""

    partners: dict[str, int]  # e-mail -> partner id
    owner: int

    def of(self, event: Event) -> dict[int, str]:
        """{partner id: answer} of ``event``'s guests."""
        guests: dict[int, str] = {}
        for attendee in event.attendees:
            partner_id = self.partners.get(attendee.email.lower())
            if partner_id:
                guests[partner_id] = attendee.response
        organizer = event.organizer
        if organizer is not None and not organizer.is_self and self.partners.get(organizer.email.lower()):
            guests.setdefault(self.partners[organizer.email.lower()], "accepted")
        guests.setdefault(self.owner, "accepted")
        return guests


def new_guest_values(event: Event, guests: Guests) -> dict[str, Any]:
    """Guests of a new ``calendar.event``, with their answers."""
    answers = guests.of(event)
    return {
        "attendee_ids": [(0, 0, {"partner_id": pid, "state": state}) for pid, state in answers.items()],
        "partner_ids": [(6, 0, list(answers))],
    }


def set_guests(records: models.BaseModel, event: Event, guests: Guests) -> None:
    """Make the guests of ``records`` (an event, or a series' occurrences) and their answers those
    of ``event``: partners first (Odoo derives attendees from them), then the answers, one write
    per answer for them all."""
    answers = guests.of(event)
    stale = records.filtered(lambda record: set(record.partner_ids.ids) != set(answers))
    if stale:
        stale.write({"partner_ids": [(6, 0, list(answers))]})
    for answer in set(answers.values()):
        records.attendee_ids.filtered(
            lambda attendee, a=answer: answers.get(attendee.partner_id.id) == a and attendee.state != a
        ).write({"state": answer})


def copy_answers(source: models.BaseModel, records: models.BaseModel) -> None:
    """Give the guests of ``records`` (new occurrences of a series) the answers they gave to
    ``source`` (the series' first occurrence), one write per answer for them all."""
    answers = {attendee.partner_id.id: attendee.state for attendee in source.attendee_ids}
    for answer in set(answers.values()):
        records.attendee_ids.filtered(
            lambda attendee, a=answer: answers.get(attendee.partner_id.id) == a and attendee.state != a
        ).write({"state": answer})


def original_start_of(event: models.BaseModel) -> EventTime:
    """Where an unchanged occurrence sits in its series (its Google instance): its start now."""
    zone = zone_name(event.recurrence_id.event_tz) or "UTC"
    start, _ = times_of(event.start, event.stop, event.allday, event.start_date, event.stop_date, zone)
    return start


def encode_original(value: EventTime) -> str:
    """An occurrence's original start as stored on its binding: a date, or a UTC instant."""
    if value.all_day:
        assert value.date is not None  # all-day: a date
        return f"D{value.date.isoformat()}"
    assert value.date_time is not None  # an EventTime is a date or a date_time
    return f"T{value.date_time.astimezone(UTC).isoformat()}"


@overload
def decode_original(text: Literal[False] | None) -> None: ...


@overload
def decode_original(text: str) -> EventTime: ...


def decode_original(text: str | Literal[False] | None) -> EventTime | None:
    """An original start as ``encode_original`` wrote it; None for none (a record's False)."""
    if not text:
        return None
    if text.startswith("D"):
        return EventTime(date=dt.date.fromisoformat(text[1:]))
    return EventTime(date_time=dt.datetime.fromisoformat(text[1:]))
