"""Where a size comes from and how far to trust it, on the dashboard (pure texts and pages)."""

from __future__ import annotations

from dashboard import fidelity
from dashboard.filters import FilterState
from tests.dashboard.test_app import ok, plain


def test_size_texts_say_how_far_a_size_is_trusted():
    floor = {"params_b": 6.0, "params_source": "open-llm-leaderboard-v1 (rounded)", "params_confidence": "floor"}
    assert fidelity.size_text(floor) == "6-7 B"
    assert "between x and x+1" in fidelity.size_explanation(floor)
    doubtful = {
        "params_b": 1.848,
        "params_source": "open-llm-leaderboard-v2",
        "params_confidence": "doubtful",
        "params_note": "1.85 B (open-llm-leaderboard-v2) disagrees with the name (3B) by 1.6x",
    }
    assert fidelity.size_text(doubtful) == "1.85 B?"
    assert "disagrees with the name" in fidelity.size_explanation(doubtful)
    assert fidelity.size_text({"params_b": 7.0, "params_confidence": "name"}) == "~7 B"
    assert fidelity.size_text({"params_b": None}) == "unknown"
    inherited = {"license": None, "license_inherited": "apache-2.0", "license_inherited_from": "Qwen/Qwen2-1.5B"}
    assert fidelity.license_text(inherited) == "none stated (base model Qwen/Qwen2-1.5B: apache-2.0, inherited)"
    assert fidelity.license_text({"license": "mit"}) == "mit"


def test_the_include_toggle_lives_in_the_url():
    state, notes = FilterState.from_query({"include": "doubtful,flagged", "size": "edge"})
    assert not notes and state.include == ("doubtful", "flagged")
    assert state.model_filter().include_doubtful
    assert state.to_query()["include"] == "doubtful,flagged"
    assert not FilterState().model_filter().include_doubtful
    _, notes = FilterState.from_query({"include": "nonsense"})
    assert notes


def test_model_page_says_where_a_doubtful_size_comes_from(app):
    at = ok(app("views/model.py", id="iFaz/llama32_3B_en_emo_2000_stp"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Parameters"] == "1.85 B?"
    assert any("disagrees with the name" in plain(w.value) for w in at.warning)
    at = ok(app("views/model.py", id="unsloth/phi-4-bnb-4bit"))
    assert any("packed" in plain(c.value) for c in at.caption)


def test_status_page_shows_the_fidelity_report(app):
    at = ok(app("views/status.py"))
    table = next(df.value for df in at.dataframe if "doubtful" in df.value.columns)
    assert {"exact", "estimated", "corrected", "doubtful", "license_unknown"} <= set(table.columns)
    assert table["models"].gt(0).all()


def test_history_page_takes_the_include_toggle_from_the_url(app):
    at = ok(app("views/history.py", board="open-llm-leaderboard-v1", include="flagged"))
    assert at.multiselect(key="f_include").value == ["flagged"]
    assert at.query_params["include"] == ["flagged"] or at.query_params["include"] == "flagged"
    at = ok(app("views/history.py", board="open-llm-leaderboard-v1"))
    assert at.multiselect(key="f_include").value == []
