"""Live ingest of the ``hub`` source against the fake Hub (a real HTTP server on 127.0.0.1).

huggingface_hub is not mocked: only its endpoint points at the fake server.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest
from sqlalchemy import select

from core.boards import MODEL_CARD
from core.config import load_settings
from core.errors import HubError, LockedError
from db.schema import Base, IngestRun, Model, ModelAlias, Score
from ingest.live import run_live
from ingest.lock import ingest_lock
from testing.fakehub import ROOT, FakeHub, hub_env

ZEPHYR = "HuggingFaceH4/zephyr-7b-beta"
TOKEN = "hf_TestTokenThatMustNeverShow42"


@pytest.fixture
def hub():
    with FakeHub() as server:
        yield server


def settings_for(hub: FakeHub, tmp_path, db_url: str, **env: str):
    base = {
        "DATABASE_URL": db_url,
        "HF_ENDPOINT": hub.url,
        "SLM_CACHE_DIR": str(tmp_path / "cache"),
        "INGEST_LOCK": str(tmp_path / "ingest.lock"),
        "HUB_MAX_RETRIES": "3",
        "HUB_BACKOFF_BASE": "0.05",
        "HUB_TIMEOUT": "5",
        "HUB_TOP_N": "0",
        "HUB_LEADERBOARD_BUDGET": "0",
    }
    return load_settings({**base, **env})


def run_cli(hub: FakeHub, tmp_path, db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = hub_env(
        hub,
        DATABASE_URL=db_url,
        SLM_CACHE_DIR=str(tmp_path / "cache"),
        INGEST_LOCK=str(tmp_path / "ingest.lock"),
        HUB_BACKOFF_BASE="0.05",
        HUB_LEADERBOARD_BUDGET="0",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args], env=environ, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def model_row(engine, repo_id: str):
    with engine.connect() as conn:
        return conn.execute(select(Model.__table__).where(Model.__table__.c.repo_id_lower == repo_id.lower())).first()


def runs(engine):
    with engine.connect() as conn:
        return conn.execute(select(IngestRun.__table__).order_by(IngestRun.__table__.c.id)).all()


def dump(engine) -> dict:
    """Every table except the run log, row by row."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name != "ingest_runs"
        }


# --------------------------------------------------------------------------- the CLI, end to end


def test_cli_stores_zephyr_from_the_real_body_and_a_429_only_delays(hub, tmp_path, engine, db_url):
    hub.fault(r"^/api/models/HuggingFaceH4/zephyr-7b-beta", "429", times=1, retry_after=1)
    result = run_cli(hub, tmp_path, db_url, "run", "hub", "--models", ZEPHYR, HF_TOKEN=TOKEN)
    assert result.returncode == 0, result.stderr
    row = model_row(engine, ZEPHYR)
    assert row.params_b == pytest.approx(7.241732096)
    assert round(row.params_b * 1e9) == 7_241_732_096
    assert row.params_source == "safetensors" and not row.params_is_estimate
    assert (row.license, row.license_category) == ("mit", "permissive")
    assert row.base_model == "mistralai/Mistral-7B-v0.1"
    assert (row.on_hub, row.hub_status) == (True, "ok")
    assert row.hub_sha and row.hub_checked_at is not None
    # The 429 was answered, waited for (Retry-After: 1) and retried once.
    statuses = [status for _, path, status in hub.requests if "zephyr-7b-beta" in path]
    assert statuses == [429, 200]
    assert "retrying in 1.0s" in result.stderr
    # The token went to the Hub, and nowhere else.
    assert f"Bearer {TOKEN}" in hub.auth_headers
    assert TOKEN not in result.stderr + result.stdout
    (run,) = [r for r in runs(engine) if r.source == "hub"]
    assert run.status == "succeeded" and run.detail["retries"] == 1
    # The card's self-reported results are their own board, dated today.
    with engine.connect() as conn:
        card = conn.execute(
            select(Score.__table__.c.benchmark_key, Score.__table__.c.value).where(
                Score.__table__.c.leaderboard_key == MODEL_CARD, Score.__table__.c.model_id == row.id
            )
        ).all()
    assert dict(card)["mmlu"] == pytest.approx(61.07)


