"""The sync decision table: (binding, Google's version, local version) -> explicit actions.

Pure functions, no I/O, in the manner of vdirsyncer's sync core. For each event the planner
asks: is it bound? did Google change it (its content hash differs from the one recorded at the
last sync)? did the local side? Each combination yields exactly one action (or none), and a
change on both sides goes through the conflict policy, which records the losing version.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import recurrence
from .ids import google_id_for
from .local import Binding, LocalChange
from .mapping import format_time
from .model import Event, google_id_of
from .report import Conflict, ConflictKind


class Mode(str, enum.Enum):
    TWO_WAY = "two_way"
    GOOGLE_TO_LOCAL = "google_to_local"
    LOCAL_TO_GOOGLE = "local_to_google"

    @property
    def pulls(self) -> bool:
        return self is not Mode.LOCAL_TO_GOOGLE

    @property
    def pushes(self) -> bool:
        return self is not Mode.GOOGLE_TO_LOCAL


class ConflictPolicy(str, enum.Enum):
    NEWEST = "newest"  # the side modified last wins; ties go to Google
    GOOGLE = "google"
    LOCAL = "local"


class RunKind(str, enum.Enum):
    FIRST = "first"  # never synced: nobody is mailed
    INCREMENTAL = "incremental"  # from a sync token: people's changes mail their guests
    RESYNC = "resync"  # after a 410 or a reset: rebinding, nobody is mailed


GOOGLE, LOCAL = "google", "local"


@dataclass(frozen=True)
class Item:
    """One event seen in a run: its binding, Google's version, the local change (each optional)."""

    binding: Binding | None
    remote: Event | None
    local: LocalChange | None


@dataclass(frozen=True)
class CreateLocal:
    remote: Event
    replaces: Binding | None = None


@dataclass(frozen=True)
class UpdateLocal:
    local_ref: str
    remote: Event


@dataclass(frozen=True)
class DeleteLocal:
    binding: Binding


@dataclass(frozen=True)
class CreateRemote:
    local: LocalChange
    google_id: str
    send_updates: str

    @property
    def event(self) -> Event:
        return _sent(self.local)


@dataclass(frozen=True)
class UpdateRemote:
    local: LocalChange
    google_id: str
    etag: str | None
    send_updates: str
    binding: Binding | None = None

    @property
    def event(self) -> Event:
        return _sent(self.local)


@dataclass(frozen=True)
class DeleteRemote:
    binding: Binding
    etag: str | None
    send_updates: str
    local: LocalChange


@dataclass(frozen=True)
class Bind:
    """Both sides agree: only the binding moves (new ETag, new hashes), and the local event is clean."""

    binding: Binding


@dataclass(frozen=True)
class Unbind:
    binding: Binding


Action = CreateLocal | UpdateLocal | DeleteLocal | CreateRemote | UpdateRemote | DeleteRemote | Bind | Unbind


@dataclass(frozen=True)
class Context:
    mode: Mode
    policy: ConflictPolicy
    kind: RunKind
    fields: frozenset[str]
    namespace: str


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    deletions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    ignored: int = 0

    def extend(self, other: Plan) -> None:
        self.actions += other.actions
        self.deletions += other.deletions
        self.conflicts += other.conflicts
        self.ignored += other.ignored


def _sent(local: LocalChange) -> Event:
    """The local version a creation or an update sends: never a deleted one (see decide)."""
    if local.event is None:
        raise ValueError(f"local event {local.local_ref} was deleted: there is nothing to send")
    return local.event


def is_deletion(event: Event | None) -> bool:
    """A deleted event (a tombstone); a cancelled occurrence of a live series is content."""
    return event is not None and event.cancelled and not event.is_instance


def send_updates(ctx: Context, local: LocalChange) -> str:
    return "all" if ctx.kind is RunKind.INCREMENTAL and local.notify else "none"


def remote_id_for(ctx: Context, local: LocalChange) -> str:
    """The Google id a local event gets: derived from its id, or its series' instance id."""
    original = local.event.original_start if local.event is not None else None
    if original is not None and local.series_local_ref:
        series = local.series_google_id or google_id_for(ctx.namespace, local.series_local_ref)
        return recurrence.instance_id(series, original.instant(), original.all_day)
    return google_id_for(ctx.namespace, local.local_ref)


def span(event: Event) -> tuple[dt.datetime, dt.datetime | None]:
    """When a Google event starts and ends; a series ends with its last occurrence (None: never)."""
    start, end = event.start.instant(), event.end.instant()
    if not event.recurrence:
        return start, end
    last = recurrence.last_occurrence(event.recurrence, format_time(event.start, series=True))
    if last is None:
        return start, None
    if last.tzinfo is None:
        last = last.replace(tzinfo=dt.timezone.utc)
    try:
        return start, last + (end - start)
    except OverflowError:  # a series that runs to the end of the calendar, year 9999
        return start, None


