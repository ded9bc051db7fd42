"""What a user expects of their calendars, whatever they did: the model behind
test_user_paths.py, in plain Python.

An *item* is one event as people think of it ("E3"): every title it ever has starts with its
key. Its *slots* are its occurrences (one for a single event), by start. A slot holds what each
side shows of it, Odoo and each Google calendar (a dict of ``FIELDS``, or None: not there), when
each side last changed it, and, for each Google calendar the pair was ever synchronized on,
what both sides last agreed on there (a binding, or its memory once another calendar, account
or a reset made the synchronization forget it).

What a person does on one side is read back from that side (``Expected.saw``): Odoo's own rules
(a series split from an occurrence on, say) are Odoo's. What the synchronization does is
predicted (``Expected.settle``), as the documentation says:

- both ways, a change goes across; a field changed on both sides keeps the newest change (a tie
  goes to Google) and the log shows the value not kept; deleted on one side and edited on the
  other, the newest wins too, and the log says so;
- in a one-way mode, the other side's changes wait until the direction lets them go; a field
  changed on both sides keeps the sending side's value, and the log says so;
- a pair found again (back to a calendar, an account, after a reset) is merged as above
  against what both sides last agreed on there; one never synchronized there is found, never
  doubled: a field only one side writes comes from that side, the others from the side changed
  last;
- a series deleted whole on one side takes its occurrences on the other, and the log shows
  those edited there since; unless every one of them changed after the deletion (the series
  itself was edited later): then it comes back;
- who writes what follows "Who sees what": the user's own events (``own``) go both ways; an
  invitation received on Google (``invitation``) is its organizer's, on the invited address's
  primary calendar (on another calendar, Odoo's event goes as a private copy); a colleague's
  meeting in Odoo (``meeting``, the colleague does not synchronize) goes to the user's Google
  calendar as a private copy; the user's answer to either goes both ways.
"""

import dataclasses

OWN, INVITATION, MEETING = "own", "invitation", "meeting"
FIELDS = ("title", "location", "answer")
ODOO, GOOGLE = "odoo", "google"
TWO_WAY, TO_GOOGLE, TO_ODOO = "two_way", "odoo_to_google", "google_to_odoo"
CONNECTED, NEEDS_RECONNECT, DISCONNECTED = "connected", "needs_reconnect", "disconnected"
# The fields only one side writes, by kind of item; the others are written on both sides.
# ("exists": whose deletion is the organizer's cancellation, which no answer outweighs.)
WRITER = {
    OWN: {},
    INVITATION: {"title": GOOGLE, "location": GOOGLE, "exists": GOOGLE},
    MEETING: {"title": ODOO, "location": ODOO, "exists": ODOO},
}


@dataclasses.dataclass
class Slot:
    odoo: dict | None = None
    google: dict = dataclasses.field(default_factory=dict)  # calendar -> dict | None
    odoo_at: int = 0  # when each side last changed it (the model's clock)
    google_at: dict = dataclasses.field(default_factory=dict)  # calendar -> int
    agreed: dict = dataclasses.field(default_factory=dict)  # calendar -> both sides' version then
    record_id: int | None = None  # the Odoo record that shows it, once seen


@dataclasses.dataclass
class Item:
    key: str
    kind: str
    slots: dict = dataclasses.field(default_factory=dict)  # start -> Slot
    excluded: bool = False  # a reset to "only new events" left it out (until one to "all")

    def writer(self, name, calendar):
        """The side that alone writes ``name`` while the user synchronizes ``calendar``. An
        invitation is its organizer's on the invited address's primary calendar; on another,
        Odoo's event goes as any event the user attends in Odoo: a private copy."""
        kind = MEETING if self.kind == INVITATION and calendar != "primary" else self.kind
        return WRITER[kind].get(name)


@dataclasses.dataclass
class Conflict:
    """A value of the item ``key`` that the log must show as not kept ("a deletion" for one)."""

    key: str
    lost: str


