"""events.list and the instances endpoint: their queries, pages, page tokens and sync tokens.

Both page with one pager: rows come in a stable order, each under a key, and a page token
holds the key of the last row given (plus the change bound the listing started at, and the
listing's parameters), so writes made while a client pages never shift what the next page holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from werkzeug.datastructures import MultiDict

from gcal_engine import recurrence

from .errors import ApiError, bad_request
from .instances import instances_of
from .state import UTC, Calendar, StoredEvent, rfc3339
from .times import instant
from .tokens import carried, decode_token, encode_token, resume, token_int
from .wire import read_bool, read_int, read_time

_SYNC_INCOMPATIBLE = ("iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty",
                      "timeMin", "timeMax", "updatedMin")
UPDATED_MIN_HORIZON = dt.timedelta(days=28)
MAX_RESULTS = 2500
# How far past now events.list expands an endless series when it has no timeMax; a bounded
# series is expanded whole, and the instances endpoint pages an endless one without end.
HORIZON = dt.timedelta(days=730)
# The parameters of events.list and of events.instances (but the path's and pageToken).
LIST_PARAMS = ("alwaysIncludeEmail", "eventTypes", "iCalUID", "maxAttendees", "maxResults", "orderBy",
               "privateExtendedProperty", "q", "sharedExtendedProperty", "showDeleted", "showHiddenInvitations",
               "singleEvents", "syncToken", "timeMax", "timeMin", "timeZone", "updatedMin")
INSTANCES_PARAMS = ("alwaysIncludeEmail", "maxAttendees", "maxResults", "originalStart", "showDeleted", "timeMax",
                    "timeMin", "timeZone")

Key = tuple[int, ...]
Row = TypeVar("Row")


@dataclass
class ListQuery:
    max_results: int = 250
    sync_seq: int | None = None
    time_min: dt.datetime | None = None
    time_max: dt.datetime | None = None
    updated_min: dt.datetime | None = None
    show_deleted: bool = False
    single_events: bool = False
    order_by: str | None = None
    ical_uid: str | None = None
    q: str | None = None
    private_properties: list[tuple[str, str]] = field(default_factory=list)
    shared_properties: list[tuple[str, str]] = field(default_factory=list)


def _list_query(args: MultiDict[str, str], calendar: Calendar, epoch: str, now: dt.datetime) -> ListQuery:
    """events.list's parameters, checked as Google checks them (400, or 410 for a stale token)."""
    query = ListQuery(
        max_results=_max_results(args),
        show_deleted=read_bool(args, "showDeleted"),
        single_events=read_bool(args, "singleEvents"),
        time_min=read_time(args, "timeMin"),
        time_max=read_time(args, "timeMax"),
        updated_min=read_time(args, "updatedMin"),
        ical_uid=args.get("iCalUID"),
        q=args.get("q"),
        order_by=args.get("orderBy"),
    )
    for name, target in (("privateExtendedProperty", query.private_properties),
                         ("sharedExtendedProperty", query.shared_properties)):
        for value in args.getlist(name):
            key, sep, val = value.partition("=")
            if not sep or not key:
                raise bad_request(f"Invalid value for {name}: {value}", name)
            target.append((key, val))
    if query.order_by not in (None, "startTime", "updated"):
        raise bad_request(f"Invalid value for orderBy: {query.order_by}", "orderBy")
    if query.order_by == "startTime" and not query.single_events:
        raise bad_request("The requested ordering is not available for the particular query.", "orderBy")
    if query.time_min and query.time_max and query.time_max <= query.time_min:
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.", location="timeMax")
    token = args.get("syncToken")
    if token is not None:
        for name in _SYNC_INCOMPATIBLE:
            if name in args:
                raise bad_request(f"Sync token cannot be used together with {name}.", name)
        if args.get("showDeleted", "").lower() == "false":
            raise bad_request("showDeleted=false cannot be used together with a sync token.", "showDeleted")
        data = decode_token(token, "syncToken")
        if data.get("c") != calendar.id or data.get("e") != epoch or not isinstance(data.get("s"), int):
            raise ApiError(410, "fullSyncRequired", location="syncToken")
        query.sync_seq = data["s"]
    if query.updated_min is not None and query.updated_min < now - UPDATED_MIN_HORIZON:
        raise ApiError(410, "updatedMinTooLongAgo", location="updatedMin")
    return query


