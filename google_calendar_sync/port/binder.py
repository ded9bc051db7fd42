"""The binder: the one owner of ``google.calendar.binding`` rows and of the identity memory
(``google.calendar.identity``), as OCA's connector has a Binder for its bindings. No other code
creates, writes or deletes them (tests/addons/test_ownership.py checks it); the others ask here.

A row binds an Odoo event (or series) to a Google event for one user's synchronization: the
engine's :class:`~gcal_engine.local.Binding`, plus the dirty flag of a change still to send. It
also links the Odoo records behind its local reference (the event, or the series and its base
event) and, for an occurrence of a series, the series' binding and where the series put it (read
from its Google instance id), so that Odoo's changes find their bindings.

Two doors:

- :class:`Binder`, one synchronization's bindings: read as the engine's, written by its runs,
  forgotten into identities (another calendar or account, a reset), made again by a reset and by
  the switch from Odoo's own module;
- the functions of a person's save (``mark_changed``, ``track_new_events``...), which mark the
  rows of every synchronization concerned and ask for their runs, in one statement where they can
  (``RunQueue.queue``), never waiting on Google.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from gcal_engine import local as engine
from gcal_engine.errors import EngineError
from gcal_engine.model import Access, EventTime
from gcal_engine.recurrence import parse_instance_suffix, split_instance_id

from odoo import api, fields, models
from odoo.tools import SQL

from . import record_mapping
from ..words import messages
from ..rules import senders
from .attendance import owed_copies
from .local_ref import LocalRef
from ..jobs.run_queue import RunQueue
from ..rules.sync_window import sync_window

UTC = dt.timezone.utc
ERROR_SIZE = 500  # characters of a binding's last problem
# A binding's values once its Google event is gone: the Odoo event is still to send.
UNSENT = {"google_id": False, "etag": False, "ical_uid": False, "local_hash": False, "remote_hash": False,
          "local_digests": False, "remote_digests": False, "starts_at": False, "ends_at": False, "last_error": False}
# The columns of a binding made from Odoo's own module's links (switch/user_bindings.py).
ODOO_LINK_COLUMNS = ("local_ref", "access", "google_id", "ical_uid", "dirty", "dirty_at", "notify", "event_id",
                 "recurrence_id", "base_event_id", "original_start")


class Binder:
    """The bindings of one ``google.calendar.sync`` (``env``: the one to work in, its own by default)."""

    def __init__(self, sync: models.BaseModel, env: api.Environment | None = None) -> None:
        self.sync = sync
        self.env: api.Environment = env if env is not None else sync.env
        self.Binding = self.env["google.calendar.binding"]

    def _domain(self, *terms: Any) -> list[Any]:
        return [("sync_id", "=", self.sync.id), *terms]

    def count(self) -> int:
        return self.Binding.search_count(self._domain(("google_id", "!=", False)))

    def rows(self, *terms: Any, limit: int | None = None) -> models.BaseModel:
        return self.Binding.search(self._domain(*terms), limit=limit)

    def row(self, local_ref: str) -> models.BaseModel:
        return self.rows(("local_ref", "=", local_ref), limit=1)

    def row_of_google(self, google_id: str) -> models.BaseModel:
        return self.rows(("google_id", "=", google_id), limit=1)

    @staticmethod
    def binding(row: models.BaseModel) -> engine.Binding:
        return engine.Binding(
            local_ref=row.local_ref,
            google_id=row.google_id,
            etag=row.etag or None,
            ical_uid=row.ical_uid or None,
            local_hash=row.local_hash or "",
            remote_hash=row.remote_hash or "",
            starts_at=row.starts_at.replace(tzinfo=UTC) if row.starts_at else None,
            ends_at=row.ends_at.replace(tzinfo=UTC) if row.ends_at else None,
            access=Access(row.access),
            local_digests=tuple(sorted(json.loads(row.local_digests or "{}").items())),
            remote_digests=tuple(sorted(json.loads(row.remote_digests or "{}").items())),
        )

    def for_google(self, google_ids: Collection[str]) -> dict[str, engine.Binding]:
        rows = self.rows(("google_id", "in", list(google_ids)))
        return {row.google_id: self.binding(row) for row in rows}

    def all(self) -> Iterator[engine.Binding]:
        for row in self.rows(("google_id", "!=", False)):
            yield self.binding(row)

    def bind_many(self, bindings: Sequence[engine.Binding]) -> None:
        rows = self.rows("|", ("local_ref", "in", [b.local_ref for b in bindings]),
                         ("google_id", "in", [b.google_id for b in bindings]))
        by_ref = {row.local_ref: row for row in rows}
        by_google = {row.google_id: row for row in rows if row.google_id}
        links = self._record_links(bindings)
        creates: list[dict[str, Any]] = []
        for binding in bindings:
            values = dict(self._values(binding), **links[binding.local_ref])
            other = by_google.get(binding.google_id)
            row = by_ref.get(binding.local_ref)
            if other and other != row:
                other.unlink()  # that Google event now belongs to another local record
            if row:
                row.write(values)
            else:
                creates.append(dict(values, local_ref=binding.local_ref))
        self._insert(creates)

    def _insert(self, creates: list[dict[str, Any]]) -> None:
        """New rows in one INSERT per thousand: a first import binds thousands of events, and
        nothing computes from these fields (the ORM's create would cost more than the events')."""
        if not creates:
            return
        columns = sorted(set().union(*creates))
        now, uid = fields.Datetime.now(), self.env.uid
        self.env.cr.execute_values(
            f"""INSERT INTO google_calendar_binding ({", ".join(columns)}, sync_id, notify,
                create_uid, create_date, write_uid, write_date) VALUES %s""",  # noqa: S608 - our own column names
            [(*(_column_value(column, values.get(column, False)) for column in columns),
              self.sync.id, True, uid, now, uid, now) for values in creates],
            page_size=1000,
        )

    @staticmethod
    def _values(binding: engine.Binding) -> dict[str, Any]:
        return {
            "google_id": binding.google_id,
            "etag": binding.etag or False,
            "ical_uid": binding.ical_uid or False,
            "local_hash": binding.local_hash,
            "remote_hash": binding.remote_hash,
            "starts_at": record_mapping.odoo_datetime(binding.starts_at) if binding.starts_at else False,
            "ends_at": record_mapping.odoo_datetime(binding.ends_at) if binding.ends_at else False,
            "access": binding.access.value,
            "local_digests": json.dumps(dict(binding.local_digests)) if binding.local_digests else False,
            "remote_digests": json.dumps(dict(binding.remote_digests)) if binding.remote_digests else False,
            "dirty": False,
            "last_error": False,
        }

    def _record_links(self, bindings: Sequence[engine.Binding]) -> dict[str, dict[str, Any]]:
        """The records behind each binding (those that still exist), and for an occurrence, its
        series' binding and original start, read from its Google instance id."""
        refs = {b.local_ref: LocalRef.parse(b.local_ref) for b in bindings}
        Event, Recurrence = self.env["calendar.event"], self.env["calendar.recurrence"]
        events = set(Event.browse([r.record_id for r in refs.values() if r.is_event]).exists().ids)
        series = set(Recurrence.browse([r.record_id for r in refs.values() if r.is_series]).exists().ids)
        instances = {b.local_ref: split_instance_id(b.google_id) for b in bindings}
        masters = self.rows(("google_id", "in", [p[0] for p in instances.values() if p]))
        master_by_google = {row.google_id: row.id for row in masters}
        links: dict[str, dict[str, Any]] = {}
        for binding in bindings:
            ref = refs[binding.local_ref]
            values: dict[str, Any] = {
                "event_id": ref.record_id if ref.is_event and ref.record_id in events else False,
                "recurrence_id": ref.record_id if ref.is_series and ref.record_id in series else False,
            }
            if values["recurrence_id"]:
                values["base_event_id"] = Recurrence.browse(ref.record_id).base_event_id.id
            instance = instances[binding.local_ref]
            if instance and instance[0] in master_by_google:
                moment, all_day = parse_instance_suffix(instance[1])
                original = EventTime(date=moment.date()) if all_day else EventTime(date_time=moment)
                values.update(series_binding_id=master_by_google[instance[0]],
                              original_start=record_mapping.encode_original(original))
            links[binding.local_ref] = values
        return links

    def unbind(self, binding: engine.Binding) -> None:
        self.rows("|", ("local_ref", "=", binding.local_ref), ("google_id", "=", binding.google_id)).unlink()

    def forget(self, rows: models.BaseModel | None = None) -> None:
        """Drop these bindings (default: all of this synchronization's) while the events stay on
        both sides (another calendar, account, a reset): each event's identity on Google and what
        both sides last agreed on are kept (models/google_calendar_identity.py), then the rows go."""
        rows = self.rows() if rows is None else rows
        if not rows:
            return
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            WITH forgotten AS (
                SELECT DISTINCT ON (b.local_ref)
                       b.local_ref, b.event_id, COALESCE(b.recurrence_id, s.recurrence_id) AS recurrence_id,
                       b.ical_uid, %(calendar)s AS calendar, b.google_id, b.original_start, b.access, b.local_hash,
                       b.remote_hash, b.local_digests, b.remote_digests, b.starts_at, b.ends_at
                  FROM google_calendar_binding b
                  LEFT JOIN google_calendar_binding s ON s.id = b.series_binding_id
                 WHERE b.id = ANY(%(ids)s) AND b.ical_uid IS NOT NULL AND b.google_id IS NOT NULL
                   AND (b.event_id IS NOT NULL OR COALESCE(b.recurrence_id, s.recurrence_id) IS NOT NULL)
                 ORDER BY b.local_ref, b.id DESC
            ), replaced AS (
                DELETE FROM google_calendar_identity i USING forgotten f
                 WHERE i.local_ref = f.local_ref AND i.calendar = f.calendar
            )
            INSERT INTO google_calendar_identity (local_ref, event_id, recurrence_id, ical_uid, calendar, google_id,
                   original_start, access, local_hash, remote_hash, local_digests, remote_digests, starts_at, ends_at)
            SELECT * FROM forgotten
            """,
            ids=rows.ids, calendar=self.calendar(),
        ))
        self.env["google.calendar.identity"].invalidate_model()
        rows.unlink()

    def calendar(self) -> str:
        """The Google calendar these bindings are in (see google.calendar.sync._calendar_key)."""
        return self.sync._calendar_key()

    def remembered_here(self, local_refs: Collection[str]) -> dict[str, engine.Binding]:
        """The bindings these local references had on this synchronization's calendar before it
        forgot them (those whose Google id is known), by local reference."""
        identities = self.env["google.calendar.identity"].search([
            ("local_ref", "in", list(local_refs)), ("calendar", "=", self.calendar()), ("google_id", "!=", False),
            ("original_start", "=", False)], order="id desc") if local_refs else ()
        found: dict[str, engine.Binding] = {}
        for identity in identities:
            found.setdefault(identity.local_ref, self.remembered(identity, identity.google_id))
        return found

    @staticmethod
    def remembered(identity: models.BaseModel, google_id: str) -> engine.Binding:
        """The binding a remembered identity stood for, now for the Google event ``google_id`` (its
        ETag unknown: the versions both sides agreed on are the base to compare with)."""
        return engine.Binding(
            local_ref=identity.local_ref,
            google_id=google_id,
            etag=None,
            ical_uid=identity.ical_uid,
            local_hash=identity.local_hash or "",
            remote_hash=identity.remote_hash or "",
            starts_at=identity.starts_at.replace(tzinfo=UTC) if identity.starts_at else None,
            ends_at=identity.ends_at.replace(tzinfo=UTC) if identity.ends_at else None,
            access=Access(identity.access or Access.ORGANIZER.value),
            local_digests=tuple(sorted(json.loads(identity.local_digests or "{}").items())),
            remote_digests=tuple(sorted(json.loads(identity.remote_digests or "{}").items())),
        )

    def record_error(self, local_ref: str | None, google_id: str | None, error: EngineError) -> None:
        term = ("local_ref", "=", local_ref) if local_ref else ("google_id", "=", google_id)
        self.rows(term, limit=1).last_error = messages.problem(self.env, error)[:ERROR_SIZE]

    # -- a reset, the switch ------------------------------------------------------------------------

    def unsend(self, rows: models.BaseModel, now: dt.datetime) -> None:
        """A reset deleted these rows' Google events: their Odoo events go again, as changes made
        ``now`` (so they win over the deletions), without mail. No pair is left to remember."""
        self._unremember(rows)
        rows.write(dict(UNSENT, dirty=True, dirty_at=now, notify=False))

    def drop(self, rows: models.BaseModel) -> None:
        """A reset deleted these rows' Odoo events (or both sides'): nothing is left to bind, nor
        to remember."""
        self._unremember(rows)
        rows.unlink()

    def _unremember(self, rows: models.BaseModel) -> None:
        """What an earlier calendar change remembered of these rows' pairs on this calendar: the
        reset broke them, and Google's deletion there is not the user's."""
        self.env["google.calendar.identity"].search(
            [("local_ref", "in", rows.mapped("local_ref")), ("calendar", "=", self.calendar())]).unlink()

    def bind_unsent(self, events: models.BaseModel, series: models.BaseModel, now: dt.datetime) -> None:
        """Rows for these Odoo single events and series of the user, which Google does not have:
        sent at the next run, as changes made ``now``, without mail."""
        self.Binding.create(
            [{"sync_id": self.sync.id, "local_ref": str(LocalRef.event(e.id)), "event_id": e.id, "dirty": True,
              "dirty_at": now, "notify": False} for e in events]
            + [{"sync_id": self.sync.id, "local_ref": str(LocalRef.series(r.id)), "recurrence_id": r.id,
                "base_event_id": r.base_event_id.id, "dirty": True, "dirty_at": now, "notify": False}
               for r in series])

    def bind_odoo_links(self, rows: Sequence[dict[str, Any]],
                        exception_rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """The rows made from the links of Odoo's own module (``ODOO_LINK_COLUMNS`` each), and those of
        occurrences, ``(series local reference, values)``, under their series' rows: one INSERT
        each, as the switch binds every event of every user at once."""
        cr = self.env.cr
        now, uid = fields.Datetime.now(), self.env.uid
        values = [(self.sync.id, *(row[c] for c in ODOO_LINK_COLUMNS), uid, now, uid, now) for row in rows]
        columns = ", ".join(("sync_id", *ODOO_LINK_COLUMNS, "create_uid", "create_date", "write_uid", "write_date"))
        refs = {}
        if values:
            refs = dict(cr.execute_values(
                f"INSERT INTO google_calendar_binding ({columns}) VALUES %s RETURNING local_ref, id",
                values, fetch=True))
        exceptions = [(self.sync.id, *(row[c] for c in ODOO_LINK_COLUMNS), refs[series_ref], uid, now, uid, now)
                      for series_ref, row in exception_rows if series_ref in refs]
        if exceptions:
            with_series = columns.replace(", create_uid", ", series_binding_id, create_uid")
            cr.execute_values(f"INSERT INTO google_calendar_binding ({with_series}) VALUES %s", exceptions)
        self.Binding.invalidate_model()


def _column_value(column: str, value: Any) -> Any:
    """An ORM value as its column holds it: False is NULL but for a boolean."""
    return None if value is False and column != "dirty" else value


# -- a person's save ---------------------------------------------------------------------------------
# Called from the calendar.event, calendar.recurrence and calendar.attendee hooks, and when people
# connect, pause or resume: one statement per save where it can, which marks the bindings and asks
# for their runs (RunQueue.queue), no HTTP; the cron does the rest.


def track_new_events(env: api.Environment, events: models.BaseModel) -> None:
    """New single events of users whose changes go to Google: bind them, dirty, for a push."""
    singles = events.filtered(lambda e: e.active and e.user_id and not e.recurrence_id)
    if not singles:
        return
    # One INSERT for them all: a user creating a thousand events must not wait for a
    # thousand ORM creates of plumbing rows (nothing computes from these fields).
    now, uid = fields.Datetime.now(), env.uid
    RunQueue(env).queue(SQL(
        """
        INSERT INTO google_calendar_binding
               (sync_id, local_ref, event_id, dirty, dirty_at, notify, access,
                create_uid, create_date, write_uid, write_date)
        SELECT s.id, e.ref, e.id, TRUE, %(now)s, s.live, 'organizer', %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM unnest(%(ids)s::int[], %(users)s::int[], %(refs)s::varchar[]) AS e(id, user_id, ref)
          JOIN (%(syncs)s) s ON s.user_id = e.user_id AND s.sending
        RETURNING CASE WHEN notify THEN sync_id END AS sync_id
        """,
        now=now, uid=uid, ids=singles.ids, users=[event.user_id.id for event in singles],
        refs=[str(LocalRef.event(event.id)) for event in singles],
        syncs=senders.as_sql(env),
    ))


def track_new_series(env: api.Environment, recurrences: models.BaseModel) -> None:
    """A new series: bind it for its organizer. When it replaces a series (Odoo rewrites a
    series on an "all events" edit) or turns a bound single event into a series, the
    existing binding moves to it, so Google gets a patch of the same event, not a new one."""
    Binding = env["google.calendar.binding"].sudo()
    now = fields.Datetime.now()
    syncs = senders.sending(env, recurrences.base_event_id.user_id)
    announcing = syncs._live()
    for recurrence in recurrences.filtered("base_event_id"):
        base = recurrence.base_event_id
        sync = syncs.filtered(lambda s, b=base: s.user_id == b.user_id)
        previous = Binding.search([
            "|", ("event_id", "=", base.id), "&", ("base_event_id", "=", base.id), ("recurrence_id", "=", False),
        ])
        values = {"local_ref": str(LocalRef.series(recurrence.id)), "recurrence_id": recurrence.id,
                  "event_id": False, "base_event_id": base.id, "dirty": True, "dirty_at": now,
                  "notify": bool(sync & announcing)}
        if previous:
            previous.write(values)
        elif sync and base.id > sync.new_after_event_id:
            # (An older series, rewritten by Odoo after a reset to "only new events", stays out.)
            Binding.create(dict(values, sync_id=sync.id))
    syncs._request_sync()


def bind_copies(env: api.Environment, events: models.BaseModel) -> models.BaseModel:
    """The private copies these events owe to connected attendees who have none yet (see
    port/attendance.py), bound, dirty: the rows made."""
    return env["google.calendar.binding"].sudo().create(owed_copies(env, events))


def track_attendance(env: api.Environment, events: models.BaseModel) -> None:
    """Connected attendees of these events who get a private copy and have no binding yet get
    one, dirty, and a run of those that run now."""
    bind_copies(env, events).sync_id._live()._request_sync()


def recheck_people(env: api.Environment, users: models.BaseModel) -> None:
    """These users connected, disconnected, paused or resumed: the events they organize change
    hands on their attendees' calendars (a private copy, or the organizer's invitation), and
    those they attend reach their Google address. Nobody is mailed for it."""
    since = fields.Datetime.now() - sync_window(env)[0]
    Event = env["calendar.event"].sudo()
    events = Event.search([("user_id", "in", users.ids), ("stop", ">", since)]) | Event.search(
        [("partner_ids", "in", users.partner_id.ids), ("stop", ">", since)])
    rows = env["google.calendar.binding"].sudo().search(["|", ("event_id", "in", events.ids),
                                                         ("recurrence_id", "in", events.recurrence_id.ids)])
    # (A row already waiting keeps when and how it was changed.)
    rows.filtered(lambda row: not row.dirty).write({"dirty": True, "dirty_at": fields.Datetime.now(),
                                                    "notify": False})
    track_attendance(env, events)
    rows.sync_id._live()._request_sync()


def series_rows(env: api.Environment, recurrences: models.BaseModel) -> models.BaseModel:
    """The rows of these series, every synchronization's."""
    return env["google.calendar.binding"].sudo().search([("recurrence_id", "in", recurrences.ids)])


