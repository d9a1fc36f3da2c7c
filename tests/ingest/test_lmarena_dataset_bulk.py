"""The LMArena dataset import's fast paths give what the one-by-one paths give, on real rows.

The fixture is the seed's 23 real Arena scrapes converted into the dataset's schema (see
``test_lmarena_dataset``). Each fast path is compared with the path it replaces, on SQLite and
PostgreSQL: the overall snapshots planned in one pass (``db.writes.apply_snapshot_series``)
against ``apply_snapshot`` date by date; a date's models left out when nothing of theirs changed
against every model sent on every date; the boards as columnar rows against the rows as read;
migration 0008 converting ``arena_ratings`` into ``arena_boards`` and back without loss.
"""

from __future__ import annotations

import datetime as dt
import math
import struct

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from alembic import command
from sqlalchemy import func, select

from core.boards import LMARENA
from db import arena, writes
from db.engine import _alembic_config, make_engine, upgrade_schema
from db.records import ModelFacts
from db.schema import ARENA_BOARDS, MODELS, SCORES, SNAPSHOTS
from db.writes import upsert_models
from ingest import lmarena_dataset
from ingest.lmarena_dataset import import_dataset
from tests.conftest import FIXTURES

FIXTURE = FIXTURES / "lmarena-dataset" / "text-full-from-scrapes.parquet"
SCHEMA = pq.read_schema(FIXTURE)


def rows() -> pd.DataFrame:
    return pq.read_table(FIXTURE).to_pandas()


def write(frame: pd.DataFrame, path) -> None:
    pq.write_table(pa.Table.from_pandas(frame.reset_index(drop=True), schema=SCHEMA), path)


def history(engine) -> tuple[list, list, list]:
    """Scores (by model name), snapshots and models of the Arena board, independent of row ids."""
    with engine.connect() as conn:
        names = dict(conn.execute(select(MODELS.c.id, MODELS.c.repo_id_lower)).all())
        scores = sorted(
            (names[m], b, v, f, t)
            for m, b, v, f, t in conn.execute(
                select(
                    SCORES.c.model_id, SCORES.c.benchmark_key, SCORES.c.value, SCORES.c.valid_from, SCORES.c.valid_to
                ).where(SCORES.c.leaderboard_key == LMARENA)
            )
        )
        snaps = [
            tuple(r)
            for r in conn.execute(
                select(SNAPSHOTS.c.snapshot_date, SNAPSHOTS.c.entries, SNAPSHOTS.c.is_partial)
                .where(SNAPSHOTS.c.leaderboard_key == LMARENA)
                .order_by(SNAPSHOTS.c.snapshot_date)
            )
        ]
        columns = [c for c in MODELS.c if c.name not in ("id", "created_at", "updated_at")]
        models = sorted(tuple(r) for r in conn.execute(select(*columns)))
    return scores, snaps, models


def boards(engine) -> dict:
    """Every stored board as {(category, date): {model name: (rating, lower, upper, variance, votes, rank)}}."""
    out = {}
    with engine.connect() as conn:
        names = dict(conn.execute(select(MODELS.c.id, MODELS.c.repo_id_lower)).all())
        for row in conn.execute(select(ARENA_BOARDS)).mappings():
            ids = arena.unpack_ids(row["model_ids"])
            values = [arena.unpack_values(row[c]) for c in arena.VALUE_COLUMNS]
            assert row["models"] == len(ids) and all(len(v) == len(ids) for v in values)
            out[(row["category"], row["publish_date"])] = {
                names[int(pk)]: tuple(None if math.isnan(v[i]) else float(v[i]) for v in values)
                for i, pk in enumerate(ids)
            }
    return out


def expected_boards(frame: pd.DataFrame) -> dict:
    out: dict = {}
    for r in frame.itertuples(index=False):
        values = (r.rating, r.rating_lower, r.rating_upper, r.variance, r.vote_count, r.rank)
        key = (r.category, dt.date.fromisoformat(r.leaderboard_publish_date))
        out.setdefault(key, {})[r.model_name.lower()] = tuple(None if pd.isna(v) else float(v) for v in values)
    return out


