"""``python -m db memory``, ``leaderboard --fits`` and ``devices`` on the bundled seed (real configs and builds)."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from core.config import SEED_DIR
from core.errors import NotFoundError
from db import devices, memory, queries
from db.reports import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_memory_csv_for_a_seed_model_with_its_real_config(capsys, seeded_url):
    code, out, _ = run(capsys, "memory", "meta-llama/llama-3.2-3b-instruct", "--format", "csv", "--db", seeded_url)
    assert code == 0
    table = rows(out)
    assert list(table[0]) == devices.MEMORY_CSV_COLUMNS
    assert [r["bits"] for r in table] == ["16", "8", "4"]
    kv = 2 * 28 * 8 * 128 * 4096 * 2 / 1e9  # the seed config: 28 layers, 8 KV heads, head_dim 128
    for r in table:
        bits = int(r["bits"])
        assert float(r["weights_gb"]) == pytest.approx(float(r["params_b"]) * bits / 8, abs=1e-6)
        assert float(r["kv_cache_gb"]) == pytest.approx(kv, abs=1e-6)
        assert float(r["total_gb"]) == pytest.approx(float(r["weights_gb"]) + kv + float(r["overhead_gb"]), abs=1e-5)
        assert "mlx-community/Llama-3.2-3B-Instruct" in r["config_source"] and r["context"] == "4096"


def test_memory_without_config_says_so_and_context_is_used(capsys, seeded_url):
    code, out, _ = run(capsys, "memory", "tiiuae/falcon-7b", "--format", "csv", "--db", seeded_url)
    assert code == 0
    table = rows(out)
    assert all(r["kv_cache_gb"] == "" and r["total_gb"] == "" for r in table)
    assert table[0]["config_source"] == "KV cache unknown (no config)"
    code, out, _ = run(
        capsys, "memory", "Qwen/Qwen2.5-0.5B-Instruct", "--context", "32768", "--format", "json", "--db", seeded_url
    )
    first = json.loads(out)[0]
    assert first["kv_cache_gb"] == pytest.approx(2 * 24 * 2 * 64 * 32768 * 2 / 1e9, abs=1e-6)


def test_fits_8gb_at_4_bits_lists_nothing_over_budget(capsys, seeded_url):
    code, out, _ = run(
        capsys,
        "leaderboard", "--leaderboard", "open-llm-leaderboard-v2", "--fits", "8", "--bits", "4", "--format", "csv",
        "--db", seeded_url,
    )  # fmt: skip
    assert code == 0
    listed = rows(out)
    assert len(listed) >= 5
    assert [int(r["rank"]) for r in listed] == list(range(1, len(listed) + 1))
    for r in listed:
        assert float(r["memory_gb"]) <= 8 and r["bits"] == "4" and r["memory_basis"] == "total"
        # Recompute from the stored config: weights + KV cache at 4096 + overhead.
        assert float(r["memory_gb"]) >= float(r["params_b"]) * 0.5 + memory.OVERHEAD_GB
    ids = {r["model_id"] for r in listed}
    assert "meta-llama/Llama-3.2-3B-Instruct" in ids and "Qwen/Qwen2.5-32B" not in ids
    # Unknown KV caches come back only when asked, marked.
    code, out, _ = run(
        capsys,
        "leaderboard", "--leaderboard", "open-llm-leaderboard-v2", "--fits", "laptop-8", "--include-unknown-kv",
        "--format", "csv", "--db", seeded_url,
    )  # fmt: skip
    wide = rows(out)
    assert len(wide) > len(listed)
    assert all(float(r["memory_gb"]) <= 8 for r in wide)
    assert {r["memory_basis"] for r in wide} == {"total", "weights + overhead (KV cache unknown: no config)"}


def test_fits_drops_doubtful_sizes_unless_asked(seeded_engine):
    with seeded_engine.connect() as conn:
        frame = queries.board(conn, "open-llm-leaderboard-v1")
        keys = frame["model_id"].str.lower().tolist()
        with_mem = devices.add_memory(frame, devices.configs_frame(conn, keys), bits=4, context=4096)
    with_mem = with_mem.assign(params_confidence=None)
    doubtful = devices.doubtful_size(with_mem)
    assert doubtful.any()  # v1 rounds many sizes: estimates
    strict = devices.fits_filter(with_mem, 1000, include_unknown_kv=True)
    loose = devices.fits_filter(with_mem, 1000, include_unknown_kv=True, include_doubtful=True)
    assert not doubtful.loc[strict.index].any() and doubtful.loc[loose.index].any()
    # H11's params_confidence wins where stored.
    marked = with_mem.assign(params_confidence="doubtful", params_is_estimate=False)
    assert devices.fits_filter(marked, 1000, include_unknown_kv=True).empty


def test_devices_one_row_per_device_and_task(capsys, seeded_url):
    code, out, _ = run(capsys, "devices", "--format", "csv", "--db", seeded_url)
    assert code == 0
    table = rows(out)
    tasks = devices.task_groups()
    assert len(table) == len(memory.DEVICES) * len(tasks)
    assert {(r["device"], r["task"]) for r in table} == {(d.key, t) for d in memory.DEVICES for t in tasks}
    for r in table:
        if r["model_id"]:
            assert float(r["memory_gb"]) <= float(r["usable_gb"])
            assert r["bits"] in ("16", "8", "4") and r["size_confidence"]
    phone = next(r for r in table if r["device"] == "phone" and r["task"] == "overall")
    assert phone["model_id"] and float(phone["params_b"]) < 8


def test_devices_task_and_errors(capsys, seeded_url):
    code, out, _ = run(capsys, "devices", "--task", "math", "--format", "csv", "--db", seeded_url)
    assert code == 0 and {r["task"] for r in rows(out)} == {"math"}
    code, _, err = run(capsys, "devices", "--task", "juggling", "--db", seeded_url)
    assert code == 1 and err.startswith("error: unknown task 'juggling'")
    code, _, err = run(capsys, "memory", "no/such-model", "--db", seeded_url)
    assert code == 1 and err.startswith("error: no model")
    with pytest.raises(SystemExit):
        main(["leaderboard", "--leaderboard", "lmarena", "--fits", "tablet"])
    assert "not a device or a number of GB" in capsys.readouterr().err


def test_builds_listed_for_the_base_and_never_as_models(seeded_engine):
    with seeded_engine.connect() as conn:
        builds = devices.builds_for(conn, "google/gemma-3-1b-it")
        counts = devices.build_counts(devices.builds_for(conn, "Qwen/Qwen2.5-1.5B-Instruct"))
        facts = devices.fact_counts(conn)
        with pytest.raises(NotFoundError):
            queries.find_model(conn, "ggml-org/gemma-3-1b-it-GGUF")
    assert set(builds["build_repo_id"]) == {"ggml-org/gemma-3-1b-it-GGUF"}
    sized = builds[builds["size_bytes"].notna()].iloc[0]
    assert sized["size_bytes"] == 2006573568 and sized["gguf_total"] == 999885952
    assert sized["bits"] == pytest.approx(2006573568 * 8 / 999885952, abs=0.01)
    assert {"gemma-3-1b-it-Q4_K_M.gguf", "gemma-3-1b-it-Q8_0.gguf"} <= set(builds["file_name"])
    assert dict(zip(counts["format"], counts["builds"], strict=True)) == {"GGUF": 1, "GPTQ": 1, "MLC": 1}
    assert facts["models with a config"] >= 15 and facts["quantised builds"] >= 6


def test_seed_device_files_have_provenance():
    manifest = json.loads((SEED_DIR / "manifest.json").read_text())
    kinds = {f["path"]: f for f in manifest["files"]}
    for row in rows((SEED_DIR / "hub" / "configs.csv").read_text()):
        entry = kinds[f"hub/{row['path']}"]
        assert entry["source_repository"] and entry["commit"] and entry["copied_from"].startswith("shared/data/")
        assert row["source_url"].startswith("https://github.com/")


def test_best_for_devices_agrees_with_a_naive_search(seeded_engine):
    """No model scores higher than the chosen one and still fits the device at 4 bits (the lowest precision)."""
    with seeded_engine.connect() as conn:
        frames = devices.board_frames(conn, devices.TASK_BOARDS)
        configs, builds = devices.configs_frame(conn), devices.builds_frame(conn)
    result = devices.best_for_devices(frames, configs, builds, tasks=devices.task_groups(), include_unknown_kv=True)
    for row in result.itertuples(index=False):
        board, members = devices.task_board(row.task)
        mem = devices.add_memory(frames[board], configs, bits=4, context=4096)
        ok = devices.fits_filter(mem, row.usable_gb, include_unknown_kv=True)
        scores = ok[members].mean(axis=1, skipna=False).dropna()
        if not isinstance(row.model_id, str):
            assert scores.empty
            continue
        assert row.score == pytest.approx(round(scores.max(), 4))
        # ...and the precision is the highest at which it fits.
        for bits in (16, 8):
            if bits > row.bits:
                at = devices.add_memory(frames[board], configs, bits=bits, context=4096)
                same = at[at["model_id"] == row.model_id]
                assert not (same["memory_gb"] <= row.usable_gb).all() or same.empty


def test_a_sized_gguf_build_that_fits_is_linked(seeded_engine):
    """Gemma 3 1B on a phone: its f16 GGUF (gguf.totalFileSize, real) + KV cache + overhead fits in 4 GB."""
    from tests.db.test_memory import mlc_preset

    cfg = memory.parse_config(mlc_preset("gemma3_1b_it"), source="mlc-llm gemma3_1b_it")
    configs = pd.DataFrame([{**devices.config_row("google/gemma-3-1b-it", cfg, sha=None), "config_problem": None}])
    configs = configs.rename(columns={"source": "config_source"})
    with seeded_engine.connect() as conn:
        builds = devices.builds_frame(conn, ["google/gemma-3-1b-it"])
    board = pd.DataFrame(
        [
            {
                "model_pk": 1,
                "model_id": "google/gemma-3-1b-it",
                "params_b": 999885952 / 1e9,  # gguf.total of ggml-org/gemma-3-1b-it-GGUF
                "params_is_estimate": False,
                "params_source": "gguf.total",
                "params_confidence": None,
                "average": 10.0,
            }
        ]
    )
    result = devices.best_for_devices(
        {"open-llm-leaderboard-v2": board}, configs, builds, tasks=["overall"], devices=[memory.device("phone")]
    )
    row = result.iloc[0]
    assert row["model_id"] == "google/gemma-3-1b-it" and row["bits"] == 16
    assert row["build_repo_id"] == "ggml-org/gemma-3-1b-it-GGUF" and row["build_size_gb"] == pytest.approx(
        2.007, abs=1e-3
    )
    assert row["memory_gb"] == pytest.approx(999885952 * 2 / 1e9 + 109_051_904 / 1e9 + 0.5, abs=1e-3)
