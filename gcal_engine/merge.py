"""The three-way merge of one event, field by field.

Each binding remembers, per field, a digest of the value each side had when they last agreed.
When both sides changed an event, each field is compared with that base: a field changed on one
side only takes that side's value; a field changed on both sides to different values goes
through the conflict policy, and only that field. So a title edited in Odoo and a time moved on
Google both survive.

The guest list is two fields here: the other guests, and the user's own answer (the guest
flagged ``is_self``), because who may change which differs: a guest of someone else's meeting
may answer, not edit it. ``Access`` (model.py) says which fields may flow which way; a change
that may not flow stays where it was made.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import GUESTS, OWN_RESPONSE, Access, Attendee, Event, canonical


def units(fields: Iterable[str]) -> tuple[str, ...]:
    """The merge units of content fields: ``attendees`` becomes the other guests and the own answer."""
    result: list[str] = []
    for name in sorted(fields):
        result += [GUESTS, OWN_RESPONSE] if name == "attendees" else [name]
    return tuple(result)


def value(event: Event, unit: str) -> Any:
    """A unit's value in comparable form."""
    if unit == GUESTS:
        return sorted((a.canonical() for a in event.attendees if not a.is_self), key=json.dumps)
    if unit == OWN_RESPONSE:
        return next((a.response for a in event.attendees if a.is_self), None)
    return canonical(getattr(event, unit))


def digests(event: Event, fields: Iterable[str]) -> dict[str, str]:
    """Per merge unit, a digest of ``event``'s value: what a binding remembers of each side."""
    return {unit: digest(value(event, unit)) for unit in units(fields)}


def digest(data: Any) -> str:
    """The digest a binding remembers of one unit's value."""
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Merge:
    """The agreed version, the units each side must take, and the units changed on both sides
    to different values (``conflicts``), settled for ``winner``."""

    event: Event
    to_local: frozenset[str]
    to_remote: frozenset[str]
    conflicts: tuple[str, ...]
    winner: str


def merge(base_local: Mapping[str, str], base_remote: Mapping[str, str], local: Event, remote: Event,
          fields: Iterable[str], access: Access, prefer: str) -> Merge:
    """Merge ``local`` and ``remote`` against what each side last agreed on (their digests).

    ``prefer`` ("local" or "google") is the side the conflict policy picks for a unit changed on
    both sides. The merged event carries ``remote``'s identity (id, ETag) and the merged content.
    """
    chosen: dict[str, str] = {}
    changed: dict[str, set[str]] = {"local": set(), "google": set()}
    conflicts = []
    for unit in units(fields):
        local_value, remote_value = value(local, unit), value(remote, unit)
        if digest(local_value) != base_local.get(unit):
            changed["local"].add(unit)
        if digest(remote_value) != base_remote.get(unit):
            changed["google"].add(unit)
        if unit in changed["local"] and unit in changed["google"] and local_value != remote_value:
            side = prefer if access.may_pull(unit) and access.may_push(unit) else (
                "google" if access.may_pull(unit) else "local")
            conflicts.append(unit)
        else:
            side = "local" if unit in changed["local"] and unit not in changed["google"] else "google"
        chosen[unit] = side
    merged = assemble(local, remote, chosen)
    # A side takes a value the other side changed, where it may: never a mere difference of form.
    to_local = frozenset(u for u in changed["google"] if chosen[u] == "google" and access.may_pull(u)
                         and value(merged, u) != value(local, u))
    to_remote = frozenset(u for u in changed["local"] if chosen[u] == "local" and access.may_push(u)
                          and value(merged, u) != value(remote, u))
    return Merge(merged, to_local, to_remote, tuple(conflicts), prefer)


def assemble(local: Event, remote: Event, chosen: Mapping[str, str]) -> Event:
    """``remote`` with each unit taken from the side ``chosen`` names ("local" or "google")."""
    sides = {"local": local, "google": remote}
    changes = {unit: getattr(sides[side], unit) for unit, side in chosen.items() if unit not in (GUESTS, OWN_RESPONSE)}
    if GUESTS in chosen or OWN_RESPONSE in chosen:
        changes["attendees"] = _attendees(sides[chosen.get(GUESTS, "google")], sides[chosen.get(OWN_RESPONSE, "google")],
                                          local, remote)
    return dataclasses.replace(remote, **changes)


def _attendees(guests_from: Event, answer_from: Event, local: Event, remote: Event) -> tuple[Attendee, ...]:
    """The other guests of one side and the user's own attendee with the answer of another."""
    others = tuple(a for a in guests_from.attendees if not a.is_self)
    own = next((a for a in remote.attendees if a.is_self), None) or next((a for a in local.attendees if a.is_self), None)
    if own is None:
        return others
    response = next((a.response for a in answer_from.attendees if a.is_self), own.response)
    return (*others, dataclasses.replace(own, response=response))
