"""One synchronization run of one user, and its outcome on the record and in the log.

A run never raises: one user's problem must not stop the cron job from running the others.
It runs under the user's run lock (a claim holds it already; it is reentrant), so a user that
another worker runs now, or that an administrator resets, is not run.
"""

import datetime
import json
import logging

import psycopg2

from gcal_engine.actions import Mode, RunKind
from gcal_engine.errors import EngineError, MassDeletionError
from gcal_engine.mapping import default_reminders
from gcal_engine.model import Reminder
from gcal_engine.sync import SyncConfig, Synchronizer

from odoo import fields

from odoo.addons.google_account.exceptions import GoogleAccountError, GoogleReconnectRequired

from ..words import messages
from ..gateway.google_client import calendar_client, primary_email
from ..port.odoo_calendar import OdooCalendar
from .push_channel import PushChannel
from .run_queue import RunQueue
from ..rules.sync_window import EXTENSION_STEP, sync_window
from .transaction import Transaction

_logger = logging.getLogger(__name__)

MODES = {"two_way": Mode.TWO_WAY, "odoo_to_google": Mode.LOCAL_TO_GOOGLE, "google_to_odoo": Mode.GOOGLE_TO_LOCAL}
REMINDERS_REFRESH = datetime.timedelta(days=7)  # how long the calendar's default reminders are taken as known
PROBLEMS_SHOWN = 5  # on the record; the log lists them all
CALENDAR_CHANGED = "google_calendar_sync/calendar_changed"  # the bus notification the Google button listens to


def run_queued(queue, budget=None):
    """A cron job's work: the runs the queue (a ``RunQueue``) serves, until its budget is used."""
    for sync, time_left in queue.serve(budget):
        SyncRun(sync, queue).execute(time_left)


def run_now(sync, time_budget=None):
    """One run of ``sync`` now, logged; never raises. The values written ({}: not run, as when
    another worker runs it)."""
    sync.ensure_one()
    return SyncRun(sync, RunQueue(sync.env)).execute(time_budget)


