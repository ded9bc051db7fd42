"""Carry out a plan: local writes at once, Google writes batched, each binding after its write.

A binding is recorded only once its write is confirmed, and the local calendar commits after
each step, so a failure leaves the event as it was (still dirty, or still unapplied) for the
next run. The answers Google gives out of line are handled here: 409 on an insert is our own
earlier insert whose answer was lost (adopt it), 412 means Google's version moved (refetch and
decide again), 404/410 on a delete (or on cancelling an occurrence) means it is already gone,
404/410 on an occurrence whose series Google deleted leaves the occurrence's change to its
series' deletion.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from . import planner, recurrence
from .actions import (
    GOOGLE,
    Action,
    AnswerLocal,
    ArchiveLocal,
    Bind,
    Context,
    CreateLocal,
    CreateRemote,
    DeleteLocal,
    DeleteRemote,
    ImportRemote,
    Item,
    RemoteWrite,
    Unbind,
    UpdateLocal,
    UpdateRemote,
    Withdraw,
)
from .client import CalendarClient, Write, WriteResult
from .errors import (
    DeferredError,
    DeletedError,
    DuplicateIdError,
    EngineError,
    GoogleApiError,
    LocalWriteError,
    MappingError,
    NotFoundError,
    PreconditionFailedError,
)
from .ids import link_for
from .local import Binding, LocalCalendar, SyncState
from .mapping import from_google, retire_properties, to_google, wants_conference
from .model import Access, Event, deleted, google_id_of
from .planner import binding_for, with_local, with_remote
from .report import EventProblem, RunReport

RemoteAction = CreateRemote | UpdateRemote | ImportRemote | DeleteRemote
REMOTE_ACTIONS = (CreateRemote, UpdateRemote, ImportRemote, DeleteRemote)
LocalAction = UpdateLocal | DeleteLocal | ArchiveLocal | Withdraw | AnswerLocal | Bind | Unbind


class Executor:
    def __init__(self, client: CalendarClient, local: LocalCalendar, calendar_id: str, ctx: Context,
                 report: RunReport, state: SyncState) -> None:
        self.client = client
        self.local = local
        self.calendar_id = calendar_id
        self.ctx = ctx
        self.report = report
        self.state = state
        # Deletions decided by a second look after a 412 or 404, held for the caller's mass-deletion guard.
        self.held: list[Action] = []
        self._queue: list[tuple[RemoteAction, bool]] = []

    def run(self, actions: Sequence[Action], replanned: bool = False) -> None:
        """Apply local actions now, a phase at a time (series before their occurrences), with
        creations and bindings in bulk; queue Google writes for :meth:`flush`, to batch them."""
        for phase in (0, 1):
            group = [a for a in actions if planner.phase(a) == phase]
            if phase == 1 and self._queue and any(not isinstance(a, REMOTE_ACTIONS) for a in group):
                self.flush()  # an occurrence written here finds its series bound, when Google writes the series
            bindings = self._create_local([a for a in group if isinstance(a, CreateLocal)])
            for action in group:
                if isinstance(action, REMOTE_ACTIONS):
                    self._queue.append((action, replanned))
                elif not isinstance(action, CreateLocal):
                    bindings += self._local(action, replanned)
            if bindings:
                self.local.bind_many(bindings)
        self.local.commit()

    def flush(self) -> None:
        """Send the queued Google writes, series before their occurrences, committing after each phase."""
        queued, self._queue = self._queue, []
        imported: dict[str, str] = {}  # a series' local reference -> the Google id an import gave it
        for phase in (0, 1):
            batch = [(_retargeted(a, imported), replanned) for a, replanned in queued if planner.phase(a) == phase]
            if not batch:
                continue
            results = self.client.write_many([self._write(action) for action, _ in batch])
            confirmed: list[Binding] = []
            for (action, replanned), result in zip(batch, results):
                written = self._remote_result(action, result, replanned)
                if isinstance(action, ImportRemote):
                    imported.update((binding.local_ref, binding.google_id) for binding in written)
                confirmed += written
            self.local.bind_many(confirmed)
            self.local.commit()

    # -- local side --------------------------------------------------------------------------

    def _create_local(self, actions: list[CreateLocal]) -> list[Binding]:
        if not actions:
            return []
        for action in actions:
            if action.replaces is not None:
                self.local.unbind(action.replaces)
        bindings = []
        for action, created in zip(actions, self.local.create_many([a.remote for a in actions])):
            if isinstance(created, DeferredError):
                self.report.deferred += 1
                continue
            if isinstance(created, LocalWriteError):
                self._local_failure(None, action.remote, created)
                continue
            local_ref, stored = created
            organizer = action.remote.organizer
            access = Access.ATTENDEE if organizer is not None and not organizer.is_self else Access.ORGANIZER
            bindings.append(binding_for(local_ref, action.remote, stored, self.ctx.fields, access))
            self.report.counts.created_local += 1
        return bindings

    def _local(self, action: LocalAction, replanned: bool) -> list[Binding]:
        """Apply one local update, deletion or binding change; the bindings to record."""
        try:
            if isinstance(action, UpdateLocal):
                return self._update_local(action, replanned)
            if isinstance(action, Bind):
                return [action.binding]
            if isinstance(action, AnswerLocal):
                stored = self.local.answer(action.binding.local_ref, action.response)
                self.report.counts.updated_local += 1
                return [with_local(with_remote(action.binding, action.remote, self.ctx.fields), stored, self.ctx.fields)]
            if isinstance(action, DeleteLocal):
                self.local.delete(action.binding.local_ref)
                self.report.counts.deleted_local += 1
            elif isinstance(action, ArchiveLocal):
                self.local.archive(action.binding.local_ref)
                self.report.counts.archived_local += 1
            elif isinstance(action, Withdraw):
                self.local.withdraw(action.binding.local_ref)
                self.report.counts.withdrawn_local += 1
            self.local.unbind(action.binding)
        except DeferredError:
            self.report.deferred += 1
        except LocalWriteError as exc:
            if isinstance(action, UpdateLocal):
                self._local_failure(action.local_ref, action.remote, exc)
            elif isinstance(action, AnswerLocal):
                self._local_failure(action.binding.local_ref, action.remote, exc)
            else:
                self._local_failure(None, deleted(action.binding.google_id), exc)
        return []

    def _update_local(self, action: UpdateLocal, replanned: bool) -> list[Binding]:
        """Write Google's version (or the merge) locally; the binding records Google's version as
        it is, so that what the merge still sends Google is seen as a local change if it fails."""
        local_ref, stored = self.local.update(action.local_ref, action.merged or action.remote)
        self.report.counts.updated_local += 1
        access = action.binding.access if action.binding is not None else action.access
        binding = binding_for(local_ref, action.remote, stored, self.ctx.fields, access)
        if action.push is not None:
            self._queue.append((dataclasses.replace(
                action.push, local=dataclasses.replace(action.push.local, local_ref=local_ref, event=stored)),
                replanned))
        return [binding]

    def _local_failure(self, local_ref: str | None, remote: Event, error: LocalWriteError) -> None:
        self._problem(local_ref, remote.google_id, remote, error, retryable=True)
        self.state.retry_google_ids.add(google_id_of(remote))

    # -- Google side -------------------------------------------------------------------------

    def _write(self, action: RemoteAction) -> Write:
        if isinstance(action, DeleteRemote):
            return Write("DELETE", self.calendar_id, action.binding.google_id, etag=action.etag,
                         send_updates=action.send_updates)
        event = action.event
        inserting = isinstance(action, (CreateRemote, ImportRemote)) and not event.is_instance
        outgoing, fields = event, self.ctx.fields
        if isinstance(action, UpdateRemote):
            outgoing, fields = action.outgoing or event, action.fields or fields
        body = to_google(outgoing, fields, link=link_for(self.ctx.namespace, action.local.local_ref),
                         request_id=action.google_id or None, patch=not inserting)
        conference = wants_conference(body)
        if isinstance(action, ImportRemote):
            body["iCalUID"] = action.ical_uid
            if event.organizer is not None and event.organizer.email:
                name = {"displayName": event.organizer.name} if event.organizer.name else {}
                body["organizer"] = {"email": event.organizer.email, **name}
            return Write("IMPORT", self.calendar_id, body=body, conference=conference)
        if inserting:
            body["id"] = action.google_id
            return Write("POST", self.calendar_id, body=body, send_updates=action.send_updates, conference=conference)
        # An occurrence is created by patching its instance id, which makes it an exception.
        etag = action.etag if isinstance(action, UpdateRemote) else None
        access = _access(action)
        if access in (Access.ORGANIZER, Access.COPY):
            retire_properties(body, self.ctx.retired, shared=access is Access.ORGANIZER)
        return Write("PATCH", self.calendar_id, action.google_id, body, etag, action.send_updates, conference)

    def _remote_result(self, action: RemoteAction, result: WriteResult, replanned: bool) -> list[Binding]:
        """Deal with one write's answer; the binding to record when Google confirmed a write."""
        error = result.error
        if error is None:
            if isinstance(action, DeleteRemote):
                self.local.unbind(action.binding)
                self.report.counts.deleted_google += 1
                return []
            return self._pushed(action, result.event)
        if error.ends_run:
            raise error
        if isinstance(action, DeleteRemote) and isinstance(error, (DeletedError, NotFoundError)):
            self.local.unbind(action.binding)
            self.report.counts.deleted_google += 1
        elif (isinstance(action, CreateRemote) and action.event.cancelled
              and isinstance(error, (DeletedError, NotFoundError))):
            # An occurrence cancelled here that Google does not have (its series ends before it
            # now, or is gone): there is nothing to cancel, as for a deletion of what is gone.
            self.local.unbind(Binding(action.local.local_ref, action.google_id, None, None, "", ""))
        elif isinstance(action, CreateRemote) and isinstance(error, DuplicateIdError):
            self._adopt(action)
        elif (isinstance(action, (CreateRemote, UpdateRemote)) and isinstance(error, (NotFoundError, DeletedError))
              and (series_id := self._gone_series(action)) is not None):
            self._left_to_series(series_id)
        elif (not replanned and isinstance(action, (UpdateRemote, DeleteRemote))
              and isinstance(error, (PreconditionFailedError, NotFoundError))):
            self._replan(action)
        else:
            google_id = action.binding.google_id if isinstance(action, DeleteRemote) else action.google_id
            self._problem(action.local.local_ref, google_id or None, action.local.event, error,
                          retryable=error.retryable)
        return []

    def _pushed(self, action: RemoteWrite, answer: dict[str, Any] | None) -> list[Binding]:
        """The binding of a confirmed write; what Google added (the Meet link) comes back first."""
        try:
            remote = from_google(answer)
        except MappingError as exc:
            self._problem(action.local.local_ref, action.google_id, action.event, exc)
            return []
        fields = self.ctx.fields
        local_ref, stored = action.local.local_ref, action.event
        if "meet_url" in fields and remote.meet_url and remote.meet_url != stored.meet_url:
            local_ref, stored = self.local.update(local_ref, remote)
        if isinstance(action, UpdateRemote) or getattr(action, "binding", None):
            self.report.counts.updated_google += 1
        else:
            self.report.counts.created_google += 1
        binding = binding_for(local_ref, remote, stored, fields, _access(action))
        return [planner.held(binding, action.waiting if isinstance(action, UpdateRemote) else ())]

    def _adopt(self, action: CreateRemote) -> None:
        """409 on our derived id: the event is ours, from an insert whose answer was lost.

        Whatever happened to it on Google since (an edit, a deletion) is weighed against the
        local version with the conflict rule, as for any event changed on both sides.
        """
        local, event = action.local, action.event
        fields = self.ctx.fields
        try:
            current = from_google(self.client.get_event(self.calendar_id, action.google_id))
            same = not planner.is_deletion(current) and current.content_hash(fields) == event.content_hash(fields)
            if not same and planner.winner(self.ctx, current, local) == GOOGLE:
                if planner.is_deletion(current):
                    self.local.delete(local.local_ref)
                    self.report.counts.deleted_local += 1
                else:
                    self.local.bind_many(self._local(UpdateLocal(local.local_ref, current), replanned=True))
                return
            if not same:
                body = to_google(event, fields, link=link_for(self.ctx.namespace, local.local_ref), patch=True)
                current = from_google(self.client.patch_event(self.calendar_id, action.google_id, body, etag=current.etag,
                                                              send_updates=action.send_updates))
        except (GoogleApiError, MappingError, LocalWriteError) as exc:
            if exc.ends_run:
                raise
            self._problem(local.local_ref, action.google_id, event, exc, retryable=exc.retryable)
            return
        self.local.bind_many([binding_for(local.local_ref, current, event, fields)])
        self.report.counts.created_google += 1

    def _gone_series(self, action: CreateRemote | UpdateRemote) -> str | None:
        """The Google id of the series Google deleted, when the write Google did not find was to
        one of its occurrences (asked of Google: in a later run, or a one-way one, nothing listed
        says so); else None."""
        parts = recurrence.split_instance_id(action.google_id)
        if parts is None:
            return None
        try:
            series = from_google(self.client.get_event(self.calendar_id, parts[0]))
        except (NotFoundError, DeletedError):
            return parts[0]
        except (GoogleApiError, MappingError) as exc:
            if exc.ends_run:
                raise
            return None  # (the write's own 404 is the problem then)
        return parts[0] if planner.is_deletion(series) else None

    def _left_to_series(self, series_id: str) -> None:
        """An occurrence changed here, of a series Google deleted: Google has no occurrence left
        to take the change, and the series' deletion decides it (it takes the occurrence with the
        series unless a newer change here to the series itself makes it again). Left unbound and
        unsent (still to send, not a failure): a direction that takes Google's changes has the
        series fetched at the next run, whose deletion then goes as any other; one that does not
        leaves it waiting, with this change, until both ways again."""
        if self.ctx.mode.pulls:
            self.state.retry_google_ids.add(series_id)
        else:
            self.report.counts.ignored_one_way += 1

    def _replan(self, action: UpdateRemote | DeleteRemote) -> None:
        """Google's version moved (412) or vanished (404): fetch it and decide again, once."""
        binding = action.binding
        google_id = action.google_id if isinstance(action, UpdateRemote) else action.binding.google_id
        try:
            fresh = from_google(self.client.get_event(self.calendar_id, google_id))
        except NotFoundError:
            fresh = deleted(google_id)
        except (GoogleApiError, MappingError) as exc:
            if exc.ends_run:
                raise
            self._problem(action.local.local_ref, google_id, None, exc, retryable=exc.retryable)
            return
        result = planner.decide(Item(binding, fresh, action.local), self.ctx)
        self.report.conflicts += result.conflicts
        if isinstance(action, DeleteRemote):
            # The same deletion, decided again: it is past the mass-deletion guard already.
            self.run(result.actions + result.deletions, replanned=True)
        else:
            self.held += result.deletions
            self.run(result.actions, replanned=True)
        self.flush()

    def _problem(self, local_ref: str | None, google_id: str | None, event: Event | None, error: EngineError,
                 retryable: bool = False) -> None:
        self.report.problems.append(EventProblem(local_ref, google_id, event.summary if event else "", error, retryable))
        self.local.record_error(local_ref, google_id, error)


def _retargeted(action: RemoteAction, imported: dict[str, str]) -> RemoteAction:
    """An occurrence of a series imported in the same flush: Google chose the series' id (an
    import takes none), so the occurrence's instance id is derived from that id, not from the
    one the planner derived from the series' local reference."""
    if not isinstance(action, CreateRemote):
        return action
    series_ref, original = action.local.series_local_ref, action.event.original_start
    if series_ref is None or series_ref not in imported or original is None:
        return action
    instance = recurrence.instance_id(imported[series_ref], original.instant(), original.all_day)
    return dataclasses.replace(action, google_id=instance)


def _access(action: RemoteWrite) -> Access:
    """The access a confirmed write's binding records."""
    if isinstance(action, ImportRemote):
        return Access.COPY
    binding = getattr(action, "binding", None)
    return binding.access if binding is not None else action.local.access
