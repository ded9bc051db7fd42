"""What Odoo makes of Google's events, bounded whatever the sender put in them: anyone can invite
the user, and an invitation is read by Odoo as it comes.

An event keeps at most ``MAX_GUESTS`` guests and texts of bounded size: Google accepts more, and
one such event would make thousands of contacts or store megabytes; the rest of the event is
kept, and the run's log says what was left out. The binding keeps Google's version's hash: the
event is not sent back cut. An edit made in Odoo afterwards sends Odoo's version, as for any edit
(the note in the log says so).

A series holds, besides its first occurrence, those inside the synchronized window (see
calendar.recurrence), at most ``SERIES_RECORDS`` records' worth: its occurrences and their
guests' attendance records. And a run makes at most about ``RUN_RECORDS`` records from Google
(events, attendance records, contacts): the events left then wait for the next run, which starts
at once; a series' occurrences the run had no room for come with the next runs.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from gcal_engine.model import Event

MAX_GUESTS = 500  # Odoo's attendee lists and mailings stay usable; Google's own lists are larger
MAX_TEXT = {"summary": 1_000, "location": 1_000, "description": 100_000}  # characters
SERIES_RECORDS = 50_000  # a series' occurrences in the window, each with its guests: a daily one of 44 guests whole
RUN_RECORDS = 50_000  # what a run makes from Google before the rest waits for the next run


@dataclasses.dataclass(frozen=True)
class Cut:
    """What was left out of one event: guests dropped, the text fields shortened, and for a
    series too large to hold, where its occurrences in Odoo stop (naive UTC)."""

    guests_dropped: int = 0
    fields: tuple[str, ...] = ()
    occurrences_until: datetime.datetime | None = None


class Budget:
    """The records a run may still make from Google; what it makes is taken as it goes."""

    def __init__(self) -> None:
        self.left = RUN_RECORDS

    @property
    def spent(self) -> bool:
        return self.left <= 0

    def take(self, records: int) -> None:
        self.left -= records

    def afford(self, count: int, each: int) -> int:
        """How many of ``count`` things of ``each`` records the run still makes (taken)."""
        affordable = min(count, max(0, self.left) // max(1, each))
        self.take(affordable * each)
        return affordable


def cost(event: Event) -> int:
    """The most records a Google event (its guests kept within bounds) makes: the event, an
    attendance record and a new contact per guest; a series' other occurrences are counted as
    they are made."""
    return 1 + 2 * min(len(event.attendees), MAX_GUESTS)


def bounded(event: Event) -> tuple[Event, Cut | None]:
    """(``event`` within the bounds, its ``Cut`` or None when nothing was left out). The user
    themself and the organizer are kept first among the guests."""
    changes: dict[str, Any] = {}
    dropped = 0
    if len(event.attendees) > MAX_GUESTS:
        first = sorted(event.attendees, key=lambda a: not (a.is_self or a.organizer))
        changes["attendees"] = tuple(first[:MAX_GUESTS])
        dropped = len(event.attendees) - MAX_GUESTS
    shortened: list[str] = []
    for name, limit in MAX_TEXT.items():
        value = getattr(event, name) or ""
        if len(value) > limit:
            changes[name] = value[:limit]
            shortened.append(name)
    if not changes:
        return event, None
    return dataclasses.replace(event, **changes), Cut(dropped, tuple(shortened))
