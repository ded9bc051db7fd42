"""One user's synchronization with one Google calendar: preferences, state, and the job queue.

A user's edits never wait on Google: they mark bindings dirty and set ``requested_at``; a cron
claims the users who asked (``SELECT ... FOR UPDATE SKIP LOCKED``, so several cron workers share
them and none runs a user twice), longest waiting first, within a time budget, and runs
gcal_engine for each. Every user also gets a run every poll interval, the fallback for changes
made on Google.
"""

import datetime
import logging
import time
import uuid

from gcal_engine.client import CalendarClient
from gcal_engine.errors import InvalidGrantError, QuotaExceededError
from gcal_engine.planner import Mode
from gcal_engine.sync import SyncConfig, Synchronizer
from gcal_engine.transport import GoogleSession, Pacer

from odoo import api, fields, models
from odoo.exceptions import AccessError

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
CRON_BUDGET = 240  # seconds of synchronization per cron run, all users together
STALE_CLAIM = datetime.timedelta(minutes=30)  # a run older than this was killed: claim it again


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
    requested_at = fields.Datetime(readonly=True, index=True, help="A run is queued since then.")
    running_since = fields.Datetime(readonly=True)
    synced_email = fields.Char(readonly=True, help="The Google account the bindings belong to.")
    sync_token = fields.Char(groups="base.group_system", copy=False, readonly=True)
    retry_google_ids = fields.Text(groups="base.group_system", copy=False, readonly=True)
    binding_ids = fields.One2many("google.calendar.binding", "sync_id", groups="base.group_system")

    _sql_constraints = [("user_unique", "unique(user_id)", "A user has one Google Calendar synchronization.")]

    @api.depends("enabled", "account_id.state", "last_run_at", "last_error", "requested_at", "running_since")
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
        """The syncs of ``users`` that send Odoo's changes to Google now (connected, on, two-way or
        Odoo to Google); only their events are queued, and Google announces them."""
        if not users:
            return self.browse()
        return self.sudo().search([
            ("user_id", "in", users.ids),
            ("enabled", "=", True),
            ("direction", "!=", "google_to_odoo"),
            ("account_id.state", "=", "connected"),
        ])

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
        self.sudo()._request_sync(priority=True)
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
            "queued": bool(sync.requested_at),
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

    def _request_sync(self, priority=False):
        """Queue a run for these syncs and wake the cron; a no-op while nothing can run."""
        now = fields.Datetime.now()
        waiting = self.filtered(lambda s: not s.requested_at)
        if priority:
            waiting = self
        if waiting:
            waiting.write({"requested_at": now})
        if self and not self._globally_paused():
            self.env.ref("google_calendar_sync.ir_cron_google_calendar_sync").sudo()._trigger()

    @api.model
    def _cron_run_jobs(self, budget=CRON_BUDGET):
        """Run the queued syncs, longest waiting first, until ``budget`` seconds are used."""
        if self._globally_paused():
            return
        self._queue_due_polls()
        deadline = time.monotonic() + budget
        while time.monotonic() < deadline:
            sync = self._claim()
            if not sync:
                return
            sync._run(time_budget=max(1, deadline - time.monotonic()))

    @api.model
    def _queue_due_polls(self):
        """Google changes arrive without a push channel too: every user runs once per poll interval."""
        minutes = int(self._param(PARAM_POLL_MINUTES, "15") or 15)
        due = self.sudo().search([
            ("enabled", "=", True), ("requested_at", "=", False), ("account_id.state", "=", "connected"),
            "|", ("last_run_at", "=", False),
            ("last_run_at", "<", fields.Datetime.now() - datetime.timedelta(minutes=minutes)),
        ])
        due.write({"requested_at": fields.Datetime.now()})
        self._commit()

    @api.model
    def _claim(self):
        """Take the next queued user: skipped by every other worker until this run ends."""
        self.flush_model(["requested_at", "running_since", "enabled"])
        self.env["google.account"].flush_model(["state"])
        self.env.cr.execute(
            """
            UPDATE google_calendar_sync SET running_since = %(now)s, requested_at = NULL
             WHERE id = (
                SELECT s.id FROM google_calendar_sync s
                  JOIN google_account a ON a.id = s.account_id
                 WHERE s.requested_at IS NOT NULL AND s.enabled AND a.state = 'connected'
                   AND (s.running_since IS NULL OR s.running_since < %(stale)s)
                 ORDER BY s.requested_at, s.id
                 LIMIT 1
                   FOR UPDATE OF s SKIP LOCKED)
            RETURNING id
            """,
            {"now": fields.Datetime.now(), "stale": fields.Datetime.now() - STALE_CLAIM},
        )
        row = self.env.cr.fetchone()
        self.invalidate_model(["running_since", "requested_at"])
        self._commit()
        return self.sudo().browse(row[0]) if row else self.browse()

    def _commit(self):
        """Make a claim or a run's outcome visible to the other cron workers now."""
        if not self.env.registry.in_test_mode():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # -- a run -----------------------------------------------------------------------------------

    def _run(self, time_budget=None):
        """One synchronization run of this user; the outcome lands on the record, never raises."""
        self.ensure_one()
        sync = self.sudo()
        started = fields.Datetime.now()
        if sync.requested_at:
            sync.requested_at = False  # what is asked from now on needs a run after this one
        values = {"running_since": False, "last_run_at": started}
        try:
            report = sync._synchronize(time_budget)
        except GoogleAccountError as error:
            values.update(last_error=f"{error.cause} {error.fix}".strip(), last_summary=False)
            if isinstance(error, GoogleReconnectRequired):
                values["requested_at"] = False
        except Exception as error:  # pylint: disable=broad-exception-caught
            if self.env.registry.in_test_mode():
                raise
            # A bug must not stop the other users' runs: keep what was committed, say what failed.
            _logger.exception("Google Calendar synchronization of user %s failed", sync.user_id.id)
            self.env.cr.rollback()
            values.update(last_error=self.env._("Unexpected error (%(error)s); see the server log.",
                                                error=type(error).__name__), last_summary=False)
        else:
            values.update(sync._outcome(report))
        sync.write(values)
        self._commit()
        return values

    def _synchronize(self, time_budget):
        account = self.account_id
        if self.synced_email and self.synced_email != account.email:
            self._forget_bindings()
        client = self._client()
        config = SyncConfig(
            calendar_id=self.calendar_id or "primary", mode=MODES[self.direction], time_budget=time_budget,
        )
        try:
            report = Synchronizer(client, OdooCalendar(self), config).run()
        finally:
            client.session.close()
        if isinstance(report.fatal, InvalidGrantError):
            account._lose_connection(report.fatal)
        return report

    def _outcome(self, report):
        """Record values for a run report: the summary, and the problem in plain words."""
        values = {"last_summary": report.summary()[:250], "synced_email": self.account_id.email}
        problems = [f"{p.summary or p.google_id or p.local_id}: {p.message}" for p in report.problems[:5]]
        if isinstance(report.fatal, QuotaExceededError):
            problems.insert(0, self.env._(
                "Google Calendar's usage limits were reached for this account; the synchronization "
                "resumes by itself later."))
        elif report.fatal is not None:
            problems.insert(0, report.stopped)
        elif report.error is not None or report.stopped and not report.complete:
            problems.insert(0, report.stopped)
        values["last_error"] = "\n".join(p for p in problems if p) or False
        if report.complete:
            values["last_success_at"] = fields.Datetime.now()
        elif report.fatal is None and report.error is None and report.stopped and "time budget" in report.stopped:
            values["requested_at"] = fields.Datetime.now()  # continue in the next cron run
        return values

    def _client(self):
        """gcal_engine's Calendar client for this user, paced below Google's per-user quota."""
        account = self.account_id
        quota = int(self._param(PARAM_QUOTA, "600") or 600)
        session = GoogleSession(
            account._google_credentials(),
            on_token_refreshed=account._save_refreshed_credentials,
            pacer=Pacer(per_minute=quota),
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
        self._forget_bindings()
        self.write({"calendar_id": calendar_id, "calendar_name": name})
        self._request_sync(priority=True)

    def _forget_bindings(self):
        """Another Google account now: the old bindings and sync token mean nothing there."""
        self.binding_ids.unlink()
        self.write({"sync_token": False, "retry_google_ids": False, "synced_email": False})

    def _reset_after_disconnect(self):
        self.write({"sync_token": False, "retry_google_ids": False, "requested_at": False, "running_since": False})
