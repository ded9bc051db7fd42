"""The sync decision table: (binding, Google's version, local version) -> explicit actions.

Pure functions, no I/O, in the manner of vdirsyncer's sync core. For each event the planner
asks: is it bound? did Google change it (its content hash differs from the one recorded at the
last sync)? did the local side? which side may write what (``Access``: the user's own event,
an invitation, a private copy)? Each combination yields explicit actions (see actions.py).
When both sides changed, fields are merged one by one against what they last agreed on
(merge.py), and only a field changed on both sides goes through the conflict policy, which
records the losing version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from . import recurrence
from .actions import (
    GOOGLE,
    LOCAL,
    LOCAL_DELETIONS,
    Action,
    AnswerLocal,
    ArchiveLocal,
    Bind,
    ConflictPolicy,
    Context,
    CreateLocal,
    CreateRemote,
    DeleteLocal,
    DeleteRemote,
    ImportRemote,
    Item,
    Mode,
    Plan,
    RunKind,
    Unbind,
    UpdateLocal,
    UpdateRemote,
    Withdraw,
)
from .ids import google_id_for, ical_uid_for
from .local import Binding, LocalChange
from .mapping import format_time
from .merge import assemble, digest, digests, merge, units, value
from .model import GUESTS, OWN_RESPONSE, Access, Event, google_id_of
from .report import Conflict, ConflictKind


def is_deletion(event: Event | None) -> bool:
    """A deleted event (a tombstone); a cancelled occurrence of a live series is content."""
    return event is not None and event.cancelled and not event.is_instance


def send_updates(ctx: Context, local: LocalChange) -> str:
    """Google mails the guests of a person's change to their own event, never of a copy's."""
    mailing = ctx.kind is RunKind.INCREMENTAL and local.notify and local.access is Access.ORGANIZER
    return "all" if mailing else "none"


def remote_id_for(ctx: Context, local: LocalChange) -> str:
    """The Google id a local event gets: derived from its reference, or its series' instance id."""
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


def binding_for(local_ref: str, remote: Event, local: Event, fields: Iterable[str],
                access: Access = Access.ORGANIZER) -> Binding:
    """The binding that records ``remote`` and ``local`` as agreeing."""
    return with_local(with_remote(Binding(local_ref, google_id_of(remote), None, None, "", "", access=access),
                                  remote, fields), local, fields)


def with_remote(binding: Binding, remote: Event, fields: Iterable[str]) -> Binding:
    """``binding`` recording ``remote`` as Google's agreed version."""
    fields = tuple(fields)
    starts_at, ends_at = span(remote)
    return dataclasses.replace(binding, google_id=google_id_of(remote), etag=remote.etag, ical_uid=remote.ical_uid,
                               remote_hash=remote.content_hash(fields), starts_at=starts_at, ends_at=ends_at,
                               remote_digests=tuple(sorted(digests(remote, fields).items())))


def with_local(binding: Binding, local: Event, fields: Iterable[str]) -> Binding:
    """``binding`` recording ``local`` as the local side's agreed version."""
    fields = tuple(fields)
    return dataclasses.replace(binding, local_hash=local.content_hash(fields),
                               local_digests=tuple(sorted(digests(local, fields).items())))