def _max_results(args: Mapping[str, str]) -> int:
    """maxResults: 250 by default; Google serves at most 2500 whatever is asked."""
    return min(read_int(args, "maxResults", 250, minimum=1), MAX_RESULTS)


def _page(rows: Iterable[tuple[Key, Row]], after: Key, size: int) -> tuple[list[tuple[Key, Row]], bool]:
    """The ``size`` rows following the key ``after`` in ``rows`` (in key order), and whether more follow."""
    page: list[tuple[Key, Row]] = []
    for key, row in rows:
        if key <= after:
            continue
        if len(page) == size:
            return page, True
        page.append((key, row))
    return page, False


def _numbered(rows: Iterable[Row]) -> Iterator[tuple[Key, Row]]:
    """Rows keyed by their position, for listings whose order is computed whole each time."""
    return (((index,), row) for index, row in enumerate(rows))


def _after_offset(token: Mapping[str, Any]) -> Key:
    """The key after which a positional listing resumes: ``o`` counts the rows already given."""
    return (token_int(token, "o", 0, "pageToken") - 1,)


def _events_envelope(calendar: Calendar, etag: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "calendar#events",
        "etag": etag,
        "summary": calendar.summary,
        "updated": rfc3339(calendar.updated),
        "timeZone": calendar.time_zone,
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 30}],
        "items": items,
    }


def _tombstone(resource: dict[str, Any]) -> dict[str, Any]:
    """What a list shows of a deleted event: only what Google guarantees."""
    keep = ("kind", "etag", "id", "status", "updated", "recurringEventId", "originalStartTime")
    return {key: resource[key] for key in keep if key in resource}


def _overlaps(calendar: Calendar, stored: StoredEvent, query: ListQuery) -> bool:
    resource = stored.resource
    if query.time_min is None and query.time_max is None:
        return True
    zone = calendar.time_zone
    if resource.get("status") == "cancelled" and "start" not in resource:
        original = resource.get("originalStartTime")
        if not original:
            return True
        begin = finish = instant(original, zone)
    elif resource.get("recurrence"):
        begin = instant(resource["start"], zone)
        last = recurrence.last_occurrence(resource["recurrence"], resource["start"])
        span = instant(resource["end"], zone) - begin
        if last is None:
            finish = dt.datetime.max.replace(tzinfo=UTC)
        else:
            last_aware = last if last.tzinfo else last.replace(tzinfo=recurrence.zone(zone))
            finish = last_aware + span
    else:
        begin, finish = instant(resource["start"], zone), instant(resource["end"], zone)
    if query.time_min is not None and not finish > query.time_min:
        return False
    return query.time_max is None or begin < query.time_max


def _matches(resource: dict[str, Any], query: ListQuery) -> bool:
    if query.ical_uid is not None and resource.get("iCalUID") != query.ical_uid:
        return False
    props = resource.get("extendedProperties") or {}
    for scope, wanted in (("private", query.private_properties), ("shared", query.shared_properties)):
        values = props.get(scope) or {}
        if any(values.get(key) != value for key, value in wanted):
            return False
    if query.updated_min is not None and recurrence.parse_rfc3339(resource["updated"]) < query.updated_min:
        return False
    if query.q:
        text = " ".join(
            [resource.get("summary", ""), resource.get("description", ""), resource.get("location", "")]
            + [a.get("email", "") for a in resource.get("attendees") or ()]
        ).lower()
        if not all(word in text for word in query.q.lower().split()):
            return False
    return True


def _visible(calendar: Calendar, stored: StoredEvent, query: ListQuery) -> bool:
    if not stored.cancelled:
        return True
    if query.sync_seq is not None or query.updated_min is not None or query.show_deleted:
        return True
    master_id = stored.resource.get("recurringEventId")
    if master_id and not query.single_events:
        master = calendar.events.get(master_id)
        return master is not None and not master.cancelled
    return False


