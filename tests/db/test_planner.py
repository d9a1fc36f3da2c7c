"""The history planner (db.history) against a plain reference: replay every snapshot in date order.

The store here applies plans to a list of intervals exactly as ``db.writes`` applies them to
the ``scores`` table (delete ids, move ends, insert), and re-plans a stored snapshot whose
partial flag changes, as the executor does. Snapshots come in random orders, with backfills,
re-imports of a day with different content, partial snapshots and renames.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from db import history
from db.history import Interval, Later, partial_flags, plan_merge, plan_snapshot, reigns

D = [dt.date(2024, 1, d) for d in range(1, 12)]
BENCH = ("avg", "ifeval")
# A tiny board: the rule with a low floor, so that partial snapshots happen (a drop below half).
RULE = {"min_entries": 2}


class Store:
    """One board's stored history: intervals by id and snapshots (count, partial, rows)."""

    def __init__(self) -> None:
        self.ivs: dict[int, Interval] = {}
        self.snaps: dict[dt.date, tuple[int, bool, frozenset]] = {}
        self.next_id = 1

    def apply(self, plan) -> None:
        for i in plan.deletes:
            del self.ivs[i]
        for i, end in [*plan.closes, *plan.extends]:
            self.ivs[i] = replace(self.ivs[i], valid_to=end)
        for iv in plan.inserts:
            self.ivs[self.next_id] = replace(iv, id=self.next_id)
            self.next_id += 1

    def plan(self, day, wanted, partial, rows):
        dates = sorted(self.snaps)
        prev = max((d for d in dates if d < day), default=None)
        later = []
        for d in (d for d in dates if d > day):
            later.append(Later(d, self.snaps[d][1], self.snaps[d][2]))
            if not self.snaps[d][1]:
                break
        return plan_snapshot(day, wanted, list(self.ivs.values()), prev=prev, later=later, partial=partial, rows=rows)

    def content(self, day):
        """A stored snapshot's entries: every row covering it, or a partial one's own rows."""
        _, partial, rows = self.snaps[day]
        covering = {iv.key: (iv.value, iv.precision, iv.revision) for iv in self.ivs.values() if iv.covers(day)}
        return {k: v for k, v in covering.items() if not partial or k[:2] in rows}

    def import_(self, day, entries: dict[tuple, dict[str, float]]) -> None:
        counts = {d: c for d, (c, _, _) in self.snaps.items()} | {day: len(entries)}
        dates = sorted(counts)
        flags = dict(zip(dates, partial_flags([counts[d] for d in dates], **RULE), strict=True))
        wanted = {(*row, b): (v, None, None) for row, scores in entries.items() for b, v in scores.items()}
        rows = frozenset(entries)
        self.apply(self.plan(day, wanted, flags[day], rows))
        self.snaps[day] = (len(entries), flags[day], rows if flags[day] else frozenset())
        for d in dates:  # stored snapshots whose flag the new count changed: planned again
            if d != day and flags[d] != self.snaps[d][1]:
                content = self.content(d)
                members = frozenset(k[:2] for k in content) if flags[d] else frozenset()
                members = self.snaps[d][2] if self.snaps[d][1] else members
                self.apply(self.plan(d, content, flags[d], members))
                self.snaps[d] = (self.snaps[d][0], flags[d], members if flags[d] else frozenset())

    def rename(self, old: str, new: str) -> None:
        moved = [replace(iv, key=(new, *iv.key[1:])) for iv in self.ivs.values() if iv.key[0] == old]
        kept = [iv for iv in self.ivs.values() if iv.key[0] == new]
        for iv in moved:
            self.ivs[iv.id] = iv
        self.apply(plan_merge(kept, moved, sorted(self.snaps)))
        self.snaps = {
            d: (c, p, frozenset((new if r[0] == old else r[0], *r[1:]) for r in rows))
            for d, (c, p, rows) in self.snaps.items()
        }

    def dump(self) -> list[tuple]:
        return sorted((iv.key, iv.value, iv.valid_from, iv.valid_to) for iv in self.ivs.values())


