"""One synchronization run of one user, and its outcome on the record and in the log.

A run never raises: one user's problem must not stop the cron job from running the others.
It runs under the user's run lock (a claim holds it already; it is reentrant), so a user that
another worker runs now, or that an administrator resets, is not run.
"""

import datetime
import logging

import psycopg2

from gcal_engine.errors import InvalidGrantError, MassDeletionError
from gcal_engine.planner import Mode
from gcal_engine.sync import SyncConfig, Synchronizer

from odoo import fields

from odoo.addons.google_account.exceptions import GoogleAccountError, GoogleReconnectRequired

from . import messages
from .google_client import calendar_client, primary_email
from .odoo_calendar import OdooCalendar
from .push_channel import PushChannel
from .run_queue import RunQueue
from .transaction import Transaction

_logger = logging.getLogger(__name__)

MODES = {"two_way": Mode.TWO_WAY, "odoo_to_google": Mode.LOCAL_TO_GOOGLE, "google_to_odoo": Mode.GOOGLE_TO_LOCAL}
PROBLEMS_SHOWN = 5  # on the record; the log lists them all


class SyncRun:
    def __init__(self, sync):
        # The words of the run (log, status) are the user's: their language and time zone.
        user = sync.sudo().user_id
        self.sync = sync.sudo().with_context(lang=user.lang, tz=user.tz)
        self.env = self.sync.env
        self.transaction = Transaction(self.env)

    def execute(self, time_budget=None):
        """Run and record the outcome; the values written on the record ({} when not run)."""
        queue = RunQueue(self.env)
        if not queue.try_run_lock(self.sync.id):
            return {}
        try:
            return self._locked(time_budget)
        finally:
            queue.release_run_lock(self.sync.id)

    def _locked(self, time_budget):
        sync = self.sync
        sync.request_ids.unlink()  # served by this run; what is asked from now on gets another
        self.needed_action = self._action_needed()
        log = self.env["google.calendar.sync.log"].sudo().create({"sync_id": sync.id})
        self.transaction.commit()  # the run shows as running, and its progress is read from elsewhere
        values = {"running_since": False, "last_run_at": log.started_at}
        try:
            report = self._synchronize(time_budget, log)
        except GoogleAccountError as error:
            # The account's new state (needs reconnection) belongs to this transaction: kept.
            message = f"{error.cause} {error.fix}".strip()
            reconnect = isinstance(error, GoogleReconnectRequired)
            values.update(last_error=message, last_summary=False,
                          last_error_title=self.env._("Needs reconnection") if reconnect else self.env._("Error"))
            self._finish(values, lambda: log._failed(message),
                         forget_requests=reconnect)
        except psycopg2.errors.SerializationFailure:
            # A person saved their preferences while the run wrote its state: what the run
            # committed stays (Google's writes are idempotent), and the next run goes on.
            self.transaction.rollback()
            message = self.env._("Interrupted by a change made meanwhile; the next run goes on.")
            self._finish(values, lambda: log._failed(message), again=True)
        except Exception as error:  # pylint: disable=broad-exception-caught
            # A bug must not stop the other users' runs: keep what was committed, say what failed.
            _logger.exception("Google Calendar synchronization of user %s failed", sync.user_id.id)
            self.transaction.rollback()
            message = self.env._("Unexpected error (%(error)s); see the server log.", error=type(error).__name__)
            values.update(last_error=message, last_summary=False, last_error_title=self.env._("Error"))
            self._finish(values, lambda: log._failed(message))
        else:
            values.update(self._outcome(report))
            self._finish(values, lambda: log._record(report, self.calendar.cuts), again=report.timed_out)
        return values

    def _synchronize(self, time_budget, log):
        sync = self.sync
        account = sync.account_id
        if sync.synced_email and sync.synced_email != account.email:
            sync._forget_bindings()
        client = calendar_client(sync)
        if not account.email:
            account.email = primary_email(client)
        config = SyncConfig(
            calendar_id=sync.calendar_id or "primary", mode=MODES[sync.direction], time_budget=time_budget,
            created_after=sync.sync_since.replace(tzinfo=datetime.timezone.utc) if sync.sync_since else None,
            allow_mass_deletion=sync.allow_deletions,
        )
        try:
            self.calendar = OdooCalendar(sync)
            report = Synchronizer(client, self.calendar, config, progress=log._progress).run()
            if report.complete:
                PushChannel(sync).keep(client)
        finally:
            client.session.close()
        if isinstance(report.fatal, InvalidGrantError):
            account._lose_connection(report.fatal)
        return report

    def _outcome(self, report):
        """Record values for a run report: the summary, and the problems in plain words."""
        env = self.env
        values = {
            "last_summary": env["google.calendar.sync.log"]._summary(report) or False,
            "synced_email": self.sync.account_id.email,
            "deletions_held": isinstance(report.fatal, MassDeletionError),
        }
        problems = [f"{p.summary or p.google_id or p.local_ref}: {messages.problem(env, p.error)}"
                    for p in report.problems[:PROBLEMS_SHOWN]]
        title = env._("Some events failed") if problems else False
        if report.fatal is not None or report.error is not None:
            problems.insert(0, messages.stop(env, report))
            title = messages.headline(env, report.fatal or report.error)
        values["last_error"] = "\n".join(problems) or False
        values["last_error_title"] = title
        if report.complete:
            values.update(last_success_at=fields.Datetime.now(), allow_deletions=False)
        return values

    def _action_needed(self):
        """What the user must do now, in words, or False: reconnect, or confirm deletions."""
        sync = self.sync
        if sync.account_id.state == "needs_reconnect":
            return sync.account_id.last_error or self.env._("Connect Google Calendar again.")
        if sync.deletions_held:
            return sync.last_error
        return False

    def _tell_user(self):
        """A notification in the user's open Odoo (Odoo's bus) when their synchronization has
        just come to need them; once, not at every run."""
        needed = self._action_needed()
        if needed and not self.needed_action:
            self.sync.user_id.partner_id._bus_send("simple_notification", {
                "type": "warning", "sticky": True, "message": needed,
                "title": self.env._("Google Calendar needs you"),
            })

    def _finish(self, values, record_log, forget_requests=False, again=False):
        """Write a run's outcome and end the claim; made again on a fresh snapshot when the record
        was written meanwhile. Whatever happens, the claim ends."""
        sync = self.sync

        def save():
            record_log()
            sync.write(values)
            self._tell_user()
            if forget_requests:
                sync.request_ids.unlink()
            if again:  # the time budget ran out, or the run was interrupted: the next one goes on
                self.env["google.calendar.sync.request"].create({"sync_id": sync.id})

        if not self.transaction.retrying(save):
            _logger.error("Google Calendar: the outcome of user %s's run was not saved", sync.user_id.id)
            self.env.cr.execute("UPDATE google_calendar_sync SET running_since = NULL WHERE id = %s", [sync.id])
            self.transaction.commit()