def binding_for(local_ref: str, remote: Event, local_hash: str, fields: Iterable[str]) -> Binding:
    """The binding that records ``remote`` and the local content (by hash) as in sync."""
    starts_at, ends_at = span(remote)
    return Binding(
        local_ref=local_ref,
        google_id=google_id_of(remote),
        etag=remote.etag,
        ical_uid=remote.ical_uid,
        local_hash=local_hash,
        remote_hash=remote.content_hash(fields),
        starts_at=starts_at,
        ends_at=ends_at,
    )


def winner(ctx: Context, remote: Event, local: LocalChange) -> str:
    if not ctx.mode.pushes or ctx.policy is ConflictPolicy.GOOGLE:
        return GOOGLE
    if not ctx.mode.pulls or ctx.policy is ConflictPolicy.LOCAL:
        return LOCAL
    if remote.updated is None:
        return GOOGLE
    return LOCAL if local.modified_at > remote.updated else GOOGLE


def decide(item: Item, ctx: Context) -> Plan:
    """The actions for one event; deletions go to ``Plan.deletions`` for the mass-deletion guard."""
    plan = Plan()
    binding, remote, local = item.binding, item.remote, item.local
    if binding is None:
        _decide_unbound(plan, ctx, remote, local)
        return plan

    remote_gone = is_deletion(remote)
    remote_hash = remote.content_hash(ctx.fields) if remote is not None and not remote_gone else None
    local_hash = local.event.content_hash(ctx.fields) if local is not None and local.event is not None else None
    remote_changed = remote is not None and (remote_gone or remote_hash != binding.remote_hash)
    local_changed = local is not None and (local_hash is None or local_hash != binding.local_hash)

    if not remote_changed and not local_changed:
        if remote is not None and remote.etag != binding.etag:
            plan.actions.append(Bind(binding_for(binding.local_ref, remote, binding.local_hash, ctx.fields)))
        elif local is not None:
            plan.actions.append(Bind(binding))  # an edit that left the synced content alone
    elif remote is not None and not local_changed:
        _pull(plan, ctx, binding, remote, remote_gone)
    elif local is not None and not remote_changed:
        _push(plan, ctx, binding, remote, local, local_hash)
    elif remote is not None and local is not None:
        _resolve(plan, ctx, binding, remote, local, remote_hash, local_hash)
    return plan


def _decide_unbound(plan: Plan, ctx: Context, remote: Event | None, local: LocalChange | None) -> None:
    """An event without binding: new on one side, or found again on both."""
    if remote is not None and not is_deletion(remote):
        if local is not None and local.event is not None:
            _reconcile_unbound(plan, ctx, remote, local, local.event)
        elif local is not None:
            # Ours, deleted locally before its binding was recorded: the newer change wins.
            placeholder = Binding(local.local_ref, google_id_of(remote), remote.etag, remote.ical_uid, "", "")
            if winner(ctx, remote, local) == GOOGLE:
                plan.actions.append(CreateLocal(remote, replaces=placeholder))
            else:
                plan.deletions.append(DeleteRemote(placeholder, remote.etag, send_updates(ctx, local), local))
        elif ctx.mode.pulls:
            plan.actions.append(CreateLocal(remote))
        else:
            plan.ignored += 1
    elif local is not None and local.event is not None:
        if ctx.mode.pushes:
            plan.actions.append(CreateRemote(local, remote_id_for(ctx, local), send_updates(ctx, local)))
        else:
            plan.ignored += 1
    elif local is not None and ctx.mode.pushes and remote is None:
        placeholder = Binding(local.local_ref, remote_id_for(ctx, local), None, None, "", "")
        if local.series_local_ref:
            # An occurrence gone with its series: the series' own deletion covers it.
            plan.actions.append(Unbind(placeholder))
        else:
            # Deleted before its binding was recorded: an insert may still have reached Google
            # (its answer lost), under the id derived from the local reference. Delete that, if it exists.
            plan.deletions.append(DeleteRemote(placeholder, None, send_updates(ctx, local), local))


def _pull(plan: Plan, ctx: Context, binding: Binding, remote: Event, remote_gone: bool) -> None:
    """Only Google changed."""
    if not ctx.mode.pulls:
        plan.ignored += 1
        plan.actions.append(Bind(binding_for(binding.local_ref, remote, binding.local_hash, ctx.fields)
                                 if not remote_gone else binding))
    elif remote_gone:
        plan.deletions.append(DeleteLocal(binding))
    else:
        plan.actions.append(UpdateLocal(binding.local_ref, remote))