@dataclasses.dataclass
class Expected:
    calendar: str = "primary"  # the Google calendar synchronized now (or last)
    # Whether the synchronization holds the pairs of ``calendar`` as bindings: a run made them
    # since it was chosen. Until then they are only remembered, and a reset does not see them.
    bound: bool = True
    direction: str = TWO_WAY
    account: str = CONNECTED
    revoked: bool = False  # Google revoked the grant; the next run finds out
    enabled: bool = True
    admin_paused: bool = False
    clock: int = 0
    items: dict = dataclasses.field(default_factory=dict)  # key -> Item

    # -- what people do ----------------------------------------------------------------------

    def tick(self):
        self.clock += 1

    def new_item(self, kind):
        item = Item(f"E{len(self.items)}", kind)
        self.items[item.key] = item
        return item

    def saw(self, item, side, calendar, view):
        """A person changed ``item`` on ``side`` (on ``calendar``): it now shows ``view``,
        {start: (version, record id)}."""
        for start in set(item.slots) | set(view):
            slot = item.slots.setdefault(start, Slot())
            version, record_id = view.get(start, (None, None))
            if side == ODOO:
                if version != slot.odoo:
                    slot.odoo, slot.odoo_at = version, self.clock
                if slot.record_id is not None:
                    # (Odoo may make new records of a series it rewrites; None: the next run may
                    # make a new one, as for a series Google split, and the first check reads it.)
                    slot.record_id = record_id
            elif version != slot.google.get(calendar):
                slot.google[calendar], slot.google_at[calendar] = version, self.clock

    def live(self):
        return self.account == CONNECTED and self.enabled and not self.admin_paused

    def choose(self, calendar):
        """Another Google calendar (or another account's): the synchronization forgets its
        bindings, and remembers each pair for a run on that calendar to find again."""
        if calendar != self.calendar:
            self.calendar, self.bound = calendar, False

    def reset(self, delete_policy, sync_policy):
        """The Reset Account wizard: the user's own synchronized events deleted where asked, the
        user disconnected. "Only new events": what exists now stays out, until a reset to "all
        existing events": then every pair is found again at the next connection, Odoo's versions
        as changed now."""
        for item in self.items.values():
            slots = item.slots.values()
            bound = self.bound and item.kind == OWN and not item.excluded and any(
                self.calendar in s.agreed for s in slots)
            for slot in slots if bound and delete_policy != "dont_delete" else ():
                slot.agreed.pop(self.calendar, None)  # a pair the reset breaks
                if delete_policy in ("delete_google", "delete_both") and slot.google.get(self.calendar):
                    slot.google[self.calendar], slot.google_at[self.calendar] = None, self.clock
                if delete_policy in ("delete_odoo", "delete_both") and slot.odoo:
                    slot.odoo, slot.odoo_at, slot.record_id = None, self.clock, None
        for item in self.items.values():
            slots = item.slots.values()
            if sync_policy == "new":
                item.excluded = item.excluded or any(s.odoo or any(s.google.values()) for s in slots)
                continue
            item.excluded = False  # "all existing events": those left out before too
            if delete_policy != "dont_delete" and item.kind == OWN:
                for slot in slots:
                    slot.odoo_at = self.clock if slot.odoo else slot.odoo_at
        self.account = DISCONNECTED

    # -- a synchronization, run until it has nothing left to do ------------------------------

    def settle(self):
        """The conflicts the log must show."""
        if not self.live():
            return []
        if self.revoked:
            self.account = NEEDS_RECONNECT
            return []
        self.bound = True
        conflicts = []
        for item in self.items.values():
            if item.excluded:
                continue
            self._series_gone(item, conflicts)
            for slot in item.slots.values():
                if self.calendar in slot.agreed:
                    self._merge(item, slot, conflicts)
                else:
                    self._pair(item, slot)
        return conflicts

    def _shows(self, slot, side):
        return slot.odoo if side == ODOO else slot.google.get(self.calendar)

    def _changed_at(self, slot, side):
        return slot.odoo_at if side == ODOO else slot.google_at.get(self.calendar, 0)

    def _series_gone(self, item, conflicts):
        """A series deleted whole on one side: its occurrences on the other go too, and the log
        shows those edited there since, unless all of them changed after the deletion."""
        slots = item.slots.values()
        if len(item.slots) < 2 or not any(self.calendar in slot.agreed for slot in slots):
            return
        for side, other in ((ODOO, GOOGLE), (GOOGLE, ODOO)):
            if any(self._shows(slot, side) for slot in slots) or not self._sends(side):
                continue
            deleted_at = max(self._changed_at(slot, side) for slot in slots)
            alive = [slot for slot in slots if self._shows(slot, other)]
            if self.direction == TWO_WAY and alive and all(
                    self._shows(slot, other) != slot.agreed.get(self.calendar)
                    and self._changed_at(slot, other) > deleted_at for slot in alive):
                return  # edited after: each occurrence comes back (see _deletion)
            for slot in alive:
                if self._shows(slot, other) != slot.agreed.get(self.calendar):
                    conflicts.append(Conflict(item.key, self._shows(slot, other)["title"]))
                self._set(slot, other, None)
            for slot in slots:
                slot.agreed.pop(self.calendar, None)
            return

    def _sends(self, side):
        """Whether the direction lets ``side``'s changes go to the other side."""
        return self.direction == TWO_WAY or (self.direction == TO_GOOGLE) == (side == ODOO)

    def _winner(self, slot):
        if self.direction != TWO_WAY:
            return ODOO if self.direction == TO_GOOGLE else GOOGLE
        return ODOO if slot.odoo_at > slot.google_at.get(self.calendar, 0) else GOOGLE

    def _set(self, slot, side, version):
        """The synchronization makes ``side`` show ``version``."""
        if side == ODOO:
            if slot.odoo is None:
                slot.record_id = None  # a new record
            slot.odoo, slot.odoo_at = (dict(version) if version else None), self.clock
        else:
            slot.google[self.calendar] = dict(version) if version else None
            slot.google_at[self.calendar] = self.clock

    def _pair(self, item, slot):
        """A slot the synchronization does not know: found on both sides, or sent across."""
        odoo, google = slot.odoo, slot.google.get(self.calendar)
        if odoo and google:
            sides = {name: item.writer(name, self.calendar) or self._winner(slot) for name in FIELDS}
            merged = {name: (odoo if side == ODOO else google)[name] for name, side in sides.items()}
            if odoo != merged and self._sends(GOOGLE):
                self._set(slot, ODOO, merged)
            if google != merged and self._sends(ODOO):
                self._set(slot, GOOGLE, merged)
        elif odoo and item.writer("exists", self.calendar) != GOOGLE and self._sends(ODOO):
            self._set(slot, GOOGLE, odoo)
        elif google and self._sends(GOOGLE):
            self._set(slot, ODOO, google)
        if slot.odoo and slot.odoo == slot.google.get(self.calendar):
            slot.agreed[self.calendar] = dict(slot.odoo)

    def _merge(self, item, slot, conflicts):
        """A known pair: each side's changes since they agreed, field by field."""
        odoo, google, agreed = slot.odoo, slot.google.get(self.calendar), slot.agreed[self.calendar]
        if odoo == agreed and google == agreed:
            return
        if odoo is None or google is None:
            self._deletion(item, slot, conflicts)
            return
        to_odoo, to_google = dict(odoo), dict(google)
        for name in FIELDS:
            mine, theirs, base = odoo[name], google[name], agreed[name]
            if mine == theirs:
                agreed[name] = mine
            elif mine != base and theirs != base:
                side = self._winner(slot)
                kept, lost = (mine, theirs) if side == ODOO else (theirs, mine)
                conflicts.append(Conflict(item.key, lost))
                to_odoo[name] = to_google[name] = agreed[name] = kept
            elif mine != base and self._sends(ODOO):
                to_google[name] = agreed[name] = mine
            elif theirs != base and self._sends(GOOGLE):
                to_odoo[name] = agreed[name] = theirs
        if to_odoo != odoo:
            self._set(slot, ODOO, to_odoo)
        if to_google != google:
            self._set(slot, GOOGLE, to_google)

    def _deletion(self, item, slot, conflicts):
        """Deleted on one side: the deletion goes across, unless the other side changed the event
        too and is the newer (then the event comes back)."""
        odoo, google = slot.odoo, slot.google.get(self.calendar)
        if odoo is None and google is None:
            slot.agreed.pop(self.calendar)
            return
        deleted, kept = (ODOO, google) if odoo is None else (GOOGLE, odoo)
        side = deleted
        edited = kept != slot.agreed[self.calendar]  # on the other side, since they agreed
        if edited and item.writer("exists", self.calendar) != deleted:
            side = self._winner(slot)
            conflicts.append(Conflict(item.key, kept["title"] if side == deleted else "a deletion"))
        if not self._sends(side):
            return
        if side == deleted:
            self._set(slot, GOOGLE if deleted == ODOO else ODOO, None)
            slot.agreed.pop(self.calendar)
        else:
            self._set(slot, deleted, kept)
            slot.agreed[self.calendar] = dict(kept)