def reference(snapshots: dict[dt.date, dict[tuple, dict[str, float]]]) -> list[tuple]:
    """Replay in date order: a full snapshot is the state; a partial one updates the rows it lists."""
    dates = sorted(snapshots)
    flags = partial_flags([len(snapshots[d]) for d in dates], **RULE)
    state: dict[tuple, float] = {}
    out, open_runs = [], {}
    for day, partial in zip(dates, flags, strict=True):
        rows = snapshots[day]
        if partial:
            state = {k: v for k, v in state.items() if k[:2] not in rows}
        else:
            state = {}
        state.update({(*row, b): v for row, scores in rows.items() for b, v in scores.items()})
        for key in list(open_runs):
            value, start = open_runs[key]
            if state.get(key) != value:
                out.append((key, value, start, day))
                del open_runs[key]
        for key, value in state.items():
            open_runs.setdefault(key, (value, day))
    out += [(key, value, start, None) for key, (value, start) in open_runs.items()]
    return sorted(out)


ROWS = [("a", ""), ("b", ""), ("c", "bf16"), ("x", ""), ("y", "")]
entries_st = st.dictionaries(
    st.sampled_from(ROWS),
    st.dictionaries(st.sampled_from(BENCH), st.sampled_from([1.0, 2.0, 3.0]), min_size=1),
    max_size=5,
)
snapshots_st = st.dictionaries(st.sampled_from(D[:8]), entries_st, min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    snapshots=snapshots_st,
    order_seed=st.integers(0, 10_000),
    again=st.lists(st.tuples(st.sampled_from(D[:8]), entries_st), max_size=3),
)
def test_any_order_backfills_reimports_and_partials_give_the_replay(snapshots, order_seed, again):
    store = Store()
    order = list(snapshots.items())
    random.Random(order_seed).shuffle(order)
    # Re-imports of a day with other content first (the last import of a day is what counts).
    for day, entries in [*again, *order]:
        store.import_(day, entries)
    assert store.dump() == reference(snapshots | {d: e for d, e in again if d not in snapshots})


def as_renamed(entries: dict) -> dict:
    """A snapshot's rows with x known as y; y's own scores win on a day that lists both."""
    rows = {r: s for r, s in entries.items() if r[0] != "x"}
    for r, s in entries.items():
        if r[0] == "x":
            rows[("y", *r[1:])] = {**s, **rows.get(("y", *r[1:]), {})}
    return rows


@settings(max_examples=200, deadline=None)
@given(snapshots=snapshots_st, order_seed=st.integers(0, 10_000), at=st.integers(0, 8))
def test_a_rename_merges_two_histories(snapshots, order_seed, at):
    """x is renamed y after ``at`` imports, when both may have rows (issue 10's bug)."""
    global RULE
    saved, RULE = RULE, {"min_entries": 10**6}  # no partial snapshots here (see docs/schema.md)
    try:
        store = Store()
        order = list(snapshots.items())
        random.Random(order_seed).shuffle(order)
        for i, (day, entries) in enumerate(order):
            if i == at:
                store.rename("x", "y")
            store.import_(day, as_renamed(entries) if i >= at else entries)
        if at >= len(order):
            store.rename("x", "y")
        assert store.dump() == reference({d: as_renamed(e) for d, e in snapshots.items()})
        # One open interval per key at most: later snapshots can close every one.
        open_keys = [k for k, _, _, end in store.dump() if end is None]
        assert len(open_keys) == len(set(open_keys))
    finally:
        RULE = saved


