"""Data helpers on the real seed: boards, filters, frontier, licenses, reigns, model page."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

from core.boards import LMARENA, OPEN_LLM_V1, OPEN_LLM_V2
from dashboard import data
from dashboard.filters import FilterState
from db import queries
from db.queries import ModelFilter

V1, V2 = OPEN_LLM_V1, OPEN_LLM_V2


@pytest.fixture(scope="module")
def v2(seeded_conn):
    return data.ranked_board(seeded_conn, V2, None, "average")


def test_ranked_board_matches_the_query_layer(seeded_conn, v2):
    reference = queries.board(seeded_conn, V2)
    assert v2["model_id"].tolist() == reference["model_id"].tolist()
    # Equal scores share a rank (1, 2, 2, 4), the same in the query layer and the dashboard.
    assert v2["rank"].tolist() == reference["rank"].tolist()
    assert v2["rank"].iloc[0] == 1 and v2["rank"].is_monotonic_increasing
    tied = v2[v2["score"].duplicated(keep=False)]
    assert not tied.empty and (tied.groupby("score")["rank"].nunique() == 1).all()
    assert v2["hub_url"].iloc[0] == f"https://huggingface.co/{v2['model_id'].iloc[0]}"
    assert v2["first_listed"].notna().all()


def _upper(frame):
    """The largest size each row may have: a floor x of the v1 board stands for [x, x+1)."""
    return frame["params_b"] + frame["params_confidence"].eq("floor").astype(float)


def test_edge_preset_keeps_models_up_to_3b(v2):
    view = data.apply_filters(v2, FilterState(preset="edge"))
    assert len(view) > 100
    assert view["params_b"].max() <= 3.0 and _upper(view).max() <= 3.0
    assert not view["params_confidence"].eq("doubtful").any()
    assert view["rank"].is_monotonic_increasing and view["rank"].iloc[0] == 1
    # Nothing of at most 3B is lost: the count equals a direct count on the board.
    sure = v2["params_confidence"].ne("doubtful")
    assert len(view) == int(((_upper(v2) <= 3.0) & sure).sum())


def test_laptop_preset_excludes_exactly_3b(v2):
    view = data.apply_filters(v2, FilterState(preset="laptop"))
    # A floor of 3 is [3, 4): laptop class; a point size of exactly 3.0 is edge.
    point = view["params_confidence"].ne("floor")
    assert view.loc[point, "params_b"].min() > 3.0 and _upper(view).max() <= 8.0
    assert view["params_b"].min() >= 3.0


def test_license_filter_leaves_only_that_category(v2):
    view = data.apply_filters(v2, FilterState(licenses=("non-commercial",)))
    assert len(view) > 0 and set(view["license_category"]) == {"non-commercial"}


def test_group_rank_is_the_mean_of_its_benchmarks(seeded_conn):
    board = data.ranked_board(seeded_conn, V2, None, "group:reasoning")
    top = board.iloc[0]
    assert top["score"] == pytest.approx((top["bbh"] + top["musr"]) / 2)
    assert board["score"].is_monotonic_decreasing


def test_as_of_shows_the_board_of_that_day(seeded_conn):
    board = data.ranked_board(seeded_conn, V1, dt.date(2023, 6, 15), "average")
    assert board.iloc[0]["model_id"] == "tiiuae/falcon-40b-instruct"
    assert board.iloc[0]["score"] == pytest.approx(63.2)


def test_board_day_maps_onto_snapshots(seeded_conn):
    dates = queries.snapshot_dates(seeded_conn, V1)
    assert data.board_day(None, dates) is None
    assert data.board_day(dt.date(2030, 1, 1), dates) is None
    assert data.board_day(dt.date(2023, 6, 15), dates) == dt.date(2023, 6, 10)
    assert data.board_day(dt.date(2023, 6, 10), dates) == dt.date(2023, 6, 10)
    assert data.board_day(dt.date(2020, 1, 1), dates) == dt.date(2020, 1, 1)
    same = data.ranked_board(seeded_conn, V1, dt.date(2023, 6, 15), "average")
    snap = data.ranked_board(seeded_conn, V1, dt.date(2023, 6, 10), "average")
    assert same["model_id"].tolist() == snap["model_id"].tolist()


def test_arena_names_get_no_hub_link(seeded_conn):
    arena = data.ranked_board(seeded_conn, LMARENA, None, "arena_score")
    # Display names, not Hub ids: only names aliased to a Hub repo (data/aliases) link to it.
    plain = arena[arena["hub_id"].isna()]
    assert len(plain) > 100 and plain["hub_url"].isna().all()
    aliased = arena[arena["hub_id"].notna()]
    assert (aliased["hub_url"] == "https://huggingface.co/" + aliased["hub_id"]).all()
    assert data.hub_url("Gemini-2.5-Pro") is None
    assert data.hub_url("evil/<img src=x>") is None
    assert data.hub_url("microsoft/phi-2") == "https://huggingface.co/microsoft/phi-2"


def test_page_urls_are_encoded():
    assert data.page_url("microsoft/phi-2") == "model?id=microsoft/phi-2"
    url = data.page_url("evil/<img src=x onerror=alert(1)>&x=1#y")
    assert "<" not in url and ">" not in url and "&" not in url and "#" not in url


def test_safe_url_accepts_only_http():
    assert data.safe_url("https://huggingface.co/x") == "https://huggingface.co/x"
    assert data.safe_url("javascript:alert(1)") is None
    assert data.safe_url('https://x"onmouseover=1') is None


def test_display_frame_uses_labels_and_data_keys(v2):
    shown = data.display_frame(v2.head(5), V2, "average")
    assert list(shown.columns[:5]) == ["rank", "page_url", "average", "params_b", "license"]
    assert set(shown["license_category"]) <= set(data.LICENSE_LABELS.values())
    export = data.display_frame(v2.head(5), V2, "average", for_download=True)
    assert {"Rank", "Model", "Average", "IFEval", "Params (B)", "License category"} <= set(export.columns)
    assert export["Model"].tolist() == v2.head(5)["model_id"].tolist()


def test_csv_neutralises_formulas_and_parquet_round_trips(v2):
    export = data.display_frame(v2.head(3), V2, "average", for_download=True)
    export.loc[0, "Model"] = '=HYPERLINK("http://x")'
    export.loc[1, "License"] = "@SUM(A1)"
    export.loc[2, "Organisation"] = "-2+3"
    text = data.csv_bytes(export).decode()
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'-2+3" in text
    back = pd.read_parquet(io.BytesIO(data.parquet_bytes(export)))
    assert back["Model"].tolist() == export["Model"].tolist()


def test_pareto_frontier_definition(v2):
    points = data.size_points(v2)
    front = points[points["on_frontier"]]
    assert 3 <= len(front) < 100
    # Brute force: a model is beaten when some model of smaller or equal size scores higher.
    size, score = points["params_b"].to_numpy(), points["score"].to_numpy()
    beaten = ((size[None, :] <= size[:, None]) & (score[None, :] > score[:, None])).any(axis=1)
    assert (points["on_frontier"].to_numpy() == ~beaten).all()
    table = data.frontier_table(points)
    assert table["params_b"].is_monotonic_increasing
    assert table["score"].is_monotonic_increasing


def test_license_mix_shares_sum_to_one(v2):
    mix = data.license_mix_by_size(v2)
    sums = mix.groupby("size_class")["share"].sum()
    assert sums.round(9).eq(1).all()
    assert mix["models"].sum() == len(v2)
    over = data.license_mix_over_time(v2)
    assert over["models"].sum() == int(v2["created_date"].notna().sum())


def test_permissive_share_of_top_n(v2):
    share = data.permissive_share_top_n(v2, 10).set_index("size_class")
    edge = v2[v2["params_b"] <= 3.0].head(10)
    assert share.loc["edge", "models"] == 10
    assert share.loc["edge", "permissive"] == int((edge["license_category"] == "permissive").sum())


def test_leaders_by_class_agree_with_tenure(seeded_conn):
    dates, leaders, _ = data.board_history(seeded_conn, V1, "average")
    reigns = data.reigns_by_class(leaders, dates)
    expected = queries.tenure(seeded_conn, V1)
    got = reigns[reigns["size_class"] == "all"]
    assert got["model_id"].tolist() == expected["model_id"].tolist()
    assert got["days"].tolist() == expected["days"].tolist()
    edge = queries.tenure(seeded_conn, V1, flt=ModelFilter(max_params=3.0))
    assert reigns[reigns["size_class"] == "edge"]["model_id"].tolist() == edge["model_id"].tolist()


def test_falcon_reign(seeded_conn):
    dates, leaders, _ = data.board_history(seeded_conn, V1, "average")
    reigns = data.reigns_by_class(leaders, dates)
    falcon = reigns[(reigns["size_class"] == "all") & (reigns["model_id"] == "tiiuae/falcon-40b-instruct")]
    assert len(falcon) == 1
    assert falcon.iloc[0]["start"] == dt.date(2023, 5, 31)
    assert falcon.iloc[0]["end"] == dt.date(2023, 7, 24)
    assert falcon.iloc[0]["days"] == 54
    longest = data.longest_reigns(reigns, 50)
    assert longest["days"].is_monotonic_decreasing


def test_ranks_agree_with_rank_history(seeded_conn):
    dates, _, ranks = data.board_history(seeded_conn, V1, "average")
    ids = ["tiiuae/falcon-40b-instruct", "LLAMA-65B"]
    got = data.ranks_of(ranks, ids)
    pks = [queries.find_model(seeded_conn, i)["id"] for i in ids]
    expected = queries.rank_history(seeded_conn, V1, pks)
    key = ["model_id", "date"]
    got, expected = got.sort_values(key).reset_index(drop=True), expected.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        got[["date", "model_id", "rank", "score", "entries"]],
        expected[["date", "model_id", "rank", "score", "entries"]],
        check_dtype=False,
    )
    assert got[got["date"] == dt.date(2023, 6, 10)].set_index("model_id").loc["tiiuae/falcon-40b-instruct", "rank"] == 1


def test_phi2_claim_against_measurement(seeded_conn):
    model = queries.find_model(seeded_conn, "microsoft/phi-2")
    claims = data.claims_vs_measured(model, queries.model_claims(seeded_conn, model["id"]))
    row = claims[claims["field"] == "params_b"].iloc[0]
    assert row["claimed"] == 13 and row["measured"] == pytest.approx(2.78)
    assert row["verdict"] == "overstated 4.7x"
    assert "51CTO" in row["claim_source"] and row["measured_source"]


def test_model_facts_and_scores(seeded_conn):
    model = queries.find_model(seeded_conn, "microsoft/phi-2")
    facts = data.model_fact_rows(model).set_index("fact")
    assert facts.loc["Parameters (B)", "value"] == "2.78"
    assert facts.loc["License", "value"] == "mit"
    scores = queries.model_scores(seeded_conn, model["id"])
    assert data.model_boards(scores)[:2] == [V2, V1]
    latest = data.latest_scores(scores)
    assert set(latest["leaderboard"]) >= {V1, V2}
    history = data.score_history(scores, V2, "average")
    assert history["date"].is_monotonic_increasing and history["value"].notna().any()


def test_compare_table(v2):
    rows = data.compare_frame(v2, ["microsoft/PHI-2", "Qwen/Qwen2.5-3B-Instruct", "no/such-model"])
    assert rows["model_id"].tolist() == ["microsoft/phi-2", "Qwen/Qwen2.5-3B-Instruct"]
    table = data.compare_table(rows, V2)
    assert list(table.columns) == ["microsoft/phi-2", "Qwen/Qwen2.5-3B-Instruct"]
    assert table.loc["Params (B)", "microsoft/phi-2"] == "2.78"
    best = table.loc["Average"].str.endswith("(best)")
    assert best.sum() == 1


def test_a_filtered_view_numbers_tied_scores_as_the_query_layer_does(seeded_conn):
    """The dashboard's views re-number the rows they keep: equal scores share a rank (1, 2, 2, 4),
    as ``python -m db leaderboard`` ranks them (the v1 board's one-decimal averages tie often)."""
    from dashboard import ui
    from db import queries

    board = queries.board(seeded_conn, "open-llm-leaderboard-v1")
    assert board["score"].duplicated().any()
    whole = ui._take(board, np.arange(len(board)))
    assert whole["rank"].tolist() == board["rank"].tolist()
    small = queries.board(seeded_conn, "open-llm-leaderboard-v1", flt=queries.ModelFilter(max_params=8))
    kept = ui._take(board, board.index.get_indexer(board.index[board["model_id"].isin(small["model_id"])]))
    assert kept["rank"].tolist() == small["rank"].tolist()


def test_the_shown_table_numbers_tied_scores_as_its_rows(seeded_conn):
    """The display table has no ``score`` column: its ranks come from the ranked board's scores."""
    from dashboard import data, ui

    full = data.ranked_board(seeded_conn, "open-llm-leaderboard-v1", None, "average")
    display = data.display_frame(full, "open-llm-leaderboard-v1", "average")
    assert "score" not in display.columns and full["score"].duplicated().any()
    positions = np.flatnonzero(full["params_b"].fillna(99).to_numpy() <= 8)
    shown = ui._take(display, positions, full["score"])
    assert shown["rank"].tolist() == ui._take(full, positions)["rank"].tolist()
    assert shown["rank"].tolist() != list(range(1, len(positions) + 1))  # ties share a rank