def test_one_pass_equals_date_by_date_and_the_boards_are_the_rows(engine, tmp_path):
    frame = rows()
    dates = sorted(frame["leaderboard_publish_date"].unique())
    assert import_dataset(engine, FIXTURE).error is None  # every date after the (empty) store: one pass
    # The same file, newest date first: every other date is before it, so each goes one by one.
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade_schema(other)
    last = tmp_path / "last.parquet"
    write(frame[frame["leaderboard_publish_date"] == dates[-1]], last)
    assert import_dataset(other, last).error is None
    result = import_dataset(other, FIXTURE)
    assert result.error is None and len(result.dates_imported) == len(dates) - 1
    # The score history and the snapshots; not the model rows: which listing last changed a row
    # (and the spelling a model was first stored with) follows the order of the imports.
    assert history(engine)[:2] == history(other)[:2]
    assert boards(engine) == boards(other) == expected_boards(frame)
    other.dispose()


def test_models_left_out_when_unchanged_give_the_same_rows(engine, tmp_path, monkeypatch):
    frame = rows()
    dates = sorted(frame["leaderboard_publish_date"].unique())
    # Real facts changing over time, as the dataset's do: a model's license and organisation on
    # some dates are another real model's.
    donor = frame[frame["leaderboard_publish_date"] == dates[0]].iloc[0]
    later = frame["leaderboard_publish_date"].isin(dates[5:9])
    frame.loc[later, ["license", "organization"]] = [donor["license"], donor["organization"]]
    path = tmp_path / "changing.parquet"
    write(frame, path)
    # A model whose row holds another board's facts is sent on every date.
    with engine.begin() as conn:
        name = frame["model_name"].iloc[0]
        upsert_models(
            conn,
            [ModelFacts(repo_id=name, license="mit", license_category="open")],
            source="open-llm-leaderboard-v2",
            as_of=dt.date.fromisoformat(dates[3]),
            board=True,
        )
    assert import_dataset(engine, path).error is None
    fast = history(engine)[2]
    calls = []
    original = lmarena_dataset._Load._models

    def every_model(self, *, skip_unchanged=True):
        calls.append(skip_unchanged)
        return original(self, skip_unchanged=False)

    monkeypatch.setattr(lmarena_dataset._Load, "_models", every_model)
    slow = tmp_path / "slow.db"
    reference = make_engine(f"sqlite:///{slow}")
    upgrade_schema(reference)
    with reference.begin() as conn:
        upsert_models(
            conn,
            [ModelFacts(repo_id=name, license="mit", license_category="open")],
            source="open-llm-leaderboard-v2",
            as_of=dt.date.fromisoformat(dates[3]),
            board=True,
        )
    assert import_dataset(reference, path).error is None and calls == [True]
    assert history(reference)[2] == fast
    reference.dispose()


def test_the_same_file_again_changes_nothing(engine):
    assert import_dataset(engine, FIXTURE).error is None
    before = history(engine), boards(engine)
    with engine.connect() as conn:
        snapshots = conn.execute(select(func.count()).select_from(SNAPSHOTS)).scalar()
    again = import_dataset(engine, FIXTURE)
    assert again.error is None and again.dates_imported == [] and again.run_id is None
    assert (history(engine), boards(engine)) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SNAPSHOTS)).scalar() == snapshots


def test_a_failed_import_changes_nothing(engine, tmp_path, monkeypatch):
    frame = rows()
    dates = sorted(frame["leaderboard_publish_date"].unique())
    first = tmp_path / "first.parquet"
    write(frame[frame["leaderboard_publish_date"].isin(dates[:5])], first)
    assert import_dataset(engine, first).error is None
    before = history(engine), boards(engine)

    def fail(conn, rows):
        raise RuntimeError("disk full")

    # The boards go in last: by then the models and the snapshots of 18 dates are written.
    monkeypatch.setattr(lmarena_dataset, "insert_boards", fail)
    result = import_dataset(engine, FIXTURE)
    assert result.error and "disk full" in result.error and result.dates_imported == []
    assert (history(engine), boards(engine)) == before
    monkeypatch.undo()
    result = import_dataset(engine, FIXTURE)
    assert result.error is None and len(result.dates_imported) == len(dates) - 5
    assert boards(engine) == expected_boards(frame)


