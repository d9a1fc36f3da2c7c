"""LMArena's leaderboard dataset, on real Arena rows converted into its exact schema.

The fixture (``tests/fixtures/lmarena-dataset/text-full-from-scrapes.parquet``) holds the 23 real
Arena scrapes of the seed as leaderboard-dataset rows (see its provenance). Tests build other
files from it by dropping dates (the "held-out" days a first import has not seen) or by marking
real rows the way the real dataset's traps look (a NaN rating, null intervals).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.boards import LMARENA
from db import arena, queries
from db.aliases import apply_hub_facts, replace_aliases, unmatched_open_models
from db.records import ModelFacts
from db.writes import upsert_models
from ingest.lmarena_dataset import COLUMNS, import_dataset, is_dataset_file, parse_dataset
from tests.conftest import FIXTURES
from tests.ingest.test_cli import cli, one_line_error

FIXTURE = FIXTURES / "lmarena-dataset" / "text-full-from-scrapes.parquet"


def rows() -> pd.DataFrame:
    return pq.read_table(FIXTURE).to_pandas()


def write(frame: pd.DataFrame, path) -> None:
    pq.write_table(pa.Table.from_pandas(frame.reset_index(drop=True), schema=pq.read_schema(FIXTURE)), path)


def leaders(frame: pd.DataFrame) -> list[tuple[str, str, str | None]]:
    """Reigns at #1, computed directly from rows: (model, start, end), the README's semantics."""
    dates = sorted(frame["leaderboard_publish_date"].unique())
    best = {}
    for day in dates:
        day_rows = frame[frame["leaderboard_publish_date"] == day]
        best[day] = min(
            zip(day_rows["rating"], day_rows["model_name"], strict=True), key=lambda t: (-t[0], t[1].lower())
        )[1]
    reigns: list[list] = []
    for day in dates:
        if not reigns or reigns[-1][0].lower() != best[day].lower():
            if reigns:
                reigns[-1][2] = day
            reigns.append([best[day], day, None])
    return [tuple(r) for r in reigns]


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_fixture_has_the_exact_schema_and_is_detected():
    schema = pq.read_schema(FIXTURE)
    assert schema.names == list(COLUMNS)
    assert [str(t) for t in schema.types] == [
        "string",
        "string",
        "string",
        "double",
        "double",
        "double",
        "double",
        "double",
        "double",
        "string",
        "string",
    ]
    assert is_dataset_file(FIXTURE)
    frame = rows()
    assert frame["leaderboard_publish_date"].nunique() == 23
    assert frame["variance"].isna().all()  # the scrapes have no variance: null, never made up


def test_import_via_the_cli_held_out_days_reigns_and_ranks(tmp_path):
    frame = rows()
    dates = sorted(frame["leaderboard_publish_date"].unique())
    held_out = set(dates[3::4])
    first, full = tmp_path / "first.parquet", tmp_path / "full.parquet"
    write(frame[~frame["leaderboard_publish_date"].isin(held_out)], first)
    write(frame, full)
    db = f"sqlite:///{tmp_path / 'a.db'}"
    out = cli("ingest", "import", "lmarena", str(first), db=db, check=True).stdout
    assert f"{len(dates) - len(held_out)} publish dates imported" in out
    # The full file: only the held-out days are new.
    out = cli("ingest", "import", "lmarena", str(full), db=db, check=True).stdout
    assert f"{len(held_out)} publish dates imported" in out
    assert f"{len(dates) - len(held_out)} already there" in out

    for day in sorted(held_out):
        expected = frame[frame["leaderboard_publish_date"] == day]
        got = csv_rows(
            cli(
                "db", "leaderboard", "--leaderboard", "lmarena", "--as-of", day, "--format", "csv", db=db, check=True
            ).stdout
        )
        # Ids compare ignoring case: a model keeps the spelling it was first stored with.
        assert {r["model_id"].lower() for r in got} == set(expected["model_name"].str.lower())
        by_name = {r["model_id"].lower(): r for r in got}
        for name, rating, rank, lower, upper, votes in expected[
            ["model_name", "rating", "rank", "rating_lower", "rating_upper", "vote_count"]
        ].itertuples(index=False):
            row = by_name[name.lower()]
            assert float(row["score"]) == rating
            assert int(row["rank"]) == int(rank)  # the Arena's own rank, not the position
            assert row["published"] == day
            if pd.notna(upper):
                assert float(row["ci_plus"]) == pytest.approx(upper - rating)
                assert float(row["ci_minus"]) == pytest.approx(rating - lower)
            assert float(row["votes"]) == votes
        # A day between two publish dates shows the board of the one before.
        nxt = dt.date.fromisoformat(day) + dt.timedelta(days=1)
        if nxt.isoformat() not in dates:
            later = csv_rows(
                cli(
                    "db",
                    "leaderboard",
                    "--leaderboard",
                    "lmarena",
                    "--as-of",
                    nxt.isoformat(),
                    "--format",
                    "csv",
                    db=db,
                ).stdout
            )
            assert [(r["model_id"], r["score"]) for r in later] == [(r["model_id"], r["score"]) for r in got]

    expected_reigns = leaders(frame)
    for args in ((), ("--category", "overall")):
        got = csv_rows(
            cli("db", "tenure", "--leaderboard", "lmarena", *args, "--format", "csv", db=db, check=True).stdout
        )
        assert [(r["model_id"].lower(), r["start"], r["end"] or None) for r in got] == [
            (m.lower(), s, e) for m, s, e in expected_reigns
        ]


