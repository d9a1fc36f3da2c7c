"""The pages' shared, per-data-version objects (dashboard/page_cache.py): the same figures and
frames the pages built per run before, one copy for every session, never changed by a caller."""

from __future__ import annotations

import pandas as pd
import pytest

from core.boards import OPEN_LLM_V1
from dashboard import charts, data, page_cache, ui

V2 = "open-llm-leaderboard-v2"


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
    assert list(shared.longest_table["days"]) == sorted(shared.longest_table["days"], reverse=True)
    # Another board has no Falcon story; a new data version builds the page again.
    assert page_cache.history_page(url, ver, V2, "average", (), "Average").falcon_story is None
    assert page_cache.history_page(url, (*ver, "next"), OPEN_LLM_V1, "average", (), "Average") is not shared


def test_a_rank_chart_is_the_one_the_page_built_before(cache_args):
    url, ver = cache_args
    ids = ("tiiuae/falcon-40b-instruct", "LLAMA-65B", "nobody/never-ranked")
    got, found = page_cache.rank_chart(url, ver, OPEN_LLM_V1, "average", (), ids, "Rank by Average")
    ranks = ui.history(url, ver, OPEN_LLM_V1, "average")["ranks"]
    expected = charts.rank_history_figure(data.ranks_of(ranks, list(ids)), "Rank by Average")
    assert got.to_json() == expected.to_json()
    assert len(got.data) == 2
    # The ids the page says were never ranked: exactly those without a row in the rank history.
    known = set(ranks["model_id"].str.lower())
    assert found == {i.lower() for i in ids if i.lower() in known} == {"tiiuae/falcon-40b-instruct", "llama-65b"}
    assert page_cache.rank_chart(url, ver, OPEN_LLM_V1, "average", (), ids, "Rank by Average")[0] is got


def test_a_board_without_snapshots_gives_an_empty_history_page(sqlite_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    url, ver = ui.cache_args()
    shared = page_cache.history_page(url, ver, OPEN_LLM_V1, "average", (), "Average")
    assert shared.empty and shared.dates == [] and shared.leader_figure is None
    figure, found = page_cache.rank_chart(url, ver, OPEN_LLM_V1, "average", (), ("llama-65b",), "Rank by Average")
    assert found == frozenset() and len(figure.data) == 0  # "Pick models to see their rank over time."


def test_a_score_chart_is_the_one_the_model_page_built_before(cache_args):
    url, ver = cache_args
    scores = ui.model_bundle(url, ver, "microsoft/phi-2")["scores"]
    got = page_cache.score_chart(url, ver, "microsoft/phi-2", V2)
    expected = charts.score_history_figure(
        data.score_history(scores, V2, "average"), "Average", "Average over time", "percent", (0.0, 100.0)
    )
    assert got.to_json() == expected.to_json()
    assert len(got.data) == 1 and len(got.data[0].x) > 0
    assert page_cache.score_chart(url, ver, "microsoft/phi-2", V2) is got


def test_the_data_version_is_read_once_per_script_run(seeded_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from db import queries

    monkeypatch.setenv("DATABASE_URL", seeded_url)
    calls = []
    real = queries.data_version
    monkeypatch.setattr(queries, "data_version", lambda conn: calls.append(1) or real(conn))

    def app():
        import streamlit as st

        from dashboard import ui

        st.markdown(str(ui.version() == ui.version() == ui.cache_args()[1]))

    at = AppTest.from_function(app, default_timeout=60).run()
    assert not at.exception and at.markdown[0].value == "True"
    assert len(calls) == 1
    at.run()
    assert len(calls) == 2  # every run reads it again: a finished ingest run shows at the next view