def test_migration_0008_converts_the_rows_both_ways(db_url):
    import sqlalchemy as sa

    engine = make_engine(db_url)
    cfg = _alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0007")
    frame = rows()
    frame = frame[frame["leaderboard_publish_date"].isin(sorted(frame["leaderboard_publish_date"].unique())[:4])]
    old = sa.Table("arena_ratings", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        index, _, _ = upsert_models(
            conn,
            [ModelFacts(repo_id=n) for n in frame["model_name"].unique()],
            source="lmarena",
            as_of=None,
            board=False,
        )
        stored = [
            {
                "leaderboard_key": LMARENA,
                "category": r.category,
                "publish_date": dt.date.fromisoformat(r.leaderboard_publish_date),
                "model_id": index[r.model_name.lower()],
                **{
                    c: None if pd.isna(getattr(r, c)) else float(getattr(r, c))
                    for c in ("rating", "rating_lower", "rating_upper", "variance", "vote_count", "rank")
                },
                "source": "seed:test",
            }
            for r in frame.drop_duplicates(["model_name", "leaderboard_publish_date"]).itertuples(index=False)
        ]
        conn.execute(old.insert(), stored)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0008")
    converted = boards(engine)
    assert sum(len(b) for b in converted.values()) == len(stored)
    with engine.connect() as conn:
        assert set(conn.execute(select(ARENA_BOARDS.c.source).distinct()).scalars()) == {"seed:test"}
        assert conn.execute(select(func.sum(ARENA_BOARDS.c.models))).scalar() == len(stored)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        back = [dict(r) for r in conn.execute(sa.select(old)).mappings()]

    def key(r):
        return (r["category"], r["publish_date"], r["model_id"])

    assert sorted(back, key=key) == sorted(stored, key=key)
    engine.dispose()


def test_a_board_reads_back_exactly_what_was_packed():
    values = {c: np.array([1.5, np.nan, 1e-300]) for c in arena.VALUE_COLUMNS}
    packed = arena.pack_board([3, 1, 2], values)
    assert packed["models"] == 3 and arena.unpack_ids(packed["model_ids"]).tolist() == [3, 1, 2]
    # The stored bytes are little-endian int64 and float64 whatever the machine (another reader
    # of the database, or a big-endian host, reads the same numbers).
    assert packed["model_ids"] == b"".join(i.to_bytes(8, "little") for i in (3, 1, 2))
    assert packed["rating"][:8] == struct.pack("<d", 1.5) and packed["rating"][16:] == struct.pack("<d", 1e-300)
    for c in arena.VALUE_COLUMNS:
        got = arena.unpack_values(packed[c])
        assert got[0] == 1.5 and math.isnan(got[1]) and got[2] == 1e-300
    with pytest.raises(ValueError, match="2 values for 3 models"):
        arena.pack_board([3, 1, 2], {**values, "rank": np.array([1.0, 2.0])})


def test_rows_in_any_order_with_duplicates_give_the_same_boards(engine, tmp_path):
    frame = rows()
    # A second category on some dates (the real overall rows filed under it: the fixture has
    # only overall), so that boards of two categories share dates.
    some = frame["leaderboard_publish_date"].isin(sorted(frame["leaderboard_publish_date"].unique())[::3])
    frame = pd.concat([frame, frame[some].assign(category="coding")], ignore_index=True)
    shuffled = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    # A real row again with a lower rating: rejected as the duplicate, the higher one kept.
    twice = shuffled.iloc[[10]].copy()
    twice["rating"] = twice["rating"] - 50.0
    twice["rating_upper"] = twice["rating"]
    twice["rating_lower"] = twice["rating"]
    shuffled = pd.concat([shuffled.iloc[:4], twice, shuffled.iloc[4:]], ignore_index=True)
    path = tmp_path / "shuffled.parquet"
    write(shuffled, path)
    parsed = lmarena_dataset.parse_dataset(path)
    category = twice["category"].iloc[0]
    assert [(r.row_number, r.reason) for r in parsed.rejections] == [
        (5, f"duplicate of row 12 for {twice['model_name'].iloc[0]} in {category} (kept the higher rating)")
    ]
    assert import_dataset(engine, path).error is None
    assert boards(engine) == expected_boards(frame)
    with engine.connect() as conn:
        assert arena.categories(conn) == ["overall", "coding"]
    in_order = tmp_path / "in-order.parquet"
    write(frame.sort_values(["leaderboard_publish_date", "category"], kind="mergesort"), in_order)
    ordered = make_engine(f"sqlite:///{tmp_path / 'ordered.db'}")
    upgrade_schema(ordered)
    assert import_dataset(ordered, in_order).error is None
    assert boards(ordered) == expected_boards(frame)
    assert history(engine)[:2] == history(ordered)[:2]
    ordered.dispose()


@pytest.mark.parametrize(
    ("old", "kept"),
    [
        ("Mistral-Small-2506", "Gemini-Advanced-0514"),  # never on one board together: places move
        ("Gemini-Advanced-0514", "GPT-4o-2024-05-13"),  # on the same boards: the kept model's rows win
    ],
)
def test_a_merged_model_keeps_its_places_on_the_published_boards(engine, old, kept):
    """A model row merged into another (a renamed repo, ``rename_model``) leaves no id behind on
    the boards: its places go to the kept row, which wins where both are listed (as for scores)."""
    assert import_dataset(engine, FIXTURE).error is None
    with engine.begin() as conn:
        index = {k: v for k, v in conn.execute(select(MODELS.c.repo_id_lower, MODELS.c.id))}
        writes.rename_model(conn, old, kept, index, "test: merged")
    frame = rows()
    merged = frame.assign(_own=frame["model_name"] == kept, model_name=frame["model_name"].replace(old, kept))
    merged = merged.sort_values("_own", ascending=False).drop_duplicates(
        ["category", "leaderboard_publish_date", "model_name"]
    )
    assert boards(engine) == expected_boards(merged)  # boards() fails on an id with no model row
    # The id the merged row had is free again (SQLite reuses the highest): nothing may point at it.
    with engine.begin() as conn:
        upsert_models(
            conn, [ModelFacts(repo_id="someorg/brand-new-model")], source="test", as_of=dt.date(2026, 1, 1), board=False
        )
    assert "someorg/brand-new-model" not in {name for board in boards(engine).values() for name in board}


def test_one_pass_with_a_partial_date_and_missing_values_equals_date_by_date(engine, tmp_path):
    """The fixture has neither: one date cut to a third of its rows (a partial snapshot) and every
    fifth row without its interval, votes and rank (as in the 2023 Elo era)."""
    frame = rows()
    dates = sorted(frame["leaderboard_publish_date"].unique())
    cut = frame[frame["leaderboard_publish_date"] == dates[7]]
    frame = pd.concat([frame[frame["leaderboard_publish_date"] != dates[7]], cut.iloc[: len(cut) // 3]])
    frame = frame.sort_values(["leaderboard_publish_date", "category"], kind="stable").reset_index(drop=True)
    blank = frame.index % 5 == 0
    frame.loc[blank, ["rating_lower", "rating_upper", "variance", "vote_count", "rank"]] = np.nan
    changed = tmp_path / "changed.parquet"
    write(frame, changed)
    assert import_dataset(engine, changed).error is None  # one pass
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade_schema(other)
    for day in dates:  # date by date: each through apply_snapshot
        one = tmp_path / f"{day}.parquet"
        write(frame[frame["leaderboard_publish_date"] == day], one)
        assert import_dataset(other, one).error is None
    with engine.connect() as conn:
        partial = (
            conn.execute(
                select(SNAPSHOTS.c.snapshot_date).where(SNAPSHOTS.c.leaderboard_key == LMARENA, SNAPSHOTS.c.is_partial)
            )
            .scalars()
            .all()
        )
    assert partial == [dt.date.fromisoformat(dates[7])]
    assert history(engine)[:2] == history(other)[:2]
    assert boards(engine) == boards(other) == expected_boards(frame)
    other.dispose()
