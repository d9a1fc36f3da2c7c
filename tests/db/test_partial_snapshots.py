"""Partial snapshots and gaps (issue 11 item 7): the real v1 scrapes of October 2023 lack most of the board."""

from __future__ import annotations

import datetime as dt
import io
import lzma
import random

import pandas as pd
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from db import history, queries, writes
from db.engine import make_engine, upgrade_schema
from db.records import BoardEntry, ModelFacts
from db.schema import Model, Score
from ingest.loader import import_files
from tests.conftest import seed_snapshots
from tests.db import test_planner
from tests.db.test_history import dump
from tests.ingest.test_cli import cli

V1, V2, ARENA = "open-llm-leaderboard-v1", "open-llm-leaderboard-v2", "lmarena"
OCTOBER = [dt.date(2023, 10, 4), dt.date(2023, 10, 13), dt.date(2023, 10, 31)]


def seed_ids(day: dt.date) -> set[str]:
    path = next(p for p in seed_snapshots(V1) if p.name.startswith(day.isoformat()))
    frame = pd.read_csv(io.BytesIO(lzma.decompress(path.read_bytes())), encoding="utf-8-sig", dtype=str)
    return set(frame["Model"].str.lower())


def test_the_october_2023_scrapes_are_partial_and_no_other(seeded_engine):
    with seeded_engine.connect() as conn:
        assert sorted(queries.partial_dates(conn, V1)) == OCTOBER
        assert queries.partial_dates(conn, V2) == set() and queries.partial_dates(conn, ARENA) == set()


def test_a_partial_day_carries_the_entries_it_lacks(seeded_engine):
    before, partial_day = dt.date(2023, 9, 15), OCTOBER[0]
    with seeded_engine.connect() as conn:
        top_before = queries.board(conn, V1, before, limit=8)["model_id"].tolist()
        on_partial = queries.board(conn, V1, partial_day)
        note = queries.partial_note(conn, V1, dt.date(2023, 10, 5))
        assert queries.partial_note(conn, V1, before) is None
        assert queries.partial_note(conn, V1, None) is None  # the newest snapshot (2024-07-07) is full
    # The file of 2023-10-04 lacks the previous top 8; the board as of that day still has them.
    assert not {m.lower() for m in top_before} & seed_ids(partial_day)
    assert on_partial["model_id"].head(8).tolist() == top_before
    assert note is not None and note.startswith("the snapshot of 2023-10-04 is partial")


def test_partial_days_start_or_end_no_reign_and_gaps_are_marked(seeded_engine):
    with seeded_engine.connect() as conn:
        reigns = queries.tenure(conn, V1)
    assert not set(reigns["start"]) & set(OCTOBER) and not set(reigns["end"].dropna()) & set(OCTOBER)
    marco = reigns[reigns["model_id"] == "AIDC-ai-business/Marcoroni-70B"].iloc[0]
    assert (marco["start"], marco["end"], marco["days"]) == (dt.date(2023, 9, 15), dt.date(2024, 7, 7), 296)
    assert marco["gap_days"] == 250  # 2023-10-31 to the 2024-07-07 archive
    assert reigns["gap_days"].isna().sum() == len(reigns) - 1


def test_the_cli_says_when_the_board_is_partial(seeded_url):
    out = cli("db", "leaderboard", "--leaderboard", V1, "--as-of", "2023-10-04", "--limit", "3", db=seeded_url)
    assert out.returncode == 0
    assert out.stderr.startswith("note: the snapshot of 2023-10-04 is partial (66 entries")
    assert "AIDC-ai-business/Marcoroni-70B" in out.stdout.splitlines()[2]
    full = cli("db", "leaderboard", "--leaderboard", V1, "--as-of", "2023-09-15", "--limit", "3", db=seeded_url)
    assert full.returncode == 0 and full.stderr == ""
    tenure = cli("db", "tenure", "--leaderboard", V1, "--format", "csv", db=seeded_url, check=True).stdout
    assert tenure.splitlines()[0] == "model_id,start,end,days,gap_days"
    assert "AIDC-ai-business/Marcoroni-70B,2023-09-15,2024-07-07,296,250" in tenure.splitlines()


def test_flags_set_after_the_fact_repair_the_history(engine, tmp_path, monkeypatch):
    """A database imported before partial snapshots were known (migration 0003) is repaired."""
    files = seed_snapshots(V1)[13:19]  # 2023-09-04 .. 2024-07-07, the three partial days among them
    ordered = make_engine(f"sqlite:///{tmp_path / 'ordered.db'}")
    upgrade_schema(ordered)
    import_files(ordered, V1, files, progress=False)
    with monkeypatch.context() as m:
        m.setattr(history, "PARTIAL_MIN_ENTRIES", 10**9)  # the rule off: every snapshot full
        import_files(engine, V1, files, progress=False)
    assert dump(engine) != dump(ordered)
    with engine.begin() as conn:
        assert writes.refresh_partial_flags(conn, V1) == 3
    assert dump(engine) == dump(ordered)
    with engine.connect() as a, ordered.connect() as b:
        assert queries.partial_dates(a, V1) == queries.partial_dates(b, V1) == set(OCTOBER)
    ordered.dispose()


def apply(engine, day, entries):
    board_entries = [
        BoardEntry(facts=ModelFacts(repo_id=f"org/{m}"), variant=v, scores=dict(s)) for (m, v), s in entries.items()
    ]
    with engine.begin() as conn:
        index, _, _ = writes.upsert_models(conn, [e.facts for e in board_entries], source=V1, as_of=day, board=True)
        writes.apply_snapshot(
            conn, V1, day, board_entries, model_index=index, run_id=None, source_file=None, sha256=None
        )


def stored(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Model.repo_id, Score.variant, Score.benchmark_key, Score.value, Score.valid_from, Score.valid_to)
            .join(Model, Model.id == Score.model_id)
            .where(Score.leaderboard_key == V1)
        ).all()
    return sorted(((r[0].removeprefix("org/"), r[1], r[2]), r[3], r[4], r[5]) for r in rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(snapshots=test_planner.snapshots_st, order_seed=test_planner.st.integers(0, 10_000))
def test_the_executor_matches_the_replay_with_partial_snapshots(tmp_path_factory, monkeypatch, snapshots, order_seed):
    """The real tables, in any import order, with the rule's floor low enough for tiny boards."""
    monkeypatch.setattr(history, "PARTIAL_MIN_ENTRIES", test_planner.RULE["min_entries"])
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('p') / 'p.db'}")
    upgrade_schema(eng)
    order = list(snapshots.items())
    random.Random(order_seed).shuffle(order)
    for day, entries in order:
        apply(eng, day, entries)
    assert stored(eng) == test_planner.reference(snapshots)
    eng.dispose()


def test_the_fidelity_audit_names_the_partial_snapshots(seeded_engine):
    from db.fidelity import audit

    with seeded_engine.connect() as conn:
        report = audit(conn).set_index("leaderboard")
    assert report.loc[V1, "partial_snapshots"].split() == [day.isoformat() for day in OCTOBER]
    assert not report.loc[V2, "partial_snapshots"]