def test_shared_ranks_are_kept_as_published(sqlite_engine):
    frame = rows()
    day = "2024-08-23"
    assert import_dataset(sqlite_engine, FIXTURE).error is None
    with sqlite_engine.connect() as conn:
        board = arena.report_board(conn, LMARENA, None, dt.date.fromisoformat(day), queries.ModelFilter(), None)
    src = frame[frame["leaderboard_publish_date"] == day].set_index("model_name")["rank"]
    assert src.duplicated().any()  # overlapping intervals share a rank in the real data
    got = dict(zip(board["model_id"].str.lower(), board["rank"], strict=True))
    assert got == {k.lower(): int(v) for k, v in src.items()}
    # Position by rating, equal ratings sharing one (1, 2, 2, 4), as every rank the tracker shows.
    # Computed here from the source's ratings: 1 + how many rate higher.
    ratings = frame[frame["leaderboard_publish_date"] == day].set_index("model_name")["rating"]
    expected = {k.lower(): 1 + int((ratings > v).sum()) for k, v in ratings.items()}
    assert dict(zip(board["model_id"].str.lower(), board["position"], strict=True)) == expected


def test_category_rows_agree_with_the_scores_board(sqlite_engine):
    assert import_dataset(sqlite_engine, FIXTURE).error is None
    with sqlite_engine.connect() as conn:
        for day in (dt.date(2024, 6, 19), dt.date(2025, 1, 1), None):
            cat = arena.category_board(conn, "overall", day)
            main = queries.board(conn, LMARENA, day)
            assert cat["model_id"].tolist() == main["model_id"].tolist()
            assert cat["score"].tolist() == main["score"].tolist()
            assert cat["board_rank"].tolist() == main["arena_rank"].tolist()
        assert arena.categories(conn) == ["overall"]
        reigns = arena.category_tenure(conn, "overall")
        direct = queries.tenure(conn, LMARENA)
    assert reigns[["model_id", "start", "end"]].values.tolist() == direct[["model_id", "start", "end"]].values.tolist()


def test_traps_nan_ratings_rejected_null_intervals_kept(tmp_path, sqlite_engine):
    frame = rows()
    day = frame["leaderboard_publish_date"].min()
    first_day = frame[frame["leaderboard_publish_date"] == day].index
    # As in the real 2023 Elo era: no interval and no votes; as for the real falcon rows: NaN rating.
    frame.loc[first_day, ["rating_lower", "rating_upper", "vote_count", "rank"]] = None
    nan_at = first_day[-1]
    frame.loc[nan_at, "rating"] = float("nan")
    path = tmp_path / "traps.parquet"
    write(frame, path)
    parsed = parse_dataset(path)
    assert [(r.row_number, r.reason) for r in parsed.rejections] == [(nan_at + 1, "rating is missing (NaN)")]
    result = import_dataset(sqlite_engine, path)
    assert result.error is None and result.rows_rejected == 1
    with sqlite_engine.connect() as conn:
        board = arena.category_board(conn, "overall", dt.date.fromisoformat(day))
        rejected = queries.rejected_rows(conn)
    assert len(board) == len(first_day) - 1
    assert board["rating_lower"].isna().all() and board["board_rank"].isna().all()
    assert "rating is missing (NaN)" in rejected["reason"].tolist()