def held(binding: Binding, waiting: Iterable[tuple[str, str]]) -> Binding:
    """``binding`` with Google's units of ``waiting`` still as both sides last agreed on them
    ((unit, digest) pairs), and no hash of Google's version: in "local to Google only", Google's
    changes the run did not take are still changes once the direction takes them (the full list
    of a change of direction lists the event again)."""
    kept = dict(waiting)
    if not kept:
        return binding
    return dataclasses.replace(binding, remote_hash="",
                               remote_digests=tuple(sorted((dict(binding.remote_digests) | kept).items())))


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
        base = _occurrence_base(ctx, item.series, remote, local)
        if base is not None:
            return decide(Item(base, remote, local), ctx)
        if _cancellation_waits(ctx, item.series, remote, local):
            plan.ignored += 1
            return plan
        _decide_unbound(plan, ctx, remote, local)
        return plan
    access = local.access if local is not None else binding.access
    if access is Access.INVITED:
        _leave_to_organizer(plan, ctx, binding, remote, local)
        return plan
    if (local is not None and local.event is not None and access is Access.COPY
            and binding.access is not Access.COPY and ctx.mode.pushes):
        # The organizer's synchronization stopped: the user's copy takes over their invitation.
        plan.actions.append(_import(ctx, local, binding.ical_uid or ical_uid_for(ctx.namespace, local.local_ref),
                                    binding))
        return plan

    remote_gone = is_deletion(remote)
    remote_hash = remote.content_hash(ctx.fields) if remote is not None and not remote_gone else None
    local_hash = local.event.content_hash(ctx.fields) if local is not None and local.event is not None else None
    remote_changed = remote is not None and (remote_gone or remote_hash != binding.remote_hash)
    local_changed = local is not None and (local_hash is None or local_hash != binding.local_hash)

    if not remote_changed and not local_changed:
        if remote is not None and remote.etag != binding.etag:
            plan.actions.append(Bind(with_remote(binding, remote, ctx.fields)))
        elif local is not None:
            plan.actions.append(Bind(binding))  # an edit that left the synced content alone
    elif remote_gone or (local is not None and local.event is None):
        _deletion(plan, ctx, binding, remote, local, access, remote_changed, local_changed)
    elif (remote is not None and local is not None and local.event is not None and binding.local_digests
          and (ctx.mode is Mode.TWO_WAY or (remote_changed and local_changed and not ctx.mode.pulls))):
        _merge(plan, ctx, binding, remote, local, access)
    elif remote is not None and not local_changed:
        _pull(plan, ctx, binding, remote)
    elif local is not None and not remote_changed:
        _push(plan, ctx, binding, remote, local)
    elif remote is not None and local is not None:
        _resolve(plan, ctx, binding, remote, local)
    return plan


def seen_etag(binding: Binding, remote: Event | None) -> str | None:
    """The ETag a write is conditional on: of the Google version this run decided on (its
    content may be the binding's, its ETag newer), else the binding's."""
    return remote.etag if remote is not None and not is_deletion(remote) else binding.etag


def _occurrence_base(ctx: Context, series: Binding | None, remote: Event | None,
                     local: LocalChange | None) -> Binding | None:
    """The binding an occurrence changed on its own for the first time (on either side, or both)
    is merged against: its series as both sides last agreed on it, at the occurrence's own time.
    So each side keeps the fields the other did not touch, and a field changed on both goes
    through the conflict rule, and into the log, as for any event."""
    if (series is None or not series.local_digests or remote is None or remote.cancelled
            or remote.original_start is None or local is None or local.event is None):
        return None
    original = remote.original_start.instant()
    durations = {event.end.instant() - event.start.instant() for event in (remote, local.event)}
    bases, hashes = [], []
    for agreed, event in ((series.local_digests, local.event), (series.remote_digests, remote)):
        base = _as_its_series(agreed, event, original, same_duration=len(durations) == 1)
        bases.append(tuple(sorted(base.items())))
        # A side that changed nothing of it shows as unchanged: the other side's change goes as usual.
        hashes.append(event.content_hash(ctx.fields) if digests(event, ctx.fields) == base else "")
    return Binding(local.local_ref, google_id_of(remote), None, remote.ical_uid, hashes[0], hashes[1],
                   access=series.access, local_digests=bases[0], remote_digests=bases[1])


def _as_its_series(agreed: Iterable[tuple[str, str]], event: Event, original: dt.datetime,
                   same_duration: bool) -> dict[str, str]:
    """The digests an occurrence ``event`` (at ``original`` in its series) has if nothing of it
    changed from its series' ``agreed`` digests on that side."""
    base = dict(agreed)
    # Not moved: its time is the series' (the duration too, when both sides agree on it).
    unmoved = event.start.instant() == original
    base["start"] = digest(value(event, "start")) if unmoved else ""
    base["end"] = digest(value(event, "end")) if unmoved and same_duration else ""
    for unit in ("recurrence", "original_start"):  # an occurrence's own, on both sides alike
        base[unit] = digest(value(event, unit))
    return base


