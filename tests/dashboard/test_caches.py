"""The shared (st.cache_resource) boards and views: callers cannot change what others get."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import ui
from dashboard.filters import FilterState

V2 = "open-llm-leaderboard-v2"


@pytest.fixture
def cache_args(seeded_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_url)  # a private URL: no other test's cache entries
    return ui.cache_args()


def test_changing_a_ranked_board_does_not_reach_the_cache(cache_args):
    url, ver = cache_args
    first = ui.ranked(url, ver, V2, None, "average")
    expected = first.copy()
    first.loc[0, "model_id"] = "changed"
    first["rank"] = 0
    del first["score"]
    again = ui.ranked(url, ver, V2, None, "average")
    pd.testing.assert_frame_equal(again, expected)


def test_changing_a_board_view_does_not_reach_the_cache(cache_args):
    url, ver = cache_args
    state = FilterState(licenses=("permissive",))
    view = ui.board_view(url, ver, V2, "average", state)
    rows, table = view.rows.copy(), view.table.copy()
    assert 0 < len(rows) < view.total
    assert set(rows["license_category"]) == {"permissive"}
    view.rows.loc[0, "rank"] = 99
    view.table.iloc[0, 0] = 99
    view.table["extra"] = 1
    again = ui.board_view(url, ver, V2, "average", state)
    pd.testing.assert_frame_equal(again.rows, rows)
    pd.testing.assert_frame_equal(again.table, table)
    options = ui.filter_options(url, ver, V2, None, "average")
    options["org"].clear()
    assert ui.filter_options(url, ver, V2, None, "average")["org"]


def test_a_new_data_version_gives_a_new_view(cache_args):
    url, ver = cache_args
    state = FilterState()
    view = ui.board_view(url, ver, V2, "average", state)
    assert ui.board_view(url, ver, V2, "average", state).table is not view.table  # a copy each time
    other = ui.board_view(url, (*ver, "next"), V2, "average", state)
    pd.testing.assert_frame_equal(other.table, view.table)  # same data, but built again for the new key
    assert len(other.rows) == other.total == len(ui.ranked(url, ver, V2, None, "average"))