def _push(plan: Plan, ctx: Context, binding: Binding, remote: Event | None, local: LocalChange,
          local_hash: str | None) -> None:
    """Only the local side changed; ``local_hash`` is None when it deleted the event."""
    if not ctx.mode.pushes:
        plan.ignored += 1
        if local_hash is None:
            plan.actions.append(Unbind(binding))
        else:
            plan.actions.append(Bind(binding_for(binding.local_ref, remote, local_hash, ctx.fields)
                                     if remote is not None else _with_local_hash(binding, local_hash)))
    elif local_hash is None:
        plan.deletions.append(DeleteRemote(binding, binding.etag, send_updates(ctx, local), local))
    else:
        plan.actions.append(UpdateRemote(local, binding.google_id, binding.etag, send_updates(ctx, local), binding))


def _resolve(plan: Plan, ctx: Context, binding: Binding, remote: Event, local: LocalChange,
             remote_hash: str | None, local_hash: str | None) -> None:
    """Both sides changed; a hash is None on the side that deleted the event."""
    remote_gone, local_gone = remote_hash is None, local_hash is None
    if remote_gone and local_gone:
        plan.actions.append(Unbind(binding))
        return
    if remote_hash is not None and remote_hash == local_hash:
        plan.actions.append(Bind(binding_for(binding.local_ref, remote, remote_hash, ctx.fields)))
        return
    side = winner(ctx, remote, local)
    loser: Event | None
    if side == GOOGLE:
        loser = local.event
        if remote_gone:
            plan.deletions.append(DeleteLocal(binding))
        elif local_gone:
            plan.actions.append(CreateLocal(remote, replaces=binding))
        else:
            plan.actions.append(UpdateLocal(binding.local_ref, remote))
    else:
        loser = None if remote_gone else remote
        if local_gone:
            # Conditional on the version it overrides, which this run has seen.
            plan.deletions.append(DeleteRemote(binding, remote.etag, send_updates(ctx, local), local))
        else:
            # Against a deleted Google event, the patch restores it with the local content.
            plan.actions.append(UpdateRemote(local, binding.google_id, remote.etag, send_updates(ctx, local), binding))
    plan.conflicts.append(Conflict(
        local_ref=binding.local_ref,
        google_id=binding.google_id,
        winner=side,
        loser=loser,
        kind=ConflictKind.DELETED_GOOGLE_EDITED_LOCAL if remote_gone else (
            ConflictKind.DELETED_LOCAL_EDITED_GOOGLE if local_gone else ConflictKind.EDITED_BOTH),
        rule=ctx.policy.value if ctx.mode is Mode.TWO_WAY else "one_way",
    ))


def _reconcile_unbound(plan: Plan, ctx: Context, remote: Event, local: LocalChange, event: Event) -> None:
    """A Google event found to be an existing, unbound local event (after a 410 or a lost answer)."""
    local_hash = event.content_hash(ctx.fields)
    if remote.content_hash(ctx.fields) == local_hash:
        plan.actions.append(Bind(binding_for(local.local_ref, remote, local_hash, ctx.fields)))
    elif winner(ctx, remote, local) == GOOGLE:
        plan.actions.append(UpdateLocal(local.local_ref, remote))
    else:
        plan.actions.append(UpdateRemote(local, google_id_of(remote), remote.etag, send_updates(ctx, local)))


def _with_local_hash(binding: Binding, local_hash: str) -> Binding:
    return Binding(binding.local_ref, binding.google_id, binding.etag, binding.ical_uid, local_hash,
                   binding.remote_hash, binding.starts_at, binding.ends_at)


def plan(items: Iterable[Item], ctx: Context) -> Plan:
    result = Plan()
    for item in items:
        result.extend(decide(item, ctx))
    result.actions.sort(key=phase)
    return result


def phase(action: Action) -> int:
    """Series before their occurrences, so an occurrence always finds its series."""
    event = getattr(action, "remote", None) or getattr(getattr(action, "local", None), "event", None)
    return 1 if event is not None and event.is_instance else 0


def mass_deletion(deletions: Iterable[Action], total: int, share: float, minimum: int) -> tuple[str, int] | None:
    """(side, count) when a side would lose more than ``share`` of a calendar of ``minimum``+ events."""
    counts = {LOCAL: 0, GOOGLE: 0}
    for action in deletions:
        counts[LOCAL if isinstance(action, DeleteLocal) else GOOGLE] += 1
    if total < minimum:
        return None
    for side, count in counts.items():
        if count > share * total:
            return side, count
    return None