def _cancellation_waits(ctx: Context, series: Binding | None, remote: Event | None,
                        local: LocalChange | None) -> bool:
    """Google cancelled an occurrence that is here as its series has it, in a direction that does
    not take Google's changes: the cancellation waits, unbound (the full list of a change of
    direction finds it again); it is not overwritten. (One changed here goes, as any local edit.)"""
    if (ctx.mode.pulls or series is None or not series.local_digests or remote is None or not remote.cancelled
            or remote.original_start is None or local is None or local.event is None):
        return False
    base = _as_its_series(series.local_digests, local.event, remote.original_start.instant(), same_duration=True)
    return digests(local.event, ctx.fields) == base


def _leave_to_organizer(plan: Plan, ctx: Context, binding: Binding, remote: Event | None,
                        local: LocalChange | None) -> None:
    """An invitation from a colleague whose own synchronization carries the event: nothing moves
    here. A private copy this side had made for them goes: their invitation replaces it."""
    if binding.access is Access.COPY and not is_deletion(remote) and local is not None:
        plan.deletions.append(DeleteRemote(binding, seen_etag(binding, remote), "none", local))
    elif is_deletion(remote) or (local is not None and local.event is None):
        plan.actions.append(Unbind(binding))
    elif remote is not None:
        plan.actions.append(Bind(dataclasses.replace(with_remote(binding, remote, ctx.fields), access=Access.INVITED)))
    elif local is not None:
        plan.actions.append(Bind(dataclasses.replace(binding, access=Access.INVITED)))


def _decide_unbound(plan: Plan, ctx: Context, remote: Event | None, local: LocalChange | None) -> None:
    """An event without binding: new on one side, or found again on both."""
    if remote is not None and not is_deletion(remote):
        if local is not None and local.event is not None:
            _reconcile_unbound(plan, ctx, remote, local, local.event)
        elif local is not None:
            # Ours, deleted locally before its binding was recorded: the newer change wins.
            placeholder = Binding(local.local_ref, google_id_of(remote), remote.etag, remote.ical_uid, "", "",
                                  access=local.access)
            if winner(ctx, remote, local) == GOOGLE:
                plan.actions.append(CreateLocal(remote, replaces=placeholder))
            else:
                plan.deletions.append(DeleteRemote(placeholder, remote.etag, send_updates(ctx, local), local))
        elif ctx.mode.pulls:
            plan.actions.append(CreateLocal(remote))
        else:
            plan.ignored += 1
    elif local is not None and local.event is not None:
        if local.access in (Access.INVITED, Access.ATTENDEE):
            # Not this side's to send: the organizer's invitation brings it.
            plan.actions.append(Unbind(Binding(local.local_ref, remote_id_for(ctx, local), None, None, "", "")))
        elif not ctx.mode.pushes:
            plan.ignored += 1
        elif local.access is Access.COPY and not local.event.is_instance:
            plan.actions.append(_import(ctx, local, ical_uid_for(ctx.namespace, local.local_ref)))
        else:
            plan.actions.append(CreateRemote(local, remote_id_for(ctx, local), send_updates(ctx, local)))
    elif local is not None and ctx.mode.pushes and remote is None:
        placeholder = Binding(local.local_ref, remote_id_for(ctx, local), None, None, "", "")
        if local.series_local_ref or local.access is not Access.ORGANIZER:
            # An occurrence gone with its series: the series' own deletion covers it. A copy is
            # imported under an id Google chooses: none can be left under a derived one.
            plan.actions.append(Unbind(placeholder))
        else:
            # Deleted before its binding was recorded: an insert may still have reached Google
            # (its answer lost), under the id derived from the local reference. Delete that, if it exists.
            plan.deletions.append(DeleteRemote(placeholder, None, send_updates(ctx, local), local))


