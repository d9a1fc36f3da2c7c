"""The Arena's dashboard sections on the seeded database (real Arena history since May 2023)."""

from __future__ import annotations

import datetime as dt

from core.boards import LMARENA
from dashboard.arena import ATTRIBUTION, category_table, unmatched_names, url_category
from db import arena, queries
from db.queries import ModelFilter
from tests.dashboard.test_app import board_table, ok, plain


def test_arena_board_has_the_category_picker_own_rank_and_attribution(app):
    at = ok(app(board="lmarena", size="all"))
    picker = at.selectbox(key="f_category")
    assert picker.value == "overall" and "overall" in picker.options[0].lower()
    table = board_table(at)
    assert {"arena_rank", "arena_score", "ci_plus", "ci_minus", "votes", "params_b"} <= set(table.columns)
    assert table["arena_rank"].iloc[0] == 1
    assert any("LMArena" in c.value and "CC BY 4.0" in c.value for c in at.caption)
    # An unknown category in a shared link falls back to overall, without an error.
    at = ok(app(board="lmarena", category="no-such-category"))
    assert at.selectbox(key="f_category").value == "overall"


def test_the_arena_history_starts_in_may_2023_offline(seeded_conn):
    dates = queries.snapshot_dates(seeded_conn, LMARENA)
    assert dates[0] == dt.date(2023, 5, 8)
    assert arena.publish_dates(seeded_conn, "overall")[0] == dt.date(2023, 5, 8)
    first = queries.board(seeded_conn, LMARENA, dt.date(2023, 5, 8))
    # The real 2023-05-08 board: GPT-4 first at 1274.19 (nakasyou/lmarena-history).
    assert first["model_id"].iloc[0].lower() == "gpt-4" and round(first["score"].iloc[0], 2) == 1274.19


def test_category_table_is_the_published_board(seeded_conn):
    day = dt.date(2023, 12, 20)
    table = category_table(seeded_conn, "overall", day, ModelFilter())
    rows = arena.category_rows(seeded_conn, "overall", day)
    assert len(table) == len(rows) and table["position"].tolist() == list(range(1, len(rows) + 1))
    assert table["rating"].iloc[0] == round(rows["rating"].max(), 1)
    assert table["arena_rank"].isna().all()  # the 2023 history has no ranks: shown empty, never made up
    small = category_table(seeded_conn, "overall", day, ModelFilter(max_params=8))
    assert 0 < len(small) < len(table) and (small["params_b"] <= 8).all()


def test_unmatched_open_models_are_listed(seeded_conn):
    unmatched = unmatched_names(seeded_conn)
    assert len(unmatched) > 0
    assert "proprietary" not in set(unmatched["license_category"])
    aliased = set(arena.board(seeded_conn)["model_id"][arena.board(seeded_conn)["hub_id"].notna()].str.lower())
    assert aliased and not aliased & set(unmatched["name"].str.lower())


def test_url_category():
    assert url_category({"category": "coding"}, ["overall", "coding"]) == "coding"
    assert url_category({"category": "coding"}, ["overall"]) == "overall"
    assert url_category({}, ["overall"]) == "overall"
    assert "LMArena" in ATTRIBUTION


def test_status_page_counts_unmatched_arena_names(app):
    at = ok(app("views/status.py"))
    assert any("open models on the Arena have no alias" in plain(m.value) for m in at.markdown)


def test_aliased_arena_models_link_to_their_hub_repo(seeded_conn):
    from dashboard.data import ranked_board

    ranked = ranked_board(seeded_conn, LMARENA, None, "arena_score")
    zephyr = ranked[ranked["model_id"].str.lower() == "zephyr-7b-beta"].iloc[0]
    assert zephyr["hub_id"] == "HuggingFaceH4/zephyr-7b-beta"
    assert zephyr["hub_url"] == "https://huggingface.co/HuggingFaceH4/zephyr-7b-beta"
    assert ranked[ranked["hub_id"].isna()]["hub_url"].isna().all()  # closed models: no Hub page


def test_model_page_lists_the_arena_categories(app):
    at = ok(app("views/model.py", id="Zephyr-7b-beta"))
    table = next(df.value for df in at.dataframe if "arena_rank" in df.value.columns and "category" in df.value.columns)
    assert table["category"].iloc[0].startswith("Overall")
    assert any("LMArena" in c.value for c in at.caption)