def series_became_single(env: api.Environment, rows: models.BaseModel, event: models.BaseModel) -> None:
    """A series made one event again in Odoo ("all events", not recurrent): its bindings
    (``rows``, read before Odoo rewrote it) move to that event, so Google gets a patch of the same
    event (its recurrence removed, its id, guests and answers kept), not a deletion and a new event."""
    rows = rows.exists()
    children = env["google.calendar.binding"].sudo().search([("series_binding_id", "in", rows.ids)])
    children.unlink()  # the occurrences' exceptions go with the recurrence on Google
    rows.write({"local_ref": str(LocalRef.event(event.id)), "event_id": event.id, "recurrence_id": False,
                "base_event_id": False, "dirty": True, "dirty_at": fields.Datetime.now()})


def original_starts(env: api.Environment, events: models.BaseModel) -> dict[int, tuple[models.BaseModel, EventTime]]:
    """For occurrences of bound series: {event id: (series bindings, original start)}, read
    before a change moves or deletes them."""
    if not events.recurrence_id:
        return {}
    rows = series_rows(env, events.recurrence_id)
    if not rows:
        return {}
    return {
        event.id: (rows.filtered(lambda r, e=event: r.recurrence_id == e.recurrence_id),
                   record_mapping.original_start_of(event))
        for event in events.filtered("recurrence_id")
    }


