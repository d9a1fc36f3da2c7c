"""``ingest run hub-evals`` against the fake Hub serving the real eval-results files.

Expected values are read here from the real YAML files (tests/fixtures/hf-hub-api/eval-results,
each with its provenance) and the real GPQA leaderboard excerpt, independently of the importer.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.errors import HubError
from db import queries, tasks
from db.provenance import COMMUNITY, SELF_REPORTED, VERIFIED, hub_provenance
from db.schema import REJECTED_ROWS, SCORE_PROVENANCE, SCORES, IngestRun
from ingest.live import run_live
from testing.fakehub import EVAL_RESULTS, OFFICIAL_BENCHMARKS, FakeHub, load_leaderboard_excerpt
from tests.ingest.test_hub_live import dump, settings_for

AURA, VEDIKA, DUAL = (
    "Vedika-advanced-AI/Aura-Gen-2.0",
    "Vedika-advanced-AI/Vedika-4.1-flash",
    "Ch3nOff/dual-loop-controller",
)
MODELS = [AURA, VEDIKA, DUAL]


def yaml_results() -> dict[str, list[dict]]:
    """repo -> every entry of its real .eval_results files (with the file name)."""
    out: dict[str, list[dict]] = {}
    for path in sorted(EVAL_RESULTS.glob("eval_results__*.yaml")):
        prov = path.with_suffix(".provenance.md").read_text()
        repo = re.search(r"- repository: (\S+)", prov).group(1)
        filename = re.search(r"- path: (\S+)", prov).group(1)
        for entry in yaml.safe_load(path.read_text()):
            out.setdefault(repo, []).append({**entry, "_file": filename})
    return out


def official_expected(repo: str) -> dict[tuple[str, str], float]:
    """(dataset id, task) -> value for the model's results on official benchmark datasets."""
    official = {b.lower(): b for b in OFFICIAL_BENCHMARKS}
    return {
        (official[e["dataset"]["id"].lower()], str(e["dataset"]["task_id"])): float(e["value"])
        for e in yaml_results()[repo]
        if e["dataset"]["id"].lower() in official
    }


@pytest.fixture
def hub():
    with FakeHub() as server:
        yield server


def run(hub, tmp_path, db_url, engine, day=None, models=MODELS):
    settings = settings_for(hub, tmp_path, db_url)
    return run_live(engine, settings, sources=["hub-evals"], models=models, progress=False)


def evals_of(engine, model: str):
    with engine.connect() as conn:
        return tasks.model_evals(conn, model)


def test_eval_results_are_stored_with_their_provenance_and_source(hub, tmp_path, db_url, engine):
    assert run(hub, tmp_path, db_url, engine) == 0
    for repo in MODELS:
        frame = evals_of(engine, repo)
        frame = frame[frame["leaderboard"] == "hub-evals"]
        got = {(b, t): v for b, t, v in zip(frame["benchmark"], frame["task_id"], frame["value"], strict=True)}
        assert got == official_expected(repo), repo
        assert set(frame["provenance"]) <= {SELF_REPORTED}
    aura = evals_of(engine, AURA)
    gpqa = aura[aura["benchmark"] == "Idavidrein/gpqa"].iloc[0]
    entry = next(e for e in yaml_results()[AURA] if e["dataset"]["id"] == "Idavidrein/gpqa")
    assert gpqa["source_url"] == entry["source"]["url"] and gpqa["notes"] == entry["notes"]
    assert gpqa["date"] == dt.date.fromisoformat(entry["date"])
    # the leaderboards were asked for every model, fine-tunes included
    assert hub.leaderboard_queries and all(q.get("base_model") == ["false"] for q in hub.leaderboard_queries)


def test_leaderboard_entries_of_other_models_come_in_with_their_size(hub, tmp_path, db_url, engine):
    run(hub, tmp_path, db_url, engine)
    with engine.connect() as conn:
        frame = queries.board(conn, "hub-evals", rank_by="Idavidrein/gpqa")
    by_id = dict(zip(frame["model_id"], zip(frame["score"], frame["params_b"], strict=True), strict=True))
    for entry in load_leaderboard_excerpt():
        score, params = by_id[entry["modelId"]]
        assert score == entry["value"]
        assert params == pytest.approx(entry["num_parameters"] / 1e9, rel=1e-3)
    assert frame["model_id"].iloc[0] == max(load_leaderboard_excerpt(), key=lambda e: e["value"])["modelId"]


