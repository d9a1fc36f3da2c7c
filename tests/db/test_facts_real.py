"""Held-out checks on the seeded database: the known-wrong sizes, licenses, claims and reigns of
the real data come out right or visibly doubtful (issue 11's examples and others like them)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from core.boards import LEADERBOARD_KEYS, LMARENA, OPEN_LLM_V1, OPEN_LLM_V2
from dashboard import data
from dashboard.filters import SIZE_BY_KEY
from db import facts, queries, reports
from db.fidelity import audit
from db.queries import ModelFilter
from db.schema import MODELS

BOARDS = [b for b in LEADERBOARD_KEYS if b in (OPEN_LLM_V1, OPEN_LLM_V2, LMARENA)]


@pytest.fixture(scope="module")
def conn(seeded_db_file):
    from db.engine import make_engine

    eng = make_engine(f"sqlite:///{seeded_db_file}")
    with eng.connect() as connection:
        yield connection
    eng.dispose()


def _model(conn, repo_id: str) -> dict:
    return dict(conn.execute(select(MODELS).where(MODELS.c.repo_id_lower == repo_id.lower())).mappings().one())


def _upper(frame: pd.DataFrame) -> pd.Series:
    return frame["params_b"] + frame["params_confidence"].eq("floor").astype(float)


def test_the_70b_lora_is_not_an_edge_model(conn):
    """It led the up-to-3B class for 250 days because "LLaMA_2_70B" was read as 2.7."""
    lora = _model(conn, "adonlee/LLaMA_2_70B_LoRA")
    assert lora["params_b"] == 70.0 and lora["params_confidence"] == "name"
    edge = queries.tenure(conn, OPEN_LLM_V1, flt=ModelFilter(max_params=3.0))
    assert "adonlee/LLaMA_2_70B_LoRA" not in set(edge["model_id"])


def test_phi3_mini_models_are_not_up_to_3b(conn):
    """v1 stored the 3.8 B Phi-3-mini fine-tunes as 3.0 (rounded down): the top 12 up to 3 B."""
    phi3 = _model(conn, "MaziyarPanahi/Phi-3-mini-4k-instruct-v0.3")
    assert (phi3["params_b"], phi3["params_confidence"]) == (3.0, "floor")  # [3, 4)
    top = queries.board(conn, OPEN_LLM_V1, flt=ModelFilter(max_params=3.0), limit=12)
    assert not top["model_id"].str.contains("phi-3", case=False).any()
    assert len(top) == 12 and (_upper(top) <= 3.0).all()


@pytest.mark.parametrize("board", BOARDS)
def test_max_params_3_lists_nothing_above_3b(conn, board):
    args = reports.build_parser().parse_args(["leaderboard", "--leaderboard", board, "--max-params", "3"])
    frame = reports.report_leaderboard(conn, args)
    rows = queries.board(conn, board, flt=ModelFilter(max_params=3.0))
    assert frame["model_id"].tolist() == rows["model_id"].tolist()
    assert (_upper(rows) <= 3.0).all()
    assert not rows["params_confidence"].eq("doubtful").any()
    if board != LMARENA:
        assert len(rows) > 100
    loose = queries.board(conn, board, flt=ModelFilter(max_params=3.0, include_doubtful=True))
    assert len(loose) >= len(rows)


def test_the_readme_example_is_not_sized_by_packed_weights(conn):
    """Four of the six "best permissive models up to 3 B" were 3 B Llama fine-tunes at 1.85 B."""
    top = queries.board(conn, OPEN_LLM_V2, flt=ModelFilter(max_params=3.0, license_categories=("permissive",)))
    packed = _model(conn, "iFaz/llama32_3B_en_emo_2000_stp")
    assert packed["params_confidence"] == "doubtful" and "3B" in packed["params_note"]
    assert "iFaz/llama32_3B_en_emo_2000_stp" not in set(top["model_id"])
    assert not top.head(20)["model_id"].str.contains("llama32_3B", case=False).any()


def test_packed_and_double_counted_sizes_are_corrected(conn):
    phi4 = _model(conn, "unsloth/phi-4-bnb-4bit")
    assert phi4["params_b"] == pytest.approx(14.66) and phi4["params_confidence"] == "corrected"
    assert "packed" in phi4["params_note"]
    adapter = _model(conn, "langgptai/qwen1.5-7b-chat-sa-v0.1")
    assert adapter["params_b"] == pytest.approx(7.721) and adapter["params_confidence"] == "corrected"
    assert "2.00x" in adapter["params_note"]
    # 7.383 is what 22 repos named "14B" show (Qwen2.5-14B's packed 4-bit count): no laptop reign.
    twin = _model(conn, "sometimesanotion/IF-reasoning-experiment-40")
    assert twin["params_confidence"] == "doubtful" and "packed 4-bit count" in twin["params_note"]
    tiny = _model(conn, "darkc0de/BuddyGlass_v0.3_Xortron7MethedUpSwitchedUp")
    assert tiny["params_b"] == pytest.approx(0.007) and tiny["params_confidence"] == "doubtful"


@pytest.mark.parametrize("board", [OPEN_LLM_V1, OPEN_LLM_V2])
def test_no_reign_per_size_class_belongs_to_a_model_outside_it(conn, board):
    dates, leaders, _ = data.board_history(conn, board, "average")
    reigns = data.reigns_by_class(leaders, dates)
    models = queries.models_frame(conn, reigns["model_pk"].unique().tolist()).set_index("model_pk")
    sizes = data.class_sizes(models.reset_index()).set_axis(models.index)
    for reign in reigns[reigns["size_class"] != "all"].itertuples(index=False):
        size = SIZE_BY_KEY[reign.size_class]
        assert size.contains(sizes[reign.model_pk]), (reign.model_id, reign.size_class)
        assert models.loc[reign.model_pk, "params_confidence"] != "doubtful"
    # The query layer agrees on the edge class.
    edge = queries.tenure(conn, board, flt=ModelFilter(max_params=3.0))
    assert reigns[reigns["size_class"] == "edge"]["model_id"].tolist() == edge["model_id"].tolist()


def test_flagged_models_take_no_reign_unless_asked(conn):
    flagged = _model(conn, "Fredithefish/ReasonixPajama-3B-HF")
    assert flagged["is_flagged"]
    edge = ModelFilter(max_params=3.0)
    assert flagged["repo_id"] not in set(queries.tenure(conn, OPEN_LLM_V1, flt=edge)["model_id"])
    assert flagged["repo_id"] in set(queries.tenure(conn, OPEN_LLM_V1, flt=edge, include_flagged=True)["model_id"])
    dates, leaders, _ = data.board_history(conn, OPEN_LLM_V1, "average", include_flagged=True)
    assert flagged["repo_id"] in set(leaders["model_id"])


def test_the_baseline_row_is_not_a_model(conn):
    assert conn.execute(select(MODELS.c.id).where(MODELS.c.repo_id_lower == "baseline")).first() is None


def test_licenses(conn):
    orca = _model(conn, "microsoft/Orca-2-7b")
    assert orca["license"] == "microsoft-research-license" and orca["license_category"] == "non-commercial"
    inherited = _model(conn, "Replete-AI/Replete-Coder-Qwen2-1.5b")
    assert inherited["license"] is None and inherited["license_category"] == "unknown"  # never the repo's own
    assert (inherited["license_inherited"], inherited["license_inherited_from"]) == ("apache-2.0", "Qwen/Qwen2-1.5B")


def test_claims_against_measurements(conn):
    for repo, verdict in (
        ("meta-llama/Llama-2-7b-hf", "overstated 5.0x"),  # "34 billion" against 6.738
        ("microsoft/phi-2", "overstated 4.7x"),  # "13 billion" against 2.78
        ("microsoft/Orca-2-7b", "understated"),  # "1.3 billion" against [7, 8)
    ):
        model = _model(conn, repo)
        claims = data.claims_vs_measured(model, queries.model_claims(conn, model["id"]))
        assert claims[claims["field"] == "params_b"]["verdict"].iloc[0].startswith(verdict)
    doubtful = {**_model(conn, "iFaz/llama32_3B_en_emo_2000_stp")}
    claim = pd.DataFrame([{"field": "params_b", "claim": "3B", "claimed_value": 3.0, "unit": "B", "source": "x"}])
    assert data.claims_vs_measured(doubtful, claim)["verdict"].iloc[0].startswith("cannot tell")


def test_ties_share_a_rank(conn):
    board = queries.board(conn, OPEN_LLM_V2)
    tied = board[board["score"].duplicated(keep=False)]
    assert not tied.empty and (tied.groupby("score")["rank"].nunique() == 1).all()
    first = tied.iloc[0]
    assert (board["score"] > first["score"]).sum() + 1 == first["rank"]
    model = _model(conn, first["model_id"])
    hist = queries.rank_history(conn, OPEN_LLM_V2, [model["id"]])
    assert hist.iloc[-1]["rank"] == first["rank"]


def test_audit_counts_every_listed_model(conn):
    report = audit(conn).set_index("leaderboard")
    v1 = report.loc[OPEN_LLM_V1]
    parts = ["exact", "estimated", "corrected", "doubtful", "size_unknown"]
    assert v1["models"] == sum(v1[p] for p in parts) and v1["floor"] > 5000
    assert report.loc[OPEN_LLM_V2, "corrected"] > 5 and report.loc[OPEN_LLM_V2, "doubtful"] > 10
    assert report.loc[OPEN_LLM_V2, "estimated"] == sum(
        report.loc[OPEN_LLM_V2, c] for c in ("board_decimal", "floor", "name")
    )
    assert facts.CONFIDENCES[-1] == "doubtful"


def test_the_review_is_settled_after_the_seed(conn):
    """Running the review again on the seeded database changes nothing (it is idempotent)."""
    from db import facts_store
    from ingest.facts_review import plan_review

    rows = facts_store.review_rows(conn)
    assert len(rows) > 10000 and plan_review(rows) == []
    confidences = {r["params_confidence"] for r in rows if r["params_b"] is not None}
    assert confidences <= set(facts.CONFIDENCES) and None not in confidences
    moe = next(r for r in rows if r["repo_id"] == "mistralai/Mixtral-8x7B-v0.1")
    assert moe["is_moe"] and moe["params_confidence"] != "name"  # never 56 from the name as fact