def test_a_partial_snapshot_carries_what_it_does_not_list():
    store = Store()
    big = {(m, ""): {"avg": 1.0} for m in "abcd"}
    store.import_(D[0], big)
    store.import_(D[1], {("a", ""): {"avg": 2.0}})  # 1 of 4: partial
    assert store.snaps[D[1]][1] is True
    got = {(k[0], v, f, t) for k, v, f, t in store.dump()}
    assert ("b", 1.0, D[0], None) in got  # carried, not closed
    assert ("a", 1.0, D[0], D[1]) in got and ("a", 2.0, D[1], None) in got
    # A full day later decides everything: b, c and d leave, a stays.
    store.import_(D[2], {("a", ""): {"avg": 2.0}, **{(m, ""): {"avg": 1.0} for m in "efgh"}})
    assert ("b", 1.0, D[0], D[2]) in {(k[0], v, f, t) for k, v, f, t in store.dump()}


def test_partial_rule_on_the_real_v1_counts():
    # Entry counts of the bundled v1 snapshots of 2023 and the 2024 archive (data/seed/manifest.json).
    counts = [49, 58, 84, 132, 142, 142, 150, 384, 472, 501, 542, 813, 1069, 1291, 1240, 79, 77, 109, 7169]
    flags = partial_flags(counts)
    assert [i for i, f in enumerate(flags) if f] == [15, 16, 17]  # 2023-10-04, -13 and -31
    # The Arena's dip of 2025-02-18 (196 -> 170) and a growing board are not partial.
    assert not any(partial_flags([187, 190, 196, 170, 176]))
    assert not any(partial_flags([237, 365, 536, 748, 765]))


def test_plan_is_empty_for_the_same_snapshot_again():
    store = Store()
    store.import_(D[0], {("a", ""): {"avg": 1.0}})
    store.import_(D[2], {("a", ""): {"avg": 1.0}})
    assert not store.plan(D[2], {("a", "", "avg"): (1.0, None, None)}, False, frozenset())
    assert not store.plan(D[0], {("a", "", "avg"): (1.0, None, None)}, False, frozenset())


def reference_reigns(dates, leaders, partial):
    """Reigns from the leaders of full days only, then moved back over confirming partial days."""
    out = []
    for i, day in enumerate(dates):
        who = leaders.get(day)
        if day in partial:
            nxt = next((d for d in dates[i:] if d not in partial), None)
            if nxt is None or leaders.get(nxt) != who:
                continue
        if out and out[-1][0] == who and out[-1][2] is None:
            continue
        if out and out[-1][2] is None:
            out[-1][2] = day
        if who is not None:
            out.append([who, day, None])
    return [tuple(r) for r in out]


@settings(max_examples=200, deadline=None)
@given(
    picks=st.lists(st.tuples(st.sampled_from(["m", "n", None]), st.booleans()), min_size=1, max_size=10),
)
def test_reigns_against_a_reference(picks):
    dates = D[: len(picks)]
    leaders = {d: who for d, (who, _) in zip(dates, picks, strict=False) if who is not None}
    partial = {d for d, (_, p) in zip(dates, picks, strict=False) if p}
    got = [(r["leader"], r["start"], r["end"]) for r in reigns(dates, leaders, partial=partial)]
    assert got == reference_reigns(dates, leaders, partial)


def test_gap_days_marks_long_gaps_only():
    dates = [dt.date(2023, 9, 15), dt.date(2023, 10, 4), dt.date(2024, 7, 7)]
    (reign,) = reigns(dates, dict.fromkeys(dates, "m"))
    assert reign["gap_days"] == 277 and reign["days"] == 296
    assert history.longest_gap(dates[:2], dates[0], None) is None


@settings(max_examples=300, deadline=None)
@given(counts=st.lists(st.integers(0, 5000), max_size=12))
def test_partial_rule_properties(counts):
    flags = partial_flags(counts)
    assert len(flags) == len(counts) and not (flags and flags[0])  # the first snapshot cannot be partial
    assert not any(partial_flags(sorted(counts)))  # a growing board never is
    for i, flag in enumerate(flags):
        peak = max(counts[max(0, i - 3) : i], default=0)
        assert flag == (peak >= 20 and counts[i] * 2 < peak)