class SyncRun:
    """Started by ``run_queued`` or ``run_now``: the one place a run starts. It takes the user's
    run lock and the requests it serves from the queue."""

    def __init__(self, sync, queue):
        self.sync = sync.sudo()
        self.env = self.sync.env
        self.queue = queue
        self.transaction = Transaction(self.env)
        self.started_at = fields.Datetime.now()
        self.log = None  # made by the first step that did something (see _progress)
        self.series_left = False  # series whose next occurrences the run had no room for
        self.series_due_at = None  # when the series are next due, once they were brought up to date

    def execute(self, time_budget=None):
        """Run and record the outcome; the values written on the record ({} when not run)."""
        queue = self.queue
        started = queue.start_run(self.sync)
        if started is None:
            return {}
        try:
            # The requests served are gone before anything is read: a change committed from now
            # on finds no request, and asks for another run.
            self.transaction.commit()
            # The words of the run (log, status) are the user's: their language and time zone.
            lang, tz = started
            self.sync = self.sync.with_context(lang=lang, tz=tz)
            self.env = self.sync.env
            return self._locked(time_budget)
        finally:
            queue.release_run_lock(self.sync.id)

    def _locked(self, time_budget):
        sync = self.sync
        self.deletions_to_confirm = self._deletions_to_confirm()
        values = {"running_since": False, "last_run_at": self.started_at}
        try:
            report = self._synchronize(time_budget)
        except GoogleAccountError as error:
            # The account's new state (needs reconnection) belongs to this transaction: kept.
            message = f"{error.cause} {error.fix}".strip()
            reconnect = isinstance(error, GoogleReconnectRequired)
            values.update(last_error=message, last_summary=False,
                          last_error_title=self.env._("Needs reconnection") if reconnect else self.env._("Error"))
            self._finish(values, lambda log: log._failed(message), forget_requests=reconnect)
        except psycopg2.errors.SerializationFailure:
            # A person saved their preferences while the run wrote its state: what the run
            # committed stays (Google's writes are idempotent), and the next run goes on.
            self.transaction.rollback()
            message = self.env._("Interrupted by a change made meanwhile; the next run goes on.")
            self._finish(values, lambda log: log._failed(message), again=True)
        except EngineError as error:
            # Google refused a call made before the engine's run (the account's address): the run
            # ends as the engine's would have, with what was done kept (a refused grant is saved).
            message = messages.problem(self.env, error)
            values.update(last_error=message, last_summary=False, last_error_title=messages.headline(self.env, error))
            self._finish(values, lambda log: log._failed(message))
        except Exception as error:  # pylint: disable=broad-exception-caught
            # A bug must not stop the other users' runs: keep what was committed, say what failed.
            _logger.exception("Google Calendar synchronization of user %s failed", sync.user_id.id)
            self.transaction.rollback()
            message = self.env._("Unexpected error (%(error)s); see the server log.", error=type(error).__name__)
            values.update(last_error=message, last_summary=False, last_error_title=self.env._("Error"))
            self._finish(values, lambda log: log._failed(message))
        else:
            values.update(self._outcome(report))
            if self.series_due_at is not None:
                values["series_due_at"] = self.series_due_at
            idle = self.log is None and not sync.last_error and self._idle(report)
            self._finish(values, None if idle else lambda log: log._record(report, self.calendar.cuts),
                         again=report.timed_out or bool(report.deferred) or self.series_left,
                         shown=report.changed_local)
        return values

    @staticmethod
    def _idle(report):
        """A complete run of changes that found nothing to do: it leaves no log row, only its time
        on the record (the user still sees when it ran), so that polls do not fill the log. A
        first synchronization or a resynchronization is always logged."""
        return report.complete and report.kind == RunKind.INCREMENTAL.value and not (
            report.processed or report.conflicts or report.problems or report.skipped)

    def _new_log(self):
        Log = self.env["google.calendar.sync.log"].sudo()
        return Log.create({"sync_id": self.sync.id, "started_at": self.started_at})

    def _progress(self, report):
        """Called by the engine after each step: a first sync of thousands shows it advancing in
        the log, whose row the first step that did something makes."""
        if self.log is None and not report.processed:
            return
        self.log = self.log or self._new_log()
        self.log._progress(report)

    def _synchronize(self, time_budget):
        sync = self.sync
        account = sync.account_id
        sync._forget_replaced_account()
        client = calendar_client(sync)
        if not account.email:
            account.email = primary_email(client)
        past, future = sync_window(self.env)
        config = SyncConfig(
            calendar_id=sync.calendar_id or "primary", mode=MODES[sync.direction], time_budget=time_budget,
            past=past, future=future,
            created_after=sync.sync_since.replace(tzinfo=datetime.timezone.utc) if sync.sync_since else None,
            allow_mass_deletion=sync.allow_deletions,
        )
        try:
            self.calendar = OdooCalendar(sync, self._default_reminders(client))
            report = Synchronizer(client, self.calendar, config, progress=self._progress).run()
            if report.complete:
                PushChannel(sync).keep(client)
                self._extend_series(report)
        finally:
            client.session.close()
        return report

    def _extend_series(self, report):
        """The window moved on since the series were made: their next occurrences, once a day, or
        at once after a run that made series or had no room for all of them. An idle run the
        rest of the day asks nothing of the database for it (it reads the record it has)."""
        now = fields.Datetime.now()
        made = report.counts.created_local or report.counts.updated_local
        if not made and self.sync.series_due_at and self.sync.series_due_at > now:
            return
        self.series_left = self.calendar.extend_series()
        self.series_due_at = now if self.series_left else now + EXTENSION_STEP

    def _default_reminders(self, client):
        """The Google calendar's default reminders, asked of Google once a week (one request)."""
        sync = self.sync
        if not sync.default_reminders_at or sync.default_reminders_at < fields.Datetime.now() - REMINDERS_REFRESH:
            try:
                entry = client.calendar_entry(sync.calendar_id or "primary")
            except EngineError:
                entry = None  # the run meets the same problem, and says it; the known ones serve meanwhile
            if entry is not None:
                sync.write({"default_reminders": json.dumps([[r.method, r.minutes] for r in default_reminders(entry)]),
                            "default_reminders_at": fields.Datetime.now()})
        return tuple(Reminder(method, minutes) for method, minutes in json.loads(sync.default_reminders or "[]"))

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

    def _deletions_to_confirm(self):
        """The held deletions the user must confirm, in words, or False. (A lost connection is
        told by the account itself, whatever found it: see models/google_account.py.)"""
        return self.sync.deletions_held and self.sync.last_error

    def _tell_user(self):
        """A notification in the user's open Odoo (Odoo's bus) when their synchronization has
        just come to need them; once, not at every run."""
        needed = self._deletions_to_confirm()
        if needed and not self.deletions_to_confirm:
            self.sync.user_id.partner_id._bus_send("simple_notification", {
                "type": "warning", "sticky": True, "message": needed,
                "title": self.env._("Google Calendar needs you"),
            })

    def _finish(self, values, record_log, forget_requests=False, again=False, shown=False):
        """Write a run's outcome (``record_log(log)`` in the log, unless None) and end the claim:
        the values that changed, in one statement; made again on a fresh snapshot when the record
        was written meanwhile. Whatever happens, the claim ends. ``shown``: the run changed the
        user's calendar in Odoo, which their open pages then show (see static/src)."""
        sync = self.sync

        def save():
            if record_log is not None:
                record_log(self.log or self._new_log())
            changed = {name: value for name, value in values.items() if sync[name] != value}
            if changed:
                sync.write(changed)
            self._tell_user()
            if shown:
                # The Calendar app open in the user's browser reloads its events (Odoo's bus).
                self.sync.user_id.partner_id._bus_send(CALENDAR_CHANGED, {})
            if forget_requests:
                self.queue.served(sync)
            if again:  # the time budget ran out, or the run was interrupted: the next one goes on
                self.queue.requeue(sync)

        if not self.transaction.retrying(save):
            _logger.error("Google Calendar: the outcome of user %s's run was not saved", sync.user_id.id)
            self.env.cr.execute("UPDATE google_calendar_sync SET running_since = NULL WHERE id = %s", [sync.id])
            self.transaction.commit()
