"""``ingest run lmarena``: LMArena's dataset on the fake Hub (real Arena rows in its exact schema)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.boards import LMARENA
from core.errors import HubError
from db import arena, queries, writes
from db.schema import SCORES
from ingest.live import run_live
from ingest.lmarena_dataset import FILE, REPO, STATE_SHA
from testing.fakehub import FakeHub, arena_dataset_files, build_arena_leaderboard_dataset
from tests.ingest.test_live_datasets import runs, settings_for

FIRST = ["2024-06-19", "2024-07-24", "2024-08-02"]
LATER = ["2024-06-19", "2024-07-24", "2024-08-02", "2024-08-23", "2024-09-06"]


@pytest.fixture
def hub():
    with FakeHub() as server:
        yield server


def downloads(hub) -> int:
    return hub.count(r"/resolve/.*/text/full-00000-of-00001\.parquet")


def test_pinned_revision_only_new_dates_and_no_download_when_unchanged(hub, tmp_path, engine, db_url):
    dataset = hub.add_dataset(build_arena_leaderboard_dataset(FIRST))
    first_sha = dataset.main
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=[LMARENA], progress=False) == 0
    with engine.connect() as conn:
        assert queries.snapshot_dates(conn, LMARENA) == [dt.date.fromisoformat(d) for d in FIRST]
        assert writes.get_state(conn, LMARENA, STATE_SHA) == first_sha
    # The file was fetched at the pinned sha, never at "main".
    assert hub.count(rf"/resolve/{first_sha}/text/full") >= 1 and hub.count(r"/resolve/main/") == 0
    fetched = downloads(hub)
    # Same revision: the sha is read, nothing is downloaded, a skipped run is recorded.
    assert run_live(engine, settings, sources=[LMARENA], progress=False) == 0
    assert downloads(hub) == fetched
    assert runs(engine, LMARENA)[-1].status == "skipped"
    # A new revision with two more dates: only those are imported.
    dataset.commit({"README.md": b"---\nlicense: cc-by-4.0\n---\n", **arena_dataset_files(LATER)})
    assert run_live(engine, settings, sources=[LMARENA], progress=False) == 0
    last = runs(engine, LMARENA)[-1]
    assert last.status == "succeeded" and last.detail["dates_imported"] == 2 and last.detail["dates_skipped"] == 3
    assert last.detail["revision"] == dataset.main and last.detail["dataset"] == REPO
    with engine.connect() as conn:
        assert queries.snapshot_dates(conn, LMARENA) == [dt.date.fromisoformat(d) for d in LATER]
        assert arena.publish_dates(conn, "overall") == [dt.date.fromisoformat(d) for d in LATER]
        assert writes.get_state(conn, LMARENA, STATE_SHA) == dataset.main


def test_a_dead_hub_fails_cleanly_with_nothing_changed(hub, tmp_path, engine, db_url):
    hub.add_dataset(build_arena_leaderboard_dataset(FIRST))
    settings = settings_for(hub, tmp_path, db_url)
    run_live(engine, settings, sources=[LMARENA], progress=False)
    with engine.connect() as conn:
        before = conn.execute(select(SCORES).order_by(SCORES.c.id)).all()
        sha = writes.get_state(conn, LMARENA, STATE_SHA)
    dataset = hub.datasets[REPO.lower()]
    dataset.commit({"README.md": b"x", **arena_dataset_files(LATER)})
    hub.fault(r"/resolve/", "500", times=None)
    with pytest.raises(HubError, match="lmarena"):
        run_live(engine, settings, sources=[LMARENA], progress=False)
    with engine.connect() as conn:
        assert conn.execute(select(SCORES).order_by(SCORES.c.id)).all() == before
        assert writes.get_state(conn, LMARENA, STATE_SHA) == sha  # the next run tries again
    assert runs(engine, LMARENA)[-1].status == "failed"
    assert FILE in runs(engine, LMARENA)[-1].error


def test_dataset_rows_replace_another_origins_rows_of_the_same_date(hub, tmp_path, engine, db_url):
    """Rows of a date stored from another origin (the seed's converted history) give way to the dataset's."""
    from sqlalchemy import func

    from db.schema import ARENA_BOARDS
    from ingest.lmarena_dataset import import_dataset
    from testing.fakehub import ARENA_DATASET_FIXTURE

    assert import_dataset(engine, ARENA_DATASET_FIXTURE, origin="seed:test").error is None
    hub.add_dataset(build_arena_leaderboard_dataset(FIRST))
    assert run_live(engine, settings_for(hub, tmp_path, db_url), sources=[LMARENA], progress=False) == 0
    with engine.connect() as conn:
        origins = dict(
            conn.execute(
                select(ARENA_BOARDS.c.publish_date, func.min(ARENA_BOARDS.c.source)).group_by(
                    ARENA_BOARDS.c.publish_date
                )
            ).all()
        )
        count = conn.execute(
            select(func.sum(ARENA_BOARDS.c.models)).where(ARENA_BOARDS.c.publish_date == dt.date(2024, 6, 19))
        ).scalar()
        board = queries.board(conn, LMARENA, dt.date(2024, 6, 19))
    assert origins[dt.date(2024, 6, 19)].startswith(REPO + "@")
    assert origins[dt.date(2024, 9, 6)] == "seed:test"  # a date the dataset does not have stays
    assert count == len(board)  # replaced, not added twice
    assert runs(engine, LMARENA)[-1].detail["dates_imported"] == len(FIRST)


def test_a_hub_run_fetches_aliased_repos_and_gives_their_facts_to_arena_models(hub, tmp_path, engine, db_url):
    """The real recorded Hub body of HuggingFaceH4/zephyr-7b-beta reaches the Arena's 'Zephyr-7b-beta'."""
    from db.aliases import replace_aliases
    from ingest.lmarena_dataset import import_dataset
    from testing.fakehub import ARENA_DATASET_FIXTURE

    assert import_dataset(engine, ARENA_DATASET_FIXTURE).error is None
    with engine.begin() as conn:  # one real row of data/aliases/lmarena.csv
        replace_aliases(
            conn,
            LMARENA,
            [
                {
                    "name": "zephyr-7b-beta",
                    "hub_id": "HuggingFaceH4/zephyr-7b-beta",
                    "source": "the board's own link: LMArena Space leaderboard_table_20250511.csv",
                }
            ],
        )
    settings = settings_for(hub, tmp_path, db_url, HUB_TOP_N="0")
    assert run_live(engine, settings, sources=["hub"], progress=False) == 0
    with engine.connect() as conn:
        model = queries.find_model(conn, "Zephyr-7b-beta")
        board = arena.board(conn, None, None, queries.ModelFilter(max_params=8, license_categories=("permissive",)))
    assert model["params_b"] == pytest.approx(7.24, abs=0.01) and model["license"] == "mit"
    assert model["params_source"].startswith("hub via alias of HuggingFaceH4/zephyr-7b-beta")
    row = board[board["model_id"].str.lower() == "zephyr-7b-beta"]
    assert row["hub_id"].tolist() == ["HuggingFaceH4/zephyr-7b-beta"]
