"""The filter state: URL parsing and writing, validation, widgets."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from core.boards import LMARENA, OPEN_LLM_V1, OPEN_LLM_V2
from dashboard.filters import (
    SIZE_CLASSES,
    WIDGET_KEYS,
    FilterState,
    group_members,
    rank_choices,
    rank_label,
)
from db.schema import LICENSE_CATEGORIES, MODEL_TYPES


def test_defaults_make_an_empty_query():
    assert FilterState().to_query() == {}
    state, notes = FilterState.from_query({})
    assert state == FilterState() and notes == []


def test_a_full_query_round_trips():
    query = {
        "board": "open-llm-leaderboard-v1",
        "size": "laptop",
        "license": "permissive,copyleft",
        "type": "chat",
        "org": "mistralai",
        "arch": "MistralForCausalLM",
        "rank": "group:math",
        "q": "mistral",
        "hide": "merged,flagged",
        "asof": "2023-07-14",
    }
    state, notes = FilterState.from_query(query)
    assert notes == []
    assert state.board == OPEN_LLM_V1
    assert state.preset == "laptop"
    assert state.licenses == ("permissive", "copyleft")
    assert state.rank_by == "group:math"
    assert state.as_of == dt.date(2023, 7, 14)
    assert state.to_query() == query


def test_junk_is_dropped_with_a_friendly_message():
    state, notes = FilterState.from_query(
        {
            "board": "nope",
            "size": "huge",
            "license": "permissive,free-as-in-beer",
            "rank": "vibes",
            "asof": "yesterday",
            "min": "abc",
            "top": "-3",
            "color": "pink",
        }
    )
    assert state.board == OPEN_LLM_V2
    assert state.preset is None and state.min_params is None
    assert state.licenses == ("permissive",)
    assert state.rank_by is None and state.as_of is None
    assert state.top_n == 10 and state.color == "license"
    text = " ".join(notes)
    for fragment in ("nope", "huge", "free-as-in-beer", "vibes", "yesterday", "abc", "-3", "pink"):
        assert fragment in text
    assert all("Traceback" not in n for n in notes)


def test_at_most_six_models():
    ids = ",".join(f"org/model-{i}" for i in range(9))
    state, notes = FilterState.from_query({"ids": ids})
    assert len(state.ids) == 6 and state.ids[0] == "org/model-0" and notes


def test_min_above_max_resets_the_range():
    state, notes = FilterState.from_query({"min": "8", "max": "3"})
    assert (state.min_params, state.max_params) == (None, None)
    assert notes


def test_a_future_as_of_date_is_refused():
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    state, notes = FilterState.from_query({"asof": tomorrow})
    assert state.as_of is None and notes


def test_rank_must_fit_the_board():
    # IFEval is a v2 benchmark; on v1 it falls back to the default with a note.
    state, notes = FilterState.from_query({"board": "open-llm-leaderboard-v1", "rank": "ifeval"})
    assert state.rank_by is None and notes
    state, notes = FilterState.from_query({"rank": "ifeval"})
    assert state.rank_by == "ifeval" and not notes


def test_presets_do_not_overlap():
    edge, laptop, mid, large = SIZE_CLASSES
    assert edge.contains(3.0) and not laptop.contains(3.0)
    assert laptop.contains(8.0) and not mid.contains(8.0)
    assert mid.contains(15.0) and not large.contains(15.0)
    assert large.contains(405.0) and not edge.contains(None)
    low, high = FilterState(preset="laptop").size_bounds()
    assert 3.0 < low < 3.001 and high == 8.0
    assert FilterState(preset="edge").size_bounds() == (None, 3.0)


def test_model_filter_carries_every_filter():
    flt = FilterState(
        preset="edge", licenses=("permissive",), types=("chat",), search="phi", hide=("merged", "offhub")
    ).model_filter()
    assert flt.max_params == 3.0 and flt.license_categories == ("permissive",)
    assert flt.model_types == ("chat",) and flt.search == "phi"
    assert flt.hide_merged and flt.hide_off_hub and not flt.hide_flagged


def test_widgets_round_trip():
    state = FilterState(
        board=OPEN_LLM_V1, min_params=1.0, max_params=7.0, licenses=("custom",), rank_by="gsm8k", search="llama"
    )
    values = state.widget_values()
    assert values[WIDGET_KEYS["params"]] == (1.0, 7.0)
    assert FilterState.from_widgets(values, FilterState()) == state


def test_widgets_open_range_means_no_bound():
    values = {WIDGET_KEYS["params"]: (0.0, math.inf), WIDGET_KEYS["preset"]: None}
    state = FilterState.from_widgets(values, FilterState(min_params=2.0))
    assert state.min_params is None and state.max_params is None


def test_a_preset_sets_the_slider():
    assert FilterState(preset="laptop").widget_values()[WIDGET_KEYS["params"]] == (3.0, 8.0)
    assert FilterState(preset="large").widget_values()[WIDGET_KEYS["params"]] == (15.0, math.inf)


def test_a_preset_wins_over_the_slider():
    values = {WIDGET_KEYS["preset"]: "edge", WIDGET_KEYS["params"]: (0.0, 3.0)}
    state = FilterState.from_widgets(values, FilterState())
    assert state.preset == "edge" and state.to_query() == {"size": "edge"}


def test_page_defaults_are_left_out_of_the_url():
    history = FilterState(board=OPEN_LLM_V1, ids=("tiiuae/falcon-40b",))
    assert FilterState(board=OPEN_LLM_V1, ids=("tiiuae/falcon-40b",)).to_query(history) == {}
    assert FilterState(board=OPEN_LLM_V2).to_query(history) == {"board": OPEN_LLM_V2, "ids": ""}
    state, _ = FilterState.from_query({}, history)
    assert state.ids == ("tiiuae/falcon-40b",)
    state, _ = FilterState.from_query({"ids": ""}, history)
    assert state.ids == ()


def test_rank_choices_and_groups():
    v2 = rank_choices(OPEN_LLM_V2)
    assert v2[0] == "average" and "group:reasoning" in v2 and "group:instruction-following" in v2
    assert group_members(OPEN_LLM_V2, "group:reasoning") == ["bbh", "musr"]
    assert rank_label(OPEN_LLM_V2, "group:reasoning") == "Reasoning (BBH + MuSR)"
    arena = rank_choices(LMARENA)
    assert "ci_plus" not in arena and "arena_score" in arena


ids = st.lists(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}/[A-Za-z0-9._-]{1,20}", fullmatch=True), max_size=6)


@settings(deadline=None)  # the machine's load decides the time, not the property
@given(
    licenses=st.lists(st.sampled_from(LICENSE_CATEGORIES), unique=True),
    types=st.lists(st.sampled_from(MODEL_TYPES), unique=True),
    preset=st.sampled_from([None, *[s.key for s in SIZE_CLASSES]]),
    ids=ids,
    search=st.from_regex(r"[a-z0-9 .-]{0,20}", fullmatch=True),
)
def test_any_state_survives_the_url(licenses, types, preset, ids, search):
    state = FilterState(
        licenses=tuple(licenses),
        types=tuple(types),
        preset=preset,
        ids=tuple(dict.fromkeys(ids)),
        search=search.strip(),
    )
    back, notes = FilterState.from_query(state.to_query())
    assert notes == []
    assert back == state