def test_a_malformed_entry_is_rejected_with_its_reason_and_the_rest_kept(hub, tmp_path, db_url, engine):
    items = hub.eval_results[AURA.lower()]
    broken = copy.deepcopy(next(i for i in items if i["data"]["dataset"]["id"] == "openai/gsm8k"))
    del broken["data"]["dataset"]["id"]
    text_value = copy.deepcopy(items[0])
    text_value["data"]["value"] = "n/a"
    hub.eval_results[AURA.lower()] = [broken, *items, text_value]
    run(hub, tmp_path, db_url, engine)
    frame = evals_of(engine, AURA)
    assert {(b, t) for b, t in zip(frame["benchmark"], frame["task_id"], strict=True)} == set(official_expected(AURA))
    with engine.connect() as conn:
        reasons = [r.reason for r in conn.execute(select(REJECTED_ROWS.c.reason))]
    assert any("malformed (missing 'id')" in r and AURA in r for r in reasons), reasons
    assert any("'n/a' is not a finite number" in r for r in reasons), reasons


def test_verified_and_open_pull_requests_name_their_provenance(hub, tmp_path, db_url, engine):
    items = hub.eval_results[VEDIKA.lower()]
    for item in items:
        if item["data"]["dataset"]["id"] == "Idavidrein/gpqa":
            item["verified"] = True
        if item["data"]["dataset"]["id"] == "cais/hle":
            item["pullRequest"] = 7
    run(hub, tmp_path, db_url, engine)
    frame = evals_of(engine, VEDIKA).set_index("benchmark")
    assert frame.loc["Idavidrein/gpqa", "provenance"] == VERIFIED
    assert frame.loc["cais/hle", "provenance"] == COMMUNITY
    assert frame.loc["TIGER-Lab/MMLU-Pro", "provenance"] == SELF_REPORTED


def test_a_second_run_extends_the_intervals(hub, tmp_path, db_url, engine):
    run(hub, tmp_path, db_url, engine)
    with engine.connect() as conn:
        first = conn.execute(select(func.count()).select_from(SCORES)).scalar()
        prov = conn.execute(select(func.count()).select_from(SCORE_PROVENANCE)).scalar()
    run(hub, tmp_path, db_url, engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SCORES)).scalar() == first
        assert conn.execute(select(func.count()).select_from(SCORE_PROVENANCE)).scalar() == prov


def test_a_dead_hub_fails_cleanly_with_nothing_changed(hub, tmp_path, db_url, engine):
    run(hub, tmp_path, db_url, engine)
    before = dump(engine)
    hub.fault(r"/api/datasets", "503", times=None)
    settings = settings_for(hub, tmp_path, db_url, HUB_MAX_RETRIES="1")
    with pytest.raises(HubError, match="hub-evals"):
        run_live(engine, settings, sources=["hub-evals"], models=MODELS, progress=False)
    assert dump(engine) == before


def test_the_cli_evals_report(hub, tmp_path, db_url, engine):
    from tests.ingest.test_cli import cli

    run(hub, tmp_path, db_url, engine)
    out = cli("db", "evals", AURA, "--format", "csv", db=db_url, check=True).stdout.splitlines()
    assert out[0] == "benchmark,task,value,date,provenance,source"
    rows = [line.split(",") for line in out[1:]]
    assert {(r[0], float(r[2]), r[4]) for r in rows} == {
        (b, v, SELF_REPORTED) for (b, _), v in official_expected(AURA).items()
    }
    task = cli("db", "leaderboard", "--task", "knowledge", "--format", "csv", db=db_url, check=True).stdout
    header, *lines = task.splitlines()
    assert header == "task_rank,model_id,leaderboard,benchmark,score,board_rank,provenance,params_b"
    assert lines and all(line.split(",")[2] == "hub-evals" for line in lines)


