"""Series between Odoo and Google.

A series that came from Google keeps its recurrence lines verbatim (``google_recurrence``) and
Odoo's occurrences are generated from them with gcal_engine's expansion, so a rule Odoo's own
fields cannot express (BYSETPOS, RDATE, EXDATE, several rules...) is neither dropped nor
approximated: Odoo shows exactly Google's occurrences, and Google keeps exactly its lines. When a
person changes the rule in Odoo, Odoo's rule becomes the truth and is sent as an RRULE.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from gcal_engine import recurrence as rules

from odoo import api, fields, models
from odoo.addons.calendar.models.calendar_recurrence import MAX_RECURRENT_EVENT

from ..sync import mapping

# Fields a person edits to change a rule (``rrule`` is only their serialization, rewritten by Odoo).
RULE_FIELDS = {
    "rrule_type", "end_type", "interval", "count", "until", "month_by", "day", "weekday", "byday",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
}
FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A bounded Google series longer than this (a COUNT of millions, every minute until 2099) is
# expanded this far: the sync window never sees further, and Odoo would hold nothing else.
WHOLE_SERIES_LIMIT = rules.WALK_LIMIT


class CalendarRecurrence(models.Model):
    _inherit = "calendar.recurrence"

    google_recurrence = fields.Text(
        help="The recurrence lines of this series as Google Calendar has them; Odoo's occurrences follow them.",
    )

    # -- Odoo's rule as Google's -------------------------------------------------------------

    def _google_rrule_line(self):
        """Odoo's rule as one RRULE line. An endless series stays endless: Odoo stores "forever"
        as its cap, a count of 720 (its own rule string rewrites the end type), so a count that
        reaches the cap is Odoo's "as long as I can hold", not a rule for Google."""
        self.ensure_one()
        parts = [f"FREQ={FREQUENCIES.get(self.rrule_type, 'WEEKLY')}"]
        if self.interval and self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.rrule_type == "weekly":
            days = [day[:2].upper() for day in WEEKDAYS if self[day]]
            parts.append(f"BYDAY={','.join(days)}")
        elif self.rrule_type == "monthly" and self.month_by == "day" and self.weekday:
            parts.append(f"BYDAY={int(self.byday)}{self.weekday[:2]}")
        elif self.rrule_type == "monthly" and self.day:
            parts.append(f"BYMONTHDAY={self.day}")
        if self.end_type == "count" and self.count < MAX_RECURRENT_EVENT:
            parts.append(f"COUNT={self.count}")
        elif self.end_type == "end_date" and self.until:
            parts.append(f"UNTIL={self._google_until()}")
        return "RRULE:" + ";".join(parts)

    def _google_until(self):
        if self.base_event_id.allday:
            return self.until.strftime("%Y%m%d")
        zone = ZoneInfo(mapping.zone_name(self.event_tz) or "UTC")
        end_of_day = dt.datetime.combine(self.until, dt.time(23, 59, 59), zone)
        return end_of_day.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    # -- Google's lines as Odoo's occurrences ---------------------------------------------------

    def _google_lines(self):
        return [line for line in (self.google_recurrence or "").splitlines() if line.strip()]

    def _get_occurrences(self, dtstart):
        """Occurrence starts as Odoo stores them (naive UTC); from Google's lines when kept."""
        self.ensure_one()
        lines = self._google_lines()
        base = self.base_event_id or self.calendar_event_ids.sorted("start")[:1]
        if not lines or not base:
            return super()._get_occurrences(dtstart)
        if base.allday:
            start = {"date": base.start.date().isoformat()}
        else:
            zone = mapping.zone_name(self.event_tz) or "UTC"
            start = {"dateTime": base.start.replace(tzinfo=dt.timezone.utc).isoformat(), "timeZone": zone}
        # A bounded series is whole, wherever it lies in time; an endless one goes as far as Odoo
        # takes its own "forever" (MAX_RECURRENT_EVENT occurrences).
        endless = rules.is_endless(lines)
        moments = rules.occurrences(lines, start, limit=MAX_RECURRENT_EVENT if endless else WHOLE_SERIES_LIMIT)
        if base.allday:
            return list(moments)
        return [mapping.odoo_datetime(moment) for moment in moments]

    @api.model
    def _google_rule_values(self, lines, start):
        """Odoo's rule fields for Google's lines, as far as they go (the lines stay the truth)."""
        rrule_line = next((line for line in lines if line.upper().startswith("RRULE")), None)
        if rrule_line is None:
            return {"rrule_type": "daily", "end_type": "count", "count": 1}
        try:
            return self._rrule_parse(rrule_line, start)
        except (ValueError, TypeError, KeyError, IndexError):
            return {"rrule_type": "daily", "end_type": "forever"}

    @api.model
    def _google_create(self, bases, events):
        """Series for Google masters ``events``, each around its first occurrence in ``bases``:
        in one create, and Odoo's occurrences of them all in one more."""
        values = []
        for base, event in zip(bases, events):
            lines = list(event.recurrence)
            rule = self._google_rule_values(lines, base.start)
            if rule.get("until"):
                rule["until"] = fields.Date.to_date(rule["until"])
            values.append({
                **{key: value for key, value in rule.items() if key in self._fields},
                "base_event_id": base.id,
                "calendar_event_ids": [(4, base.id)],
                "event_tz": mapping.zone_name(event.start.time_zone) or False,
                "google_recurrence": "\n".join(lines),
            })
        recurrences = self.create(values)
        for base, recurrence in zip(bases, recurrences):
            base.write({"recurrency": True, "follow_recurrence": True, "recurrence_id": recurrence.id})
        recurrences._apply_recurrence()
        return recurrences

    def _google_update(self, event, values, guests):
        """Apply a Google master's new version: base event, rule, and the occurrences that follow
        it; ``guests`` says who its guests are in Odoo (a ``mapping.Guests``)."""
        self.ensure_one()
        base = self.base_event_id
        lines = "\n".join(event.recurrence)
        zone = mapping.zone_name(event.start.time_zone) or False
        retimed = (values["start"], values["stop"], values["allday"]) != (base.start, base.stop, base.allday)
        if retimed or lines != (self.google_recurrence or "") or zone != (self.event_tz or False):
            exceptions = self.calendar_event_ids.filtered(lambda e: not e.follow_recurrence and e != base)
            base.write(dict(values, follow_recurrence=True))
            self.write({"google_recurrence": lines, "event_tz": zone})
            self._retime_followers(exceptions)
            detached = self._apply_recurrence() - exceptions
            exceptions.write({"recurrence_id": self.id})
            detached.unlink()
        shared = {key: value for key, value in values.items() if key not in ("start", "stop", "allday")}
        occurrences = self.calendar_event_ids.filtered("follow_recurrence") | base
        occurrences.write(dict(shared, recurrence_update="self_only"))
        mapping.set_guests(occurrences, event, guests)

    def _retime_followers(self, exceptions):
        """Move the occurrences that follow the series to its new times, in order, before Odoo
        reconciles them with the rule: they keep their ids, bindings and guests' answers, where
        Odoo would detach and recreate every one. Odoo then adds or removes what the count asks."""
        base = self.base_event_id
        if base.allday:
            return  # Odoo's all-day ranges are dates: it reconciles them itself
        ranges = sorted(set(self._range_calculation(base, base.stop - base.start)) - {base._range()})
        followers = (self.calendar_event_ids - exceptions - base).sorted("start")
        for occurrence, (start, stop) in zip(followers, ranges):
            if occurrence._range() != (start, stop):
                occurrence.write({"start": start, "stop": stop, "follow_recurrence": True,
                                  "recurrence_update": "self_only"})

    # -- a person's changes ----------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        recurrences = super().create(vals_list)
        if not self.env.context.get("google_calendar_sync"):
            Binding = self.env["google.calendar.binding"]
            Binding._track_new_series(recurrences)
            Binding._track_attendance(recurrences.base_event_id)
        return recurrences

    def write(self, vals):
        if self.env.context.get("google_calendar_sync") or not RULE_FIELDS & set(vals):
            return super().write(vals)
        # Odoo also rewrites these fields from themselves (rrule's compute and inverse): only a
        # rule that really changed is a person's edit, after which Odoo's rule is the truth.
        before = {recurrence.id: recurrence._google_rrule_line() for recurrence in self}
        result = super().write(vals)
        changed = self.filtered(lambda r: r._google_rrule_line() != before[r.id])
        if changed:
            changed.with_context(google_calendar_sync=True).write({"google_recurrence": False})
            self.env["google.calendar.binding"]._mark_changed(recurrences=changed)
        return result

    def unlink(self):
        if not self.env.context.get("google_calendar_sync"):
            self.env["google.calendar.binding"]._mark_changed(recurrences=self)
        return super().unlink()