@pytest.mark.parametrize("dead", ["server down", "every request 500"])
def test_a_dead_hub_fails_fast_with_one_line_and_leaves_the_database_as_it_was(
    hub, tmp_path, seeded_url, seeded_engine, dead
):
    before = dump(seeded_engine)
    runs_before = len(runs(seeded_engine))
    if dead == "server down":
        hub.stop()
    else:
        hub.fault(".", "500", times=None)
    result = run_cli(
        hub,
        tmp_path,
        seeded_url,
        "run",
        "hub",
        "--models",
        ZEPHYR,
        "meta-llama/Llama-2-7b-hf",
        HUB_MAX_RETRIES="2",
        HUB_RUN_BUDGET="20",
        HF_TOKEN=TOKEN,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: hub: ")
    assert "unavailable" in lines[-1] or "failed" in lines[-1]
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr
    assert dump(seeded_engine) == before
    new_runs = runs(seeded_engine)[runs_before:]
    assert [r.status for r in new_runs] == ["failed"] and new_runs[0].error


def test_the_run_time_budget_bounds_a_hub_that_keeps_failing(hub, tmp_path, engine, db_url):
    hub.fault(".", "503", times=None)
    settings = settings_for(hub, tmp_path, db_url, HUB_MAX_RETRIES="1000", HUB_RUN_BUDGET="2", HUB_BACKOFF_BASE="0.2")
    with pytest.raises(HubError, match="time budget"):
        run_live(engine, settings, sources=["hub"], models=[ZEPHYR], progress=False)
    assert hub.count("zephyr") < 50


def test_a_listing_that_breaks_on_page_two_writes_nothing(hub, tmp_path, engine, db_url):
    hub.generated = 1500
    hub.fault(r"cursor=", "500", times=None)
    before = dump(engine)
    settings = settings_for(hub, tmp_path, db_url, HUB_TOP_N="1500", HUB_MAX_RETRIES="1")
    with pytest.raises(HubError, match="HTTP 500"):
        run_live(engine, settings, sources=["hub"], progress=False)
    assert hub.count(r"^/api/models\?") >= 2  # page one was read...
    assert dump(engine) == before  # ...and not written
    (run,) = runs(engine)
    assert run.status == "failed" and "HTTP 500" in run.error


# --------------------------------------------------------------------------- scale


def test_five_thousand_listed_models_through_cursor_pagination(hub, tmp_path, engine, db_url):
    hub.generated = 5000
    settings = settings_for(hub, tmp_path, db_url, HUB_TOP_N="5000")
    assert run_live(engine, settings, sources=["hub"], progress=False) == 0
    pages = [p for _, p, _ in hub.requests if p.startswith("/api/models?")]
    assert len(pages) == 5 and all("cursor=" in p for p in pages[1:])
    with engine.connect() as conn:
        count = conn.execute(select(Model.__table__.c.id).where(Model.__table__.c.on_hub.is_(True))).all()
    assert len(count) == 5000
    (run,) = runs(engine)
    assert run.status == "succeeded" and run.detail["listed"] == 5000
    # Generated entries copy real bodies: a copy of zephyr has zephyr's real count.
    row = model_row(engine, f"{ZEPHYR}-scale-000000")
    assert row is not None and row.params_b == pytest.approx(7.241732096)


def test_a_progress_bar_on_a_terminal(hub, tmp_path, db_url, engine):
    hub.generated = 1200
    main, child = pty.openpty()
    # A fresh pty is 0x0; a real terminal has a size (tqdm draws nothing in 0 columns).
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    environ = hub_env(
        hub,
        DATABASE_URL=db_url,
        SLM_CACHE_DIR=str(tmp_path / "cache"),
        INGEST_LOCK=str(tmp_path / "lock"),
        HUB_LEADERBOARD_BUDGET="0",
        TERM="xterm",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", "run", "hub", "--limit", "1200"], env=environ, cwd=ROOT, stderr=child
    )
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert proc.wait(timeout=120) == 0
    text = output.decode(errors="replace")
    assert "hub: top models" in text and "model/s" in text


# --------------------------------------------------------------------------- renamed, gone, gated


def test_a_renamed_repo_is_stored_under_its_new_id_with_the_old_one_as_alias(hub, tmp_path, engine, db_url):
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=["hub"], models=["bert-base-uncased"], progress=False) == 0
    assert model_row(engine, "bert-base-uncased") is None
    row = model_row(engine, "google-bert/bert-base-uncased")
    assert row.repo_id == "google-bert/bert-base-uncased" and row.params_b == pytest.approx(0.110106428)
    with engine.connect() as conn:
        aliases = conn.execute(select(ModelAlias.__table__)).all()
    assert [(a.alias, a.model_id) for a in aliases] == [("bert-base-uncased", row.id)]
    assert ("GET", "/api/models/bert-base-uncased", 307) in [(m, p.split("?")[0], s) for m, p, s in hub.requests]


