"""A newcomer's first hour (issue 14): honest defaults, status by snapshot age, cells that read
right, URL names people guess, charts that do not magnify noise. Each test is a defect that was
seen once and must not come back."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from core.boards import LEADERBOARDS, LMARENA, OPEN_LLM_V1, OPEN_LLM_V2, leaderboard_def
from dashboard import charts, data, freshness, scope, urls
from dashboard import format as fmt
from dashboard.filters import SIZE_BY_KEY, FilterState
from tests.dashboard.test_app import board_table, ok, plain

ROOT = Path(__file__).resolve().parents[2]
LEADERBOARD_DEFAULTS = FilterState(preset="small", hide=("flagged",))


def flagged_ids(conn, board: str) -> set[str]:
    rows = conn.execute(
        text(
            "SELECT DISTINCT m.repo_id FROM models m JOIN scores s ON s.model_id = m.id "
            "WHERE s.leaderboard_key = :b AND m.is_flagged"
        ),
        {"b": board},
    )
    return {data.page_url(r[0]) for r in rows}


def no_cell_prints_none(at: AppTest) -> None:
    """No table of the page would draw "None" or "nan": no missing value without a placeholder."""
    assert at.dataframe, "the page drew no table: nothing was checked"
    for df in at.dataframe:
        frame = df.value
        for column in frame.columns:  # text that spells a missing value
            spelled = frame[column].map(lambda v: isinstance(v, str) and v.strip() in ("None", "nan", "NaN", "NaT"))
            assert not spelled.any(), column
        if frame.isna().any().any():
            assert df.proto.placeholder == fmt.MISSING, f"{list(frame.columns)} has missing cells drawn as None"


# --------------------------------------------------------------------------- 1. defaults


def test_the_default_leaderboard_has_no_model_above_its_preset_and_no_flagged_model(app, seeded_conn):
    at = ok(app())
    table = board_table(at)
    assert at.pills(key="f_size").value == "small"
    assert len(table) > 100 and table["params_b"].max() <= SIZE_BY_KEY["small"].high
    assert not set(table["page_url"]) & flagged_ids(seeded_conn, OPEN_LLM_V2)
    captions = " ".join(plain(c.value) for c in at.caption)
    assert "up to 15B" in captions and "flagged models hidden" in captions
    assert dict(at.query_params) == {}  # the defaults are not written into the URL


def test_flagged_models_exist_so_hiding_them_is_real(app, seeded_conn):
    flagged = flagged_ids(seeded_conn, OPEN_LLM_V1)
    at = ok(app(board=OPEN_LLM_V1, size="all", hide="none"))
    assert flagged & set(board_table(at)["page_url"])
    at = ok(app(board=OPEN_LLM_V1))
    assert not flagged & set(board_table(at)["page_url"])


def test_one_click_shows_all_sizes_and_one_shows_flagged(app):
    at = ok(app())
    small = len(board_table(at))
    at.button(key="scope_all_sizes").click().run()
    everything = board_table(ok(at))
    assert len(everything) > small and everything["params_b"].max() > 15
    assert at.query_params["size"] == "all"
    at.button(key="scope_flagged").click().run()
    ok(at)
    assert at.query_params["hide"] == "none"
    assert at.multiselect(key="f_hide").value == []
    assert not any("hidden" in plain(c.value) for c in at.caption)


def test_the_arena_opens_on_small_models(app):
    at = ok(app(board=LMARENA))
    table = board_table(at)
    assert len(table) > 0 and table["params_b"].max() <= 15
    assert "params_b" in list(table.columns)[:5]


def test_the_columns_needed_first_come_first():
    for lb in LEADERBOARDS:
        if lb.key == "model-card":
            continue
        cols = data.table_columns(lb.key, lb.main_benchmark)
        assert cols[:5] == ["rank", "page_url", lb.main_benchmark, "params_b", "license"]
    assert data.table_columns(OPEN_LLM_V2, "group:math")[:3] == ["rank", "page_url", "score"]


def test_pinned_columns_stay_pinned_on_a_390px_phone():
    from dashboard.ui import PIN_WIDTHS

    # Streamlit drops every pin when the pinned columns take more than 60% of the table.
    assert sum(PIN_WIDTHS) <= 0.6 * (390 - 2 * 16)


def test_defaults_round_trip_through_the_url():
    everything = FilterState(preset=None, hide=())
    query = everything.to_query(LEADERBOARD_DEFAULTS)
    assert query == {"size": "all", "hide": "none"}
    back, notes = FilterState.from_query(query, LEADERBOARD_DEFAULTS)
    assert back == everything and not notes
    ranged, _ = FilterState.from_query({"max": "7"}, LEADERBOARD_DEFAULTS)
    assert ranged.preset is None and ranged.max_params == 7
    assert scope.hidden_by_default(LEADERBOARD_DEFAULTS, LEADERBOARD_DEFAULTS) == ["size", "flagged"]
    assert scope.hidden_by_default(ranged, LEADERBOARD_DEFAULTS) == ["flagged"]


# --------------------------------------------------------------------------- 2. status


def test_the_status_page_shows_the_newest_snapshot_date_of_each_board(app, seeded_conn):
    at = ok(app("views/status.py"))
    table = next(df.value for df in at.dataframe if "newest_snapshot" in df.value.columns).set_index("source")
    newest = dict(
        seeded_conn.execute(text("SELECT leaderboard_key, MAX(snapshot_date) FROM snapshots GROUP BY 1")).all()
    )
    assert len(newest) == 4  # v1, v2, the Arena and Epoch
    for key, day in newest.items():
        assert table.loc[leaderboard_def(key).display_name, "newest_snapshot"] == fmt.date(day)
    states = table["state"].str.split().str[0]
    for key in newest:
        retired = leaderboard_def(key).retired is not None
        assert (states[leaderboard_def(key).display_name] == "retired") == retired, key
    warning = " ".join(plain(w.value) for w in at.warning)
    assert fmt.date(max(newest.values())) in warning  # the live board's newest snapshot, by its age


def _snaps(**newest: dt.date) -> pd.DataFrame:
    return pd.DataFrame({"leaderboard": list(newest), "last": list(newest.values())})


def test_freshness_is_the_snapshots_age_and_a_retired_board_is_never_stale():
    now = dt.datetime(2026, 12, 1, 12)
    runs = pd.DataFrame({"source": ["lmarena", "hub"], "last_success": [now, now - dt.timedelta(hours=72)]})
    fresh = freshness.source_freshness(
        _snaps(**{LMARENA: dt.date(2026, 11, 1), OPEN_LLM_V1: dt.date(2024, 7, 7)}), runs, now, 48
    ).set_index("source")
    assert fresh.loc[LMARENA, "age_days"] == 30
    assert fresh.loc[OPEN_LLM_V1, "state"] == "retired" and not fresh.loc[OPEN_LLM_V1, "stale"]
    assert bool(fresh.loc["hub", "stale"])  # no snapshots: its last run's age counts
    # A live board (the Arena, read from LMArena's own dataset) is stale by its snapshot's age,
    # however recent the import that loaded it.
    assert leaderboard_def(LMARENA).retired is None
    fresh = freshness.source_freshness(_snaps(**{LMARENA: dt.date(2026, 11, 1)}), runs, now, 48)
    assert fresh.set_index("source").loc[LMARENA, "stale"]
    level, sentence = freshness.headline(fresh, 48)
    assert level == "warning" and "2026-11-01" in sentence
    fresh = freshness.source_freshness(_snaps(**{LMARENA: dt.date(2026, 12, 1)}), runs, now, 48)
    assert freshness.headline(fresh, 48)[0] == "ok"


# --------------------------------------------------------------------------- 5. numbers and cells


def test_no_none_cell_on_the_model_page(app):
    for model_id in ("microsoft/phi-2", "llama-13b", "tiiuae/falcon-40b-instruct"):
        at = ok(app("views/model.py", id=model_id))
        raw = next(df.value for df in at.dataframe if "source_url" in df.value.columns)
        assert not raw.isna().any().any()
        no_cell_prints_none(at)


def test_votes_are_whole_numbers_and_parameters_keep_three_digits(app):
    at = ok(app("views/model.py", id="llama-13b"))
    arena = next(
        df.value for df in at.dataframe if "benchmark" in df.value.columns and "Votes" in set(df.value["benchmark"])
    )
    votes = arena.set_index("benchmark").loc["Votes", "value"]
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", votes), votes
    metrics = {m.label: m.value for m in at.metric}
    # LLaMA-13B's size comes from its name on these boards: "~13 B" (fidelity.size_text).
    assert metrics["Parameters"] == "~13 B"
    at = ok(app("views/model.py", id="microsoft/phi-2"))
    assert {m.label: m.value for m in at.metric}["Measured"] == "2.78 billion parameters"


def test_search_results_have_no_none_cell(app):
    at = ok(app("views/model.py"))
    at.text_input(key="model_search").set_value("a").run()
    found = next(df for df in ok(at).dataframe if df.key == "search_results" or "params_b" in df.value.columns)
    assert len(found.value) > 0
    no_cell_prints_none(at)


@pytest.mark.parametrize(
    ("page", "query"),
    [
        (None, {}),
        (None, {"board": LMARENA, "size": "all"}),
        ("views/size.py", {}),
        ("views/history.py", {}),
        ("views/compare.py", {"ids": "microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct"}),
        ("views/status.py", {}),
    ],
)
def test_no_page_draws_none(app, page, query):
    no_cell_prints_none(ok(app(page, **query)))


def test_one_formatting_of_parameter_counts():
    assert fmt.params(10.7) == "10.7 B"
    assert fmt.params(10.0) == "10 B"
    assert fmt.params(7.24173) == "7.24 B"
    assert fmt.params(0.494) == "0.494 B"
    assert fmt.params(141.0) == "141 B"
    assert fmt.params(None) == "unknown" and fmt.params(float("nan")) == "unknown"
    assert fmt.integer(4321.0) == "4,321"
    assert fmt.score(4321.0, "count") == "4,321" and fmt.score(54.2, "percent") == "54.20"
    assert fmt.date(pd.Timestamp("2024-07-07 13:00")) == "2024-07-07"
    assert fmt.cell(None) == "" and fmt.cell(float("nan")) == "" and fmt.cell(3.0) == "3"


@settings(deadline=None, max_examples=300)
@given(st_.floats(min_value=0.001, max_value=5000, allow_nan=False))
def test_parameter_counts_have_three_significant_digits(value):
    shown = fmt.number(value)
    digits = shown.replace(",", "").replace(".", "").lstrip("0")
    assert len(digits.rstrip("0")) <= 3
    assert "e" not in shown and shown not in ("nan", "None")
    assert float(shown.replace(",", "")) == pytest.approx(value, rel=0.006)


@settings(deadline=None)
@given(st_.one_of(st_.none(), st_.floats(), st_.integers(), st_.text(max_size=5), st_.dates(), st_.booleans()))
def test_a_cell_never_reads_none_or_nan(value):
    shown = fmt.cell(value)
    assert isinstance(shown, str)
    if not isinstance(value, str):
        assert shown not in ("None", "nan", "NaN", "NaT", "inf")


# --------------------------------------------------------------------------- 4. charts


def test_a_small_change_is_not_drawn_as_a_cliff():
    hist = pd.DataFrame({"date": [dt.date(2025, 1, 1), dt.date(2025, 2, 1)], "value": [15.45, 15.53]})
    fig = charts.score_history_figure(hist, "Average", "t", "percent", (0.0, 100.0)).to_dict()
    low, high = fig["layout"]["yaxis"]["range"]
    assert high - low >= 5 and low <= 15.45 and high >= 15.53
    near_zero = charts.y_range(pd.Series([0.5, 0.6]), 5, (0.0, 100.0))
    assert near_zero == [0.0, 5.0]
    assert charts.y_range(pd.Series([10, 40]), 5) is None  # a real change keeps the data's range


def test_the_rank_chart_has_several_ticks_for_a_narrow_range():
    hist = pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=4),
            "model_id": ["a"] * 4,
            "rank": [3, 4, 4, 6],
            "score": [1.0] * 4,
            "entries": [100] * 4,
        }
    )
    axis = charts.rank_history_figure(hist, "t").to_dict()["layout"]["yaxis"]
    assert axis["type"] == "linear" and axis["dtick"] == 1
    low, high = sorted(axis["range"])
    assert sum(1 for t in range(1, 100) if low <= t <= high) >= 4
    wide = hist.assign(rank=[1, 10, 100, 400])
    axis = charts.rank_history_figure(wide, "t").to_dict()["layout"]["yaxis"]
    assert axis["type"] == "log" and len(axis["tickvals"]) >= 3


def test_size_ticks_do_not_collide():
    ticks = charts.size_ticks(0.1, 200)
    assert {1, 3, 15, 70} <= set(ticks)
    logs = [math.log10(t) for t in ticks]
    assert min(b - a for a, b in zip(logs, logs[1:], strict=False)) >= charts.SIZE_TICK_GAP
    assert 0.5 not in ticks or 1 not in ticks  # "0.5B1B"


# --------------------------------------------------------------------------- 6. URLs


def test_the_url_names_people_guess_are_read(app):
    at = ok(app(board="v1", as_of="2023-06-15", max_params="13", search="falcon"))
    assert at.segmented_control(key="f_board").value == OPEN_LLM_V1
    assert at.date_input(key="f_asof").value == dt.date(2023, 6, 15)
    assert at.text_input(key="f_search").value == "falcon"
    table = board_table(at)
    assert len(table) > 0 and table["params_b"].max() <= 13
    assert table["page_url"].str.lower().str.contains("falcon").all()
    assert dict(at.query_params) == {"board": OPEN_LLM_V1, "max": "13", "q": "falcon", "asof": "2023-06-15"}


def test_an_alias_and_its_name_together_get_a_note():
    params, notes = urls.canonical({"as_of": "2024-01-01", "asof": "2024-02-01", "model": "x/y"})
    assert params == {"asof": "2024-02-01", "id": "x/y"}
    assert notes == ["The URL gives both 'as_of' and 'asof'; using 'asof'."]
    assert urls.canonical({"date": "20240101"})[0] == {"asof": "2024-01-01"}


def test_the_model_page_reads_model_as_id(app):
    at = ok(app("views/model.py", model="microsoft/phi-2"))
    assert plain(at.title[0].value) == "microsoft/phi-2"
    assert dict(at.query_params) == {"id": "microsoft/phi-2"}


# --------------------------------------------------------------------------- 8. offline


def test_the_page_icon_is_served_by_the_dashboard_itself():
    source = (ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    assert 'page_icon=":material' not in source and "favicon.png" in source
    assert (ROOT / "dashboard" / "theme" / "favicon.png").read_bytes().startswith(b"\x89PNG")
    config = (ROOT / "dashboard" / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "http" not in config.split("[theme]")[1]  # no font fetched from a URL


def test_the_enter_key_script_survives_streamlits_sanitiser():
    from dashboard import browser

    body = browser._ENTER_COMMITS_DATES.strip().removeprefix("<script>").removesuffix("</script>")
    # DOMPurify empties a script whose text contains "<" followed by a letter (it looks like markup).
    assert not re.search(r"<[/\w!]", body)
    assert "stDateInput" in body and "Escape" in body
