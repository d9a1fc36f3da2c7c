"""The memory rules (db.memory) on real configs, and their properties."""

from __future__ import annotations

import ast
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import memory
from tests.conftest import FIXTURES

CONFIGS = FIXTURES / "hf-hub-api" / "configs"


def real_config(name: str) -> memory.ArchConfig:
    return memory.parse_config(json.loads((CONFIGS / name).read_text()), source=name)


def mlc_preset(key: str) -> dict:
    tree = ast.parse((CONFIGS / "mlc-llm_model_preset.py").read_text())
    presets = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.AnnAssign))
    return presets[key]


# (config, context, bytes worked out by hand: 2 x layers x kv_heads x head_dim x context x 2 bytes)
HAND = [
    ("config__resaved__Llama-3.2-1B-Instruct__DannyMeb.json", 4096, 2 * 16 * 8 * 64 * 4096 * 2),  # 134,217,728
    ("config__mlx-community__Llama-3.2-3B-Instruct.json", 4096, 2 * 28 * 8 * 128 * 4096 * 2),  # 469,762,048
    ("config__mlx-community__Llama-3.2-3B-Instruct.json", 32768, 3_758_096_384),
    ("config__resaved__Qwen2.5-0.5B-Instruct__infinityarpan.json", 4096, 50_331_648),  # head_dim 896/14 = 64
    ("config__mlx-community__Qwen2.5.1-Coder-7B-Instruct-4bit.json", 32768, 2 * 28 * 4 * 128 * 32768 * 2),
    ("config__resaved__phi-2__Into-The-Grey.json", 2048, 671_088_640),  # MHA: 32 kv heads, head_dim 2560/32 = 80
    ("config__ibm-granite__granite-3.1-8b-instruct.json", 4096, 2 * 40 * 8 * 128 * 4096 * 2),
]


@pytest.mark.parametrize(("name", "context", "expected"), HAND)
def test_kv_cache_equals_the_formula_on_real_configs(name, context, expected):
    figure = memory.kv_cache(real_config(name), context)
    assert figure.value_gb * memory.GB == pytest.approx(expected, rel=1e-12)
    assert {i.name for i in figure.inputs} == {"layers", "kv_heads", "head_dim", "context", "cache_bits"}


def test_gemma3_kv_cache_from_mlc_preset_and_unknown_without_head_dim():
    # Gemma 3 1B: 26 layers, 1 KV head, head_dim 256 (not 1152 / 4 = 288).
    cfg = memory.parse_config(mlc_preset("gemma3_1b_it"), source="mlc-llm gemma3_1b_it")
    figure = memory.kv_cache(cfg, 4096)
    assert figure.value_gb * memory.GB == 2 * 26 * 1 * 256 * 4096 * 2 == 109_051_904
    assert "sliding window" in figure.note  # 512-token window on most layers: an upper bound
    # The 4B's config (text_config) gives no head_dim: the cache stays unknown, never guessed.
    four_b = real_config("config__mlx-community__gemma-3-4b-it-4bit-DWQ.json")
    assert four_b.layers == 34 and four_b.kv_heads == 4 and four_b.head_dim is None
    est = memory.estimate(4.3, four_b, bits=4)
    assert est.kv_cache.value_gb is None and "head_dim" in est.kv_cache.note
    assert est.total_gb is None and est.weights.value_gb == pytest.approx(4.3 * 4 / 8)


def test_derived_fields_say_how_they_were_reached():
    phi = real_config("config__resaved__phi-2__Into-The-Grey.json")
    assert phi.head_dim == 80 and phi.derived["head_dim"] == "hidden_size / num_attention_heads"
    gpt2 = memory.parse_config(mlc_preset("gpt2"))  # n_layer / n_head / n_embd, no KV-head count
    assert (gpt2.layers, gpt2.kv_heads, gpt2.head_dim) == (12, 12, 64)
    assert "multi-head" in gpt2.derived["kv_heads"]
    assert real_config("config__resaved__Llama-3.2-1B-Instruct__DannyMeb.json").max_context == 131072


def test_weights_and_total_for_llama_3_2_1b():
    cfg = real_config("config__resaved__Llama-3.2-1B-Instruct__DannyMeb.json")
    table = memory.memory_table(1.24, cfg, context=4096)
    assert [e.bits for e in table] == [16, 8, 4]
    assert [e.weights.value_gb for e in table] == pytest.approx([2.48, 1.24, 0.62])
    for e in table:
        assert e.total_gb == pytest.approx(e.weights.value_gb + 0.134217728 + memory.OVERHEAD_GB)


def test_no_config_means_weights_only():
    est = memory.estimate(7.0, None, bits=8)
    assert est.weights.value_gb == pytest.approx(7.0)
    assert est.kv_cache.note == "KV cache unknown (no config)"
    assert est.total_gb is None


