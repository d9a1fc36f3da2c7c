"""The size-from-name parser: every common spelling, and every id of the real boards."""

from __future__ import annotations

import csv
import io
import json
import lzma
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import SEED_DIR
from ingest.sizes import params_from_name, parse_name_size

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hf-hub-api" / "model_info"


@pytest.mark.parametrize(
    ("repo_id", "total"),
    [
        ("adonlee/LLaMA_2_70B_LoRA", 70.0),  # not 2.7: "2" is Llama's version
        ("EleutherAI/pythia-160m", 0.16),
        ("bigscience/bloomz-1b7", 1.7),
        ("x/model-1B5", 1.5),
        ("Qwen/Qwen-1_8B", 1.8),
        ("bigscience/bloom-7b1", 7.1),
        ("meta-llama/Llama-2-7b-hf", 7.0),
        ("Qwen/Qwen2.5-14B-Instruct-1M", 14.0),  # 1M is the context length
        ("microsoft/phi-1_5", None),  # no unit: no size
        ("microsoft/phi-2", None),
        ("pankajmathur/Al_Dente_v1_8b", 8.0),  # "v1_" is a version
        ("SicariusSicariiStuff/LLAMA-3_8B_Unaligned_BETA", 8.0),
        ("MagusCorp/grpo_lora_enem_llama3_7b", 7.0),
        ("jeiku/Chaos_RP_l3_8B", 8.0),
        ("Marsouuu/MiniMathExpert-2_61B-ECE-PRYMMAL-Martial", 2.61),
        ("Kunhao/pile-7b-250b-tokens", 7.0),  # 250b is the training set
        ("Triangle104/Q2.5-Instruct-1M_Harmony", None),
        ("allenai/OLMoE-1B-7B-0924", 7.0),
        ("HuggingFaceH4/zephyr-orpo-141b-A35b-v0.1", 141.0),
        ("x/Mistral7B", 7.0),
        ("x/some-v0.1b-model", None),
        ("x/Qwen2.5-7B-Instruct-4bit", 7.0),  # 4bit is not a size
    ],
)
def test_spellings(repo_id, total):
    assert params_from_name(repo_id) == total


def test_mixture_of_experts_names_are_marked_and_give_no_product():
    mixtral = parse_name_size("mistralai/Mixtral-8x7B-v0.1")
    assert mixtral.is_moe and mixtral.total_b is None and mixtral.upper_b == 56.0  # it totals 46.7
    assert parse_name_size("x/Mixtral_7Bx2_MoE").upper_b == 14.0
    maverick = parse_name_size("meta-llama/Llama-4-Maverick-17B-128E-Instruct")
    assert maverick.is_moe and maverick.active_b == 17.0 and maverick.total_b is None
    qwen = parse_name_size("Qwen/Qwen3-30B-A3B")
    assert qwen.is_moe and qwen.active_b == 3.0 and qwen.total_b == 30.0
    stated = parse_name_size("DavidAU/DeepSeek-MOE-4X8B-R1-Distill-Llama-3.1-Mad-Scientist-24B")
    assert stated.is_moe and stated.total_b == 24.0  # the total the name states, within 4x8
    word = parse_name_size("BenevolenceMessiah/Yi-Coder-9B-Chat-Instruct-TIES-MoE-v1.0")
    assert word.is_moe and word.total_b is None  # 9B is an expert's size (the board: 28.3)
    gemma = parse_name_size("google/gemma-3n-E4B-it")
    assert gemma.active_b == 4.0 and gemma.total_b is None


def _seed_rows(board: str):
    for path in sorted((SEED_DIR / board).glob("*.csv.xz")):
        yield from csv.DictReader(io.StringIO(lzma.decompress(path.read_bytes()).decode("utf-8")))


