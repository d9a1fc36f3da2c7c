"""The bundled seed: provenance for every file, the watchlist facts, claims."""

from __future__ import annotations

import hashlib
import lzma

import pytest

from core.config import SEED_DIR
from db import queries
from tests.conftest import seed_manifest

SEED_MODELS = (
    "meta-llama/Llama-2-7b-hf",
    "microsoft/phi-2",
    "microsoft/Orca-2-7b",
    "microsoft/Orca-2-13b",
    "stabilityai/StableBeluga-7B",
    "Salesforce/xgen-7b-8k-base",
    "Qwen/Qwen-1_8B",
    "Qwen/Qwen-7B",
    "Qwen/Qwen-14B",
    "Qwen/Qwen-72B",
    "chavinlo/alpaca-native",
    "mosaicml/mpt-7b",
    "tiiuae/falcon-7b",
    "tiiuae/falcon-40b",
    "HuggingFaceH4/zephyr-7b-beta",
    "mistralai/Mistral-7B-v0.1",
)


def test_seed_is_small_and_every_file_has_provenance():
    files = seed_manifest()["files"]
    on_disk = {str(p.relative_to(SEED_DIR)) for p in SEED_DIR.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == {f["path"] for f in files}
    total = sum((SEED_DIR / f["path"]).stat().st_size for f in files)
    assert total < 10 * 1024 * 1024
    snapshots = [f for f in files if f["kind"] == "snapshot"]
    assert {f["leaderboard"] for f in snapshots} == {"open-llm-leaderboard-v1", "open-llm-leaderboard-v2", "lmarena"}
    for f in snapshots:
        assert f["source_repository"] and f["source_path"] and f["snapshot_date"]
        assert f["commit"] or f["note"]
        content = lzma.decompress((SEED_DIR / f["path"]).read_bytes())
        assert hashlib.sha256(content).hexdigest() == f["sha256"]


@pytest.mark.parametrize("repo", SEED_MODELS)
def test_every_seed_model_is_there_with_sourced_facts(seeded_engine, repo):
    with seeded_engine.connect() as conn:
        model = queries.find_model(conn, repo.upper())
        facts = queries.model_facts(conn, model["id"])
    assert model["repo_id"] == repo
    assert not facts.empty and facts["source"].str.len().min() > 10


def test_seed_facts_are_the_measured_ones(seeded_engine):
    with seeded_engine.connect() as conn:
        zephyr = queries.find_model(conn, "HuggingFaceH4/zephyr-7b-beta")
        phi = queries.find_model(conn, "microsoft/phi-2")
        llama = queries.find_model(conn, "meta-llama/Llama-2-7b-hf")
        claims = queries.model_claims(conn, phi["id"])
    assert zephyr["params_b"] == pytest.approx(7.241732096)
    assert "safetensors.total" in zephyr["params_source"]
    assert (zephyr["license"], zephyr["license_category"]) == ("mit", "permissive")
    assert zephyr["base_model"] == "mistralai/Mistral-7B-v0.1"
    assert phi["params_b"] == 2.78 and not phi["params_is_estimate"]
    assert llama["params_b"] == 6.738 and llama["license"] == "llama2"
    claim = claims.iloc[0]
    assert (claim["field"], claim["claimed_value"]) == ("params_b", 13.0)
    assert "51CTO" in claim["source"]