def _rows(calendar: Calendar, query: ListQuery, bound: int, now: dt.datetime) -> Iterator[tuple[Key, dict[str, Any]]]:
    """(key, resource) in the list's stable order; keys make page tokens immune to concurrent writes."""
    low_seq = query.sync_seq if query.sync_seq is not None else -1
    horizon = max(now, calendar.updated) + HORIZON
    for stored in calendar.events.values():
        if not low_seq < stored.seq <= bound:
            continue
        if not _visible(calendar, stored, query):
            continue
        resource = stored.resource
        if query.single_events and resource.get("recurringEventId"):
            master = calendar.events.get(resource["recurringEventId"])
            if query.sync_seq is None or (master is not None and low_seq < master.seq <= bound):
                continue  # it comes out of its series' expansion below
        if not _overlaps(calendar, stored, query) or not _matches(resource, query):
            continue
        if query.single_events and resource.get("recurrence") and not stored.cancelled:
            expanded = instances_of(
                calendar, stored, show_deleted=query.show_deleted or query.sync_seq is not None,
                after=query.time_min, before=query.time_max,
                horizon=horizon if recurrence.is_endless(resource["recurrence"]) else None,
            )
            for index, instance in enumerate(expanded):
                if _matches(instance, query) and (query.time_min is None or _ends_after(instance, query.time_min, calendar)):
                    yield (stored.pos, index), instance
            continue
        yield (stored.pos, 0), resource


def _ends_after(resource: dict[str, Any], moment: dt.datetime, calendar: Calendar) -> bool:
    return "end" not in resource or instant(resource["end"], calendar.time_zone) > moment


def list_page(calendar: Calendar, request_args: MultiDict[str, str], epoch: str, now: dt.datetime,
              page_limit: int | None = None) -> dict[str, Any]:
    """One page of events.list: ``nextPageToken`` or, on the last page only, ``nextSyncToken``;
    at most ``page_limit`` events, whatever maxResults asks."""
    args, token = resume(request_args, LIST_PARAMS, {"c": calendar.id})
    query = _list_query(args, calendar, epoch, now)
    query.max_results = min(query.max_results, page_limit or MAX_RESULTS)
    bound = calendar.seq
    after: Key = (-1, -1) if query.order_by is None else (-1,)
    if token is not None:
        bound = token_int(token, "b", None, "pageToken", maximum=calendar.seq)
        keyed = (token_int(token, "p", -1, "pageToken", minimum=-1), token_int(token, "i", -1, "pageToken", minimum=-1))
        positional = _after_offset(token)
        after = keyed if query.order_by is None else positional
    rows = _rows(calendar, query, bound, now)
    if query.order_by is not None:
        rows = _numbered(resource for _, resource in sorted(rows, key=_order_key(query.order_by, calendar)))
    page, more = _page(rows, after, query.max_results)
    result = _events_envelope(calendar, f'"p{bound:016d}"', [
        _tombstone(r) if r.get("status") == "cancelled" else r for _, r in page])
    result["description"] = ""
    if more:
        last = page[-1][0]
        position = {"p": last[0], "i": last[1]} if query.order_by is None else {"o": last[0] + 1}
        result["nextPageToken"] = encode_token(position | {"b": bound, "c": calendar.id, "q": carried(args, LIST_PARAMS)})
    else:
        result["nextSyncToken"] = encode_token({"c": calendar.id, "s": bound, "e": epoch})
    return result


def instances_page(calendar: Calendar, master: StoredEvent, request_args: MultiDict[str, str]) -> dict[str, Any]:
    """One page of the instances endpoint: the series' instances in order, exceptions in place."""
    scope = {"c": calendar.id, "e": master.resource["id"]}
    args, token = resume(request_args, INSTANCES_PARAMS, scope)
    max_results = _max_results(args)
    after = (-1,) if token is None else _after_offset(token)
    items: Iterable[dict[str, Any]] = instances_of(
        calendar, master, show_deleted=read_bool(args, "showDeleted"),
        after=read_time(args, "timeMin"), before=read_time(args, "timeMax"),
    )
    original = read_time(args, "originalStart")
    if original is not None:
        items = (i for i in items if instant(i["originalStartTime"], calendar.time_zone) == original)
    page, more = _page(_numbered(items), after, max_results)
    result = _events_envelope(calendar, master.resource["etag"], [item for _, item in page])
    if more:
        result["nextPageToken"] = encode_token({"o": page[-1][0][0] + 1, **scope, "q": carried(args, INSTANCES_PARAMS)})
    return result


def _order_key(order_by: str, calendar: Calendar) -> Callable[[tuple[Key, dict[str, Any]]], tuple[Any, Key]]:
    if order_by == "updated":
        return lambda row: (row[1].get("updated", ""), row[0])

    def by_start(row: tuple[Key, dict[str, Any]]) -> tuple[dt.datetime, Key]:
        resource = row[1]
        value = resource.get("start") or resource.get("originalStartTime") or {}
        moment = instant(value, calendar.time_zone) if value else dt.datetime.min.replace(tzinfo=UTC)
        return moment, row[0]

    return by_start