def test_bad_files_fail_in_one_line_and_change_nothing(tmp_path):
    db = f"sqlite:///{tmp_path / 'b.db'}"
    cli("ingest", "import", "lmarena", str(FIXTURE), db=db, check=True)
    before = cli("db", "leaderboard", "--leaderboard", "lmarena", "--format", "csv", db=db, check=True).stdout
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(FIXTURE.read_bytes()[:-100])
    msg = one_line_error(cli("ingest", "import", "lmarena", str(cut), db=db))
    assert "error:" in msg
    wrong = tmp_path / "wrong.parquet"
    write(rows().head(5), wrong)
    missing = pq.read_table(wrong).drop_columns(["rank"])
    pq.write_table(missing, wrong)
    assert "no column rank" in one_line_error(cli("ingest", "import", "lmarena", str(wrong), db=db))
    assert "not open-llm-leaderboard-v2" in one_line_error(
        cli("ingest", "import", "open-llm-leaderboard-v2", str(FIXTURE), db=db)
    )
    assert cli("db", "leaderboard", "--leaderboard", "lmarena", "--format", "csv", db=db).stdout == before
    assert "unknown Arena category 'coding'" in one_line_error(
        cli("db", "leaderboard", "--leaderboard", "lmarena", "--category", "coding", db=db)
    )
    assert "applies to the Arena only" in one_line_error(
        cli("db", "leaderboard", "--leaderboard", "open-llm-leaderboard-v2", "--category", "overall", db=db)
    )


def test_cli_contract_columns(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    cli("ingest", "import", "lmarena", str(FIXTURE), db=db, check=True)
    out = cli(
        "db", "leaderboard", "--leaderboard", "lmarena", "--category", "overall", "--format", "csv", db=db, check=True
    )
    header = out.stdout.splitlines()[0].split(",")
    assert header[:4] == ["rank", "position", "board_rank", "model_id"] and "hub_id" in header and "score" in header
    rows = csv_rows(out.stdout)
    assert all(r["rank"] == r["board_rank"] for r in rows) and rows[0]["rank"] == "1"
    te = cli("db", "tenure", "--leaderboard", "lmarena", "--category", "overall", "--format", "csv", db=db, check=True)
    assert te.stdout.splitlines()[0] == "model_id,start,end,days,gap_days"


def test_aliases_give_hub_facts_and_size_filters(sqlite_engine):
    assert import_dataset(sqlite_engine, FIXTURE).error is None
    with sqlite_engine.begin() as conn:
        # A real Hub fact (the Hub's safetensors count of google/gemma-2-2b-it is 2.61 B).
        upsert_models(
            conn,
            [
                ModelFacts(
                    repo_id="google/gemma-2-2b-it",
                    params_b=2.61,
                    params_source="hub: safetensors",
                    license="gemma",
                    license_category="custom",
                )
            ],
            source="hub",
            as_of=None,
            board=False,
        )
        replace_aliases(
            conn, LMARENA, [{"name": "gemma-2-2b-it", "hub_id": "google/gemma-2-2b-it", "source": "test: model card"}]
        )
        assert apply_hub_facts(conn, LMARENA) == 1
        assert apply_hub_facts(conn, LMARENA) == 0  # idempotent
        small = arena.board(conn, None, None, queries.ModelFilter(max_params=2.7))
        unmatched = unmatched_open_models(conn, LMARENA)
    row = small[small["model_id"].str.lower() == "gemma-2-2b-it"].iloc[0]
    assert row["hub_id"] == "google/gemma-2-2b-it" and row["params_b"] == 2.61
    assert row["params_source"].startswith("hub via alias of google/gemma-2-2b-it")
    assert "gemma-2-2b-it" not in unmatched["name"].str.lower().tolist()
    assert len(unmatched) > 0 and "proprietary" not in set(unmatched["license_category"])
