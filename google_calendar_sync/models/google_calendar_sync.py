"""One user's synchronization with one Google calendar: its preferences, its state, and the
actions of the Google button, the preferences and the cron jobs.

The work itself lives in packages named after their jobs (see docs/architecture.md): runs, their
queue and push channels in ``jobs/``, Google's client in ``gateway/``, the engine's LocalCalendar
over the ORM in ``port/``, the words in ``words/``, the rules of who sends and what range in
``rules/``. The Reset Account wizard's logic is next to it (wizard/account_reset).
"""

import json
import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..compat import Constraint
from ..port import binder
from ..words import status
from ..gateway.google_client import calendar_client
from ..jobs.push_channel import PushChannel
from ..jobs import sync_run
from ..jobs.run_queue import RunQueue

DIRECTIONS = [
    ("two_way", "Both ways"),
    ("odoo_to_google", "Odoo to Google only"),
    ("google_to_odoo", "Google to Odoo only"),
]
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
# What each direction carries: Google's changes into Odoo, Odoo's to Google.
CARRIES = {"two_way": {"google", "odoo"}, "odoo_to_google": {"odoo"}, "google_to_odoo": {"google"}}
PARAM_PAUSED = "google_calendar_sync.paused"
PARAM_NAMESPACE = "google_calendar_sync.namespace"


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
    default_reminders = fields.Char(
        readonly=True, help="The Google calendar's default reminders (JSON), for its events that use them.")
    default_reminders_at = fields.Datetime(readonly=True, help="When Google was last asked for them.")
    show_declined = fields.Boolean(
        "Show Declined Events",
        help="Keep the events you declined on your Google calendar too (an organizer's invitation stays on it "
             "in any case, as Google keeps it).")
    state = fields.Selection(STATES, compute="_compute_state")
    last_run_at = fields.Datetime("Last Synchronization", readonly=True)
    last_success_at = fields.Datetime("Last Success", readonly=True)
    last_summary = fields.Char("Last Result", readonly=True)
    last_error = fields.Text("Last Problem", readonly=True)
    last_error_title = fields.Char("Problem", readonly=True, help="The last problem in a few words.")
    request_ids = fields.One2many("google.calendar.sync.request", "sync_id", groups="base.group_system")
    requested_at = fields.Datetime(compute="_compute_requested_at", help="A run is queued since then.")
    running_since = fields.Datetime(readonly=True)
    synced_email = fields.Char(readonly=True, help="The Google account the bindings belong to.")
    sync_token = fields.Char(groups="base.group_system", copy=False, readonly=True)
    retry_google_ids = fields.Text(groups="base.group_system", copy=False, readonly=True)
    # Spans of time an administrator added to the synchronized window, still to list (JSON).
    added_ranges = fields.Text(groups="base.group_system", copy=False, readonly=True)
    deletions_held = fields.Boolean(
        "Deletions Waiting", readonly=True,
        help="The last run stopped before deleting much of the calendar at once; they go once confirmed.")
    allow_deletions = fields.Boolean(readonly=True, help="Confirmed: the next complete run makes the held deletions.")
    sync_since = fields.Datetime(
        readonly=True, help="After a reset to \"only new events\": Google events created before stay out.")
    series_due_at = fields.Datetime(
        readonly=True, copy=False,
        help="When the Google series next get the occurrences that entered the window (empty: at the next run).")
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

    _user_unique = Constraint("unique(user_id)", "A user has one Google Calendar synchronization.")

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
        live, paused = self._live(), self._globally_paused()
        for sync in self:
            sync.state = status.state_of(sync, sync in live, paused)

    def write(self, vals):
        """A sync turned on or off, or its direction changed: the events of the user change hands
        on their attendees' calendars (see port/attendance.py). A direction that now carries what
        the old one left aside lists the calendar again (``_direction_widened``)."""
        watched = {"enabled", "direction"} & set(vals)
        before = {sync.id: (sync.enabled, sync.direction) for sync in self} if watched else {}
        result = super().write(vals)
        changed = self.filtered(lambda sync: sync.id in before and (sync.enabled, sync.direction) != before[sync.id])
        if changed:
            binder.recheck_people(self.env, changed.user_id)
            changed.filtered(lambda sync: CARRIES[sync.direction] - CARRIES[before[sync.id][1]])._direction_widened()
        return result

    # -- settings ------------------------------------------------------------------------------

    @api.model
    def _param(self, key, default=""):
        return self.env["ir.config_parameter"].sudo().get_param(key, default)

    @api.model
    def _globally_paused(self):
        return self._param(PARAM_PAUSED) == "True"

    # -- who sends, who runs: these rules are written here only --------------------------------

    @api.model
    def _sending_domain(self):
        """The syncs that send their user's changes to Google: connected once (a grant to renew
        too) with a direction that sends. Paused ones too: their changes wait, and go when they run."""
        return [("direction", "!=", "google_to_odoo"), ("account_id.state", "in", ("connected", "needs_reconnect"))]

    @api.model
    def _live_domain(self, admin_pause=True):
        """The syncs that run now: connected, and paused neither by their user nor by an
        administrator. Runs are queued for them, claimed, and Google announces their changes (Odoo
        mails for the others). ``admin_pause=False``: as if no administrator paused everyone, for
        who carries an organizer's events (that pause stops every run alike, it moves nothing)."""
        if admin_pause and self._globally_paused():
            return [("id", "in", [])]
        return [("enabled", "=", True), ("account_id.state", "=", "connected")]

    def _live(self):
        """Those of these syncs that run now (see ``_live_domain``)."""
        return self.sudo().filtered_domain(self._live_domain()).with_env(self.env)

    @api.model
    def _subquery(self, domain):
        """The ids of the syncs in ``domain``, as a subquery for statements written in SQL (what
        it reads is flushed first: a pause or a disconnection earlier in the transaction counts)."""
        query = self.sudo()._search(domain).subselect()
        for field in query.to_flush:
            self.env[field.model_name].flush_model([field.name])
        return query

    @api.model
    def _namespace(self):
        """A random id for this database's links on Google: no database name, survives a rename.
        Made at install (data/ir_config_parameter_data.xml), before any run could race to."""
        namespace = self._param(PARAM_NAMESPACE)
        if not namespace:
            namespace = uuid.uuid4().hex[:12]
            self.env["ir.config_parameter"].sudo().set_param(PARAM_NAMESPACE, namespace)
        return namespace

    @api.model
    def _for_user(self, user):
        """The synchronization of ``user``, created on first use (sudo: server code only); an
        internal user's only."""
        sync = self.sudo().search([("user_id", "=", user.id)], limit=1)
        if not sync:
            self._check_internal(user)
            account = self.env["google.account"]._for_user(user)
            sync = self.sudo().create({"user_id": user.id, "account_id": account.id})
        return sync

    @api.model
    def _check_internal(self, user):
        """Google Calendar synchronization is for the company's users: a portal or public user
        (calling, or acted on) gets an AccessError, and nothing is stored for them."""
        if not user._is_internal():
            raise AccessError(self.env._("Google Calendar synchronization is for the company's internal users."))

    def _check_own(self):
        """Users act on their own synchronization (record rules hide the others'); administrators
        on anyone's. Changes then go through sudo: users cannot write these records directly."""
        self.check_access("read")
        if any(sync.user_id != self.env.user for sync in self) and not self.env.user._is_system():
            raise AccessError(self.env._("You can only manage your own Google Calendar synchronization."))

    # -- actions (buttons, the calendar's Google button) -----------------------------------------

    def action_sync_now(self):
        self._check_own()
        self.sudo()._sync_now()
        return self._status()

    def action_pause(self):
        self._check_own()
        self.sudo().write({"enabled": False})
        return True

    def action_resume(self):
        self._check_own()
        self.sudo().write({"enabled": True})
        self.sudo()._sync_now()
        return True

    def action_allow_deletions(self):
        """The held deletions were meant (a calendar emptied on purpose): the next run makes them."""
        self._check_own()
        self.sudo().write({"allow_deletions": True})
        self.sudo()._sync_now()
        return True

    def action_disconnect(self):
        self._check_own()
        self.sudo().account_id.action_disconnect()
        return True

    def _status(self):
        """What the Google button shows (see words/status)."""
        self.ensure_one()
        return status.of_sync(self.sudo())

    @api.model
    def get_google_status(self):
        """The Google button's first question: is this user connected, and how is their sync?"""
        user = self.env.user
        self._check_internal(user)
        account = self.env["google.account"].sudo().search([("user_id", "=", user.id)], limit=1)
        if not account or account.state != "connected":
            return status.not_connected(self, account)
        return dict(self._for_user(user).with_user(user)._status(), configured=True, is_admin=user._is_system())

    @api.model
    def google_connect_url(self, return_url=None):
        """Google's consent page for the current user (the first click on the Google button)."""
        return self.env["google.account"]._authorization_url(return_url)

    @api.model
    def google_sync_now(self):
        """The Google button, once connected: queue a run now and answer at once; a paused
        synchronization is not queued (its status says why)."""
        sync = self._for_user(self.env.user).with_user(self.env.user)
        if not sync._live():
            return sync._status()
        return sync.action_sync_now()

    @api.model
    def google_resume(self):
        """The Google button of a user who paused their synchronization: resume it, run now."""
        sync = self._for_user(self.env.user).with_user(self.env.user)
        sync.action_resume()
        return sync._status()

    # -- the work (jobs/) -------------------------------------------------------------------------

    def _request_sync(self, urgent=False):
        """Queue a run of these syncs; it never waits on Google."""
        RunQueue(self.env).request(self, urgent=urgent)

    def _sync_now(self):
        """A person asked for a run of these syncs now: a cron worker comes (see RunQueue.sync_now)."""
        RunQueue(self.env).sync_now(self)

    @api.model
    def _cron_run_jobs(self, budget=None):
        sync_run.run_queued(RunQueue(self.env), budget)

    def _client(self):
        return calendar_client(self.sudo())

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
        PushChannel(self).close()
        self._forget_bindings()
        self.write({"calendar_id": calendar_id, "calendar_name": name, "default_reminders_at": False})
        self._sync_now()

    def _direction_widened(self):
        """The direction now carries changes the old one left aside: they wait, unapplied, on their
        side (see gcal_engine.planner), and what was new there then was never taken. The next run
        lists the window whole again (a resynchronization: it binds what both sides have, mails
        nobody), then sends or takes what waited."""
        self.write({"sync_token": False})
        self.filtered("enabled")._request_sync(urgent=True)

    def _window_widened(self, spans):
        """The administrator widened the synchronized window by ``spans`` ((start, end) pairs, in
        UTC): the next run of each lists them once in full, beside its usual changes (the sync
        token goes on): what lies there is taken and sent as in a first synchronization."""
        for sync in self:
            known = json.loads(sync.added_ranges or "[]")
            sync.added_ranges = json.dumps(known + [[start.isoformat(), end.isoformat()] for start, end in spans])
        self.filtered("enabled")._request_sync()

    def _forget_bindings(self):
        """Another Google calendar or account now: the old bindings and sync token mean nothing
        there. What they knew of each event's identity on Google stays (Binder.forget): the
        next full list finds the events both sides already have, in the first calendar too."""
        for sync in self.sudo():
            binder.Binder(sync).forget()
        self.write({"sync_token": False, "retry_google_ids": False, "synced_email": False})

    def _calendar_key(self):
        """The Google calendar synchronized, as the identity memory names it: its id, a primary
        calendar by its owner's address (the account the bindings were made with)."""
        self.ensure_one()
        if self.calendar_id and self.calendar_id != "primary":
            return self.calendar_id
        return self.synced_email or self.account_id.email or "primary"

    def _forget_replaced_account(self):
        """The bindings belong to the Google account they were made with (``synced_email``): they
        are forgotten when another connects (a run or a reset checks again: the address of an
        account may be learnt later)."""
        self.filtered(lambda sync: sync.synced_email and sync.synced_email != sync.account_id.email)._forget_account()

    def _forget_account(self):
        """Another Google account is connected than the one the bindings belong to (from "needs
        reconnection" too): nor do the old account's push channel and calendar mean anything."""
        for sync in self:
            PushChannel(sync).forget()
        self._forget_bindings()
        self.write({"calendar_id": "primary", "calendar_name": self._fields["calendar_name"].default(self),
                    "default_reminders_at": False})

    def _reset_after_disconnect(self):
        for sync in self:
            PushChannel(sync).close()
        self.write({"sync_token": False, "retry_google_ids": False, "running_since": False})
        self.request_ids.unlink()