def _exact_sizes() -> dict[str, float]:
    """Ids with a size the source gives exactly: the v2 board's decimals (whole numbers are the
    board's own guesses) and the Hub's safetensors totals of the recorded API bodies."""
    exact: dict[str, float] = {}
    for row in _seed_rows("open-llm-leaderboard-v2"):
        repo = row.get("fullname") or row.get("model_name")
        try:
            value = float(row.get("params_b") or row.get("metadata_params_billions") or "")
        except ValueError:
            continue
        if value > 0 and not value.is_integer():
            exact[repo] = value
    for path in FIXTURES.glob("*.json"):
        body = json.loads(path.read_text())
        body = body.get("body", body)
        total = ((body.get("safetensors") or {}) if isinstance(body, dict) else {}).get("total")
        if total and body.get("id"):
            exact[body["id"]] = total / 1e9
    return exact


def _agreement(exact: dict[str, float]) -> dict[str, int]:
    counts = {"named": 0, "within_10pct": 0, "within_25pct": 0, "within_1.5x": 0, "beyond_1.5x": 0}
    for repo, value in exact.items():
        named = params_from_name(repo)
        if named is None:
            continue
        counts["named"] += 1
        gap = abs(math.log(named / value))
        counts["within_10pct"] += gap <= math.log(1.1)
        counts["within_25pct"] += gap <= math.log(1.25)
        counts["within_1.5x"] += gap <= math.log(1.5)
        counts["beyond_1.5x"] += gap > math.log(1.5)
    return counts


def test_every_id_of_the_real_boards_parses():
    ids = {r.get("fullname") or r.get("model_name") or "" for r in _seed_rows("open-llm-leaderboard-v2")}
    ids |= {r.get("fullname") or r.get("Model") or "" for r in _seed_rows("open-llm-leaderboard-v1")}
    ids |= {r.get("model") or r.get("Model") or "" for r in _seed_rows("lmarena")}
    ids.discard("")
    assert len(ids) > 10000
    for repo in ids:
        parsed = parse_name_size(repo)
        if parsed is not None and parsed.total_b is not None:
            assert 0.01 <= parsed.total_b <= 5000, repo


def test_names_agree_with_the_exact_sizes_of_the_boards_and_the_hub():
    exact = _exact_sizes()
    counts = _agreement(exact)
    # Measured on the bundled seed: 4,300+ exact sizes, 3,200+ named; 82% within 10%, 91%
    # within 25%, 97% within 1.5x. Most of the rest are the board's errors (packed 4-bit
    # weights: 4.015 for an 8B Llama; adapters counted with their base: 14.48 for a 7B
    # Mistral), which the review corrects or marks doubtful.
    assert len(exact) > 4000 and counts["named"] > 3000
    assert counts["within_10pct"] / counts["named"] > 0.80
    assert counts["within_25pct"] / counts["named"] > 0.90
    assert counts["within_1.5x"] / counts["named"] > 0.96


@settings(deadline=None, max_examples=200)
@given(
    org=st.sampled_from(["", "org/"]),
    stem=st.sampled_from(["llama", "Qwen2.5", "phi", "Mistral", "gemma-2", "opt"]),
    size=st.floats(min_value=0.1, max_value=400).map(lambda v: round(v, 1)),
    tail=st.sampled_from(["", "-instruct", "-v0.1", "-chat-4k", "_dpo"]),
)
def test_a_stated_size_is_read_back(org, stem, size, tail):
    text = f"{size:g}"
    assert params_from_name(f"{org}{stem}-{text}B{tail}") == pytest.approx(size)
    if size < 1:
        assert params_from_name(f"{org}{stem}-{size * 1000:g}M{tail}") == pytest.approx(size)


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=80))
def test_any_text_gives_none_or_a_plausible_size(text):
    parsed = parse_name_size(text)
    if parsed is not None:
        for value in (parsed.total_b, parsed.active_b, parsed.upper_b):
            assert value is None or 0 < value <= 5000 * 1000


@settings(deadline=None, max_examples=100)
@given(experts=st.integers(2, 16), size=st.sampled_from([1.1, 2, 3, 7, 22, 34]))
def test_an_experts_layout_is_never_a_total(experts, size):
    parsed = parse_name_size(f"org/Model-{experts}x{size:g}B-v1")
    assert parsed.is_moe and parsed.total_b is None and parsed.upper_b == pytest.approx(experts * size)