def _import(ctx: Context, local: LocalChange, ical_uid: str, binding: Binding | None = None) -> ImportRemote:
    return ImportRemote(local, binding.google_id if binding else "", "none", ical_uid=ical_uid, binding=binding)


def _deletion(plan: Plan, ctx: Context, binding: Binding, remote: Event | None, local: LocalChange | None,
              access: Access, remote_changed: bool, local_changed: bool) -> None:
    """One side deleted the event (or no longer has it to show), the other kept it."""
    remote_gone = is_deletion(remote)
    local_gone = local is not None and local.event is None
    if (remote_gone or (remote is not None and remote.cancelled)) and local_gone:
        plan.actions.append(Unbind(binding))  # (a cancelled occurrence: gone on both sides too)
    elif access is not Access.ORGANIZER:
        _copy_gone(plan, ctx, binding, remote, local, access)
    elif remote_gone and not local_changed:
        _pull(plan, ctx, binding, remote)
    elif local_gone and not remote_changed:
        assert local is not None
        _push(plan, ctx, binding, remote, local)
    elif remote is not None and local is not None:
        _resolve(plan, ctx, binding, remote, local)


def _copy_gone(plan: Plan, ctx: Context, binding: Binding, remote: Event | None, local: LocalChange | None,
               access: Access) -> None:
    """Someone else's event, on one side only now."""
    if is_deletion(remote):
        # The user removed it from their Google calendar: they no longer attend (once Google's
        # changes are taken; till then it waits, as any change ignored in a one-way mode).
        if ctx.mode.pulls:
            plan.actions.append(Withdraw(binding))
        else:
            plan.ignored += 1
    elif access is Access.COPY and local is not None:
        if ctx.mode.pushes:
            # (The copy goes whatever the user did to it on Google: the meeting is no longer theirs.)
            plan.deletions.append(DeleteRemote(binding, seen_etag(binding, remote), "none", local))
        else:
            # Bound still: its removal waits for a direction that sends (unbound, the next full
            # list would take the copy for a new event of Google's, and make the meeting again).
            plan.ignored += 1
    else:
        plan.actions.append(Unbind(binding))  # an invitation is the organizer's to cancel


def _pull(plan: Plan, ctx: Context, binding: Binding, remote: Event | None) -> None:
    """Only Google changed."""
    assert remote is not None
    remote_gone = is_deletion(remote)
    if not ctx.mode.pulls:
        # Not taken, and not recorded as agreed either: the binding keeps the version both sides
        # last agreed on (recorded as it is: it may be one the local side had forgotten), so the
        # change comes in once the direction takes Google's changes (a change of direction lists
        # the calendar again).
        plan.ignored += 1
        plan.actions.append(Bind(binding))
    elif remote_gone:
        plan.deletions.append(DeleteLocal(binding))
    elif binding.access is Access.COPY:
        # The user's private copy: only their answer comes in; their other edits stay on it.
        answer = value(remote, OWN_RESPONSE)
        if digest(answer) != dict(binding.remote_digests).get(OWN_RESPONSE) and answer is not None:
            plan.actions.append(AnswerLocal(binding, remote, answer))
        else:
            plan.actions.append(Bind(with_remote(binding, remote, ctx.fields)))
    else:
        plan.actions.append(UpdateLocal(binding.local_ref, remote, binding))


def _push(plan: Plan, ctx: Context, binding: Binding, remote: Event | None, local: LocalChange) -> None:
    """Only the local side changed; ``local.event`` is None when it deleted the event."""
    if not ctx.mode.pushes:
        # Left to send (an edit or a deletion): it goes once the direction sends again.
        plan.ignored += 1
    elif local.event is None:
        plan.deletions.append(DeleteRemote(binding, seen_etag(binding, remote), send_updates(ctx, local), local))
    elif binding.local_digests:
        # Google gets the fields changed here (a guest's answer only, for an invitation): what
        # changed on Google meanwhile is not overwritten with what this side never touched.
        base = dict(binding.local_digests)
        changed = {unit for unit, digested in digests(local.event, ctx.fields).items() if digested != base.get(unit)}
        changed = {unit for unit in changed if local.access.may_push(unit)}
        if changed:
            plan.actions.append(UpdateRemote(local, binding.google_id, send_updates(ctx, local),
                                             etag=seen_etag(binding, remote), binding=binding,
                                             fields=patched(changed, local.event)))
        else:
            plan.actions.append(Bind(with_local(binding, local.event, ctx.fields)))
    else:
        plan.actions.append(UpdateRemote(local, binding.google_id, send_updates(ctx, local),
                                         etag=seen_etag(binding, remote), binding=binding))


