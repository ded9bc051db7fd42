"""One user's synchronization with one Google calendar: preferences, state, push channel, job queue.

A user's edits never wait on Google: they mark bindings dirty and add a request (a row of
google.calendar.sync.request); two cron jobs, so that two cron workers share the users, claim
the users with requests (``SELECT ... FOR UPDATE SKIP LOCKED``: none runs a user twice), those
Google notified or who clicked Sync now first, then the longest waiting, within a time budget
that fits Odoo's worker time limit, and run gcal_engine for each. When Odoo has a public https
address, Google notifies it of changes through a push channel (events.watch), opened and renewed here;
every user also gets a run each poll interval, the fallback when push is off or a message is lost.
"""

import datetime
import hmac
import logging
import secrets
import time
import uuid
from urllib.parse import urlsplit

import psycopg2

from gcal_engine.client import CalendarClient, Write, WriteResult, expiry_from_ms
from gcal_engine.errors import (
    DeletedError, EngineError, InvalidGrantError, MassDeletionError, NotFoundError, QuotaExceededError,
)
from gcal_engine.planner import Mode
from gcal_engine.sync import SyncConfig, Synchronizer
from gcal_engine.transport import GoogleSession, Pacer

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from odoo.addons.google_account.exceptions import GoogleAccountError, GoogleReconnectRequired

from ..sync.odoo_calendar import OdooCalendar

_logger = logging.getLogger(__name__)

DIRECTIONS = [
    ("two_way", "Both ways"),
    ("odoo_to_google", "Odoo to Google only"),
    ("google_to_odoo", "Google to Odoo only"),
]
MODES = {"two_way": Mode.TWO_WAY, "odoo_to_google": Mode.LOCAL_TO_GOOGLE, "google_to_odoo": Mode.GOOGLE_TO_LOCAL}
STATES = [
    ("not_connected", "Not connected"),
    ("needs_reconnect", "Needs reconnection"),
    ("paused", "Paused"),
    ("paused_by_admin", "Paused by an administrator"),
    ("waiting", "Waiting for its first synchronization"),
    ("running", "Synchronizing"),
    ("synced", "Synchronized"),
    ("error", "Error"),
]
PARAM_PAUSED = "google_calendar_sync.paused"
PARAM_NAMESPACE = "google_calendar_sync.namespace"
PARAM_POLL_MINUTES = "google_calendar_sync.poll_minutes"
PARAM_QUOTA = "google_calendar_sync.quota_per_minute"
PARAM_WEBHOOK = "google_calendar_sync.webhook_base_url"
WEBHOOK_PATH = "/google_calendar_sync/notify"
CHANNEL_TTL = datetime.timedelta(days=7)  # Google's longest for events.watch
CHANNEL_RENEWAL = datetime.timedelta(days=1)  # renewed when it expires sooner than this
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
CRON_BUDGET = 240  # seconds of synchronization per cron job run at most, all users together
CRONS = ("google_calendar_sync.ir_cron_google_calendar_sync", "google_calendar_sync.ir_cron_google_calendar_sync_2")
STALE_CLAIM = datetime.timedelta(minutes=10)  # a run older than this may have been killed: check its lock
CLAIM_ATTEMPTS = 3  # tries of a claim, or of saving a run's outcome, that collide with another transaction
RUN_LOCK = 0x6763616C  # the advisory lock class of users' runs ("gcal"); the second key is the sync's id
CHANNEL_FIELDS = ("channel_id", "channel_token", "channel_resource_id", "channel_expires_at")
# A user's calls within a minute, over all their runs in this process: (database, user) -> Pacer.
# Google's other quota, 10,000 calls a minute per project, stays out of reach: a cron worker runs
# one user at a time, each paced at 600.
_PACERS = {}


