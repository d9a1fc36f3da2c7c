"""The history rule, stated once, as pure functions (no SQL, no I/O).

**The interval rule.** A score is stored per key (model, variant, benchmark) as validity
intervals ``[valid_from, valid_to)`` whose ends are snapshot dates: an interval runs from the
first snapshot date on which the key had that value to the first snapshot date on which it
had another value or was absent (``None``: still current). A *full* snapshot decides every key
of its board on its date (present with a value, or absent). A *partial* snapshot (see
:func:`partial_flags`) decides only the rows it lists; every other key keeps the state it had
on the previous snapshot date: it is carried, not closed. The stored history is therefore a
function of the set of snapshots alone, whatever order they were imported in.

:func:`plan_snapshot` turns (the stored intervals of the keys a snapshot touches, the
snapshot) into a :class:`Plan` (closes, extends, inserts, deletes); ``db.writes`` applies it
with set-based SQL. :func:`partial_flags` is the partial-snapshot rule, :func:`reigns` the
reign rule shared by ``db.queries.tenure`` and the dashboard.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

Key = tuple  # (model id, variant, benchmark); its row is key[:2]
Value = tuple  # (value, precision, revision)

# A snapshot is partial when it lists fewer than PARTIAL_SHARE of the entries of the largest
# of the PARTIAL_NEIGHBOURS snapshots before it, and that one had at least
# PARTIAL_MIN_ENTRIES entries (on a tiny board a drop says nothing). Only earlier snapshots
# count: boards grow, so a larger later one proves nothing.
PARTIAL_SHARE = 0.5
PARTIAL_NEIGHBOURS = 3
PARTIAL_MIN_ENTRIES = 20
# A gap between two consecutive snapshots longer than this many days is marked on reigns.
MAX_GAP_DAYS = 30


def same_value(a: float, b: float) -> bool:
    """Two scores are the same value (floats read back from a database may differ in the last bit)."""
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@dataclass(frozen=True)
class Interval:
    """A stored (``id`` set) or planned (``id`` None) validity interval of one key."""

    id: int | None
    key: Key
    value: float
    precision: str | None
    revision: str | None
    valid_from: dt.date
    valid_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def replace_key(iv: Interval, key: Key) -> Interval:
    return replace(iv, key=key)


@dataclass(frozen=True)
class Later:
    """A stored snapshot after the one being planned: its date, and for a partial one its rows."""

    day: dt.date
    partial: bool = False
    rows: frozenset = frozenset()  # the (model id, variant) rows a partial snapshot lists


@dataclass
class Plan:
    """What to write: delete these ids, move these ends, insert these intervals."""

    deletes: list[int] = field(default_factory=list)
    closes: list[tuple[int, dt.date]] = field(default_factory=list)  # valid_to set to an earlier date
    extends: list[tuple[int, dt.date | None]] = field(default_factory=list)  # later date, or None: re-opened
    inserts: list[Interval] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.deletes or self.closes or self.extends or self.inserts)


def partial_flags(
    counts: Sequence[int],
    *,
    share: float | None = None,
    neighbours: int | None = None,
    min_entries: int | None = None,
) -> list[bool]:
    """Which snapshots of a board are partial, from their entry counts in date order.

    A snapshot is partial when it lists fewer than ``share`` (:data:`PARTIAL_SHARE`) of the
    entries of the largest of the ``neighbours`` (:data:`PARTIAL_NEIGHBOURS`) snapshots before
    it, and that one has at least ``min_entries`` (:data:`PARTIAL_MIN_ENTRIES`).
    """
    share = PARTIAL_SHARE if share is None else share
    neighbours = PARTIAL_NEIGHBOURS if neighbours is None else neighbours
    min_entries = PARTIAL_MIN_ENTRIES if min_entries is None else min_entries
    flags = []
    for i, count in enumerate(counts):
        peak = max(counts[max(0, i - neighbours) : i], default=0)
        flags.append(peak >= min_entries and count < share * peak)
    return flags


_START = operator.attrgetter("valid_from")


def _right_bound(row: tuple, later: Sequence[Later]) -> dt.date | None:
    """The first later snapshot that decides this row (a full one, or a partial one listing it)."""
    for snap in later:
        if not snap.partial or row in snap.rows:
            return snap.day
    return None


def _state_at(ivs: Sequence[Interval], day: dt.date | None) -> Interval | None:
    if day is None:
        return None
    return next((iv for iv in ivs if iv.covers(day)), None)


def _paint(ivs: list[Interval], key: Key, day: dt.date, want: Value | None, end: dt.date | None) -> list[Interval]:
    """The intervals of ``key`` after setting its state to ``want`` on ``[day, end)``; equal neighbours merge."""
    pieces: list[Interval] = []
    for iv in ivs:
        if (iv.valid_to is not None and iv.valid_to <= day) or (end is not None and iv.valid_from >= end):
            pieces.append(iv)  # outside the painted span
            continue
        if iv.valid_from < day:
            pieces.append(replace(iv, valid_to=day))
        if end is not None and (iv.valid_to is None or iv.valid_to > end):
            pieces.append(replace(iv, id=None, valid_from=end))
    if want is not None:
        pieces.append(Interval(None, key, want[0], want[1], want[2], day, end))
    pieces.sort(key=lambda iv: iv.valid_from)
    merged: list[Interval] = []
    for iv in pieces:
        last = merged[-1] if merged else None
        if last is not None and last.valid_to == iv.valid_from and same_value(last.value, iv.value):
            merged[-1] = replace(last, valid_to=iv.valid_to)  # ``iv``'s row, if stored, is freed
        else:
            merged.append(iv)
    return merged


def _diff(old: Sequence[Interval], new: Sequence[Interval], plan: Plan) -> None:
    """Add to ``plan`` what turns ``old`` into ``new`` (a freed row with the same start and value is reused)."""
    kept = {iv.id for iv in new if iv.id is not None}
    freed: dict[tuple, list[Interval]] = {}
    for iv in old:
        if iv.id not in kept:
            freed.setdefault((iv.valid_from, iv.value), []).append(iv)
    before = {iv.id: iv for iv in old}
    for iv in new:
        if iv.id is None:
            same = freed.get((iv.valid_from, iv.value))
            reuse = same.pop() if same else None
            if reuse is None:
                plan.inserts.append(iv)
                continue
            iv = replace(iv, id=reuse.id)
        was = before[iv.id].valid_to
        if iv.valid_to != was:
            if iv.valid_to is not None and (was is None or iv.valid_to < was):
                plan.closes.append((iv.id, iv.valid_to))  # type: ignore[arg-type]
            else:
                plan.extends.append((iv.id, iv.valid_to))  # type: ignore[arg-type]
    plan.deletes.extend(iv.id for ivs in freed.values() for iv in ivs)  # type: ignore[misc]


def plan_snapshot(
    day: dt.date,
    wanted: Mapping[Key, Value],
    intervals: Iterable[Interval],
    *,
    prev: dt.date | None,
    later: Sequence[Later] = (),
    partial: bool = False,
    rows: Collection[tuple] = (),
    keys: Iterable[Key] | None = None,
) -> Plan:
    """The writes that make ``wanted`` the state of a board on ``day``, under the interval rule.

    ``intervals``: every stored interval of the keys planned that overlaps ``[prev, R]``
    (``prev``: the stored snapshot date before ``day``; R: the first full snapshot after it).
    ``later``: the stored snapshots after ``day`` in date order, up to the first full one.
    ``partial``/``rows``: a partial snapshot and the rows it lists (keys of other rows are
    carried from ``prev``). ``keys``: the keys to plan (default: those of ``wanted`` and of
    ``intervals``); a key left out is taken as unchanged.
    """
    by_key: dict[Key, list[Interval]] = {}
    for iv in intervals:
        by_key.setdefault(iv.key, []).append(iv)
    todo = keys if keys is not None else wanted.keys() | by_key.keys()
    plan = Plan()
    full_end = next((s.day for s in later if not s.partial), None)
    some_partial = any(s.partial for s in later)
    rows = rows if isinstance(rows, (set, frozenset, dict)) else set(rows)
    for key in todo:
        ivs = by_key.get(key, [])
        if len(ivs) > 1:
            ivs.sort(key=_START)
        row = key[:2]
        if not partial or row in rows:
            want = wanted.get(key)
        else:  # carried: the state on the previous snapshot date
            was = _state_at(ivs, prev)
            want = (was.value, was.precision, was.revision) if was is not None else None
        end = _right_bound(row, later) if some_partial else full_end
        if not ivs:  # a key with no history here: at most one new interval
            if want is not None:
                plan.inserts.append(Interval(None, key, want[0], want[1], want[2], day, end))
            continue
        now = _state_at(ivs, day)
        if (
            now is not None
            and want is not None
            and same_value(now.value, want[0])
            and (now.valid_to is None or (end is not None and now.valid_to >= end))
        ):
            continue  # already so on the whole span
        if now is None and want is None and not _touches(ivs, day, end):
            continue
        _diff(ivs, _paint(ivs, key, day, want, end), plan)
    return plan


def _touches(ivs: Sequence[Interval], day: dt.date, end: dt.date | None) -> bool:
    """Whether any interval starts inside ``[day, end)`` (painting "absent" there changes something)."""
    return any(iv.valid_from >= day and (end is None or iv.valid_from < end) for iv in ivs)


def plan_merge(kept: Iterable[Interval], moved: Iterable[Interval], dates: Sequence[dt.date]) -> Plan:
    """Two histories of one model made one (a renamed repo whose old and new ids both have rows).

    ``moved`` are the old id's intervals, already keyed by the kept model. Where both ids have
    a key, on each snapshot date (``dates``: every stored date of the board) the kept id's
    state wins and the moved id's fills the dates the kept one leaves empty; the result is one
    history per key under the interval rule.
    """
    kept_by: dict[Key, list[Interval]] = {}
    moved_by: dict[Key, list[Interval]] = {}
    for iv in kept:
        kept_by.setdefault(iv.key, []).append(iv)
    for iv in moved:
        moved_by.setdefault(iv.key, []).append(iv)
    plan = Plan()
    for key in kept_by.keys() & moved_by.keys():
        olds = kept_by[key] + moved_by[key]
        runs: list[Interval] = []
        for day in dates:
            state = _state_at(kept_by[key], day) or _state_at(moved_by[key], day)
            run = runs[-1] if runs and runs[-1].valid_to is None else None
            if run is not None and (state is None or not same_value(run.value, state.value)):
                runs[-1] = replace(run, valid_to=day)
                run = None
            if state is not None and run is None:
                runs.append(Interval(None, key, state.value, state.precision, state.revision, day, None))
        _diff(olds, runs, plan)
    return plan


# --------------------------------------------------------------------------- reigns


def longest_gap(dates: Sequence[dt.date], start: dt.date, end: dt.date | None) -> int | None:
    """The longest gap in days between consecutive snapshot dates inside ``[start, end]`` when
    it is longer than :data:`MAX_GAP_DAYS`; ``None`` when there is none."""
    inside = [d for d in dates if d >= start and (end is None or d <= end)]
    gap = max((b - a).days for a, b in zip(inside, inside[1:], strict=False)) if len(inside) > 1 else 0
    return gap if gap > MAX_GAP_DAYS else None


_NO_FULL_DAY = object()


def reigns(
    dates: Sequence[dt.date],
    leaders: Mapping[dt.date, object],
    *,
    identity: Callable[[object], Hashable] = lambda leader: leader,
    partial: Collection[dt.date] = (),
) -> list[dict]:
    """Reigns at #1: ``{"leader", "start", "end", "days", "gap_days"}`` in date order.

    ``leaders``: the #1 on each snapshot date (absent: no leader that day); ``identity`` tells
    two leaders apart. A reign runs from the first snapshot date where a model leads to the
    first where another model (or no model) leads; ``end`` is None while it still leads on the
    last date, and ``days`` then counts to that date. A partial snapshot cannot start or end
    a reign by itself: its leader counts only when the next full snapshot has the same leader.
    ``leader`` is the leader's record on the reign's first date.
    """
    out: list[dict] = []
    if not dates:
        return out
    partial = set(partial)
    confirm: dict[dt.date, object] = {}  # partial date -> identity of the next full date's leader
    upcoming: object = _NO_FULL_DAY  # a partial day with no full day after it confirms nothing
    for day in reversed(dates):
        if day in partial:
            confirm[day] = upcoming
        else:
            leader = leaders.get(day)
            upcoming = identity(leader) if leader is not None else None
    current: dict | None = None
    for day in dates:
        leader = leaders.get(day)
        who = identity(leader) if leader is not None else None
        if day in partial and who != confirm[day]:
            continue  # not confirmed by the next full snapshot: no change on this day
        if current is not None and who != current["_who"]:
            current["end"] = day
            current = None
        if who is not None and current is None:
            current = {"leader": leader, "start": day, "end": None, "_who": who}
            out.append(current)
    for reign in out:
        del reign["_who"]
        reign["days"] = ((reign["end"] or dates[-1]) - reign["start"]).days
        reign["gap_days"] = longest_gap(dates, reign["start"], reign["end"] or dates[-1])
    return out


# --------------------------------------------------------------------------- many snapshots at once


@dataclass(frozen=True)
class Forward:
    """A snapshot for :func:`plan_forward`: its date, the state it asks for, whether it is partial
    and, if so, the (model id, variant) rows it lists."""

    day: dt.date
    wanted: Mapping[Key, Value]
    partial: bool = False
    rows: Collection[tuple] = ()


# An interval :func:`plan_forward` starts: (key, value, precision, revision, valid_from, valid_to).
Run = tuple


@dataclass
class ForwardPlan:
    """What :func:`plan_forward` writes: stored intervals to close, and new intervals (``Run``)."""

    closes: list[tuple[int, dt.date]] = field(default_factory=list)
    inserts: list[Run] = field(default_factory=list)

    def intervals(self) -> list[Interval]:
        """The new intervals as :class:`Interval` records (``id`` None)."""
        return [Interval(None, k, v, p, r, start, end) for k, v, p, r, start, end in self.inserts]


def plan_forward(open_intervals: Iterable[Interval], snapshots: Sequence[Forward]) -> ForwardPlan:
    """The writes for a series of snapshots, every one later than the board's newest stored date,
    planned in one pass: the same history as planning and applying them one by one with
    :func:`plan_snapshot`, in date order.

    ``open_intervals``: the board's open intervals (its state on its newest stored date). Past
    the newest date nothing is stored, so a key changes only at its open end: a stored interval
    is closed (``closes``) or kept, and every interval the series starts is inserted once, with
    its final end (``inserts``, plain tuples: a full Arena split starts about 190,000).
    Nothing is deleted or re-opened. Snapshots must come in strictly increasing date order.
    """
    stored: dict[Key, Interval] = {}
    for iv in open_intervals:
        if iv.valid_to is not None:
            raise ValueError(f"plan_forward: interval {iv.id} is not open")
        stored[iv.key] = iv
    started: dict[Key, tuple[Value, dt.date]] = {}  # key -> (value, start) of an interval begun here
    plan = ForwardPlan()
    closes, inserts = plan.closes, plan.inserts
    last: dt.date | None = max((iv.valid_from for iv in stored.values()), default=None)

    def end(key: Key, day: dt.date) -> None:
        now = started.pop(key, None)
        if now is not None:
            want, start = now
            inserts.append((key, want[0], want[1], want[2], start, day))
        elif (iv := stored.pop(key, None)) is not None:
            closes.append((iv.id, day))  # type: ignore[arg-type]

    for snap in snapshots:
        day, wanted = snap.day, snap.wanted
        if last is not None and day <= last:
            raise ValueError(f"plan_forward: {day} is not after {last}")
        last = day
        if snap.partial:
            rows = snap.rows if isinstance(snap.rows, (set, frozenset, dict)) else set(snap.rows)
            # A partial snapshot decides only the rows it lists (as in plan_snapshot).
            wanted = {k: v for k, v in wanted.items() if k[:2] in rows}
            gone = [k for k in (*stored, *started) if k[:2] in rows and k not in wanted]
        else:
            gone = [k for k in (*stored, *started) if k not in wanted]
        for key in gone:  # decided by this snapshot and absent from it: ends here
            end(key, day)
        for key, want in wanted.items():
            now = started.get(key)
            if now is not None:
                value = now[0][0]
                if value == want[0] or same_value(value, want[0]):
                    continue
                inserts.append((key, value, now[0][1], now[0][2], now[1], day))
            else:
                iv = stored.get(key)
                if iv is not None:
                    if same_value(iv.value, want[0]):
                        continue
                    del stored[key]
                    closes.append((iv.id, day))  # type: ignore[arg-type]
            started[key] = (want, day)
    for key, (want, start) in started.items():
        inserts.append((key, want[0], want[1], want[2], start, None))
    return plan
