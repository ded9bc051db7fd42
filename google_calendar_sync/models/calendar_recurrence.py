"""Series between Odoo and Google.

A series that came from Google keeps its recurrence lines verbatim (``google_recurrence``) and
Odoo's occurrences are generated from them with gcal_engine's expansion, so a rule Odoo's own
fields cannot express (BYSETPOS, RDATE, EXDATE, several rules...) is neither dropped nor
approximated: Odoo shows exactly Google's occurrences, and Google keeps exactly its lines. When a
person changes the rule in Odoo, Odoo's rule becomes the truth and is sent as an RRULE.

Odoo holds such a series' first occurrence and its occurrences inside the synchronized window,
up to ``google_shown_until``: a series of a hundred thousand occurrences, or one that never
ends, is the part of it a calendar shows, not thousands of records. As the window moves on, the
next occurrences come in (``_google_extend``, at the user's runs); those that leave the window
behind stay.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from gcal_engine import recurrence as gcal_recurrence

from odoo import api, fields, models
from odoo.addons.calendar.models.calendar_recurrence import MAX_RECURRENT_EVENT

from ..port import binder, bounds, record_mapping
from ..rules.sync_window import sync_window

UTC = dt.timezone.utc

# Fields a person edits to change a rule (``rrule`` is only their serialization, rewritten by Odoo).
RULE_FIELDS = {
    "rrule_type", "end_type", "interval", "count", "until", "month_by", "day", "weekday", "byday",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
}
FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CalendarRecurrence(models.Model):
    _inherit = "calendar.recurrence"

    google_recurrence = fields.Text(
        help="The recurrence lines of this series as Google Calendar has them; Odoo's occurrences follow them.",
    )
    google_shown_until = fields.Datetime(
        "Occurrences in Odoo Until", copy=False, readonly=True,
        help="Odoo holds the occurrences of this Google series that start before this moment: the "
             "end of the synchronized window when they were made, or sooner for a series too large "
             "to hold. The next ones come in as the window moves on.")

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

    def _get_rrule(self, dtstart=None):
        """Odoo's rule; for a series from Google, with its own count, or none when it never ends.
        Odoo caps both at MAX_RECURRENT_EVENT (720) here, which its rule string then says: a
        series of 100,000 occurrences, or an endless one, would read "for 720 events". Odoo's
        occurrences of such a series come from Google's lines, not from this rule."""
        rule = super()._get_rrule(dtstart)
        if not self.google_recurrence or self.end_type not in ("count", "forever"):
            return rule
        return rule.replace(count=self.count if self.end_type == "count" else None)

    def _google_until(self):
        if self.base_event_id.allday:
            return self.until.strftime("%Y%m%d")
        zone = ZoneInfo(record_mapping.zone_name(self.event_tz) or "UTC")
        end_of_day = dt.datetime.combine(self.until, dt.time(23, 59, 59), zone)
        return end_of_day.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    # -- Google's lines as Odoo's occurrences ---------------------------------------------------

    def _google_lines(self):
        return [line for line in (self.google_recurrence or "").splitlines() if line.strip()]

    def _google_start(self, base):
        """The series' start as Google's lines are expanded from (see gcal_engine.recurrence)."""
        if base.allday:
            return {"date": base.start.date().isoformat()}
        zone = record_mapping.zone_name(self.event_tz) or "UTC"
        return {"dateTime": base.start.replace(tzinfo=UTC).isoformat(), "timeZone": zone}

    def _google_window(self):
        """The synchronized window now, as aware UTC bounds."""
        past, future = sync_window(self.env)
        now = fields.Datetime.now().replace(tzinfo=UTC)
        return now - past, now + future

    def _google_slots(self, base, after, before, limit=None):
        """The series' occurrences in [``after``, ``before``) but its first one (always in Odoo),
        as gcal_engine gives them (aware, or naive dates for an all-day series)."""
        start = self._google_start(base)
        first = gcal_recurrence.series_start(start)[0]
        found = gcal_recurrence.occurrences(self._google_lines(), start, after=after, before=before)
        slots = []
        for moment in found:
            if moment != first:
                slots.append(moment)
            if limit is not None and len(slots) >= limit:
                break
        return slots

    @staticmethod
    def _odoo_start(moment, allday):
        return moment if allday else record_mapping.odoo_datetime(moment)

    @staticmethod
    def _instant(moment):
        """An occurrence start (aware, or a naive all-day date) as a UTC instant."""
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    @staticmethod
    def _slot(instant, allday):
        """Where an occurrence sits in its series (``instant``: aware UTC): its day for an all-day
        series (the time of an all-day event's start is Odoo's own), else its instant."""
        return instant.date() if allday else instant
    def _get_occurrences(self, dtstart):
        """Occurrence starts as Odoo stores them (naive UTC); from Google's lines when kept: the
        first occurrence, then those up to ``google_shown_until`` from the window's start, or
        from the earliest of them in Odoo (those that left the window stay in the series)."""
        self.ensure_one()
        lines = self._google_lines()
        base = self.base_event_id or self.calendar_event_ids.sorted("start")[:1]
        if not lines or not base:
            return super()._get_occurrences(dtstart)
        window_start, window_end = self._google_window()
        held = [start.replace(tzinfo=UTC) for start in (self.calendar_event_ids - base).filtered(
            "follow_recurrence").mapped("start")]
        low = min([window_start, *held])
        high = max([self.google_shown_until.replace(tzinfo=UTC) if self.google_shown_until else window_end,
                    *(start + dt.timedelta(seconds=1) for start in held)])
        first = gcal_recurrence.series_start(self._google_start(base))[0]
        return [self._odoo_start(moment, base.allday) for moment in [first, *self._google_slots(base, low, high)]]

    def _google_limit(self, base, budget=None, made_until=None):
        """How far this series' occurrences go in Odoo (naive UTC), and what stopped them short
        of the window's end: None, "series" when the series would hold more than
        ``bounds.SERIES_RECORDS`` records there (occurrences, each with its guests), or "run"
        when the run (``budget``) has room for fewer. Those before ``made_until`` (aware UTC)
        are in Odoo already: the run does not count them again."""
        window_start, window_end = self._google_window()
        each = 1 + len(base.partner_ids)
        room = bounds.SERIES_RECORDS // each
        slots = self._google_slots(base, window_start, window_end, limit=room + 1)
        new = [moment for moment in slots[:room] if made_until is None or self._instant(moment) >= made_until]
        made = len(new) if budget is None else budget.afford(len(new), each)
        if made < len(new):
            return record_mapping.odoo_datetime(self._instant(new[made])), "run"
        if len(slots) > room:
            return record_mapping.odoo_datetime(self._instant(slots[room])), "series"
        return record_mapping.odoo_datetime(window_end), None

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
    def _google_create(self, bases, events, budget):
        """Series for Google masters ``events``, each around its first occurrence in ``bases``:
        in one create, and Odoo's occurrences of them all in one more, as far as the run
        (``budget``) has room for. The series and, for those too large to hold, where their
        occurrences stop ({recurrence id: naive UTC})."""
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
                "event_tz": record_mapping.zone_name(event.start.time_zone) or False,
                "google_recurrence": "\n".join(lines),
            })
        recurrences = self.create(values)
        stopped = {}
        for base, recurrence in zip(bases, recurrences):
            base.write({"recurrency": True, "follow_recurrence": True, "recurrence_id": recurrence.id})
            until, stop = recurrence._google_limit(base, budget)
            recurrence.google_shown_until = until
            if stop == "series":
                stopped[recurrence.id] = until
        recurrences._apply_recurrence()
        return recurrences, stopped

    def _google_update(self, event, values, guests):
        """Apply a Google master's new version: base event, rule, and the occurrences that follow
        it; ``guests`` says who its guests are in Odoo (a ``record_mapping.Guests``)."""
        self.ensure_one()
        base = self.base_event_id
        lines = "\n".join(event.recurrence)
        zone = record_mapping.zone_name(event.start.time_zone) or False
        retimed = (values["start"], values["stop"], values["allday"]) != (base.start, base.stop, base.allday)
        if retimed or lines != (self.google_recurrence or "") or zone != (self.event_tz or False):
            exceptions = self.calendar_event_ids.filtered(lambda e: not e.follow_recurrence and e != base)
            base.write(dict(values, follow_recurrence=True))
            self.write({"google_recurrence": lines, "event_tz": zone})
            # A denser rule stays within the series' bound (the run counts what it made).
            self.google_shown_until = self._google_limit(base)[0]
            self._retime_followers(exceptions)
            detached = self._apply_recurrence() - exceptions
            exceptions.write({"recurrence_id": self.id})
            detached.unlink()
        shared = {key: value for key, value in values.items() if key not in ("start", "stop", "allday")}
        occurrences = self.calendar_event_ids.filtered("follow_recurrence") | base
        occurrences.write(dict(shared, recurrence_update="self_only"))
        record_mapping.set_guests(occurrences, event, guests)

    def _google_extend(self, budget):
        """The occurrences that came into the window since these series' were made, as far as
        the run (``budget``) has room for: as Odoo makes them (the first occurrence's values and
        guests' answers), where no exception of Google's sits (moved or cancelled). The series
        the run had no room for, whose next occurrences wait for the next run."""
        Event = self.env["calendar.event"]
        waiting = self.browse()
        for recurrence in self:
            base = recurrence.base_event_id
            lines = recurrence._google_lines()
            if not base or not lines:
                continue
            if budget.spent:
                waiting |= recurrence
                continue
            # Series made before Odoo held them within the window: from the window's start.
            shown = recurrence.google_shown_until
            made_until = shown.replace(tzinfo=UTC) if shown else recurrence._google_window()[0]
            until, stop = recurrence._google_limit(base, budget, made_until if shown else None)
            if stop == "run":
                waiting |= recurrence
            taken = {self._slot(moment, base.allday) for moment in recurrence._google_exceptions()}
            taken |= {self._slot(start.replace(tzinfo=UTC), base.allday)
                      for start in recurrence.calendar_event_ids.mapped("start")}
            slots = [moment for moment in recurrence._google_slots(base, made_until, until.replace(tzinfo=UTC))
                     if self._slot(self._instant(moment), base.allday) not in taken]
            if slots:
                [values] = base.copy_data()
                values.update(recurrence_id=recurrence.id, follow_recurrence=True)
                duration = base.stop - base.start
                starts = [self._odoo_start(moment, base.allday) for moment in slots]
                made = Event.create([dict(values, start=start, stop=start + duration) for start in starts])
                record_mapping.copy_answers(base, made)
            recurrence.google_shown_until = until
        return waiting

    def _google_exceptions(self):
        """The original starts of this series' occurrences that Google keeps apart (moved, or
        cancelled), from their bindings."""
        rows = self.env["google.calendar.binding"].sudo().search([
            ("series_binding_id.recurrence_id", "=", self.id), ("original_start", "!=", False)])
        return [original.instant() for original in map(record_mapping.decode_original, rows.mapped("original_start"))]

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
            binder.track_new_series(self.env, recurrences)
            binder.track_attendance(self.env, recurrences.base_event_id)
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
            binder.mark_changed(self.env, recurrences=changed)
        return result

    def unlink(self):
        if not self.env.context.get("google_calendar_sync"):
            binder.mark_changed(self.env, recurrences=self)
        return super().unlink()

