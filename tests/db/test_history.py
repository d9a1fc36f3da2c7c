"""History as validity intervals: idempotence, changes, departures, and order independence."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db import queries, writes
from db.engine import make_engine, upgrade_schema
from db.records import BoardEntry, ModelFacts
from db.schema import Model, Score, Snapshot
from ingest.loader import import_files
from tests.conftest import plain_csv, seed_snapshots

V1 = "open-llm-leaderboard-v1"


def dump(engine) -> dict:
    """A canonical, id-free dump of the data tables."""
    m, s, sn = Model.__table__, Score.__table__, Snapshot.__table__
    with engine.connect() as conn:
        names = dict(conn.execute(select(m.c.id, m.c.repo_id)).all())
        scores = sorted(
            (r.leaderboard_key, names[r.model_id], r.variant, r.benchmark_key, r.value, r.valid_from, r.valid_to)
            for r in conn.execute(select(s))
        )
        snaps = sorted((r.leaderboard_key, r.snapshot_date, r.entries, r.sha256) for r in conn.execute(select(sn)))
        models = sorted(
            tuple(r)
            for r in conn.execute(
                select(
                    m.c.repo_id,
                    m.c.params_b,
                    m.c.params_source,
                    m.c.license,
                    m.c.license_category,
                    m.c.model_type,
                    m.c.architecture,
                    m.c.is_merged,
                    m.c.is_flagged,
                    m.c.on_hub,
                    m.c.base_model,
                    m.c.created_date,
                )
            )
        )
    return {"scores": scores, "snapshots": snaps, "models": models}


def facts(repo: str) -> ModelFacts:
    return ModelFacts(repo_id=repo)


def apply(engine, day: dt.date, values: dict[str, float], board: str = V1) -> None:
    entries = [BoardEntry(facts=facts(repo), scores={"average": v}) for repo, v in values.items()]
    with engine.begin() as conn:
        index, _, _ = writes.upsert_models(conn, [e.facts for e in entries], source=board, as_of=day, board=True)
        writes.apply_snapshot(conn, board, day, entries, model_index=index, run_id=None, source_file=None, sha256=None)


def intervals(engine, board: str = V1) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Model.repo_id, Score.value, Score.valid_from, Score.valid_to)
            .join(Model, Model.id == Score.model_id)
            .where(Score.leaderboard_key == board, Score.benchmark_key == "average")
        ).all()
    return sorted(tuple(r) for r in rows)


D = [dt.date(2024, 1, d) for d in range(1, 11)]


def test_same_snapshot_twice_changes_nothing(engine):
    apply(engine, D[0], {"a/x": 10.0, "b/y": 20.0})
    before = dump(engine)
    apply(engine, D[0], {"a/x": 10.0, "b/y": 20.0})
    assert dump(engine) == before


def test_changed_value_closes_and_opens(engine):
    apply(engine, D[0], {"a/x": 10.0})
    apply(engine, D[1], {"a/x": 12.5})
    assert intervals(engine) == [("a/x", 10.0, D[0], D[1]), ("a/x", 12.5, D[1], None)]


def test_missing_entry_is_closed_and_can_return(engine):
    apply(engine, D[0], {"a/x": 10.0, "b/y": 5.0})
    apply(engine, D[1], {"b/y": 5.0})
    apply(engine, D[2], {"a/x": 10.0, "b/y": 5.0})
    assert intervals(engine) == [
        ("a/x", 10.0, D[0], D[1]),
        ("a/x", 10.0, D[2], None),
        ("b/y", 5.0, D[0], None),
    ]


def test_backfill_between_two_dates_merges_equal_neighbours(engine):
    apply(engine, D[0], {"a/x": 10.0})
    apply(engine, D[4], {"a/x": 10.0})
    assert intervals(engine) == [("a/x", 10.0, D[0], None)]
    # An archive day in between says the entry was absent that day: it splits the interval.
    apply(engine, D[2], {})
    assert intervals(engine) == [("a/x", 10.0, D[0], D[2]), ("a/x", 10.0, D[4], None)]
    # ... and the same day imported again with the entry present heals it.
    apply(engine, D[2], {"a/x": 10.0})
    assert intervals(engine) == [("a/x", 10.0, D[0], None)]


def test_board_as_of_reads_the_day(engine):
    apply(engine, D[0], {"a/x": 10.0, "b/y": 20.0})
    apply(engine, D[3], {"a/x": 30.0})
    with engine.connect() as conn:
        assert queries.board(conn, V1, D[0])["model_id"].tolist() == ["b/y", "a/x"]
        assert queries.board(conn, V1, D[2])["model_id"].tolist() == ["b/y", "a/x"]  # between snapshots
        now = queries.board(conn, V1, None)
        assert now["model_id"].tolist() == ["a/x"] and now["score"].tolist() == [30.0]
        assert queries.board(conn, V1, dt.date(2023, 12, 31)).empty


def reference_intervals(snapshots: dict[dt.date, dict[str, float]]) -> list[tuple]:
    """Intervals computed independently: walk the dates in order, one run per unchanged value."""
    dates = sorted(snapshots)
    out = []
    open_runs: dict[str, tuple[float, dt.date]] = {}
    for day in dates:
        state = snapshots[day]
        for repo in list(open_runs):
            value, start = open_runs[repo]
            if repo not in state or state[repo] != value:
                out.append((repo, value, start, day))
                del open_runs[repo]
        for repo, value in state.items():
            if repo not in open_runs:
                open_runs[repo] = (value, day)
    out += [(repo, value, start, None) for repo, (value, start) in open_runs.items()]
    return sorted(out)


snapshot_strategy = st.dictionaries(
    st.sampled_from(D[:7]),
    st.dictionaries(st.sampled_from(["a/x", "b/y", "c/z"]), st.sampled_from([1.0, 2.0, 3.0]), max_size=3),
    min_size=1,
    max_size=7,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(snapshots=snapshot_strategy, order_seed=st.integers(0, 10_000), repeat=st.booleans())
def test_any_import_order_gives_the_reference_history(tmp_path_factory, snapshots, order_seed, repeat):
    path = tmp_path_factory.mktemp("h") / "h.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade_schema(eng)
    order = list(snapshots)
    random.Random(order_seed).shuffle(order)
    if repeat:  # some days imported twice, possibly after later ones
        order += order[: len(order) // 2]
    for day in order:
        apply(eng, day, snapshots[day])
    assert intervals(eng) == reference_intervals(snapshots)
    eng.dispose()


@pytest.mark.parametrize(
    ("board", "count", "seed"), [(V1, 18, 1), ("lmarena", 12, 2), ("open-llm-leaderboard-v2", 6, 3)]
)
def test_real_snapshots_in_any_order_give_the_same_history(engine, tmp_path, board, count, seed):
    files = seed_snapshots(board)[:count]
    in_order = make_engine(f"sqlite:///{tmp_path / 'ordered.db'}")
    upgrade_schema(in_order)
    import_files(in_order, board, files, progress=False)
    # Every other day first, then the rest, then a shuffled re-import of a few.
    shuffled = files[1::2] + files[::2]
    import_files(engine, board, shuffled, progress=False)
    rng = random.Random(seed)
    again = [plain_csv(p, tmp_path) for p in rng.sample(files, 4)]
    import_files(engine, board, again, progress=False)
    assert dump(engine) == dump(in_order)
    cols = ["model_id", "start", "end", "days"]
    with engine.connect() as a, in_order.connect() as b:
        assert queries.tenure(a, board)[cols].equals(queries.tenure(b, board)[cols])
    in_order.dispose()
