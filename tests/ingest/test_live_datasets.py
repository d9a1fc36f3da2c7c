"""Live ingest of the Hub datasets: ``open-llm-leaderboard/contents`` and ``mathewhe/chatbot-arena-elo``."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.boards import LMARENA, LMARENA_MIRROR, OPEN_LLM_V2
from core.config import load_settings
from core.errors import HubError
from db import queries
from db.schema import IngestRun, Model, Score
from ingest.live import run_live
from testing.fakehub import (
    LMARENA_FILE,
    FakeHub,
    build_arena_leaderboard_dataset,
    build_contents_dataset,
    build_contents_parquet,
    build_lmarena_dataset,
    lmarena_parquet,
    lmarena_rows,
)

ROWS = 200


@pytest.fixture
def hub():
    with FakeHub() as server:
        yield server


def settings_for(hub, tmp_path, db_url, **env):
    base = {
        "DATABASE_URL": db_url,
        "HF_ENDPOINT": hub.url,
        "SLM_CACHE_DIR": str(tmp_path / "cache"),
        "INGEST_LOCK": str(tmp_path / "ingest.lock"),
        "HUB_MAX_RETRIES": "2",
        "HUB_BACKOFF_BASE": "0.05",
    }
    return load_settings({**base, **env})


def runs(engine, source):
    table = IngestRun.__table__
    with engine.connect() as conn:
        return conn.execute(select(table).where(table.c.source == source).order_by(table.c.id)).all()


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# --------------------------------------------------------------------------- the contents dataset


def test_the_contents_parquet_is_imported_once_per_commit(hub, tmp_path, engine, db_url):
    dataset = hub.add_dataset(build_contents_dataset(ROWS))
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=[OPEN_LLM_V2], progress=False) == 0
    with engine.connect() as conn:
        assert queries.snapshot_dates(conn, OPEN_LLM_V2) == [today()]
        board = queries.board_entries(conn, OPEN_LLM_V2)
    assert board["model_pk"].nunique() > 0
    (run,) = runs(engine, OPEN_LLM_V2)
    assert run.status == "succeeded" and run.rows_read == ROWS and run.rows_rejected == 0
    downloads = hub.count(r"^/datasets/.*/resolve/")

    # Same commit: nothing downloaded, the run is recorded as skipped.
    run_live(engine, settings, sources=[OPEN_LLM_V2], progress=False)
    assert hub.count(r"^/datasets/.*/resolve/") == downloads
    assert [r.status for r in runs(engine, OPEN_LLM_V2)] == ["succeeded", "skipped"]

    # A new commit (more real rows) is imported.
    dataset.commit({"data/train-00000-of-00001.parquet": build_contents_parquet(ROWS + 50)})
    run_live(engine, settings, sources=[OPEN_LLM_V2], progress=False)
    last = runs(engine, OPEN_LLM_V2)[-1]
    assert last.status == "succeeded" and last.rows_read == ROWS + 50 and last.detail["commit"] == dataset.main


def test_contents_values_are_the_scrape_values(hub, tmp_path, engine, db_url):
    hub.add_dataset(build_contents_dataset(ROWS))
    run_live(engine, settings_for(hub, tmp_path, db_url), sources=[OPEN_LLM_V2], progress=False)
    models, scores = Model.__table__, Score.__table__
    with engine.connect() as conn:
        row = conn.execute(
            select(scores.c.value)
            .join(models, models.c.id == scores.c.model_id)
            .where(models.c.repo_id == "0-hero/Matter-0.2-7B-DPO", scores.c.benchmark_key == "average")
        ).scalar()
    # model_average_score of this model in the 2025-03-21 scrape.
    assert row == pytest.approx(8.90636130175029)


def test_a_broken_download_leaves_the_board_as_it_was(hub, tmp_path, engine, db_url):
    dataset = hub.add_dataset(build_contents_dataset(ROWS))
    settings = settings_for(hub, tmp_path, db_url)
    run_live(engine, settings, sources=[OPEN_LLM_V2], progress=False)
    with engine.connect() as conn:
        before = conn.execute(select(Score.__table__).order_by(Score.__table__.c.id)).all()
    dataset.commit({"data/train-00000-of-00001.parquet": build_contents_parquet(ROWS + 10)})
    hub.fault(r"/resolve/", "500", times=None)
    with pytest.raises(HubError, match="open-llm-leaderboard-v2"):
        run_live(engine, settings, sources=[OPEN_LLM_V2], progress=False)
    with engine.connect() as conn:
        assert conn.execute(select(Score.__table__).order_by(Score.__table__.c.id)).all() == before
    assert runs(engine, OPEN_LLM_V2)[-1].status == "failed"
    # The next run starts clean and imports the new commit.
    hub.faults.clear()
    assert run_live(engine, settings, sources=[OPEN_LLM_V2], progress=False) == 0
    assert runs(engine, OPEN_LLM_V2)[-1].rows_read == ROWS + 10


# --------------------------------------------------------------------------- the Arena's old mirror
# mathewhe/chatbot-arena-elo, read by the archive source 'lmarena-mathewhe'.

DAYS = ["2024-06-19", "2024-10-24", "2025-07-18"]


def test_lmarena_imports_main_as_its_tag_day(hub, tmp_path, engine, db_url):
    hub.add_dataset(build_lmarena_dataset(DAYS))
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=[LMARENA_MIRROR], progress=False) == 0
    with engine.connect() as conn:
        assert queries.snapshot_dates(conn, LMARENA) == [dt.date(2025, 7, 18)]
    # Nothing new on the next run.
    run_live(engine, settings, sources=[LMARENA_MIRROR], progress=False)
    assert [r.status for r in runs(engine, LMARENA)] == ["succeeded", "skipped"]


def test_lmarena_backfill_imports_every_tagged_day_not_stored(hub, tmp_path, engine, db_url):
    dataset = hub.add_dataset(build_lmarena_dataset(DAYS))
    settings = settings_for(hub, tmp_path, db_url)
    run_live(engine, settings, sources=[LMARENA_MIRROR], progress=False)
    assert run_live(engine, settings, sources=[LMARENA_MIRROR], backfill=True, progress=False) == 0
    with engine.connect() as conn:
        assert queries.snapshot_dates(conn, LMARENA) == [dt.date.fromisoformat(d) for d in DAYS]
        board = queries.board_entries(conn, LMARENA, dt.date(2024, 6, 19))
    # Each day was downloaded at its tag: the 2024-06-19 board is that day's scrape.
    assert len(board) == len(lmarena_rows(_seed_path("2024-06-19")))
    revisions = [r.detail.get("revision") for r in runs(engine, LMARENA) if r.status == "succeeded"]
    assert revisions == ["main", "20240619", "20241024"]
    assert dataset.tags["20241024"] in "".join(p for _, p, _ in hub.requests)
    # Backfilling again finds nothing to do.
    run_live(engine, settings, sources=[LMARENA_MIRROR], backfill=True, progress=False)
    assert runs(engine, LMARENA)[-1].status == "skipped"


def test_lmarena_finds_its_data_file_through_the_api(hub, tmp_path, engine, db_url):
    dataset = build_lmarena_dataset(["2025-07-18"])
    files = dataset.commits[dataset.main]
    renamed = {"README.md": files["README.md"], "elo/latest.parquet": files[LMARENA_FILE]}
    dataset.commit(renamed, tag="20250719")
    hub.add_dataset(dataset)
    assert run_live(engine, settings_for(hub, tmp_path, db_url), sources=[LMARENA_MIRROR], progress=False) == 0
    assert hub.count(r"/resolve/.*/elo/latest\.parquet") >= 1
    with engine.connect() as conn:
        assert queries.snapshot_dates(conn, LMARENA) == [dt.date(2025, 7, 19)]


def test_model_markup_html_is_never_stored(hub, tmp_path, engine, db_url):
    hub.add_dataset(build_lmarena_dataset(["2025-07-18"]))
    run_live(engine, settings_for(hub, tmp_path, db_url), sources=[LMARENA_MIRROR], progress=False)
    with engine.connect() as conn:
        ids = [r.repo_id for r in conn.execute(select(Model.__table__.c.repo_id))]
    assert ids and not any("<" in i or "href" in i for i in ids)


def _seed_path(day: str):
    from testing.fakehub import SEED

    return SEED / "lmarena" / f"{day}.csv.xz"


def test_the_builders_keep_real_values():
    rows = lmarena_rows(_seed_path("2024-06-19"))
    assert rows[0]["Model"] == "GPT-4o-2024-05-13" and rows[0]["Arena Score"] == 1287 and rows[0]["Votes"] == 42046
    assert rows[0]["95% CI"] == "+3/-3"
    assert lmarena_parquet(rows[:3])[:4] == b"PAR1"


def test_the_hub_source_leaves_requests_for_the_dataset_sources(hub, tmp_path, engine, db_url):
    hub.generated, hub.page_cap = 300, 100
    hub.add_dataset(build_arena_leaderboard_dataset(["2025-07-18"]))
    # 27 requests: 13 kept for lmarena, 14 for hub (3 listing pages, then 11 of the 16 seed models).
    settings = settings_for(hub, tmp_path, db_url, HUB_TOP_N="300", HUB_REQUEST_BUDGET="27", HUB_LEADERBOARD_BUDGET="0")
    assert run_live(engine, settings, sources=["hub", LMARENA], progress=False) == 0
    (hub_run,) = runs(engine, "hub")
    assert hub_run.status == "succeeded" and "kept for the next sources" in hub_run.detail["note"]
    assert hub_run.detail["listed"] == 300
    assert hub_run.detail["fetched"] + hub_run.detail["missing"] == 11
    assert [r.status for r in runs(engine, LMARENA)] == ["succeeded"]


def test_models_on_an_imported_board_are_checked_on_the_hub_within_the_budget(hub, tmp_path, engine, db_url):
    from ingest.hub import seed_model_ids

    hub.add_dataset(build_contents_dataset(ROWS))
    settings = settings_for(hub, tmp_path, db_url, HUB_TOP_N="0", HUB_LEADERBOARD_BUDGET="3")
    run_live(engine, settings, sources=[OPEN_LLM_V2], progress=False)
    hub.requests.clear()
    assert run_live(engine, settings, sources=["hub"], progress=False) == 0
    asked = [p.split("?")[0].removeprefix("/api/models/") for _, p, _ in hub.requests]
    board_models = [m for m in asked if m not in seed_model_ids()]
    assert len(board_models) == 3
    models = Model.__table__
    with engine.connect() as conn:
        checked = conn.execute(
            select(models.c.repo_id, models.c.hub_status).where(models.c.hub_checked_at.is_not(None))
        ).all()
    # Not on the fake Hub: marked, not deleted.
    status = {r.repo_id: r.hub_status for r in checked}
    assert {status[m] for m in board_models} == {"not_found"}
    assert status["HuggingFaceH4/zephyr-7b-beta"] == "ok"  # a seed model, on the fake Hub