class GoogleCalendarSync(models.Model):
    _name = "google.calendar.sync"
    _description = "Google Calendar Synchronization"
    _order = "user_id"

    user_id = fields.Many2one("res.users", required=True, ondelete="cascade", index=True, readonly=True)
    account_id = fields.Many2one("google.account", required=True, ondelete="cascade", readonly=True)
    google_email = fields.Char("Google Account", related="account_id.email")
    enabled = fields.Boolean(
        "Google Calendar Synchronization", default=True,
        help="Turn off to pause your own synchronization; your changes wait and go when you turn it back on.")
    calendar_id = fields.Char("Google Calendar ID", default="primary", required=True)
    calendar_name = fields.Char("Google Calendar", default="Primary calendar")
    direction = fields.Selection(DIRECTIONS, default="two_way", required=True)
    state = fields.Selection(STATES, compute="_compute_state")
    last_run_at = fields.Datetime("Last Synchronization", readonly=True)
    last_success_at = fields.Datetime("Last Success", readonly=True)
    last_summary = fields.Char("Last Result", readonly=True)
    last_error = fields.Text("Last Problem", readonly=True)
    request_ids = fields.One2many("google.calendar.sync.request", "sync_id", groups="base.group_system")
    requested_at = fields.Datetime(compute="_compute_requested_at", help="A run is queued since then.")
    running_since = fields.Datetime(readonly=True)
    synced_email = fields.Char(readonly=True, help="The Google account the bindings belong to.")
    sync_token = fields.Char(groups="base.group_system", copy=False, readonly=True)
    retry_google_ids = fields.Text(groups="base.group_system", copy=False, readonly=True)
    deletions_held = fields.Boolean(
        "Deletions Waiting", readonly=True,
        help="The last run stopped before deleting much of the calendar at once; they go once confirmed.")
    allow_deletions = fields.Boolean(readonly=True, help="Confirmed: the next complete run makes the held deletions.")
    sync_since = fields.Datetime(
        readonly=True, help="After a reset to \"only new events\": Google events created before stay out.")
    new_after_event_id = fields.Integer(
        readonly=True, help="After a reset to \"only new events\": Odoo events up to this id stay out.")
    new_after_series_id = fields.Integer(
        readonly=True, help="After a reset to \"only new events\": Odoo series up to this id stay out.")
    binding_ids = fields.One2many("google.calendar.binding", "sync_id", groups="base.group_system")
    log_ids = fields.One2many("google.calendar.sync.log", "sync_id")
    channel_id = fields.Char(groups="base.group_system", copy=False, readonly=True, index="btree_not_null")
    channel_token = fields.Char(groups="google_account.group_google_tokens", copy=False, readonly=True)
    channel_resource_id = fields.Char(groups="base.group_system", copy=False, readonly=True)
    channel_expires_at = fields.Datetime("Push Channel Until", copy=False, readonly=True)

    _sql_constraints = [("user_unique", "unique(user_id)", "A user has one Google Calendar synchronization.")]

    @api.depends("request_ids")
    def _compute_requested_at(self):
        requests = self.env["google.calendar.sync.request"].sudo()._read_group(
            [("sync_id", "in", self.ids)], ["sync_id"], ["requested_at:min"])
        first = {sync.id: requested_at for sync, requested_at in requests}
        for sync in self:
            sync.requested_at = first.get(sync.id, False)

    @api.depends("enabled", "account_id.state", "last_run_at", "last_error", "running_since")
    @api.depends_context("uid")
    def _compute_state(self):
        paused = self._globally_paused()
        for sync in self:
            account_state = sync.account_id.sudo().state
            if account_state == "needs_reconnect":
                sync.state = "needs_reconnect"
            elif account_state != "connected":
                sync.state = "not_connected"
            elif paused:
                sync.state = "paused_by_admin"
            elif not sync.enabled:
                sync.state = "paused"
            elif sync.running_since:
                sync.state = "running"
            elif not sync.last_run_at:
                sync.state = "waiting"
            else:
                sync.state = "error" if sync.last_error else "synced"

    # -- settings ------------------------------------------------------------------------------

    @api.model
    def _param(self, key, default=""):
        return self.env["ir.config_parameter"].sudo().get_param(key, default)

    @api.model
    def _globally_paused(self):
        return self._param(PARAM_PAUSED) == "True"

    @api.model
    def _namespace(self):
        """A random id for this database's links on Google: no database name, survives a rename."""
        namespace = self._param(PARAM_NAMESPACE)
        if not namespace:
            namespace = uuid.uuid4().hex[:12]
            self.env["ir.config_parameter"].sudo().set_param(PARAM_NAMESPACE, namespace)
        return namespace

    # -- records -------------------------------------------------------------------------------

    @api.model
    def _for_user(self, user):
        """The synchronization of ``user``, created on first use (sudo: server code only)."""
        sync = self.sudo().search([("user_id", "=", user.id)], limit=1)
        if not sync:
            account = self.env["google.account"]._for_user(user)
            sync = self.sudo().create({"user_id": user.id, "account_id": account.id})
        return sync

    @api.model
    def _pushing_users(self, users):
        """The syncs of ``users`` that send Odoo's changes to Google now: Google announces their
        events, so Odoo does not mail their guests."""
        return self._tracking_syncs(users)._announcing()

    def _announcing(self):
        """Those of these syncs that are on now (connected, not paused, no global pause). The
        others' changes wait: Odoo mails their guests itself, and Google must not mail again."""
        if self._globally_paused():
            return self.browse()
        return self.filtered(lambda sync: sync.enabled and sync.account_id.state == "connected")

    @api.model
    def _tracking_syncs(self, users):
        """The syncs whose Google gets these users' new events: connected once, sending Odoo's
        changes. Paused ones too: their changes wait for them and go when they resume."""
        if not users:
            return self.browse()
        return self.sudo().search([
            ("user_id", "in", users.ids),
            ("direction", "!=", "google_to_odoo"),
            ("account_id.state", "in", ("connected", "needs_reconnect")),
        ])

    def _is_active(self):
        """Whether a run can happen now (else changes wait, marked dirty)."""
        self.ensure_one()
        return self.enabled and self.account_id.state == "connected" and not self._globally_paused()

    def _check_own(self):
        """Users act on their own synchronization (record rules hide the others'); administrators
        on anyone's. Changes then go through sudo: users cannot write these records directly."""
        self.check_access("read")
        if any(sync.user_id != self.env.user for sync in self) and not self.env.user._is_system():
            raise AccessError(self.env._("You can only manage your own Google Calendar synchronization."))

    # -- actions (buttons, the calendar's Google button) -----------------------------------------

    def action_sync_now(self):
        self._check_own()
        self.sudo()._request_sync(urgent=True)
        return self._status()

    def action_pause(self):
        self._check_own()
        self.sudo().write({"enabled": False})
        return True

    def action_resume(self):
        self._check_own()
        self.sudo().write({"enabled": True})
        self.sudo()._request_sync()
        return True

    def action_allow_deletions(self):
        """The held deletions were meant (a calendar emptied on purpose): the next run makes them."""
        self._check_own()
        self.sudo().write({"allow_deletions": True})
        self.sudo()._request_sync(urgent=True)
        return True

    def action_disconnect(self):
        self._check_own()
        self.sudo().account_id.action_disconnect()
        return True

    def _status(self):
        """What the Google button shows: the state, in words, and the last run."""
        self.ensure_one()
        sync = self.sudo()
        return {
            "state": sync.state,
            "label": dict(self._fields["state"]._description_selection(self.env))[sync.state],
            "email": sync.google_email or "",
            "last_run_at": fields.Datetime.to_string(sync.last_run_at) if sync.last_run_at else False,
            "last_summary": sync.last_summary or "",
            "last_error": sync.last_error or "",
            "queued": bool(sync.request_ids),
        }

    @api.model
    def get_google_status(self):
        """The Google button's first question: is this user connected, and how is their sync?"""
        user = self.env.user
        account = self.env["google.account"].sudo().search([("user_id", "=", user.id)], limit=1)
        if not account or account.state != "connected":
            configured = bool(self._param("google_account.calendar_enabled")
                              and self._param("google_account.client_id"))
            return {
                "state": "needs_reconnect" if account.state == "needs_reconnect" else "not_connected",
                "configured": configured,
                "last_error": account.last_error or "",
                "is_admin": user._is_system(),
            }
        return dict(self._for_user(user).with_user(user)._status(), configured=True, is_admin=user._is_system())

    @api.model
    def google_connect_url(self, return_url=None):
        """Google's consent page for the current user (the first click on the Google button)."""
        return self.env["google.account"]._authorization_url(return_url)

    @api.model
    def google_sync_now(self):
        """The Google button, once connected: queue a run now and answer at once."""
        return self._for_user(self.env.user).with_user(self.env.user).action_sync_now()

    # -- queue -----------------------------------------------------------------------------------

    def _request_sync(self, urgent=False):
        """Queue a run for these syncs and wake the cron jobs: an insert, never an update, and
        none while a run of the same urgency is already asked for, however many events one saves."""
        if not self:
            return
        # Plain SQL: an ORM search would flush the person's pending changes in the middle of
        # their save (and Odoo's recurrences do not survive every flush order unchanged).
        self.env.cr.execute(
            "SELECT sync_id FROM google_calendar_sync_request WHERE sync_id IN %s AND (urgent OR NOT %s)",
            [tuple(self.ids), urgent],
        )
        asked = {row[0] for row in self.env.cr.fetchall()}
        syncs = self.filtered(lambda sync: sync.id not in asked)
        if syncs:
            self.env["google.calendar.sync.request"].sudo().create(
                [{"sync_id": sync.id, "urgent": urgent} for sync in syncs])
        if not self._globally_paused():
            self._wake_crons()

    @api.model
    def _wake_crons(self):
        for xmlid in CRONS:
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if cron and cron.active:
                cron.sudo()._trigger()

    @api.model
    def _cron_budget(self):
        """Seconds of synchronization per cron job run. Odoo kills a cron worker whose unit of
        work (every ready job of the database, both of ours included) outlasts its real time
        limit (``limit_time_real_cron``, else ``limit_time_real``) or, with workers, its CPU
        limit (``limit_time_cpu``), and marks a job killed three times in a row as failed. A run
        stops between two steps, so the budget leaves room for the step under way."""
        real = config["limit_time_real_cron"] if config["limit_time_real_cron"] > 0 else config["limit_time_real"]
        limits = [real, config["limit_time_cpu"] if config["workers"] else 0]
        limits = [limit for limit in limits if limit and limit > 0]
        if not limits:
            return CRON_BUDGET
        return min(CRON_BUDGET, max(10, 0.4 * min(limits) / len(CRONS)))

    @api.model
    def _cron_run_jobs(self, budget=None):
        """Run the queued syncs, urgent then longest waiting first, until the budget is used; what
        is left wakes the cron jobs again."""
        if self._globally_paused():
            return
        self._queue_due_polls()
        deadline = time.monotonic() + (self._cron_budget() if budget is None else budget)
        while time.monotonic() < deadline:
            sync = self._claim()
            if not sync:
                return
            try:
                sync._run(time_budget=max(1, deadline - time.monotonic()))
            finally:
                sync._release_run_lock()  # the claim's
        self._wake_crons()

    @api.model
    def _queue_due_polls(self):
        """Google changes arrive without a push channel too: every user runs once per poll interval."""
        minutes = int(self._param(PARAM_POLL_MINUTES, "15") or 15)
        due = self.sudo().search([
            ("enabled", "=", True), ("request_ids", "=", False), ("account_id.state", "=", "connected"),
            "|", ("last_run_at", "=", False),
            ("last_run_at", "<", fields.Datetime.now() - datetime.timedelta(minutes=minutes)),
        ])
        self.env["google.calendar.sync.request"].sudo().create([{"sync_id": sync.id} for sync in due])
        self._commit()

    @api.model
    def _claim(self):
        """Take the next queued user, and hold their run lock until the run ends: no other
        worker runs them meanwhile, however long the run takes. Two workers claiming at once
        may collide (a serialization failure under repeatable read): the loser starts over on a
        fresh snapshot; a user whose lock is held (a live run, a reset) is left for later."""
        self.env.flush_all()
        cr, passed = self.env.cr, []
        for _attempt in range(CLAIM_ATTEMPTS):
            cr.execute("SAVEPOINT google_calendar_claim")
            try:
                sync_id = self._claim_next(passed)
            except psycopg2.errors.SerializationFailure:
                if self.env.registry.in_test_mode():
                    raise
                cr.rollback()
                continue
            if sync_id and not self._try_run_lock(sync_id):
                cr.execute("ROLLBACK TO SAVEPOINT google_calendar_claim")
                passed.append(sync_id)
                continue
            self.env.invalidate_all()
            if sync_id:
                self._close_interrupted_logs(sync_id)
            self._commit()
            return self.sudo().browse(sync_id) if sync_id else self.browse()
        return self.browse()

    @api.model
    def _claim_next(self, passed):
        cr = self.env.cr
        cr.execute(
            """
            UPDATE google_calendar_sync SET running_since = %(now)s
             WHERE id = (
                SELECT s.id FROM google_calendar_sync s
                  JOIN google_account a ON a.id = s.account_id
                 WHERE s.enabled AND a.state = 'connected' AND s.id != ALL(%(passed)s)
                   AND (s.running_since IS NULL OR s.running_since < %(stale)s)
                   AND EXISTS (SELECT 1 FROM google_calendar_sync_request r WHERE r.sync_id = s.id)
                 ORDER BY NOT EXISTS (SELECT 1 FROM google_calendar_sync_request r
                                       WHERE r.sync_id = s.id AND r.urgent),
                          (SELECT min(r.requested_at) FROM google_calendar_sync_request r WHERE r.sync_id = s.id),
                          s.id
                 LIMIT 1
                   FOR NO KEY UPDATE OF s SKIP LOCKED)
            RETURNING id
            """,
            {"now": fields.Datetime.now(), "stale": fields.Datetime.now() - STALE_CLAIM, "passed": passed},
        )
        row = cr.fetchone()
        return row[0] if row else None

    @api.model
    def _close_interrupted_logs(self, sync_id):
        """A log still running belongs to a run whose worker was killed (its lock went with it)."""
        self.env.cr.execute(
            """UPDATE google_calendar_sync_log SET state = 'failed', finished_at = %s, message = %s
                WHERE sync_id = %s AND state = 'running'""",
            [fields.Datetime.now(), self.env._("Interrupted: the worker running it was stopped. "
                                                "The next run went on from where it stopped."), sync_id],
        )

    @api.model
    def _try_run_lock(self, sync_id):
        """The lock of a user's run: a session lock, so it outlives the run's commits and goes
        with the connection of a killed worker."""
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK, sync_id])
        return self.env.cr.fetchone()[0]

    def _release_run_lock(self):
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, self.id])

    def _commit(self):
        """Make a claim or a run's outcome visible to the other cron workers now."""
        if not self.env.registry.in_test_mode():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # -- a run -----------------------------------------------------------------------------------

    def _run(self, time_budget=None):
        """One synchronization run of this user, logged; the outcome lands on the record and in
        the log, and it never raises (one user's problem must not stop the others' runs). Under
        the user's run lock (a claim holds it already; it is reentrant): a user another worker
        runs now, or an administrator resets, is not run."""
        self.ensure_one()
        if not self._try_run_lock(self.id):
            return {}
        try:
            return self.sudo()._run_locked(time_budget)
        finally:
            self._release_run_lock()

    def _run_locked(self, time_budget):
        self.request_ids.unlink()  # served by this run; what is asked from now on gets another
        log = self.env["google.calendar.sync.log"].sudo().create({"sync_id": self.id})
        self._commit()  # the run shows as running, and its progress is read from elsewhere
        values = {"running_since": False, "last_run_at": log.started_at}
        try:
            report = self._synchronize(time_budget, log)
        except GoogleAccountError as error:
            message = f"{error.cause} {error.fix}".strip()
            values.update(last_error=message, last_summary=False)
            self._finish(values, lambda: log._failed(message),
                         forget_requests=isinstance(error, GoogleReconnectRequired))
        except psycopg2.errors.SerializationFailure:
            if self.env.registry.in_test_mode():
                raise
            # A person saved their preferences while the run wrote its state: what the run
            # committed stays (Google's writes are idempotent), and the next run goes on.
            self.env.cr.rollback()
            message = self.env._("Interrupted by a change made meanwhile; the next run goes on.")
            self._finish(values, lambda: log._failed(message), again=True)
        except Exception as error:  # pylint: disable=broad-exception-caught
            if self.env.registry.in_test_mode():
                raise
            # A bug must not stop the other users' runs: keep what was committed, say what failed.
            _logger.exception("Google Calendar synchronization of user %s failed", self.user_id.id)
            self.env.cr.rollback()
            message = self.env._("Unexpected error (%(error)s); see the server log.", error=type(error).__name__)
            values.update(last_error=message, last_summary=False)
            self._finish(values, lambda: log._failed(message))
        else:
            values.update(self._outcome(report))
            self._finish(values, lambda: log._record(report), again=report.timed_out)
        return values

    def _finish(self, values, record_log, forget_requests=False, again=False):
        """Write a run's outcome and end the claim. The record may have been written meanwhile (a
        person changing their preferences): under repeatable read that fails the write, which is
        then made again on a fresh snapshot; whatever happens, the claim ends."""
        for attempt in range(CLAIM_ATTEMPTS):
            try:
                record_log()
                self.write(values)
                if forget_requests:
                    self.request_ids.unlink()
                if again:  # the time budget ran out, or the run was interrupted: the next one goes on
                    self.env["google.calendar.sync.request"].create({"sync_id": self.id})
                self._commit()
                return
            except psycopg2.errors.SerializationFailure:
                if self.env.registry.in_test_mode():
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                if attempt + 1 == CLAIM_ATTEMPTS:
                    _logger.exception("Google Calendar: the outcome of user %s's run was not saved", self.user_id.id)
        self.env.cr.execute("UPDATE google_calendar_sync SET running_since = NULL WHERE id = %s", [self.id])
        self._commit()

    def _synchronize(self, time_budget, log):
        account = self.account_id
        if self.synced_email and self.synced_email != account.email:
            self._forget_bindings()
        client = self._client()
        config = SyncConfig(
            calendar_id=self.calendar_id or "primary", mode=MODES[self.direction], time_budget=time_budget,
            created_after=self.sync_since.replace(tzinfo=datetime.timezone.utc) if self.sync_since else None,
            allow_mass_deletion=self.allow_deletions,
        )
        try:
            report = Synchronizer(client, OdooCalendar(self), config, progress=log._progress).run()
            if report.complete:
                self._keep_channel(client)
        finally:
            client.session.close()
        if isinstance(report.fatal, InvalidGrantError):
            account._lose_connection(report.fatal)
        return report

    def _outcome(self, report):
        """Record values for a run report: the summary, and the problem in plain words."""
        values = {
            "last_summary": self.env["google.calendar.sync.log"]._summary(report),
            "synced_email": self.account_id.email,
            "deletions_held": isinstance(report.fatal, MassDeletionError),
        }
        problems = [f"{p.summary or p.google_id or p.local_id}: {p.message}" for p in report.problems[:5]]
        held = report.fatal
        if isinstance(held, QuotaExceededError):
            problems.insert(0, self.env._(
                "Google Calendar's usage limits were reached for this account; the synchronization "
                "resumes by itself later."))
        elif isinstance(held, MassDeletionError):
            problems.insert(0, self.env._(
                "Stopped before deleting %(count)s of %(total)s synchronized events in %(side)s: that looks "
                "like a mistake, so nothing was deleted. If it is what you meant, confirm the deletions in "
                "your preferences (Google Calendar).", count=held.deletions, total=held.total, side=held.side))
        elif report.fatal is not None or report.error is not None:
            problems.insert(0, report.stopped)
        values["last_error"] = "\n".join(p for p in problems if p) or False
        if report.complete:
            values.update(last_success_at=fields.Datetime.now(), allow_deletions=False)
        return values

    # -- push notifications ----------------------------------------------------------------------

    @api.model
    def _webhook_url(self):
        """Where Google can notify this Odoo, or None: a public https address is required (a
        set ``google_calendar_sync.webhook_base_url`` overrides web.base.url, for proxies and tests)."""
        override = self._param(PARAM_WEBHOOK)
        if override:
            return override.rstrip("/") + WEBHOOK_PATH
        base = urlsplit(self._param("web.base.url"))
        if base.scheme != "https" or not base.hostname or base.hostname in LOCAL_HOSTS:
            return None
        return f"https://{base.netloc}{WEBHOOK_PATH}"

    def _keep_channel(self, client):
        """Have a live push channel when push is possible: open one, or a new one before the old
        expires (then stop the old). Failures only mean polling goes on."""
        address = self._webhook_url()
        soon = fields.Datetime.now() + CHANNEL_RENEWAL
        if address and self.channel_id and self.channel_expires_at and self.channel_expires_at > soon:
            return
        if not address and not self.channel_id:
            return  # polling only, as before: nothing to write
        previous = {name: self[name] for name in CHANNEL_FIELDS}
        values = dict.fromkeys(CHANNEL_FIELDS, False)
        if address:
            channel_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
            # Google's first message may arrive before watch() answers: it must find the channel.
            self.write(dict(values, channel_id=channel_id, channel_token=token))
            self._commit()
            try:
                channel = client.watch(self.calendar_id or "primary", channel_id, address, token,
                                       ttl_seconds=int(CHANNEL_TTL.total_seconds()))
            except EngineError as error:
                _logger.info("Google push channel for user %s not opened: %s", self.user_id.id, error)
                self.write(previous)
                return
            expires = expiry_from_ms(channel.get("expiration"))
            values = {"channel_id": channel_id, "channel_token": token, "channel_resource_id": channel["resourceId"],
                      "channel_expires_at": expires.replace(tzinfo=None) if expires else False}
        self.write(values)
        self._commit()  # Google's messages on the new channel are checked against it from now on
        if previous["channel_id"]:
            self._stop_channel(client, previous["channel_id"], previous["channel_resource_id"])

    def _stop_channel(self, client, channel_id, resource_id):
        try:
            client.stop_channel(channel_id, resource_id)
        except EngineError as error:  # it expires by itself within a week
            _logger.info("Google push channel %s not stopped: %s", channel_id, error)

    def _close_channel(self):
        """Stop this user's push channel (disconnect, reset), while the tokens still work."""
        for sync in self.filtered("channel_id"):
            try:
                client = sync._client()
            except GoogleAccountError:
                client = None
            if client is not None:
                sync._stop_channel(client, sync.channel_id, sync.channel_resource_id)
                client.session.close()
            sync.write(dict.fromkeys(CHANNEL_FIELDS, False))

    @api.model
    def _receive_notification(self, channel_id, token, resource_id, resource_state):
        """A POST from Google on the webhook: 'unknown', 'refused' (spoofed), 'handshake' (the first
        message of a channel) or 'queued' (a change: this user runs next)."""
        sync = self.sudo().search([("channel_id", "=", channel_id)], limit=1) if channel_id else self
        if not sync:
            return "unknown"
        if not (token and hmac.compare_digest(token.encode(), (sync.channel_token or "").encode())):
            return "refused"
        if resource_state == "sync":
            return "handshake"  # the channel's first message
        # Until watch() answered, the resource id is unknown: the secret token alone vouches.
        stored = sync.channel_resource_id
        if stored and not hmac.compare_digest((resource_id or "").encode(), stored.encode()):
            return "refused"
        sync._request_sync(urgent=True)
        return "queued"

    def _client(self):
        """gcal_engine's Calendar client for this user, paced below Google's per-user quota."""
        account = self.account_id
        quota = int(self._param(PARAM_QUOTA, "600") or 600)
        key = (self.env.cr.dbname, self.user_id.id)
        if key not in _PACERS or _PACERS[key].per_minute != quota:
            _PACERS[key] = Pacer(per_minute=quota)
        session = GoogleSession(
            account._google_credentials(),
            on_token_refreshed=account._save_refreshed_credentials,
            pacer=_PACERS[key],
        )
        return CalendarClient(session, self.env["google.account"]._endpoints())

    def _calendar_list(self):
        client = self._client()
        try:
            return client.calendar_list()
        finally:
            client.session.close()

    def _switch_calendar(self, calendar_id, name):
        """Synchronize with another Google calendar: the old bindings belong to the old one."""
        if calendar_id == self.calendar_id:
            return
        self._close_channel()
        self._forget_bindings()
        self.write({"calendar_id": calendar_id, "calendar_name": name})
        self._request_sync(urgent=True)

    # -- reset (the Reset Account wizard) ----------------------------------------------------

    def _reset(self, delete_policy, sync_policy, notify):
        """Delete the user's synchronized events where asked, revoke the grant, and start over.
        Returns the events Google would not delete (count, first reason), which stay on both sides.

        Google deletions go first, in batches: if Google deletes none, the reset stops with
        nothing changed. Deleting a series deletes its occurrences. ``sync_policy`` 'new' keeps
        everything that exists now out of the next synchronizations for good; 'all' sends and
        receives everything again (Odoo's version winning over the deletions just made on
        Google), and rebinds what both sides kept, without duplicates.
        """
        self.ensure_one()
        self._lock_for_reset()
        rows = self.binding_ids.filtered(lambda r: r.google_id and r.role == "organizer" and not r.series_binding_id)
        kept, reason = self.env["google.calendar.binding"], None
        if delete_policy in ("delete_google", "delete_both") and rows:
            kept, reason = self._delete_on_google(rows, notify)
        if delete_policy in ("delete_odoo", "delete_both"):
            doomed = rows - kept  # an event Google kept stays in Odoo too, still a pair
            calendar = self.env["calendar.event"].with_context(google_calendar_sync=True)
            series = doomed.recurrence_id
            (calendar.browse(doomed.event_id.ids) | series.calendar_event_ids).unlink()
            series.with_context(google_calendar_sync=True).unlink()
        self.account_id.action_disconnect()
        # Odoo keeps whole seconds: rounded up, "now" is after everything done so far, on Google too.
        now = fields.Datetime.now() + datetime.timedelta(seconds=1)
        self.write({
            "sync_since": now if sync_policy == "new" else False,
            "new_after_event_id": self._last_id("calendar.event") if sync_policy == "new" else 0,
            "new_after_series_id": self._last_id("calendar.recurrence") if sync_policy == "new" else 0,
            "deletions_held": False, "allow_deletions": False, "last_error": False,
        })
        self.request_ids.unlink()
        if delete_policy == "dont_delete" and sync_policy == "all":
            return len(kept), reason  # the bindings stay: the same account rebinds them (another forgets them)
        if sync_policy == "all":
            # Pairs Google would not break stay bound, so that sending everything again makes no copy.
            # (synced_email stays: should another account connect, every binding is forgotten then.)
            (self.binding_ids - kept - self.binding_ids.filtered(lambda r: r.series_binding_id in kept)).unlink()
            self.write({"sync_token": False, "retry_google_ids": False})
            self._requeue_existing(now)
        else:
            self._forget_bindings()
        return len(kept), reason

    def _lock_for_reset(self):
        """A reset while this user's run writes to Google would leave copies there: refuse. The
        run lock, taken until the reset's transaction ends, also keeps runs from starting."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [RUN_LOCK, self.id])
        if not self.env.cr.fetchone()[0]:
            raise UserError(self.env._(
                "A synchronization of %(user)s is running; reset their account in a minute.", user=self.user_id.name))

    def _last_id(self, model):
        """The newest record's id of ``model``, archived or not: ids only grow."""
        return self.env[model].sudo().with_context(active_test=False).search([], order="id desc", limit=1).id or 0

    def _delete_on_google(self, rows, notify):
        """Delete these bindings' events on Google, in batches: (the rows Google kept, why)."""
        client = self._client()
        writes = [Write("DELETE", self.calendar_id or "primary", row.google_id,
                        send_updates="all" if notify else "none") for row in rows]
        try:
            results = client.write_many(writes)
        except EngineError as error:
            results = [WriteResult(error=error)] * len(rows)
        finally:
            client.session.close()
        gone = (DeletedError, NotFoundError)
        failed = [(row, result.error) for row, result in zip(rows, results)
                  if result.error is not None and not isinstance(result.error, gone)]
        if len(failed) == len(rows):
            raise UserError(self.env._(
                "Google did not delete the events (%(error)s); nothing was reset. Try again later.",
                error=failed[0][1]))
        kept = self.env["google.calendar.binding"].browse([row.id for row, _error in failed])
        return kept, str(failed[0][1]) if failed else None

    def _requeue_existing(self, now):
        """'Synchronize all existing events': the user's events go again at the next connection,
        as changes made now (so they win over what this reset deleted on Google)."""
        bound = self.binding_ids
        events = self.env["calendar.event"].search([
            ("user_id", "=", self.user_id.id), ("recurrence_id", "=", False), ("active", "=", True),
            ("id", "not in", bound.event_id.ids)])
        series = self.env["calendar.recurrence"].search([
            ("base_event_id.user_id", "=", self.user_id.id), ("id", "not in", bound.recurrence_id.ids)])
        self.env["google.calendar.binding"].sudo().create(
            [{"sync_id": self.id, "local_ref": f"e{e.id}", "event_id": e.id, "dirty": True, "dirty_at": now,
              "notify": False} for e in events]
            + [{"sync_id": self.id, "local_ref": f"r{r.id}", "recurrence_id": r.id, "base_event_id": r.base_event_id.id,
                "dirty": True, "dirty_at": now, "notify": False} for r in series.filtered("calendar_event_ids")])

    def _forget_bindings(self):
        """Another Google account now: the old bindings and sync token mean nothing there."""
        self.binding_ids.unlink()
        self.write({"sync_token": False, "retry_google_ids": False, "synced_email": False})

    def _reset_after_disconnect(self):
        self._close_channel()
        self.write({"sync_token": False, "retry_google_ids": False, "running_since": False})
        self.request_ids.unlink()