def test_budgets_and_build_names():
    assert [memory.budget_gb(k) for k in memory.DEVICE_KEYS] == [4, 8, 16, 12, 24]
    assert memory.budget_gb("6.5") == 6.5 and memory.budget_gb("10GB") == 10
    for bad in ("tablet", "0", "-3", "nan"):
        with pytest.raises(ValueError):
            memory.budget_gb(bad)
    assert memory.build_bits("gemma-3-1b-it-Q4_K_M.gguf") == 4
    assert memory.build_bits("gemma-3-1b-it-Q8_0.gguf") == 8
    assert memory.build_bits("gemma-3-1b-it-f16.gguf") == 16
    assert memory.build_bits("Qwen/Qwen2.5-1.5B-Instruct-GPTQ-Int4") == 4
    assert memory.build_bits("mlx-community/gemma-3-4b-it-4bit-DWQ") == 4
    assert memory.build_format("ggml-org/gemma-3-1b-it-GGUF", ["gguf"]) == "GGUF"
    assert memory.build_format("mlx-community/gemma-3-4b-it-4bit-DWQ") == "MLX"


positive = st.floats(min_value=0.01, max_value=500, allow_nan=False)
small = st.integers(min_value=1, max_value=256)


@settings(deadline=None, max_examples=200)
@given(params=positive, bits=st.sampled_from([2, 3, 4, 5, 6, 8, 16, 32]))
def test_weights_are_params_times_bits_over_8(params, bits):
    assert memory.weights(params, bits).value_gb == pytest.approx(params * 1e9 * bits / 8 / 1e9)


@settings(deadline=None, max_examples=200)
@given(layers=small, kv=small, head_dim=small, context=st.integers(1, 1_000_000), params=positive)
def test_cache_is_linear_in_context_and_total_adds_up(layers, kv, head_dim, context, params):
    cfg = memory.ArchConfig(layers=layers, heads=kv, kv_heads=kv, head_dim=head_dim)
    one = memory.kv_cache(cfg, context).value_gb
    two = memory.kv_cache(cfg, 2 * context).value_gb
    assert two == pytest.approx(2 * one)
    est = memory.estimate(params, cfg, bits=4, context=context)
    assert est.total_gb == pytest.approx(est.weights.value_gb + one + memory.OVERHEAD_GB)
    # Fewer bits never need more memory.
    assert memory.estimate(params, cfg, bits=16, context=context).total_gb >= est.total_gb


@settings(deadline=None, max_examples=100)
@given(
    rows=st.lists(st.tuples(positive, small, small, small, st.booleans()), min_size=1, max_size=30),
    bits=st.sampled_from(memory.PRECISIONS),
    context=st.integers(1, 200_000),
)
def test_vectorised_totals_equal_the_scalar_rule(rows, bits, context):
    params = np.array([r[0] for r in rows])
    layers = np.array([r[1] if r[4] else np.nan for r in rows])
    kv = np.array([r[2] for r in rows], dtype=float)
    hd = np.array([r[3] for r in rows], dtype=float)
    w, cache, total = memory.totals_gb(params, layers, kv, hd, bits=bits, context=context)
    for i, (p, lay, k, h, known) in enumerate(rows):
        cfg = memory.ArchConfig(layers=lay, heads=k, kv_heads=k, head_dim=h) if known else None
        est = memory.estimate(p, cfg, bits=bits, context=context)
        assert w[i] == pytest.approx(est.weights.value_gb)
        if known:
            assert total[i] == pytest.approx(est.total_gb)
        else:
            assert np.isnan(total[i]) and est.total_gb is None


@settings(deadline=None, max_examples=100)
@given(params=positive, budget=st.floats(0.5, 100))
def test_needed_bits_is_the_highest_precision_that_fits(params, budget):
    cfg = memory.ArchConfig(layers=16, heads=32, kv_heads=8, head_dim=64)
    bits = memory.needed_bits(params, cfg, budget)
    if bits is None:
        assert not memory.fits(memory.estimate(params, cfg, bits=4).total_gb, budget)
    else:
        assert memory.fits(memory.estimate(params, cfg, bits=bits).total_gb, budget)
        higher = [b for b in memory.PRECISIONS if b > bits]
        assert all(not memory.fits(memory.estimate(params, cfg, bits=b).total_gb, budget) for b in higher)


def test_a_quantised_build_runs_in_its_file_size_plus_the_cache():
    # ggml-org/gemma-3-1b-it-GGUF: gguf.totalFileSize 2,006,573,568 bytes; the base's config (MLC preset).
    cfg = memory.parse_config(mlc_preset("gemma3_1b_it"))
    fig = memory.build_total(2006573568, cfg, context=4096)
    assert fig.value_gb == pytest.approx(2.006573568 + 0.109051904 + memory.OVERHEAD_GB)
    assert memory.build_total(None, cfg).value_gb is None
    assert memory.build_total(2006573568, None).note == "KV cache unknown (no config)"