def mark_changed(env: api.Environment, events: models.BaseModel | None = None,
                 recurrences: models.BaseModel | None = None,
                 originals: dict[int, tuple[models.BaseModel, EventTime]] | None = None, notify: bool = True) -> None:
    """Mark the bindings of these records dirty (an occurrence that changes alone gets its
    own binding, as an exception of its series: ``originals``, from ``original_starts``) and queue
    their syncs. Google announces the change (``notify``) only for syncs that are on now: for the
    others, Odoo mailed."""
    events = events or env["calendar.event"]
    recurrences = recurrences or env["calendar.recurrence"]
    if not events and not recurrences:
        return
    if originals:
        _bind_exceptions(env, originals)
    now = fields.Datetime.now()
    RunQueue(env).queue(SQL(
        """
        UPDATE google_calendar_binding b
           SET dirty = TRUE, dirty_at = %(now)s, notify = s.live AND %(notify)s,
               write_uid = %(uid)s, write_date = %(now)s
          FROM (%(syncs)s) s
         WHERE s.id = b.sync_id AND (b.event_id = ANY(%(events)s) OR b.recurrence_id = ANY(%(recurrences)s))
        RETURNING CASE WHEN s.live THEN b.sync_id END AS sync_id
        """,
        now=now, notify=notify, uid=env.uid, events=events.ids, recurrences=recurrences.ids,
        syncs=senders.as_sql(env),
    ))


def _bind_exceptions(env: api.Environment, originals: dict[int, tuple[models.BaseModel, EventTime]]) -> None:
    """Bindings for occurrences of bound series that change alone, where they have none yet:
    ``originals`` maps an event id to (its series' binding rows, its original start)."""
    Binding = env["google.calendar.binding"].sudo()
    rows = Binding.search([("event_id", "in", list(originals))])
    creates: list[dict[str, Any]] = []
    for event_id, (series_rows_of, original) in originals.items():
        for series_row in series_rows_of:
            if not rows.filtered(lambda r, s=series_row, e=event_id: r.sync_id == s.sync_id and r.event_id.id == e):
                creates.append({
                    "sync_id": series_row.sync_id.id, "local_ref": str(LocalRef.event(event_id)),
                    "event_id": event_id, "series_binding_id": series_row.id,
                    "original_start": record_mapping.encode_original(original), "access": series_row.access,
                })
    Binding.create(creates)