def patched(changed: Iterable[str], event: Event) -> frozenset[str] | None:
    """The fields a patch of Google's event sends for the merge units ``changed``; None: all of
    them, for a cancelled occurrence restored here, which Google restores from its series (its
    times, its guests...), not from the tombstone the binding's base describes."""
    if "status" in changed and not event.cancelled:
        return None
    return frozenset("attendees" if unit in (GUESTS, OWN_RESPONSE) else unit for unit in changed)


def _merge(plan: Plan, ctx: Context, binding: Binding, remote: Event, local: LocalChange, access: Access) -> None:
    """Both versions are there and at least one changed (both, in "local to Google only"):
    merge them field by field. There, a unit only Google changed waits (see held)."""
    assert local.event is not None
    result = merge(dict(binding.local_digests), dict(binding.remote_digests), local.event, remote, ctx.fields,
                   access, winner(ctx, remote, local))
    waiting: tuple[tuple[str, str], ...] = ()
    if result.to_local and not ctx.mode.pulls:
        base = dict(binding.remote_digests)
        waiting = tuple((unit, base.get(unit, "")) for unit in sorted(result.to_local))
        result = dataclasses.replace(result, to_local=frozenset())
        plan.ignored += 1
    push: UpdateRemote | ImportRemote | None = None
    if result.to_remote:
        # Google takes only what it may from this side: the merged value of those fields.
        chosen = {unit: LOCAL if unit in result.to_remote else GOOGLE for unit in units(ctx.fields)}
        outgoing = assemble(result.event, remote, chosen)
        fields = patched(result.to_remote, result.event)
        if access is Access.COPY and not local.event.is_instance:
            push = ImportRemote(local, binding.google_id, "none", ical_uid=binding.ical_uid or "", binding=binding)
        else:
            push = UpdateRemote(local, binding.google_id, send_updates(ctx, local), etag=remote.etag,
                                binding=binding, outgoing=outgoing, fields=fields, waiting=waiting)
    if result.to_local:
        plan.actions.append(UpdateLocal(binding.local_ref, remote, binding, push, merged=result.event))
    elif push is not None:
        plan.actions.append(push)
    else:
        plan.actions.append(Bind(held(with_local(with_remote(binding, remote, ctx.fields), local.event, ctx.fields),
                                      waiting)))
    if result.conflicts:
        loser = local.event if result.winner == GOOGLE else remote
        plan.conflicts.append(_conflict(ctx, binding, result.winner, loser, ConflictKind.EDITED_BOTH,
                                        result.conflicts))


def _resolve(plan: Plan, ctx: Context, binding: Binding, remote: Event, local: LocalChange) -> None:
    """Both sides changed the whole event (one of them may have deleted it): the conflict policy."""
    remote_gone, local_gone = is_deletion(remote), local.event is None
    if local.event is not None and not remote_gone and remote.content_hash(ctx.fields) == local.event.content_hash(
            ctx.fields):
        plan.actions.append(Bind(with_local(with_remote(binding, remote, ctx.fields), local.event, ctx.fields)))
        return
    side = winner(ctx, remote, local)
    loser: Event | None
    if side == GOOGLE:
        loser = local.event
        if remote_gone:
            # The edit stays recoverable: archived, not deleted.
            plan.deletions.append(ArchiveLocal(binding))
        elif local_gone:
            plan.actions.append(CreateLocal(remote, replaces=binding))
        else:
            plan.actions.append(UpdateLocal(binding.local_ref, remote, binding))
    else:
        loser = None if remote_gone else remote
        if local_gone:
            # Conditional on the version it overrides, which this run has seen.
            plan.deletions.append(DeleteRemote(binding, remote.etag, send_updates(ctx, local), local))
        else:
            # Against a deleted Google event, the patch restores it with the local content.
            plan.actions.append(UpdateRemote(local, binding.google_id, send_updates(ctx, local), etag=remote.etag,
                                             binding=binding))
    kind = ConflictKind.DELETED_GOOGLE_EDITED_LOCAL if remote_gone else (
        ConflictKind.DELETED_LOCAL_EDITED_GOOGLE if local_gone else ConflictKind.EDITED_BOTH)
    plan.conflicts.append(_conflict(ctx, binding, side, loser, kind, ()))


