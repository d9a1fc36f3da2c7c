"""The "fits in" filter, the device page and the model page's memory section (AppTest on the seeded database)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import devices as fits
from db import devices, memory
from tests.dashboard.test_app import board_table, ok, plain


def test_fits_state_round_trips_through_the_url():
    state, notes = fits.FitsState.from_query({"fits": "laptop-8", "bits": "8", "ctx": "32768"})
    assert notes == [] and state.budget == 8 and state.bits == 8 and state.context == 32768
    assert fits.FitsState.from_query(state.to_query())[0] == state
    typed, _ = fits.FitsState.from_query({"fits": "6.5"})
    assert typed.device == fits.CUSTOM and typed.budget == 6.5 and typed.to_query() == {"fits": "6.5"}
    junk, notes = fits.FitsState.from_query({"fits": "toaster", "bits": "3", "ctx": "lots"})
    assert not junk.active and len(notes) == 3
    assert fits.FitsState().to_query() == {}


def test_apply_fits_keeps_only_what_fits(seeded_conn):
    from dashboard import data

    ranked = data.ranked_board(seeded_conn, "open-llm-leaderboard-v2", None, "average")
    configs = devices.configs_frame(seeded_conn)
    state = fits.FitsState(device="laptop-8", bits=4)
    kept = fits.apply_fits(ranked, configs, state)
    assert 5 <= len(kept) < len(ranked)
    assert (kept["memory_gb"] <= 8).all() and (kept["memory_basis"] == "total").all()
    assert kept["rank"].tolist() == list(range(1, len(kept) + 1))
    # Same rows as the CLI's rule: weights + KV cache + overhead from the stored configs.
    row = kept[kept["model_id"] == "meta-llama/Llama-3.2-3B-Instruct"].iloc[0]
    assert row["memory_gb"] == pytest.approx(3.213 * 0.5 + 2 * 28 * 8 * 128 * 4096 * 2 / 1e9 + memory.OVERHEAD_GB)
    assert fits.apply_fits(ranked, configs, fits.FitsState()) is ranked


def test_leaderboard_url_with_fits_shows_the_memory_column(app):
    at = ok(app(fits="laptop-8", bits="4"))
    table = board_table(at)
    assert fits.MEMORY_LABEL in table.columns and 5 <= len(table) < 100
    assert (table[fits.MEMORY_LABEL] <= 8).all()
    assert at.selectbox(key=fits.KEYS["device"]).value == "laptop-8"
    assert at.query_params["fits"] == ["laptop-8"] or at.query_params["fits"] == "laptop-8"
    # Choosing "any device" drops the filter and the column.
    at.selectbox(key=fits.KEYS["device"]).set_value(None).run()
    assert fits.MEMORY_LABEL not in board_table(ok(at)).columns


def test_size_page_with_fits(app):
    at = ok(app("views/size.py", fits="phone", bits="4"))
    assert at.selectbox(key=fits.KEYS["device"]).value == "phone"


def _device_table(at) -> pd.DataFrame:
    return next(df for df in at.dataframe if "task" in df.value.columns).value


def test_device_page_lists_a_model_per_task(app):
    at = ok(app("views/devices.py"))
    table = _device_table(at)
    tasks = devices.task_groups()
    assert list(table["task"]) == [t for t in tasks if t in set(table["task"])]
    assert {"overall", "math", "knowledge"} <= set(table["task"])
    assert table["page_url"].notna().all() and (table["memory_gb"] <= 8).all()
    # The tasks with no fitting model are named, not shown as empty rows.
    assert any("No model with a known memory estimate fits for: chat" in plain(c.value) for c in at.caption)
    at.pills(key="dev_device").set_value("phone").run()
    phone = _device_table(ok(at))
    assert (phone.loc[phone["page_url"].notna(), "memory_gb"] <= 4).all()
    assert at.query_params["dev"] in ("phone", ["phone"])


def test_device_page_typed_budget_from_the_url(app):
    at = ok(app("views/devices.py", dev="custom", gb="2.5"))
    table = _device_table(at)
    assert (table.loc[table["page_url"].notna(), "memory_gb"] <= 2.5).all()


def test_model_page_shows_memory_inputs_and_builds(app):
    at = ok(app("views/model.py", id="meta-llama/Llama-3.2-3B-Instruct"))
    mem = next(df for df in at.dataframe if "Precision" in df.value.columns).value
    assert list(mem["Precision"]) == ["16-bit", "8-bit", "4-bit"]
    assert list(mem["Weights (GB)"]) == pytest.approx([3.213 * 2, 3.213, 3.213 / 2])
    assert mem["KV cache (GB)"].iloc[0] == pytest.approx(2 * 28 * 8 * 128 * 4096 * 2 / 1e9)
    inputs = next(df for df in at.dataframe if "Input" in df.value.columns).value
    assert {"params", "layers", "kv_heads", "head_dim", "context", "cache_bits"} <= set(inputs["Input"])
    builds = next(df for df in at.dataframe if "Build" in df.value.columns).value
    assert list(builds["Build"]) == ["mlx-community/Llama-3.2-3B-Instruct"]


def test_model_page_without_config_says_so(app):
    at = ok(app("views/model.py", id="tiiuae/falcon-7b"))
    mem = next(df for df in at.dataframe if "Precision" in df.value.columns).value
    assert mem["KV cache (GB)"].isna().all() and set(mem["Note"]) == {"KV cache unknown (no config)"}


def test_status_page_counts_device_facts(app):
    at = ok(app("views/status.py"))
    labels = [m.label for m in at.metric]
    assert "Models with a config" in labels and "Quantised builds" in labels


def test_apply_fits_honours_a_stored_size_confidence(seeded_conn):
    from dashboard import data

    ranked = data.ranked_board(seeded_conn, "open-llm-leaderboard-v2", None, "average")
    configs = devices.configs_frame(seeded_conn)
    state = fits.FitsState(device="gpu-24", bits=4)
    kept = fits.apply_fits(ranked, configs, state)
    assert "meta-llama/Llama-3.2-3B-Instruct" in set(kept["model_id"])
    is_llama = ranked["model_id"] == "meta-llama/Llama-3.2-3B-Instruct"
    llama = ranked.loc[is_llama, "model_pk"].iloc[0]
    # Rows without the column take the marks given beside them ...
    marks = pd.DataFrame({"model_pk": [llama], "params_confidence": ["doubtful"]})
    marked = fits.apply_fits(ranked.drop(columns="params_confidence"), configs, state, marks)
    assert set(kept["model_id"]) - set(marked["model_id"]) == {"meta-llama/Llama-3.2-3B-Instruct"}
    # ... and rows that carry it (the stored models.params_confidence) are judged by their own.
    own = ranked.assign(params_confidence=ranked["params_confidence"].where(~is_llama, "doubtful"))
    assert set(kept["model_id"]) - set(fits.apply_fits(own, configs, state)["model_id"]) == {
        "meta-llama/Llama-3.2-3B-Instruct"
    }
