"""Google's reminders as Odoo's ``calendar.alarm`` records: found, or created once each."""

from __future__ import annotations

from collections.abc import Sequence

from gcal_engine.model import Event, Reminder

from odoo import api

from . import record_mapping

UNITS = (("days", 1440), ("hours", 60), ("minutes", 1))


class Alarms:
    def __init__(self, env: api.Environment) -> None:
        self.env = env
        # (alarm type, minutes) -> calendar.alarm id, read once per run
        self._ids: dict[tuple[str, int], int] | None = None

    def ids_for(self, events: Sequence[Event],
                default_reminders: Sequence[Reminder] = ()) -> dict[tuple[str, int], int]:
        """calendar.alarm ids by (type, minutes) for every reminder of ``events`` (``default_reminders``:
        the Google calendar's, for the events that use them)."""
        if self._ids is None:
            self._ids = {(a.alarm_type, a.duration_minutes): a.id for a in self.env["calendar.alarm"].search([])}
        missing = {
            ("email" if r.method == "email" else "notification", r.minutes)
            for event in events for r in record_mapping.reminders_of(event, default_reminders)
        } - set(self._ids)
        for alarm_type, minutes in sorted(missing):
            unit, amount = next((u, minutes // d) for u, d in UNITS if minutes % d == 0)
            alarm = self.env["calendar.alarm"].create({
                "name": f"{'Email' if alarm_type == 'email' else 'Notification'} - {amount} {unit.title()}",
                "alarm_type": alarm_type, "duration": amount, "interval": unit,
            })
            self._ids[(alarm_type, minutes)] = alarm.id
        return self._ids
