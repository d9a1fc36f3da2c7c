"""Live configs and quantised builds (source ``hub-configs``) against the fake Hub's real configs and GGUF bodies."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import HubError
from db import devices, writes
from db.records import ModelFacts
from db.schema import MODEL_BUILDS, MODEL_CONFIGS, IngestRun
from ingest.live import run_live
from testing.fakehub import FakeHub
from tests.ingest.test_hub_live import runs, settings_for

LLAMA = "meta-llama/Llama-3.2-1B-Instruct"
GEMMA = "google/gemma-3-1b-it"
ZEPHYR = "HuggingFaceH4/zephyr-7b-beta"
SHA = {LLAMA: "a" * 40, GEMMA: "b" * 40, ZEPHYR: "c" * 40}


@pytest.fixture
def hub():
    with FakeHub() as server:
        yield server


def track(engine, shas: dict[str, str]) -> None:
    """Models as the hub source leaves them: a row, on the Hub, at a revision."""
    with engine.begin() as conn:
        index = writes.load_model_index(conn)
        index, _, _ = writes.upsert_models(
            conn,
            [ModelFacts(repo_id=r, params_b=1.0) for r in shas],
            source="test",
            as_of=None,
            board=False,
            index=index,
        )
        writes.set_hub_status(
            conn,
            [{"model_id": index[r.lower()], "hub_status": "ok", "on_hub": True, "hub_sha": s} for r, s in shas.items()],
        )


def config(engine, repo: str):
    with engine.connect() as conn:
        return (
            conn.execute(select(MODEL_CONFIGS).where(MODEL_CONFIGS.c.repo_id_lower == repo.lower())).mappings().first()
        )


def test_configs_and_gguf_builds_are_read_at_the_pinned_revision(hub, tmp_path, engine, db_url):
    track(engine, SHA)
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=["hub-configs"], progress=False) == 0
    llama = config(engine, LLAMA)
    assert (llama["layers"], llama["kv_heads"], llama["head_dim"], llama["max_context"]) == (16, 8, 64, 131072)
    assert llama["config_sha"] == SHA[LLAMA] and SHA[LLAMA][:10] in llama["source"]
    assert any(p == f"/{LLAMA}/resolve/{SHA[LLAMA]}/config.json" for _, p, _ in hub.requests)
    gemma = config(engine, GEMMA)
    assert (gemma["layers"], gemma["kv_heads"], gemma["head_dim"]) == (26, 1, 256)
    assert "no config.json" in config(engine, ZEPHYR)["problem"]
    with engine.connect() as conn:
        builds = devices.builds_for(conn, GEMMA)
        table, cfg = devices.model_memory(conn, {"repo_id": GEMMA, "params_b": 0.999885952}, context=4096)
    assert set(builds["build_repo_id"]) == {"ggml-org/gemma-3-1b-it-GGUF"}
    assert set(builds["gguf_total"]) == {999885952} and set(builds["gguf_context_length"]) == {32768}
    by_file = dict(zip(builds["file_name"], builds["bits"], strict=True))
    assert by_file == {"gemma-3-1b-it-Q4_K_M.gguf": 4, "gemma-3-1b-it-Q8_0.gguf": 8, "gemma-3-1b-it-f16.gguf": 16}
    assert table[0].kv_cache.value_gb * 1e9 == 2 * 26 * 1 * 256 * 4096 * 2
    (run,) = runs(engine)
    assert run.source == "hub-configs" and run.status == "succeeded"
    assert run.detail["configs"] == 2 and run.detail["no_config"] == 1 and run.detail["builds"] == 1


def test_only_models_whose_revision_changed_are_read_again(hub, tmp_path, engine, db_url):
    track(engine, SHA)
    settings = settings_for(hub, tmp_path, db_url)
    run_live(engine, settings, sources=["hub-configs"], progress=False)
    hub.requests.clear()
    assert run_live(engine, settings, sources=["hub-configs"], progress=False) == 0
    assert hub.requests == [] and runs(engine)[-1].status == "skipped"
    track(engine, {LLAMA: "d" * 40})
    run_live(engine, settings, sources=["hub-configs"], progress=False)
    resolved = [p for _, p, _ in hub.requests if "/resolve/" in p]
    assert resolved and all(p.startswith(f"/{LLAMA}/resolve/{'d' * 40}/") for p in resolved)
    assert config(engine, LLAMA)["config_sha"] == "d" * 40


def test_transient_faults_are_retried(hub, tmp_path, engine, db_url):
    track(engine, {LLAMA: SHA[LLAMA]})
    hub.fault(r"/resolve/", "503", times=1)
    hub.fault(r"filter=", "429", times=1, retry_after=0)
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=["hub-configs"], progress=False) == 0
    assert config(engine, LLAMA)["layers"] == 16


def test_a_hub_that_keeps_failing_leaves_earlier_facts_intact(hub, tmp_path, engine, db_url):
    track(engine, SHA)
    settings = settings_for(hub, tmp_path, db_url, HUB_MAX_RETRIES="1")
    run_live(engine, settings, sources=["hub-configs"], progress=False)
    with engine.connect() as conn:
        before = (conn.execute(select(MODEL_CONFIGS)).all(), conn.execute(select(MODEL_BUILDS)).all())
    track(engine, {GEMMA: "e" * 40})
    hub.fault(r"filter=", "500", times=None)
    with pytest.raises(HubError, match="HTTP 500"):
        run_live(engine, settings, sources=["hub-configs"], progress=False)
    with engine.connect() as conn:
        after = (conn.execute(select(MODEL_CONFIGS)).all(), conn.execute(select(MODEL_BUILDS)).all())
        last = conn.execute(select(IngestRun.__table__).order_by(IngestRun.__table__.c.id.desc())).first()
    assert after == before and last.status == "failed" and "500" in last.error


def test_the_request_budget_is_a_planned_cap(hub, tmp_path, engine, db_url):
    track(engine, SHA)
    settings = settings_for(hub, tmp_path, db_url, HUB_REQUEST_BUDGET="4")
    assert run_live(engine, settings, sources=["hub-configs"], progress=False) == 0
    (run,) = runs(engine)
    assert run.status == "succeeded" and "request budget" in run.detail["note"]
    assert 0 < run.detail["configs"] + run.detail["no_config"] < 3


def test_the_seed_never_overwrites_what_a_live_run_read(hub, tmp_path, engine, db_url):
    from ingest.seed import load_device_facts

    track(engine, {LLAMA: SHA[LLAMA], GEMMA: SHA[GEMMA]})
    run_live(engine, settings_for(hub, tmp_path, db_url), sources=["hub-configs"], progress=False)
    live_llama, live_gemma_builds = config(engine, LLAMA), None
    with engine.connect() as conn:
        live_gemma_builds = devices.builds_for(conn, GEMMA)
    configs, builds = load_device_facts(engine)
    assert configs > 10 and builds > 0  # the seed's other models got their facts
    assert config(engine, LLAMA) == live_llama  # read at a Hub revision: kept
    with engine.connect() as conn:
        assert devices.builds_for(conn, GEMMA).equals(live_gemma_builds)  # listed live: kept
        assert not devices.builds_for(conn, "Qwen/Qwen2.5-1.5B-Instruct").empty  # seed-only: written
    assert config(engine, "microsoft/phi-2")["config_sha"] is None


def test_a_gated_config_is_recorded_and_not_asked_again_until_the_repo_changes(hub, tmp_path, engine, db_url):
    track(engine, {LLAMA: SHA[LLAMA]})
    hub.statuses[LLAMA.lower()] = 403
    settings = settings_for(hub, tmp_path, db_url)
    assert run_live(engine, settings, sources=["hub-configs"], progress=False) == 0
    row = config(engine, LLAMA)
    assert row["problem"] == "config.json not readable (gated)" and row["config_sha"] == SHA[LLAMA]
    assert runs(engine)[-1].detail["refused"] == 1
    hub.requests.clear()
    run_live(engine, settings, sources=["hub-configs"], progress=False)
    # The repo's revision may be checked again (is it still the same?); its config is not asked for.
    assert not [r for r in hub.requests if "config.json" in r[1]]
    assert config(engine, LLAMA)["problem"] == "config.json not readable (gated)"


def test_the_cli_runs_the_source_for_chosen_models(hub, tmp_path, engine, db_url):
    from tests.ingest.test_hub_live import run_cli

    track(engine, SHA)
    result = run_cli(hub, tmp_path, db_url, "run", "hub-configs", "--models", LLAMA, "--no-progress")
    assert result.returncode == 0, result.stderr
    assert config(engine, LLAMA)["layers"] == 16 and config(engine, GEMMA) is None
    assert "hub-configs: succeeded" in result.stderr
