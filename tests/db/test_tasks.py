"""Tasks across boards: the registry's rule, the task board and a model's eval results (seed)."""

from __future__ import annotations

import pytest

from core.boards import TASKS, task_of
from core.errors import NotFoundError
from db import queries, tasks
from db.engine import make_engine
from db.registry import stored_board_def


@pytest.fixture(scope="module")
def conn(seeded_db_file):
    engine = make_engine(f"sqlite:///{seeded_db_file}", create_dirs=False, must_exist=True)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.mark.parametrize(
    ("name", "task"),
    [
        # Epoch AI's file stems (the four real ones, then names the live zip carries)
        ("gpqa_diamond", "knowledge"),
        ("math_level_5", "math"),
        ("mmlu_external", "knowledge"),
        ("epoch_capabilities_index", "overall"),
        ("swe_bench_verified", "coding"),
        ("frontiermath_tier_4", "math"),
        ("fictionlivebench", "long context"),
        ("lech_mazur_writing", "creative writing"),
        # the Hub's benchmark datasets, Arena categories
        ("Idavidrein/gpqa", "knowledge"),
        ("MathArena/aime_2026", "math"),
        ("openai/gsm8k", "math"),
        ("chinese", "multilingual"),
        ("hard_prompts", "reasoning"),
        ("deepresearchbench", "overall"),  # "arc" inside "research" is not ARC
    ],
)
def test_task_of_names(name, task):
    assert task_of(name) == task and task in TASKS


def test_every_registered_benchmark_has_a_task_of_the_vocabulary(conn):
    from core.boards import AUXILIARY_GROUPS, LEADERBOARDS

    for lb in LEADERBOARDS:
        for bench in stored_board_def(conn, lb.key).benchmarks:
            assert bench.task_group in (*TASKS, *AUXILIARY_GROUPS), (lb.key, bench.key)


def test_the_task_board_keeps_each_boards_rank(conn):
    rows = tasks.task_board(conn, "knowledge", flt=queries.ModelFilter(max_params=8))
    pairs = set(zip(rows["leaderboard"], rows["benchmark"], strict=True))
    assert ("epoch", "mmlu_external") in pairs and ("open-llm-leaderboard-v2", "gpqa") in pairs
    for board, bench in pairs:
        group = rows[(rows["leaderboard"] == board) & (rows["benchmark"] == bench)].sort_values("board_rank")
        ranked = queries.board(conn, board, rank_by=bench, flt=queries.ModelFilter(max_params=8))
        assert group["model_id"].tolist() == ranked["model_id"].tolist()
        assert group["score"].tolist() == ranked["score"].tolist()
    first = rows.iloc[0]
    assert first["task_rank"] == 1 and first["board_rank"] == 1


def test_an_unknown_task_is_refused():
    with pytest.raises(NotFoundError, match="unknown task"):
        tasks.check_task("cooking")


def test_a_models_evals_carry_provenance_and_source(conn):
    evals = tasks.model_evals(conn, "llama-7b")
    assert list(evals.columns[:6]) == tasks.EVALS_COLUMNS
    epoch = evals[evals["leaderboard"] == "epoch"]
    assert set(epoch["provenance"]) == {"measured", "external"}
    external = epoch[epoch["provenance"] == "external"]
    assert external["source"].str.len().min() > 0 and external["source_url"].str.startswith("http").all()