@pytest.mark.parametrize(
    ("verified", "pr", "expected"),
    [(True, None, VERIFIED), (True, 3, VERIFIED), (False, 3, COMMUNITY), (False, None, SELF_REPORTED)],
)
def test_hub_provenance_rule(verified, pr, expected):
    assert hub_provenance(verified, pr) == expected


def test_the_request_budget_stops_reading_and_the_models_not_read_keep_their_scores(hub, tmp_path, db_url, engine):
    run(hub, tmp_path, db_url, engine)
    before = evals_of(engine, DUAL)
    asked_for_dual = hub.count(re.escape(DUAL))
    # list_datasets + 4 leaderboards + 2 models = 7 requests: the third model is not read.
    settings = settings_for(hub, tmp_path, db_url, HUB_REQUEST_BUDGET="7")
    hub.eval_results[AURA.lower()] = hub.eval_results[AURA.lower()][:1]  # Aura now lists one result
    assert run_live(engine, settings, sources=["hub-evals"], models=[AURA, VEDIKA, DUAL], progress=False) == 0
    aura = evals_of(engine, AURA)
    assert len(aura[aura["leaderboard"] == "hub-evals"]) == len(
        [i for i in hub.eval_results[AURA.lower()] if i["data"]["dataset"]["id"] in OFFICIAL_BENCHMARKS]
    )
    after = evals_of(engine, DUAL)
    assert not before.empty and after[["benchmark", "value"]].equals(before[["benchmark", "value"]])
    # ... carried over, not re-read: the second run never asked for the third model, and says so.
    assert hub.count(re.escape(DUAL)) == asked_for_dual
    with engine.connect() as conn:
        detail = conn.execute(
            select(IngestRun.__table__.c.detail)
            .where(IngestRun.__table__.c.source == "hub-evals")
            .order_by(IngestRun.__table__.c.id.desc())
        ).scalar()
    assert detail["carried_over"] == len(before[before["leaderboard"] == "hub-evals"])


_JSONISH = st.none() | st.booleans() | st.integers(-3, 10**6) | st.text(max_size=8) | st.floats(allow_nan=True)


@settings(deadline=None, max_examples=200)
@given(_JSONISH, _JSONISH)
def test_hub_provenance_is_always_one_word_of_the_vocabulary(verified, pull_request):
    kind = hub_provenance(verified, pull_request)
    assert kind in (VERIFIED, COMMUNITY, SELF_REPORTED)
    assert (kind == VERIFIED) == (verified is True)  # only a real True is verified
    if verified is not True:
        is_pr = (
            (isinstance(pull_request, int) and not isinstance(pull_request, bool) and pull_request > 0)
            or (isinstance(pull_request, float) and math.isfinite(pull_request) and pull_request >= 1
                and pull_request == int(pull_request))
            or (isinstance(pull_request, str) and pull_request.strip().isascii() and pull_request.strip().isdigit()
                and int(pull_request) > 0)
        )  # fmt: skip
        assert (kind == COMMUNITY) == is_pr


def test_the_hub_board_with_badges_and_verified_only(hub, tmp_path, db_url, engine):
    from dashboard import evals as board_data

    for item in hub.eval_results[VEDIKA.lower()]:
        if item["data"]["dataset"]["id"] == "Idavidrein/gpqa":
            item["verified"] = True
    run(hub, tmp_path, db_url, engine)
    with engine.connect() as conn:
        every = board_data.eval_board(conn, "hub-evals", "Idavidrein/gpqa")
        verified = board_data.eval_board(conn, "hub-evals", "Idavidrein/gpqa", verified_only=True)
    expected = {e["modelId"] for e in load_leaderboard_excerpt()} | {AURA, VEDIKA}
    assert {u.removeprefix("model?id=") for u in every["page_url"]} == expected
    assert set(every["badge"]) == {"✔ verified", "○ self-reported"}
    assert verified["page_url"].tolist() == [f"model?id={VEDIKA}"] and verified["rank"].tolist() == [1]
