"""The eval-results pages on the seeded database (Epoch AI's real files are in the seed)."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from dashboard import evals
from tests.conftest import FIXTURES
from tests.dashboard.test_app import ok

EPOCH_DIR = FIXTURES / "epoch"


def best_gpqa(until: dt.date | None = None) -> dict[str, tuple[float, float]]:
    best: dict[str, tuple[float, float]] = {}
    with (EPOCH_DIR / "gpqa_diamond.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if until is not None and (not row["Started at"] or dt.date.fromisoformat(row["Started at"][:10]) > until):
                continue
            key = row["Model version"].lower()
            value = float(row["mean_score"])
            if key not in best or value > best[key][0]:
                best[key] = (value, float(row["stderr"]))
    return best


def test_the_epoch_board_shows_each_models_best_run_with_its_stderr(seeded_conn):
    frame = evals.eval_board(seeded_conn, "epoch", "gpqa_diamond")
    expected = best_gpqa()
    assert len(frame) == len(expected)
    for model_url, text, kind in zip(frame["page_url"], frame["score_text"], frame["provenance"], strict=True):
        value, stderr = expected[model_url.removeprefix("model?id=").lower()]
        assert text == f"{value:.3f} ± {stderr:.3f}" and kind == "measured"


def test_the_epoch_board_as_of_a_past_day(seeded_conn):
    day = dt.date(2025, 6, 1)
    frame = evals.eval_board(seeded_conn, "epoch", "gpqa_diamond", as_of=day)
    assert {u.removeprefix("model?id=").lower() for u in frame["page_url"]} == set(best_gpqa(day))


def test_llama_65b_claimed_against_measured(seeded_conn):
    found = evals.model_evals(seeded_conn, "llama-65b")
    compare = found["compare"]
    assert set(compare["side"]) == {"claimed", "measured"}
    measured = compare[compare["side"] == "measured"].iloc[0]
    assert (measured["leaderboard"], measured["value"]) == ("open-llm-leaderboard-v1", 63.9)
    claimed = compare[compare["side"] == "claimed"]
    assert set(claimed["value"]) == {0.634} and set(claimed["provenance"]) == {"external"}


def test_task_view_keeps_every_board_and_scale_apart(seeded_conn):
    rows = evals.task_view(seeded_conn, "math", flt=evals.ModelFilter(max_params=15))
    assert {"open-llm-leaderboard-v1", "open-llm-leaderboard-v2"} <= set(rows["leaderboard"])
    assert rows["task_rank"].tolist() == list(range(1, len(rows) + 1))
    for board, group in rows.groupby("leaderboard"):
        for bench, sub in group.groupby("benchmark"):
            assert sorted(sub["board_rank"]) == list(range(1, len(sub) + 1)), (board, bench)


def test_the_pages_render(app):
    at = ok(app("views/evals.py", board="epoch", bench="gpqa_diamond"))
    table = next(df.value for df in at.dataframe if "score_text" in df.value.columns)
    assert "±" in table["score_text"].iloc[0]
    assert any("CC BY 4.0" in c.value for c in at.caption)
    at = ok(app("views/evals.py"))  # the Hub board, empty in the seed
    at = ok(app("views/tasks.py", task="knowledge"))
    assert any("task_rank" in df.value.columns for df in at.dataframe)
    at = ok(app("views/model.py", id="llama-65b"))
    assert any("side" in df.value.columns for df in at.dataframe)
    at = ok(app("views/status.py"))
    assert any("revision" in df.value.columns for df in at.dataframe)


@pytest.mark.parametrize(("value", "stderr", "text"), [(0.83585, 0.02227, "0.836 ± 0.022"), (157.94, None, "157.9")])
def test_score_text(value, stderr, text):
    assert evals.score_text(value, stderr) == text


def test_the_status_rows_show_the_newest_run_and_the_last_success(seeded_engine):
    from db import writes

    with seeded_engine.connect() as conn:
        before = evals.source_rows(conn).set_index("source")
    epoch, hub = before.loc["Epoch AI Benchmarking Hub"], before.loc["Hub eval results"]
    assert epoch["status"] == "succeeded" and epoch["revision"] == "2026-05-02"  # the seed's snapshot day
    assert hub["status"] == "never run" and pd.isna(hub["last_change"])
    writes.record_run(seeded_engine, "epoch", "failed", detail={"url": "x"}, error="HTTP 503")
    with seeded_engine.connect() as conn:
        after = evals.source_rows(conn).set_index("source").loc["Epoch AI Benchmarking Hub"]
    assert after["status"] == "failed" and after["last_run"] > epoch["last_run"]
    assert after["last_change"] == epoch["last_change"]  # a failed run changed nothing
