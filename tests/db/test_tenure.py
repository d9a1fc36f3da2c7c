"""Reigns at #1: the Falcon-40B example, and agreement with an independent computation."""

from __future__ import annotations

import datetime as dt
import io
import lzma

import pandas as pd
import pytest

from db import queries
from db.queries import ModelFilter
from ingest.loader import import_files
from tests.conftest import seed_snapshots

V1, V2, ARENA = "open-llm-leaderboard-v1", "open-llm-leaderboard-v2", "lmarena"


def read_snapshot(path) -> pd.DataFrame:
    data = lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes()
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def independent_reigns(files) -> list[tuple[str, dt.date, dt.date | None, int]]:
    """Reigns straight from the files with pandas, without the database."""
    leaders = []
    for path in files:
        frame = read_snapshot(path)
        id_col = next(c for c in ("model_name", "fullname", "model", "Model") if c in frame.columns)
        score_col = next(
            c for c in ("model_average_score", "average", "arena_score", "arena_elo", "Average") if c in frame.columns
        )
        frame = frame[[id_col, score_col]].rename(columns={id_col: "id", score_col: "score"})
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
        frame = frame.dropna()
        frame["key"] = frame["id"].str.lower()
        best = frame.sort_values(["score", "key"], ascending=[False, True]).iloc[0]
        day = dt.date.fromisoformat(path.name[:10])
        leaders.append((day, best["key"], best["id"]))
    reigns = []
    for day, key, shown in leaders:
        if reigns and reigns[-1][0] == key:
            continue
        if reigns:
            reigns[-1][3] = day
        reigns.append([key, shown, day, None])
    last = leaders[-1][0]
    return [(shown, start, end, ((end or last) - start).days) for _, shown, start, end in reigns]


def as_tuples(frame: pd.DataFrame) -> list[tuple]:
    return [(r.model_id, r.start, None if pd.isna(r.end) else r.end, int(r.days)) for r in frame.itertuples()]


def test_falcon_reign_2023(seeded_engine):
    with seeded_engine.connect() as conn:
        reigns = queries.tenure(conn, V1)
    rows = as_tuples(reigns)
    assert ("tiiuae/falcon-40b", dt.date(2023, 5, 26), dt.date(2023, 5, 31), 5) in rows
    assert ("tiiuae/falcon-40b-instruct", dt.date(2023, 5, 31), dt.date(2023, 7, 24), 54) in rows
    after = rows[[r[0] for r in rows].index("tiiuae/falcon-40b-instruct") + 1]
    assert after[:2] == ("stabilityai/FreeWilly2", dt.date(2023, 7, 24))
    # The board as of the first Falcon day.
    with seeded_engine.connect() as conn:
        board = queries.board(conn, V1, dt.date(2023, 5, 26), limit=2)
    assert board["model_id"].tolist()[0] == "tiiuae/falcon-40b"
    assert board["score"].tolist()[0] == 60.4


@pytest.mark.parametrize("board", [V2, ARENA])
def test_reigns_match_an_independent_computation(engine, board):
    files = seed_snapshots(board)
    if engine.dialect.name != "sqlite" and board == V2:
        files = files[-8:]  # the same check on PostgreSQL, on the last eight weeks to stay quick
    import_files(engine, board, files, progress=False)
    with engine.connect() as conn:
        ours = as_tuples(queries.tenure(conn, board))
    theirs = independent_reigns(files)
    # Ids compare ignoring case; the stored display id is the first one seen.
    assert [(a.lower(), s, e, d) for a, s, e, d in ours] == [(a.lower(), s, e, d) for a, s, e, d in theirs]


def test_reigns_do_not_depend_on_import_order(engine):
    files = seed_snapshots(ARENA)
    import_files(engine, ARENA, files[1::2], progress=False)
    import_files(engine, ARENA, files[::2], progress=False)
    with engine.connect() as conn:
        ours = as_tuples(queries.tenure(conn, ARENA))
    assert [(a.lower(), s, e, d) for a, s, e, d in ours] == [
        (a.lower(), s, e, d) for a, s, e, d in independent_reigns(files)
    ]


def test_tenure_filters_and_rank_by(seeded_engine):
    with seeded_engine.connect() as conn:
        small = queries.tenure(conn, V2, flt=ModelFilter(max_params=3))
        models = queries.models_frame(conn, small["model_pk"].tolist())
        by_math = queries.tenure(conn, V2, rank_by="math_lvl_5")
        overall = queries.tenure(conn, V2)
    assert not small.empty
    assert (models["params_b"] <= 3).all()
    assert not by_math.equals(overall)
    # Reigns chain: each ends where the next starts; only the last is open.
    for frame in (small, by_math, overall):
        assert frame["end"].iloc[:-1].tolist() == frame["start"].iloc[1:].tolist()
        assert frame["end"].iloc[-1] is None


def test_rank_history_of_a_model(seeded_engine):
    with seeded_engine.connect() as conn:
        model = queries.find_model(conn, "TIIUAE/Falcon-40B")
        hist = queries.rank_history(conn, V1, [model["id"]])
    first = hist.iloc[0]
    assert (first["date"], first["rank"], first["score"]) == (dt.date(2023, 5, 26), 1, 60.4)
    assert hist[hist["date"] == dt.date(2023, 5, 31)]["rank"].item() == 2
