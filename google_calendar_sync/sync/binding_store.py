"""The bindings of one user's synchronization: ``google.calendar.binding`` rows as the engine's
:class:`~gcal_engine.local.Binding`, read and written in bulk.

A row also links the Odoo records behind its local reference (the event, or the series and its
base event) and, for an occurrence of a series, the series' binding and where the series put
it (read from its Google instance id), so that Odoo's changes find their bindings.
"""

import datetime as dt
import json

from gcal_engine import local as engine
from gcal_engine.merge import Access
from gcal_engine.model import EventTime
from gcal_engine.recurrence import parse_instance_suffix, split_instance_id

from odoo import fields
from odoo.tools import SQL

from . import mapping, messages
from .local_ref import LocalRef

UTC = dt.timezone.utc
ERROR_SIZE = 500  # characters of a binding's last problem


class BindingStore:
    def __init__(self, sync, env):
        self.sync = sync
        self.env = env
        self.Binding = env["google.calendar.binding"]

    def _domain(self, *terms):
        return [("sync_id", "=", self.sync.id), *terms]

    def count(self):
        return self.Binding.search_count(self._domain(("google_id", "!=", False)))

    def rows(self, *terms, limit=None):
        return self.Binding.search(self._domain(*terms), limit=limit)

    def row(self, local_ref):
        return self.rows(("local_ref", "=", local_ref), limit=1)

    def row_of_google(self, google_id):
        return self.rows(("google_id", "=", google_id), limit=1)

    @staticmethod
    def binding(row):
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

    def for_google(self, google_ids):
        rows = self.rows(("google_id", "in", list(google_ids)))
        return {row.google_id: self.binding(row) for row in rows}

    def all(self):
        for row in self.rows(("google_id", "!=", False)):
            yield self.binding(row)

    def bind_many(self, bindings):
        rows = self.rows("|", ("local_ref", "in", [b.local_ref for b in bindings]),
                         ("google_id", "in", [b.google_id for b in bindings]))
        by_ref = {row.local_ref: row for row in rows}
        by_google = {row.google_id: row for row in rows if row.google_id}
        links = self._record_links(bindings)
        creates = []
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

    def _insert(self, creates):
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
    def _values(binding):
        return {
            "google_id": binding.google_id,
            "etag": binding.etag or False,
            "ical_uid": binding.ical_uid or False,
            "local_hash": binding.local_hash,
            "remote_hash": binding.remote_hash,
            "starts_at": mapping.odoo_datetime(binding.starts_at) if binding.starts_at else False,
            "ends_at": mapping.odoo_datetime(binding.ends_at) if binding.ends_at else False,
            "access": binding.access.value,
            "local_digests": json.dumps(dict(binding.local_digests)) if binding.local_digests else False,
            "remote_digests": json.dumps(dict(binding.remote_digests)) if binding.remote_digests else False,
            "dirty": False,
            "last_error": False,
        }

    def _record_links(self, bindings):
        """The records behind each binding (those that still exist), and for an occurrence, its
        series' binding and original start, read from its Google instance id."""
        refs = {b.local_ref: LocalRef.parse(b.local_ref) for b in bindings}
        Event, Recurrence = self.env["calendar.event"], self.env["calendar.recurrence"]
        events = set(Event.browse([r.record_id for r in refs.values() if r.is_event]).exists().ids)
        series = set(Recurrence.browse([r.record_id for r in refs.values() if r.is_series]).exists().ids)
        instances = {b.local_ref: split_instance_id(b.google_id) for b in bindings}
        masters = self.rows(("google_id", "in", [p[0] for p in instances.values() if p]))
        master_by_google = {row.google_id: row.id for row in masters}
        links = {}
        for binding in bindings:
            ref = refs[binding.local_ref]
            values = {
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
                              original_start=mapping.encode_original(original))
            links[binding.local_ref] = values
        return links

    def unbind(self, binding):
        self.rows("|", ("local_ref", "=", binding.local_ref), ("google_id", "=", binding.google_id)).unlink()

    def forget(self, rows=None):
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
                       b.ical_uid, %(calendar)s AS calendar, b.original_start, b.access, b.local_hash, b.remote_hash,
                       b.local_digests, b.remote_digests, b.starts_at, b.ends_at
                  FROM google_calendar_binding b
                  LEFT JOIN google_calendar_binding s ON s.id = b.series_binding_id
                 WHERE b.id = ANY(%(ids)s) AND b.ical_uid IS NOT NULL AND b.google_id IS NOT NULL
                   AND (b.event_id IS NOT NULL OR COALESCE(b.recurrence_id, s.recurrence_id) IS NOT NULL)
                 ORDER BY b.local_ref, b.id DESC
            ), replaced AS (
                DELETE FROM google_calendar_identity i USING forgotten f
                 WHERE i.local_ref = f.local_ref AND i.calendar = f.calendar
            )
            INSERT INTO google_calendar_identity (local_ref, event_id, recurrence_id, ical_uid, calendar,
                   original_start, access, local_hash, remote_hash, local_digests, remote_digests, starts_at, ends_at)
            SELECT * FROM forgotten
            """,
            ids=rows.ids, calendar=self.calendar(),
        ))
        self.env["google.calendar.identity"].invalidate_model()
        rows.unlink()

    def calendar(self):
        """The Google calendar these bindings are in: its id, a primary calendar by its owner's
        address (the account the bindings were made with)."""
        sync = self.sync
        if sync.calendar_id and sync.calendar_id != "primary":
            return sync.calendar_id
        return sync.synced_email or sync.account_id.email or "primary"

    @staticmethod
    def remembered(identity, google_id):
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

    def record_error(self, local_ref, google_id, error):
        term = ("local_ref", "=", local_ref) if local_ref else ("google_id", "=", google_id)
        self.rows(term, limit=1).last_error = messages.problem(self.env, error)[:ERROR_SIZE]


def _column_value(column, value):
    """An ORM value as its column holds it: False is NULL but for a boolean."""
    return None if value is False and column != "dirty" else value
