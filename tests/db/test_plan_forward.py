"""``db.history.plan_forward`` (a series of later snapshots planned in one pass) against the rule.

Any stored history (imported one snapshot at a time, in any order, by the reference store of
``test_planner``), then a series of snapshots later than every stored date: planned in one pass
it must leave exactly the history that planning and applying them one by one leaves, and that
the plain replay of every snapshot gives.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.history import Forward, Interval, Plan, partial_flags, plan_forward, plan_snapshot
from tests.db.test_planner import RULE, Store, entries_st, reference

D = [dt.date(2024, 1, d) for d in range(1, 16)]


def forward(store: Store, series: list[tuple[dt.date, dict]]) -> None:
    """Plan ``series`` (dates after every stored one) in one pass and apply it, as db.writes does."""
    counts = {d: c for d, (c, _, _) in store.snaps.items()} | {d: len(e) for d, e in series}
    dates = sorted(counts)
    flags = dict(zip(dates, partial_flags([counts[d] for d in dates], **RULE), strict=True))
    snaps = []
    for day, entries in series:
        wanted = {(*row, b): (v, None, None) for row, scores in entries.items() for b, v in scores.items()}
        snaps.append(Forward(day, wanted, flags[day], frozenset(entries)))
    opened = [iv for iv in store.ivs.values() if iv.valid_to is None]
    plan = plan_forward(opened, snaps)
    store.apply(Plan(closes=plan.closes, inserts=plan.intervals()))
    for day, entries in series:
        store.snaps[day] = (len(entries), flags[day], frozenset(entries) if flags[day] else frozenset())


@settings(max_examples=300, deadline=None)
@given(
    before=st.dictionaries(st.sampled_from(D[:6]), entries_st, max_size=6),
    after=st.dictionaries(st.sampled_from(D[6:]), entries_st, min_size=1, max_size=9),
    order_seed=st.integers(0, 10_000),
)
def test_one_pass_equals_one_by_one_and_the_replay(before, after, order_seed):
    one_by_one, at_once = Store(), Store()
    order = list(before.items())
    random.Random(order_seed).shuffle(order)
    for day, entries in order:
        one_by_one.import_(day, entries)
        at_once.import_(day, entries)
    series = sorted(after.items())
    for day, entries in series:
        one_by_one.import_(day, entries)
    forward(at_once, series)
    assert at_once.dump() == one_by_one.dump() == reference(before | after)
    assert at_once.snaps == one_by_one.snaps


def test_a_series_must_come_after_the_stored_dates_in_order():
    iv = Interval(1, ("a", "", "avg"), 1.0, None, None, D[3], None)
    with pytest.raises(ValueError, match="not after"):
        plan_forward([iv], [Forward(D[3], {})])
    with pytest.raises(ValueError, match="not after"):
        plan_forward([], [Forward(D[5], {}), Forward(D[4], {})])
    with pytest.raises(ValueError, match="not open"):
        plan_forward([Interval(1, ("a", "", "avg"), 1.0, None, None, D[1], D[2])], [])


def test_a_partial_snapshot_decides_only_the_rows_it_lists_as_plan_snapshot_does():
    """A key the partial snapshot's rows do not list is carried, even when ``wanted`` names it."""
    stored = Interval(1, ("a", "", "avg"), 1.0, None, None, D[3], None)
    wanted = {("a", "", "avg"): (2.0, None, None), ("b", "", "avg"): (5.0, None, None)}
    rows = frozenset({("b", "")})
    one = plan_snapshot(D[4], wanted, [stored], prev=D[3], later=[], partial=True, rows=rows)
    assert not one.closes and [iv.key for iv in one.inserts] == [("b", "", "avg")]
    plan = plan_forward([stored], [Forward(D[4], wanted, True, rows)])
    assert plan.closes == [] and [iv.key for iv in plan.intervals()] == [("b", "", "avg")]
