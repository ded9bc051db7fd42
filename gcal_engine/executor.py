"""Carry out a plan: local writes at once, Google writes batched, each binding after its write.

A binding is recorded only once its write is confirmed, and the local calendar commits after
each step, so a failure leaves the event as it was (still dirty, or still unapplied) for the
next run. The answers Google gives out of line are handled here: 409 on an insert is our own
earlier insert whose answer was lost (adopt it), 412 means Google's version moved (refetch and
decide again), 404/410 on a delete means it is already gone.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import planner
from .client import CalendarClient, Write, WriteResult
from .errors import (
    DeletedError,
    DuplicateIdError,
    GoogleApiError,
    InvalidGrantError,
    LocalWriteError,
    NotFoundError,
    OAuthError,
    PreconditionFailedError,
    QuotaExceededError,
    UnauthorizedError,
)
from .ids import link_for
from .local import LocalCalendar, SyncState
from .mapping import MappingError, from_google, to_google, wants_conference
from .model import Event, deleted
from .planner import (
    Bind,
    CreateLocal,
    CreateRemote,
    DeleteLocal,
    DeleteRemote,
    Item,
    Unbind,
    UpdateLocal,
    UpdateRemote,
    binding_for,
)
from .report import EventProblem, RunReport

# Errors that end the run: every further call would fail the same way.
FATAL = (InvalidGrantError, OAuthError, UnauthorizedError, QuotaExceededError)
RemoteAction = CreateRemote | UpdateRemote | DeleteRemote


class Executor:
    def __init__(self, client: CalendarClient, local: LocalCalendar, calendar_id: str, ctx: planner.Context,
                 report: RunReport, state: SyncState) -> None:
        self.client = client
        self.local = local
        self.calendar_id = calendar_id
        self.ctx = ctx
        self.report = report
        self.state = state
        self._queue: list[tuple[RemoteAction, bool]] = []

    def run(self, actions: Sequence[planner.Action], replanned: bool = False) -> None:
        """Apply local actions now; queue Google writes for :meth:`flush`, to batch them together."""
        for action in actions:
            if isinstance(action, (CreateRemote, UpdateRemote, DeleteRemote)):
                self._queue.append((action, replanned))
            else:
                self._local(action)
        self.local.commit()

    def flush(self) -> None:
        """Send the queued Google writes, series before their occurrences, committing after each phase."""
        queued, self._queue = self._queue, []
        for phase in (0, 1):
            batch = [(a, replanned) for a, replanned in queued if planner.phase(a) == phase]
            if not batch:
                continue
            results = self.client.write_many([self._write(action) for action, _ in batch])
            for (action, replanned), result in zip(batch, results):
                self._remote_result(action, result, replanned)
            self.local.commit()

    # -- local side --------------------------------------------------------------------------

    def _local(self, action: planner.Action) -> None:
        fields = self.ctx.fields
        try:
            if isinstance(action, CreateLocal):
                if action.replaces is not None:
                    self.local.unbind(action.replaces)
                local_id, stored = self.local.create(action.remote)
                self.local.bind(binding_for(local_id, action.remote, stored.content_hash(fields), fields))
                self.report.counts["created_in_odoo"] += 1
            elif isinstance(action, UpdateLocal):
                stored = self.local.update(action.local_id, action.remote)
                self.local.bind(binding_for(action.local_id, action.remote, stored.content_hash(fields), fields))
                self.report.counts["updated_in_odoo"] += 1
            elif isinstance(action, DeleteLocal):
                self.local.delete(action.binding.local_id)
                self.local.unbind(action.binding)
                self.report.counts["deleted_in_odoo"] += 1
            elif isinstance(action, Bind):
                self.local.bind(action.binding)
            elif isinstance(action, Unbind):
                self.local.unbind(action.binding)
        except LocalWriteError as exc:
            remote = getattr(action, "remote", None)
            google_id = remote.google_id if remote is not None else getattr(getattr(action, "binding", None), "google_id", None)
            self._problem(getattr(action, "local_id", None), google_id, remote, str(exc), retryable=True)
            if google_id:
                self.state.retry_google_ids.add(google_id)

    # -- Google side -------------------------------------------------------------------------

    def _write(self, action: RemoteAction) -> Write:
        if isinstance(action, DeleteRemote):
            return Write("DELETE", self.calendar_id, action.binding.google_id, etag=action.etag,
                         send_updates=action.send_updates)
        event = action.local.event
        inserting = isinstance(action, CreateRemote) and not event.is_instance
        body = to_google(event, self.ctx.fields, link=link_for(self.ctx.namespace, action.local.local_id),
                         request_id=action.google_id, patch=not inserting)
        conference = wants_conference(body)
        if inserting:
            body["id"] = action.google_id
            return Write("POST", self.calendar_id, body=body, send_updates=action.send_updates, conference=conference)
        # An occurrence is created by patching its instance id, which makes it an exception.
        etag = action.etag if isinstance(action, UpdateRemote) else None
        return Write("PATCH", self.calendar_id, action.google_id, body, etag, action.send_updates, conference)

    def _remote_result(self, action: RemoteAction, result: WriteResult, replanned: bool) -> None:
        error = result.error
        if error is None:
            if isinstance(action, DeleteRemote):
                self.local.unbind(action.binding)
                self.report.counts["deleted_in_google"] += 1
            else:
                self._pushed(action, result.event)
            return
        if isinstance(error, FATAL):
            raise error
        if isinstance(action, DeleteRemote) and isinstance(error, (DeletedError, NotFoundError)):
            self.local.unbind(action.binding)
            self.report.counts["deleted_in_google"] += 1
        elif isinstance(action, CreateRemote) and isinstance(error, DuplicateIdError):
            self._adopt(action)
        elif (not replanned and isinstance(action, (UpdateRemote, DeleteRemote))
              and isinstance(error, (PreconditionFailedError, NotFoundError))):
            self._replan(action)
        else:
            google_id = action.binding.google_id if isinstance(action, DeleteRemote) else action.google_id
            self._problem(action.local.local_id, google_id, action.local.event, str(error), retryable=error.retryable)

    def _pushed(self, action: CreateRemote | UpdateRemote, answer: dict | None) -> None:
        """Bind after a confirmed write; bring back what Google added (the Meet link)."""
        try:
            remote = from_google(answer)
        except MappingError as exc:
            self._problem(action.local.local_id, action.google_id, action.local.event, f"unreadable answer: {exc}")
            return
        fields = self.ctx.fields
        local_hash = action.local.event.content_hash(fields)
        if "meet_url" in fields and remote.meet_url and remote.meet_url != action.local.event.meet_url:
            local_hash = self.local.update(action.local.local_id, remote).content_hash(fields)
        self.local.bind(binding_for(action.local.local_id, remote, local_hash, fields))
        created = isinstance(action, CreateRemote)
        self.report.counts["created_in_google" if created else "updated_in_google"] += 1

    def _adopt(self, action: CreateRemote) -> None:
        """409 on our deterministic id: the event is ours, from an insert whose answer was lost."""
        try:
            current = from_google(self.client.get_event(self.calendar_id, action.google_id))
            body = to_google(action.local.event, self.ctx.fields, link=link_for(self.ctx.namespace, action.local.local_id),
                             patch=True)
            if current.content_hash(self.ctx.fields) != action.local.event.content_hash(self.ctx.fields) or \
                    planner.is_deletion(current):
                answer = self.client.patch_event(self.calendar_id, action.google_id, body, etag=current.etag,
                                                 send_updates=action.send_updates)
                current = from_google(answer)
        except FATAL:
            raise
        except (GoogleApiError, MappingError) as exc:
            self._problem(action.local.local_id, action.google_id, action.local.event, str(exc),
                          retryable=getattr(exc, "retryable", False))
            return
        self.local.bind(binding_for(action.local.local_id, current, action.local.event.content_hash(self.ctx.fields),
                                    self.ctx.fields))
        self.report.counts["created_in_google"] += 1

    def _replan(self, action: UpdateRemote | DeleteRemote) -> None:
        """Google's version moved (412) or vanished (404): fetch it and decide again, once."""
        binding = action.binding
        google_id = binding.google_id if binding is not None else action.google_id
        try:
            fresh = from_google(self.client.get_event(self.calendar_id, google_id))
        except NotFoundError:
            fresh = deleted(google_id)
        except FATAL:
            raise
        except (GoogleApiError, MappingError) as exc:
            self._problem(action.local.local_id, google_id, None, str(exc), retryable=getattr(exc, "retryable", False))
            return
        result = planner.decide(Item(binding, fresh, action.local), self.ctx)
        self.report.conflicts += result.conflicts
        self.run(result.actions + result.deletions, replanned=True)
        self.flush()

    def _problem(self, local_id: str | None, google_id: str | None, event: Event | None, message: str,
                 retryable: bool = False) -> None:
        self.report.problems.append(EventProblem(local_id, google_id, event.summary if event else "", message, retryable))
        self.local.record_error(local_id, google_id, message)
