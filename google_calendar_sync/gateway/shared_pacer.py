"""Google's per-minute quotas paced for every Odoo process of a database at once.

Google counts requests (each part of a batch is one) over a sliding minute: 600 per user and
10,000 per project by default. Two Odoo servers with two cron workers each must stay below both
together, so the allowances live in PostgreSQL (``google.calendar.quota``) and each request takes
its share of the user's and of the project's in one statement, on a cursor of its own that
commits at once: no lock is held beyond that statement, whatever the run does meanwhile. Two
workers taking from one allowance at the same moment collide under Odoo's repeatable read: the
one that waited is refused (a serialization failure) and takes again, on a fresh snapshot.

An allowance is a token bucket: at most ``burst`` requests at once, refilled continuously at
``(quota - burst) / 60`` a second. Over any sixty seconds a bucket lets through at most ``burst``
plus sixty seconds of refill, that is the quota itself, so no sliding minute can pass it. Time is
PostgreSQL's clock, the same for all processes.
"""

import time
from dataclasses import dataclass

import psycopg2

from odoo.tools import SQL

from ..jobs.transaction import expected_refusal

BATCH_LIMIT = 50  # the most parts gcal_engine puts in one batch: a burst holds at least one batch
COLLISIONS = 20  # takes refused in a row before giving up: each loser waited for one winner


@dataclass(frozen=True)
class Allowance:
    """One quota as a bucket: its key in ``google.calendar.quota``, its burst and refill rate."""

    key: str
    burst: float
    per_second: float

    @classmethod
    def for_quota(cls, key, per_minute, at_once):
        """``at_once`` of the quota at once (a whole batch at least, half the quota at most), the
        rest spread over the minute."""
        per_minute = max(int(per_minute), 2)
        burst = min(max(int(per_minute * at_once), BATCH_LIMIT), per_minute // 2)
        return cls(key, float(burst), (per_minute - burst) / 60)


class SharedPacer:
    """gcal_engine's pacer (``acquire``) over allowances shared through PostgreSQL."""

    def __init__(self, registry, allowances, sleep=time.sleep):
        self.registry = registry
        self.allowances = tuple(allowances)
        self.sleep = sleep

    def acquire(self, cost=1):
        """Wait until every allowance has ``cost`` requests; returns the seconds waited. A cost
        above a burst (a batch under a quota lowered below 100 a minute) is paid as the burst."""
        waited = 0.0
        while True:
            pause = self.take(cost)
            if not pause:
                return waited
            self.sleep(pause)
            waited += pause

    def take(self, cost=1):
        """Take ``cost`` from every allowance, or none of them: 0 when taken, else the seconds
        until they all hold it."""
        for attempt in range(COLLISIONS):
            try:
                # Without the error line PostgreSQL's refusal leaves in Odoo's log: it is expected.
                with expected_refusal(), self.registry.cursor() as cr:
                    rows = self._take(cr, cost)
                    if len(rows) < len(self.allowances):
                        self._open(cr)
                        rows = self._take(cr, cost)
                break
            except psycopg2.errors.SerializationFailure:
                if attempt == COLLISIONS - 1:
                    raise
        if rows[0][0]:
            return 0.0
        return max(wait for _fits, wait in rows)

    def _take(self, cr, cost):
        wanted = SQL(", ").join(SQL("(%s, %s::float, %s::float, %s::float)", a.key, a.burst, a.per_second,
                                    min(cost, a.burst)) for a in self.allowances)
        cr.execute(SQL(
            """
            WITH wanted(key, burst, per_second, cost) AS (VALUES %(wanted)s),
                 bucket AS (
                    SELECT q.id, w.cost, w.per_second,
                           LEAST(w.burst, q.tokens + w.per_second * EXTRACT(
                               EPOCH FROM (clock_timestamp() AT TIME ZONE 'UTC') - q.refilled_at)) AS level
                      FROM google_calendar_quota q JOIN wanted w ON w.key = q.key
                     ORDER BY q.key
                       FOR UPDATE OF q),
                 verdict AS (SELECT COUNT(*) = %(count)s AND bool_and(level >= cost) AS fits FROM bucket)
            UPDATE google_calendar_quota q
               SET tokens = b.level - CASE WHEN v.fits THEN b.cost ELSE 0 END,
                   refilled_at = clock_timestamp() AT TIME ZONE 'UTC'
              FROM bucket b, verdict v
             WHERE q.id = b.id
         RETURNING v.fits, GREATEST(0, (b.cost - b.level) / NULLIF(b.per_second, 0))
            """,
            wanted=wanted, count=len(self.allowances),
        ))
        return cr.fetchall()

    def _open(self, cr):
        """The allowances met for the first time, full."""
        cr.execute(SQL(
            """INSERT INTO google_calendar_quota (key, tokens, refilled_at)
               SELECT key, burst, clock_timestamp() AT TIME ZONE 'UTC' FROM (VALUES %s) AS w(key, burst)
               ON CONFLICT (key) DO NOTHING""",
            SQL(", ").join(SQL("(%s, %s::float)", a.key, a.burst) for a in self.allowances),
        ))
