"""What the engine calls an event's local reference, as Odoo's records give it: the one place
that writes and reads it.

The engine treats a local reference as an opaque string; in Odoo it names a record:

- ``e<id>``: a ``calendar.event`` (a single event, or an occurrence that differs from its series);
- ``r<id>``: a ``calendar.recurrence`` (a series, seen through its base event);
- ``r<id>@<original start>``: an occurrence that Google cancelled and Odoo never had (the
  original start as :func:`~odoo.addons.google_calendar_sync.port.record_mapping.encode_original` writes it).

It is stored on the binding (``google.calendar.binding.local_ref``), hashed into the Google id
of events created from Odoo, and written in the link property on Google: it never changes.
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT, SERIES = "e", "r"


@dataclass(frozen=True)
class LocalRef:
    kind: str
    record_id: int
    original_start: str | None = None

    @classmethod
    def event(cls, record_id: int) -> LocalRef:
        return cls(EVENT, record_id)

    @classmethod
    def series(cls, record_id: int) -> LocalRef:
        return cls(SERIES, record_id)

    @classmethod
    def cancelled_occurrence(cls, series_id: int, original_start: str) -> LocalRef:
        return cls(SERIES, series_id, original_start)

    @classmethod
    def parse(cls, text: str | None) -> LocalRef:
        """The reference ``text`` stands for; ValueError when it is none of ours."""
        head, _, original = (text or "").partition("@")
        valid = len(head) > 1 and head[0] in (EVENT, SERIES) and head[1:].isdigit()
        if not valid or (original and head[0] != SERIES):
            raise ValueError(f"not a local reference: {text!r}")
        return cls(head[0], int(head[1:]), original or None)

    def __str__(self) -> str:
        text = f"{self.kind}{self.record_id}"
        return f"{text}@{self.original_start}" if self.original_start else text

    @property
    def is_event(self) -> bool:
        return self.kind == EVENT

    @property
    def is_series(self) -> bool:
        """A whole series (not one of its cancelled occurrences)."""
        return self.kind == SERIES and not self.original_start
