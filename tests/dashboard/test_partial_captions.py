"""The dashboard says when the board as of a day is a partial snapshot, and where snapshots are far apart."""

from __future__ import annotations

from tests.dashboard.test_app import ok, plain


def captions(at) -> list[str]:
    return [plain(c.value) for c in at.caption]


def test_the_leaderboard_as_of_a_partial_day_says_so(app):
    at = ok(app(board="open-llm-leaderboard-v1", asof="2023-10-05"))
    assert any(c.startswith("Partial snapshot: the snapshot of 2023-10-04 is partial") for c in captions(at))
    at = ok(app(board="open-llm-leaderboard-v1", asof="2023-09-20"))
    assert not any(c.startswith("Partial snapshot") for c in captions(at))


def test_the_history_page_names_partial_snapshots_and_gaps(app):
    at = ok(app("views/history.py", board="open-llm-leaderboard-v1"))
    shown = captions(at)
    assert any("Partial snapshots" in c and "2023-10-04, 2023-10-13, 2023-10-31" in c for c in shown)
    assert any("No snapshot between 2023-10-31 and 2024-07-07" in c for c in shown)
    table = next(df.value for df in at.dataframe if "gap_days" in df.value.columns and "size_class" not in df.value)
    marco = table[table["page_url"] == "model?id=AIDC-ai-business/Marcoroni-70B"].iloc[0]
    assert marco["gap_days"] == 250