def test_a_known_repo_that_was_renamed_keeps_its_row_and_history(hub, tmp_path, engine, db_url):
    from db import writes
    from db.records import ModelFacts

    with engine.begin() as conn:
        index, _, _ = writes.upsert_models(
            conn, [ModelFacts(repo_id="bert-base-uncased")], source="seed", as_of=None, board=False
        )
    old_id = index["bert-base-uncased"]
    settings = settings_for(hub, tmp_path, db_url)
    run_live(engine, settings, sources=["hub"], models=["bert-base-uncased"], progress=False)
    row = model_row(engine, "google-bert/bert-base-uncased")
    assert row.id == old_id  # same row: its scores and facts stay attached
    with engine.connect() as conn:
        assert conn.execute(select(Model.__table__.c.id)).all() == [(old_id,)]


@pytest.mark.parametrize(("status", "expected"), [(404, "not_found"), (401, "unauthorized"), (403, "gated")])
def test_a_repo_gone_from_the_hub_is_marked_and_keeps_its_scores(
    hub, tmp_path, seeded_url, seeded_engine, status, expected
):
    repo = "meta-llama/Llama-2-7b-hf"
    hub.statuses[repo.lower()] = status
    before = model_row(seeded_engine, repo)
    with seeded_engine.connect() as conn:
        scores_before = conn.execute(select(Score.__table__).where(Score.__table__.c.model_id == before.id)).all()
    assert scores_before
    settings = settings_for(hub, tmp_path, seeded_url)
    assert run_live(seeded_engine, settings, sources=["hub"], models=[repo], progress=False) == 0
    after = model_row(seeded_engine, repo)
    assert (after.on_hub, after.hub_status) == (False, expected)
    assert after.params_b == before.params_b and after.license == before.license
    with seeded_engine.connect() as conn:
        scores_after = conn.execute(select(Score.__table__).where(Score.__table__.c.model_id == before.id)).all()
    assert scores_after == scores_before


# --------------------------------------------------------------------------- faults that only delay


@pytest.mark.parametrize("kind", ["503", "cutoff", "malformed", "drop", "slow"])
def test_transient_faults_are_retried(hub, tmp_path, engine, db_url, kind):
    hub.fault(r"^/api/models/HuggingFaceH4", kind, times=1, delay=1.5)
    settings = settings_for(hub, tmp_path, db_url, HUB_TIMEOUT="0.5")
    assert run_live(engine, settings, sources=["hub"], models=[ZEPHYR], progress=False) == 0
    assert model_row(engine, ZEPHYR).params_b == pytest.approx(7.241732096)
    (run,) = runs(engine)
    assert run.detail["retries"] == 1


def test_429_with_ratelimit_header_waits_for_the_reset(hub, tmp_path, engine, db_url):
    hub.fault(r"^/api/models/HuggingFaceH4", "429", times=1, ratelimit_t=1)
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=["hub"], models=[ZEPHYR], progress=False) == 0
    (run,) = runs(engine)
    assert run.detail["retries"] == 1


def test_a_429_asking_to_wait_beyond_the_budget_fails_at_once(hub, tmp_path, engine, db_url):
    hub.fault(r"^/api/models/", "429", times=None, retry_after=3600)
    settings = settings_for(hub, tmp_path, db_url, HUB_RUN_BUDGET="30")
    with pytest.raises(HubError, match="exceed the run time budget"):
        run_live(engine, settings, sources=["hub"], models=[ZEPHYR], progress=False)
    assert hub.count("zephyr") == 1


def test_the_request_budget_stops_reading_and_keeps_what_was_read(hub, tmp_path, engine, db_url):
    models = [ZEPHYR, "gpt2", "openai-community/gpt2", "microsoft/DialoGPT-small"]
    settings = settings_for(hub, tmp_path, db_url, HUB_REQUEST_BUDGET="2")
    assert run_live(engine, settings, sources=["hub"], models=models, progress=False) == 0
    assert model_row(engine, ZEPHYR) is not None and model_row(engine, "gpt2") is not None
    assert model_row(engine, "microsoft/DialoGPT-small") is None
    (run,) = runs(engine)
    assert run.status == "succeeded" and "request budget" in run.detail["note"]


