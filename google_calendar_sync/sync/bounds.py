"""What Odoo keeps of an event from Google: at most ``MAX_GUESTS`` guests and texts of bounded
size. Google accepts more, and one such event would make thousands of contacts or store
megabytes; the rest of the event is kept, and the run's log says what was left out.

The binding keeps Google's version's hash: the event is not sent back cut. An edit made in Odoo
afterwards sends Odoo's version, as for any edit (the note in the log says so).
"""

import dataclasses

MAX_GUESTS = 500  # Odoo's attendee lists and mailings stay usable; Google's own lists are larger
MAX_TEXT = {"summary": 1_000, "location": 1_000, "description": 100_000}  # characters


@dataclasses.dataclass(frozen=True)
class Cut:
    """What was left out of one event: guests dropped, and the text fields shortened."""

    guests_dropped: int = 0
    fields: tuple[str, ...] = ()


def bounded(event):
    """(``event`` within the bounds, its ``Cut`` or None when nothing was left out). The user
    themself and the organizer are kept first among the guests."""
    changes = {}
    dropped = 0
    if len(event.attendees) > MAX_GUESTS:
        first = sorted(event.attendees, key=lambda a: not (a.is_self or a.organizer))
        changes["attendees"] = tuple(first[:MAX_GUESTS])
        dropped = len(event.attendees) - MAX_GUESTS
    shortened = []
    for name, limit in MAX_TEXT.items():
        value = getattr(event, name) or ""
        if len(value) > limit:
            changes[name] = value[:limit]
            shortened.append(name)
    if not changes:
        return event, None
    return dataclasses.replace(event, **changes), Cut(dropped, tuple(shortened))
