"""The queue of users' runs, shared by the cron workers.

A reason to run a user's synchronization (their edit, Google's notification, a poll, the
Google button) is a row of ``google.calendar.sync.request``: only inserted by whoever asks, and
deleted by the run that serves it, so that asking never writes the synchronization record a
running cron job writes to. Odoo runs one scheduled action on one cron worker at a time, of
whichever server takes it: as many copies of the queue's job as the administrator's runs at a
time (``fit_cron_jobs``), so that as many cron workers, of all servers together, share the
users. Each claims them with ``SELECT ... FOR UPDATE SKIP LOCKED`` (urgent requests first, then
the longest waiting), holding the user's run lock (a PostgreSQL advisory lock) until the run
ends: no user runs twice at once, however long a run takes, and a killed worker's lock goes with
its connection.
"""

import datetime
import logging
import time

import psycopg2

from odoo import fields
from odoo.tools import SQL, config

from .transaction import ATTEMPTS, Transaction, expected_refusal

PARAM_POLL_MINUTES = "google_calendar_sync.poll_minutes"
PARAM_RUNS_AT_A_TIME = "google_calendar_sync.runs_at_a_time"
RUNS_AT_A_TIME = 2  # the jobs the module installs: Odoo's default cron workers of one server
CRON = "google_calendar_sync.ir_cron_google_calendar_sync"  # the first job; the others are its copies
JOB_CODE = "model._cron_run_jobs()"
CRON_BUDGET = 240  # seconds of synchronization per cron job run at most, all users together
# Google notifies every change, those a run makes included: a notification that comes within this
# of the start of the user's last run asks for a run at its end, not at once. A flood of them costs
# a run per window; one never waits longer; a quiet user's runs at once.
PUSH_WINDOW = datetime.timedelta(seconds=2)
WAIT_SLICE = 0.25  # seconds: a cron job waiting for a run coming due claims what came due meanwhile
RUN_LOCK = 0x6763616C  # the advisory lock class of users' runs ("gcal"); the second key is the sync's id
# What a transaction's queueing leaves for after its commit (its cursor's postcommit data).
QUEUED, WAITING, NOTIFIED = (f"google_calendar_sync.{key}" for key in ("queued", "waiting", "notified"))

_logger = logging.getLogger(__name__)