def test_model_card_scores_of_models_not_read_today_carry_over(hub, tmp_path, engine, db_url):
    settings = settings_for(hub, tmp_path, db_url)
    run_live(engine, settings, sources=["hub"], models=[ZEPHYR], progress=False)
    run_live(engine, settings, sources=["hub"], models=["gpt2"], progress=False)
    with engine.connect() as conn:
        open_card = conn.execute(
            select(Score.__table__.c.benchmark_key).where(
                Score.__table__.c.leaderboard_key == MODEL_CARD, Score.__table__.c.valid_to.is_(None)
            )
        ).all()
    assert len(open_card) == 8


# --------------------------------------------------------------------------- one run at a time


def test_run_refuses_while_another_run_holds_the_lock(hub, tmp_path, engine, db_url):
    settings = settings_for(hub, tmp_path, db_url)
    with ingest_lock(settings.lock_path):
        with pytest.raises(LockedError, match="another ingest run is in progress"):
            run_live(engine, settings, sources=["hub"], models=[ZEPHYR], progress=False)
        result = run_cli(hub, tmp_path, db_url, "run", "hub", "--models", ZEPHYR)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: another ingest run is in progress")
    assert hub.requests == []
    assert runs(engine) == []


# --------------------------------------------------------------------------- the universe


def test_watchlist_seed_and_a_bounded_share_of_board_models_are_checked(hub, tmp_path, seeded_url, seeded_engine):
    from ingest.hub import seed_model_ids

    settings = settings_for(
        hub, tmp_path, seeded_url, HUB_LEADERBOARD_BUDGET="5", SLM_WATCHLIST="gpt2, microsoft/DialoGPT-small"
    )
    run_live(seeded_engine, settings, sources=["hub"], progress=False)
    first = [p.split("?")[0].removeprefix("/api/models/") for _, p, _ in hub.requests]
    seeds = seed_model_ids()
    assert first[:2] == ["gpt2", "microsoft/DialoGPT-small"]
    assert first[2 : 2 + len(seeds)] == seeds
    board_models = first[2 + len(seeds) :]
    assert len(board_models) == 5 and not set(board_models) & set(seeds)
    assert all("/" in m and " " not in m for m in board_models)

    # The next run checks the least recently checked board models: five others.
    hub.requests.clear()
    run_live(seeded_engine, settings, sources=["hub"], progress=False)
    again = [p.split("?")[0].removeprefix("/api/models/") for _, p, _ in hub.requests][2 + len(seeds) :]
    assert len(again) == 5 and not set(again) & set(board_models)
    assert model_row(seeded_engine, "gpt2").hub_status == "ok"


def test_a_packed_4bit_repo_takes_its_size_from_the_base_model(hub, tmp_path, engine, db_url):
    import copy

    # A bitsandbytes 4-bit copy of zephyr: the stored U8 tensors pack two values each, so the
    # stored total is no parameter count; the base model's own count (real) must win.
    body = copy.deepcopy(hub.models[ZEPHYR.lower()])
    quantized = f"{ZEPHYR}-bnb-4bit"
    body.update(id=quantized, modelId=quantized)
    body["cardData"]["base_model"] = ZEPHYR
    body["config"]["quantization_config"] = {"quant_method": "bitsandbytes", "load_in_4bit": True}
    total = body["safetensors"]["total"]
    body["safetensors"] = {"parameters": {"BF16": total // 4, "U8": total // 4}, "total": total // 2}
    hub.models[quantized.lower()] = body
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=["hub"], models=[quantized], progress=False) == 0
    row = model_row(engine, quantized)
    assert row.params_b == pytest.approx(7.241732096)
    assert row.params_source == f"hub: base model {ZEPHYR}" and not row.params_is_estimate
    assert row.base_model == ZEPHYR
    assert model_row(engine, ZEPHYR) is None  # the base was read for its size only


def test_a_body_that_trickles_in_cannot_outlast_the_run_time_budget(hub, tmp_path, engine, db_url):
    # Each piece arrives well within the per-request timeout; only the run's deadline stops it.
    hub.fault(r"^/api/models/HuggingFaceH4", "trickle", times=None, delay=0.2)
    settings = settings_for(hub, tmp_path, db_url, HUB_RUN_BUDGET="2", HUB_TIMEOUT="5")
    with pytest.raises(HubError, match="time budget exhausted .*while reading"):
        run_live(engine, settings, sources=["hub"], models=[ZEPHYR], progress=False)
    assert model_row(engine, ZEPHYR) is None