def _conflict(ctx: Context, binding: Binding, side: str, loser: Event | None, kind: ConflictKind,
              fields: tuple[str, ...]) -> Conflict:
    return Conflict(
        local_ref=binding.local_ref,
        google_id=binding.google_id,
        winner=side,
        loser=loser,
        kind=kind,
        rule=ctx.policy.value if ctx.mode is Mode.TWO_WAY else "one_way",
        fields=fields,
    )


def _reconcile_unbound(plan: Plan, ctx: Context, remote: Event, local: LocalChange, event: Event) -> None:
    """A Google event found to be an existing, unbound local event (after a 410, a lost answer,
    or an invitation that replaces a copy)."""
    access = local.access
    if access is Access.INVITED:
        plan.actions.append(Bind(binding_for(local.local_ref, remote, event, ctx.fields, Access.INVITED)))
    elif remote.content_hash(ctx.fields) == event.content_hash(ctx.fields):
        plan.actions.append(Bind(binding_for(local.local_ref, remote, event, ctx.fields, access)))
    elif access is Access.COPY and not event.is_instance:
        if ctx.mode.pushes:
            plan.actions.append(_import(ctx, local, remote.ical_uid or ical_uid_for(ctx.namespace, local.local_ref)))
        else:
            plan.ignored += 1  # left unbound: the full list of a direction change finds it again
    elif access is Access.ATTENDEE and not ctx.mode.pulls:
        plan.ignored += 1  # an invitation is Google's version, which this direction does not take
    elif access is Access.ATTENDEE or winner(ctx, remote, local) == GOOGLE:
        plan.actions.append(UpdateLocal(local.local_ref, remote, access=access))
        if remote.cancelled and not event.cancelled and access is Access.ORGANIZER:
            # An occurrence changed here that Google cancelled since, later: the log shows the change.
            placeholder = Binding(local.local_ref, google_id_of(remote), None, remote.ical_uid, "", "")
            plan.conflicts.append(_conflict(ctx, placeholder, GOOGLE, event, ConflictKind.DELETED_GOOGLE_EDITED_LOCAL, ()))
    else:
        plan.actions.append(UpdateRemote(local, google_id_of(remote), send_updates(ctx, local), etag=remote.etag))


def plan(items: Iterable[Item], ctx: Context) -> Plan:
    result = Plan()
    for item in items:
        result.extend(decide(item, ctx))
    result.actions.sort(key=phase)
    return result


def phase(action: Action) -> int:
    """Series before their occurrences, so an occurrence always finds its series (a binding
    recorded alone goes by its Google id)."""
    event = getattr(action, "remote", None) or getattr(getattr(action, "local", None), "event", None)
    if isinstance(action, Bind):
        return 1 if recurrence.split_instance_id(action.binding.google_id) else 0
    return 1 if event is not None and event.is_instance else 0


def mass_deletion(deletions: Iterable[Action], total: int, share: float, minimum: int) -> tuple[str, int] | None:
    """(side, count) when a side would lose more than ``share`` of a calendar of ``minimum``+ events."""
    counts = {LOCAL: 0, GOOGLE: 0}
    for action in deletions:
        counts[LOCAL if isinstance(action, LOCAL_DELETIONS) else GOOGLE] += 1
    if total < minimum:
        return None
    for side, count in counts.items():
        if count > share * total:
            return side, count
    return None
