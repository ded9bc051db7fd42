"""What the Reset Account wizard does to one user's synchronization, option by option.

Google deletions go first, in batches: if Google deletes none, the reset stops with nothing
changed. Deleting a series deletes its occurrences. "Synchronize only new events" keeps
everything that exists now out of the next synchronizations, until a reset to "all existing
events", which sends and receives everything again (Odoo's version winning over the deletions
just made on Google, a series with its changed and deleted occurrences), and rebinds what both
sides kept, without duplicates.
"""

import datetime

from gcal_engine.client import Write, WriteResult
from gcal_engine.errors import DeletedError, EngineError, NotFoundError

from odoo import fields
from odoo.exceptions import UserError

from odoo.addons.google_account.exceptions import GoogleReconnectRequired

from ..words import messages
from ..port.binder import Binder
from ..gateway.google_client import calendar_client
from ..jobs.run_queue import RunQueue


class GrantRefused(UserError):
    """Google refused the user's grant before deleting anything: nothing was reset. The account
    now says "needs reconnection": the caller keeps that (answers, rather than rolling back)."""


class AccountReset:
    def __init__(self, sync):
        self.sync = sync.sudo()
        self.env = self.sync.env
        self.binder = Binder(self.sync)

    def apply(self, delete_policy, sync_policy, notify):
        """Delete the user's synchronized events where asked, revoke the grant, and start over.
        Returns the events Google would not delete (count, first reason), which stay on both sides."""
        sync, queue = self.sync, RunQueue(self.env)
        # The user's run lock while the reset works, so that no run starts meanwhile; once it has
        # written the sync's record, that row's lock holds claims back until the reset commits.
        if not queue.try_run_lock(sync.id):
            raise UserError(self.env._(
                "A synchronization of %(user)s is running; reset their account in a minute.", user=sync.user_id.name))
        try:
            return self._reset(delete_policy, sync_policy, notify)
        finally:
            queue.release_run_lock(sync.id)

    def _reset(self, delete_policy, sync_policy, notify):
        sync = self.sync
        sync._forget_replaced_account()  # another account's events are not the ones to reset
        rows = sync.binding_ids.filtered(lambda r: r.google_id and r.access == "organizer" and not r.series_binding_id)
        kept, reason = self.env["google.calendar.binding"], None
        if delete_policy in ("delete_google", "delete_both") and rows:
            kept, reason = self._delete_on_google(rows, notify)
        if delete_policy in ("delete_odoo", "delete_both"):
            doomed = rows - kept  # an event Google kept stays in Odoo too, still a pair
            calendar = self.env["calendar.event"].with_context(google_calendar_sync=True)
            series = doomed.recurrence_id
            (calendar.browse(doomed.event_id.ids) | series.calendar_event_ids).unlink()
            series.with_context(google_calendar_sync=True).unlink()
        # Odoo keeps whole seconds: rounded up, "now" is after everything done so far, on Google too.
        now = fields.Datetime.now() + datetime.timedelta(seconds=1)
        if delete_policy != "dont_delete":
            # The pairs this reset broke are no pairs to remember (a calendar found again would take
            # Google's deletion for the user's): what Google deleted waits to be sent again, as a
            # change made now (it wins over the deletion); what Odoo deleted has nothing left to bind.
            broken = (rows - kept) | sync.binding_ids.filtered(lambda r: r.series_binding_id in rows - kept)
            if delete_policy == "delete_google":
                self.binder.unsend(broken, now)
            else:
                self.binder.drop(broken)
        sync.account_id.action_disconnect()
        # Starting over, as Odoo's reset does: with the primary calendar (the account connected
        # next may have no other), and no result of the runs before.
        sync._switch_calendar("primary", sync._fields["calendar_name"].default(sync))
        left_out = sync.sync_since or sync.new_after_event_id  # by a reset to "only new events" before
        sync.write({
            "sync_since": now if sync_policy == "new" else False,
            "new_after_event_id": self._last_id("calendar.event") if sync_policy == "new" else 0,
            "new_after_series_id": self._last_id("calendar.recurrence") if sync_policy == "new" else 0,
            "deletions_held": False, "allow_deletions": False, "last_error": False, "last_error_title": False,
            "last_summary": False, "last_run_at": False, "last_success_at": False,
        })
        sync.request_ids.unlink()
        if delete_policy == "dont_delete" and sync_policy == "all":
            # The bindings stay: the same account rebinds them (another forgets them). What an
            # earlier reset left out comes back with the next full list.
            if left_out:
                sync.write({"sync_token": False, "retry_google_ids": False})
            return len(kept), reason
        if sync_policy == "all":
            # Only the pairs this reset broke change: what Google deleted is sent again, series with
            # their changed and deleted occurrences; what Odoo deleted comes back from Google. The
            # others (Google would not delete them, or not the user's to delete: invitations) stay
            # bound, so that listing everything again makes no copy. (synced_email stays: should
            # another account connect, every binding is forgotten then.)
            sync.write({"sync_token": False, "retry_google_ids": False})
            self._requeue_existing(now)
        else:
            sync._forget_bindings()
        return len(kept), reason

    def _last_id(self, model):
        """The newest record's id of ``model``, archived or not: ids only grow."""
        return self.env[model].sudo().with_context(active_test=False).search([], order="id desc", limit=1).id or 0

    def _delete_on_google(self, rows, notify):
        """Delete these bindings' events on Google, in batches: (the rows Google kept, why)."""
        sync = self.sync
        try:
            client = calendar_client(sync)
        except GoogleReconnectRequired as error:
            raise self._refused() from error
        writes = [Write("DELETE", sync.calendar_id or "primary", row.google_id,
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
            if client.session.refused is not None:
                raise self._refused()
            raise UserError(self.env._(
                "Google did not delete the events (%(error)s); nothing was reset. Try again later.",
                error=messages.problem(self.env, failed[0][1])))
        kept = self.env["google.calendar.binding"].browse([row.id for row, _error in failed])
        return kept, messages.problem(self.env, failed[0][1]) if failed else None

    def _refused(self):
        return GrantRefused(self.env._(
            "Google no longer accepts the connection of %(user)s, so their events could not be deleted from Google "
            "Calendar; nothing was reset. They must connect Google Calendar again first, or reset without deleting "
            "from Google.", user=self.sync.user_id.name))

    def _requeue_existing(self, now):
        """'Synchronize all existing events': the user's events go again at the next connection,
        as changes made now (so they win over what this reset deleted on Google)."""
        sync = self.sync
        bound = sync.binding_ids
        events = self.env["calendar.event"].search([
            ("user_id", "=", sync.user_id.id), ("recurrence_id", "=", False), ("active", "=", True),
            ("id", "not in", bound.event_id.ids)])
        series = self.env["calendar.recurrence"].search([
            ("base_event_id.user_id", "=", sync.user_id.id), ("id", "not in", bound.recurrence_id.ids)])
        self.binder.bind_unsent(events, series.filtered("calendar_event_ids"), now)
