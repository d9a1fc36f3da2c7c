"""The pages' shared, per-data-version objects (dashboard/page_cache.py): the same figures and
frames the pages built per run before, one copy for every session, never changed by a caller."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import charts, data, page_cache, ui
from db.registry import OPEN_LLM_V1

V2 = "open-llm-leaderboard-v2"


@pytest.fixture(scope="module")
def v1_ranks(seeded_conn):
    _, _, ranks = data.board_history(seeded_conn, OPEN_LLM_V1, "average")
    return ranks


@settings(deadline=None, max_examples=60)
@given(picks=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["same", "upper", "unknown"])), max_size=7))
def test_the_rank_index_gives_the_rows_ranks_of_gives(v1_ranks, picks):
    ids = list(v1_ranks["model_id"].unique())
    wanted = []
    for i, how in picks:
        model = ids[i % len(ids)]
        wanted.append(model.upper() if how == "upper" else f"{model}-not-on-the-board" if how == "unknown" else model)
    index = data.rank_index(v1_ranks)
    pd.testing.assert_frame_equal(data.ranks_of_indexed(v1_ranks, index, wanted), data.ranks_of(v1_ranks, wanted))


def test_the_rank_index_covers_every_ranked_id(v1_ranks):
    index = data.rank_index(v1_ranks)
    assert set(index) == set(v1_ranks["model_id"].str.lower())
    assert sum(len(rows) for rows in index.values()) == len(v1_ranks)


@pytest.fixture
def cache_args(seeded_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_url)  # a private URL: no other test's cache entries
    return ui.cache_args()


def test_the_history_page_is_built_once_and_matches_the_pages_own_build(cache_args):
    url, ver = cache_args
    shared = page_cache.history_page(url, ver, OPEN_LLM_V1, "average", (), "Average")
    assert page_cache.history_page(url, ver, OPEN_LLM_V1, "average", (), "Average") is shared  # one object
    hist = ui.history(url, ver, OPEN_LLM_V1, "average")
    reigns = hist["reigns"]
    overall = reigns[reigns["size_class"] == "all"].reset_index(drop=True)
    pd.testing.assert_frame_equal(shared.overall, overall)
    lead_all = hist["leaders"][hist["leaders"]["size_class"] == "all"]
    expected = charts.leader_step_figure(lead_all, overall, "Average", "The leading Average over time")
    assert shared.leader_figure.to_json() == expected.to_json()
    timeline = charts.reign_timeline_figure(reigns, hist["dates"][-1], "Who led each size class, and when")
    assert shared.reign_figure.to_json() == timeline.to_json()
    assert (
        "tiiuae/falcon-40b-instruct then led the board from 2023-05-31 to 2023-07-24 (54 days)" in shared.falcon_story
    )
    assert shared.known == frozenset(hist["ranks"]["model_id"].str.lower())
    assert list(shared.longest_table["days"]) == sorted(shared.longest_table["days"], reverse=True)
    # Another board has no Falcon story; a new data version builds the page again.
    assert page_cache.history_page(url, ver, V2, "average", (), "Average").falcon_story is None
    assert page_cache.history_page(url, (*ver, "next"), OPEN_LLM_V1, "average", (), "Average") is not shared


def test_a_rank_figure_is_the_one_the_page_built_before(cache_args):
    url, ver = cache_args
    ids = ("tiiuae/falcon-40b-instruct", "LLAMA-65B")
    got = page_cache.rank_figure(url, ver, OPEN_LLM_V1, "average", (), ids, "Rank by Average")
    ranks = ui.history(url, ver, OPEN_LLM_V1, "average")["ranks"]
    expected = charts.rank_history_figure(data.ranks_of(ranks, list(ids)), "Rank by Average")
    assert got.to_json() == expected.to_json()
    assert len(got.data) == 2
    assert page_cache.rank_figure(url, ver, OPEN_LLM_V1, "average", (), ids, "Rank by Average") is got