class RunQueue:
    """The queue, seen from one cursor (a cron worker's, or a person's or Google's request);
    server code, run as superuser: whoever asks for a run may not read the cron jobs."""

    def __init__(self, env, sleep=time.sleep):
        self.env = env(su=True)
        self.sleep = sleep  # a cron job's wait for a run coming due
        self.syncs = self.env["google.calendar.sync"]
        self.transaction = Transaction(self.env)

    # -- asking ----------------------------------------------------------------------------------

    def request(self, syncs, urgent=False):
        """Queue a run of ``syncs`` (see ``queue``); the ids of those queued now."""
        if not syncs:
            return set()
        return self.queue(SQL("SELECT unnest(%s::int[]) AS sync_id", syncs.ids), urgent=urgent)

    def requeue(self, sync):
        """A run stopped before its end (its time budget ran out, it was interrupted): the next
        one goes on from there. Nobody is woken: the cron job running it is, and wakes the
        others when its own budget ends (``serve``)."""
        self.queue(SQL("SELECT %s AS sync_id", sync.id), wake=False, again=False)

    def sync_now(self, syncs):
        """A person asked for a run now (Sync now, resume, connect, another calendar): urgent, and
        a cron worker comes for those that run now even when a run was asked for already. That
        request's own wake-up may be long gone: left while they could not run (Google's
        notification while paused, around a reset), it woke cron jobs that had nothing to do."""
        queued = self.request(syncs, urgent=True)
        if not queued and syncs._live():
            self.wake_crons()

    def notified(self, sync):
        """Google notified a change of ``sync``'s calendar: an urgent run, at once unless the user
        ran within ``PUSH_WINDOW`` (running now, or the last run started that recently)."""
        start = sync.running_since or sync.last_run_at
        due = start + PUSH_WINDOW if start else None
        not_before = due if due and due > fields.Datetime.now() else None
        self.queue(SQL("SELECT %s AS sync_id", sync.id), urgent=True, not_before=not_before)

    def queue(self, changed, urgent=False, wake=True, again=True, not_before=None):
        """Queue a run of the syncs that ``changed`` returns as ``sync_id`` (a SELECT, or a write
        of bindings RETURNING them; NULLs are skipped), in the same one statement: an insert,
        never an update, and none while a run of the same urgency, as soon, is already asked for,
        however many events one saves. ``not_before``: the run waits until then (see
        ``notified``). The cron jobs are woken once per change window, by the change that queued
        the run. A change that found a run already asked for looks again once committed
        (``_ask_again``, unless ``again`` is false): that run may have started before it, and not
        see it.

        Plain SQL: an ORM search would flush the person's pending changes in the middle of their
        save (and Odoo's recurrences do not survive every flush order unchanged). Returns the ids
        of the syncs queued now."""
        cr = self.env.cr
        self.env["google.calendar.binding"].flush_model()
        cr.execute(SQL(
            """
            WITH changed AS (%(changed)s),
                 queued AS (
                    INSERT INTO google_calendar_sync_request (sync_id, requested_at, urgent, not_before)
                    SELECT DISTINCT c.sync_id, %(now)s, %(urgent)s, %(not_before)s::timestamp FROM changed c
                     WHERE c.sync_id IS NOT NULL AND NOT EXISTS (
                           SELECT 1 FROM google_calendar_sync_request r
                            WHERE r.sync_id = c.sync_id AND (r.urgent OR NOT %(urgent)s)
                              AND COALESCE(r.not_before, r.requested_at)
                                  <= COALESCE(%(not_before)s::timestamp, %(now)s))
                    RETURNING sync_id)
            SELECT DISTINCT c.sync_id, q.sync_id IS NOT NULL
              FROM changed c LEFT JOIN queued q ON q.sync_id = c.sync_id
             WHERE c.sync_id IS NOT NULL
            """,
            changed=changed, now=fields.Datetime.now(), urgent=urgent, not_before=not_before,
        ))
        asked = dict(cr.fetchall())
        self.env["google.calendar.binding"].invalidate_model(["dirty", "dirty_at", "notify", "write_uid", "write_date"])
        self.syncs.invalidate_model(["request_ids", "requested_at"])
        queued = {sync_id for sync_id, new in asked.items() if new}
        if queued and wake and not self.syncs._globally_paused():
            self.wake_crons()
        # Runs this transaction queued itself cannot have started before its commit.
        mine = cr.postcommit.data.setdefault(QUEUED, set())
        mine |= queued
        if again and set(asked) - mine:
            waiting = cr.postcommit.data.setdefault(WAITING, {})
            if not waiting:
                cr.postcommit.add(self._ask_again)
            for sync_id in set(asked) - mine:
                waiting[sync_id] = waiting.get(sync_id, False) or urgent
        return queued

    def _ask_again(self):
        """After the commit of changes that found a run already asked for: on a fresh snapshot,
        ask again for the syncs whose request a run has served since (a run that started before
        the commit did not see these changes, and left no request for them)."""
        waiting = self.env.cr.postcommit.data.get(WAITING, {})
        try:
            with self.env.registry.cursor() as cr:
                queue = RunQueue(self.env(cr=cr))
                for urgent in {True, False} & set(waiting.values()):
                    ids = [sync_id for sync_id, wants in waiting.items() if wants == urgent]
                    queue.queue(SQL("SELECT id AS sync_id FROM google_calendar_sync WHERE id = ANY(%s)", ids),
                                urgent=urgent, again=False)
        except psycopg2.Error:
            # The changes are saved and dirty: the cron's next pass queues them (queue_due_polls).
            _logger.warning("Google Calendar: could not ask again for a run of %s", sorted(waiting), exc_info=True)

    def wake_crons(self):
        """Wake the cron jobs: a trigger each, in one insert, and one notification of the cron
        workers after the commit (Odoo's ``_trigger`` notifies once per job, each time on a new
        connection to the ``postgres`` database, which costs more than the rest of a save)."""
        crons = self.cron_jobs()
        if not crons:
            return
        now = fields.Datetime.now()
        self.env["ir.cron.trigger"].create([{"cron_id": cron.id, "call_at": now} for cron in crons])
        if not self.env.cr.postcommit.data.get(NOTIFIED):
            self.env.cr.postcommit.data[NOTIFIED] = True
            self.env.cr.postcommit.add(crons[0]._notifydb)

    def cron_jobs(self, active_test=True):
        """The scheduled actions that run the queue, the first first: the module's, its copies made
        by ``fit_cron_jobs`` and any an administrator duplicated by hand."""
        return self.env["ir.cron"].with_context(active_test=active_test).search([
            ("model_id", "=", self.env["ir.model"]._get_id("google.calendar.sync")), ("code", "=", JOB_CODE),
        ], order="id")

    def fit_cron_jobs(self, count):
        """``count`` runs at a time: as many active jobs, copies of the first made or archived as
        needed (archived, not deleted: their history stays in the log of scheduled actions)."""
        jobs = self.cron_jobs(active_test=False)
        first = self.env.ref(CRON)
        while len(jobs) < count:
            jobs |= first.copy({"name": self.env._("Google Calendar: synchronize queued users (%(number)s)",
                                                   number=len(jobs) + 1)})
        jobs[:count].filtered(lambda job: not job.active).active = True
        jobs[count:].filtered("active").active = False

    def queue_due_polls(self):
        """Google changes arrive without a push channel too: every user runs once per poll
        interval. And a change that found no run to take it (its process stopped between its
        commit and ``_ask_again``) is queued here, at the cron's next pass."""
        minutes = int(self.syncs._param(PARAM_POLL_MINUTES, "15") or 15)
        self.queue(SQL(
            """
            SELECT s.id AS sync_id FROM google_calendar_sync s
             WHERE s.id IN %(live)s
               AND (s.last_run_at IS NULL OR s.last_run_at < %(due)s OR EXISTS (
                    SELECT 1 FROM google_calendar_binding b
                     WHERE b.sync_id = s.id AND b.dirty AND b.dirty_at >= s.last_run_at))
            """,
            live=self.syncs._subquery(self.syncs._live_domain()),
            due=fields.Datetime.now() - datetime.timedelta(minutes=minutes),
        ), wake=False, again=False)
        self.transaction.commit()

    def served(self, sync):
        """The requests a run starting now serves: what is asked from now on gets another."""
        self.env.cr.execute(SQL("DELETE FROM google_calendar_sync_request WHERE sync_id = %s", sync.id))
        self.syncs.invalidate_model(["request_ids", "requested_at"])

    def start_run(self, sync):
        """Take the user's run lock (``try_run_lock``) and, once taken, the requests the run
        starting now serves (``served``), in one statement that also says whose language and
        time zone the run's words take: ``(lang, tz)`` once the lock is taken, else None."""
        self.env.cr.execute(SQL(
            """
            WITH locked AS (SELECT pg_try_advisory_lock(%(lock)s, %(id)s) AS taken),
                 served AS (DELETE FROM google_calendar_sync_request
                             WHERE sync_id = %(id)s AND (SELECT taken FROM locked))
            SELECT taken, partner.lang, partner.tz
              FROM locked
              LEFT JOIN google_calendar_sync sync ON sync.id = %(id)s
              LEFT JOIN res_users users ON users.id = sync.user_id
              LEFT JOIN res_partner partner ON partner.id = users.partner_id
            """,
            lock=RUN_LOCK, id=sync.id,
        ))
        self.syncs.invalidate_model(["request_ids", "requested_at"])
        taken, lang, tz = self.env.cr.fetchone()
        return (lang, tz) if taken else None

    # -- serving ---------------------------------------------------------------------------------


    def cron_budget(self):
        """Seconds of synchronization per cron job run. Odoo kills a cron worker whose unit of
        work (every ready job of the database, all of ours included) outlasts its real time
        limit (``limit_time_real_cron``, else ``limit_time_real``) or, with workers, its CPU
        limit (``limit_time_cpu``), and marks a job killed three times in a row as failed. A run
        stops between two steps, so the budget leaves room for the step under way."""
        real = config["limit_time_real_cron"] if config["limit_time_real_cron"] > 0 else config["limit_time_real"]
        limits = [real, config["limit_time_cpu"] if config["workers"] else 0]
        limits = [limit for limit in limits if limit and limit > 0]
        if not limits:
            return CRON_BUDGET
        return min(CRON_BUDGET, max(10, 0.4 * min(limits) / max(1, len(self.cron_jobs()))))

    def serve(self, budget=None):
        """The queued syncs to run now, each claimed (``(sync, seconds left)``), urgent then longest
        waiting first, until the budget is used, waiting for runs that come due meanwhile (see
        ``notified``); what is left wakes the cron jobs again."""
        if self.syncs._globally_paused():
            return
        self.queue_due_polls()
        deadline = time.monotonic() + (self.cron_budget() if budget is None else budget)
        while time.monotonic() < deadline:
            sync = self.claim()
            if sync:
                try:
                    yield sync, max(1, deadline - time.monotonic())
                finally:
                    self.release_run_lock(sync.id)  # the claim's
                continue
            pause = self._coming_due()
            if pause is None:
                return
            if time.monotonic() + pause >= deadline:
                break
            self.sleep(min(pause, WAIT_SLICE))
        self.wake_crons()

    def _coming_due(self):
        """Seconds until the first run asked for later comes due (of a sync that runs), or None."""
        self.env.cr.execute(SQL(
            """SELECT EXTRACT(EPOCH FROM min(r.not_before) - %(now)s)
                 FROM google_calendar_sync_request r
                WHERE r.not_before > %(now)s AND r.sync_id IN %(live)s""",
            now=fields.Datetime.now(), live=self.syncs._subquery(self.syncs._live_domain()),
        ))
        pause = self.env.cr.fetchone()[0]
        self.transaction.commit()  # no snapshot held while waiting
        return float(pause) if pause is not None else None

    def claim(self):
        """Take the next queued user, and hold their run lock until the run ends: urgent first
        (Google's notification, Sync now), among them a calendar already synchronized before a
        first synchronization (seconds against minutes: a notification arriving while many
        users connect is not kept waiting behind their imports), then the longest waiting.
        Two workers claiming at once may collide (a serialization failure under repeatable
        read): the loser starts over on a fresh snapshot, without the error line PostgreSQL's
        refusal would leave in the log (as Odoo's own cron claims its jobs); a user whose lock
        is held (a live run, a reset) is left for later."""
        self.env.flush_all()
        cr, passed = self.env.cr, []
        for _attempt in range(ATTEMPTS):
            cr.execute("SAVEPOINT google_calendar_claim")
            try:
                with expected_refusal():
                    sync_id = self._claim_next(passed)
            except psycopg2.errors.SerializationFailure:
                self.transaction.rollback()
                continue
            if sync_id and not self.try_run_lock(sync_id):
                cr.execute("ROLLBACK TO SAVEPOINT google_calendar_claim")
                passed.append(sync_id)
                continue
            self.env.invalidate_all()
            if sync_id:
                self._close_interrupted_logs(sync_id)
            self.transaction.commit()
            return self.syncs.browse(sync_id) if sync_id else self.syncs.browse()
        return self.syncs.browse()

    def _claim_next(self, passed):
        cr = self.env.cr
        cr.execute(SQL(
            """
            UPDATE google_calendar_sync SET running_since = %(now)s
             WHERE id = (
                SELECT s.id FROM google_calendar_sync s
                 WHERE s.id IN %(live)s AND s.id != ALL(%(passed)s)
                   AND NOT EXISTS (SELECT 1 FROM pg_locks l  -- its run lock, held by a live run here
                                    WHERE l.locktype = 'advisory' AND l.granted
                                      AND l.database = (SELECT oid FROM pg_database
                                                         WHERE datname = current_database())
                                      AND l.classid = %(lock)s AND l.objid = s.id AND l.objsubid = 2)
                   AND EXISTS (SELECT 1 FROM google_calendar_sync_request r
                                WHERE r.sync_id = s.id AND (r.not_before IS NULL OR r.not_before <= %(now)s))
                 ORDER BY NOT EXISTS (SELECT 1 FROM google_calendar_sync_request r
                                       WHERE r.sync_id = s.id AND r.urgent
                                         AND (r.not_before IS NULL OR r.not_before <= %(now)s)),
                          s.sync_token IS NULL,
                          (SELECT min(r.requested_at) FROM google_calendar_sync_request r WHERE r.sync_id = s.id),
                          s.id
                 LIMIT 1
                   FOR NO KEY UPDATE OF s SKIP LOCKED)
            RETURNING id
            """,
            now=fields.Datetime.now(), lock=RUN_LOCK, passed=passed,
            live=self.syncs._subquery(self.syncs._live_domain()),
        ))
        row = cr.fetchone()
        return row[0] if row else None

    def _close_interrupted_logs(self, sync_id):
        """A log still running belongs to a run whose worker was killed (its lock went with it)."""
        self.env.cr.execute(
            """UPDATE google_calendar_sync_log SET state = 'failed', finished_at = %s, message = %s
                WHERE sync_id = %s AND state = 'running'""",
            [fields.Datetime.now(), self.env._("Interrupted: the worker running it was stopped. "
                                                "The next run went on from where it stopped."), sync_id],
        )

    # -- the run lock ------------------------------------------------------------------------------

    def try_run_lock(self, sync_id):
        """The lock of a user's run: a session lock, so it outlives the run's commits and goes
        with the connection of a killed worker. Reentrant within one connection."""
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK, sync_id])
        return self.env.cr.fetchone()[0]

    def release_run_lock(self, sync_id):
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, sync_id])
