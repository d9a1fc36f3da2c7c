"""Tasks across boards: rank models for one task on every board that measures it, and every eval
result of one model with its provenance.

A task (``core.boards.TASKS``) gathers the benchmarks of every board whose ``task_group`` is that
task (Arena categories are benchmarks of the Arena board too). Scores of different benchmarks
are on different scales (a fraction, a percentage, an Elo rating), so they are never averaged or
compared: each row keeps its board, benchmark, score, provenance and its rank within that board;
``task_rank`` orders the rows by that within-board position as a share of the board's entries
(1st of 40 before 3rd of 40 before 30th of 40), then by the board's rank and the model id.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from core.boards import AUXILIARY_GROUPS, BOARD_PROVENANCE, LEADERBOARDS, MODEL_CARD, TASKS
from core.errors import NotFoundError
from db import provenance, queries
from db.registry import stored_board_def

TASK_COLUMNS = [
    "task_rank",
    "model_id",
    "leaderboard",
    "benchmark",
    "score",
    "board_rank",
    "provenance",
    "params_b",
]
EVALS_COLUMNS = ["benchmark", "task", "value", "date", "provenance", "source"]


def check_task(task: str) -> None:
    if task not in TASKS:
        raise NotFoundError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")


def task_benchmarks(conn: Connection, task: str) -> list[tuple[str, str]]:
    """(board, benchmark) pairs whose benchmark measures ``task``, in board order."""
    check_task(task)
    pairs = []
    for lb in LEADERBOARDS:
        board = stored_board_def(conn, lb.key)
        pairs.extend((lb.key, b.key) for b in board.benchmarks if b.task_group == task and b.higher_is_better)
    return pairs


def task_board(
    conn: Connection,
    task: str,
    *,
    as_of: dt.date | None = None,
    flt: queries.ModelFilter = queries.ModelFilter(),
    limit: int | None = None,
    boards: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Every model's score for ``task`` on every board that measures it (see the module docstring)."""
    frames = []
    for board, bench in task_benchmarks(conn, task):
        if boards and board not in boards:
            continue
        ranked = queries.board(conn, board, as_of, rank_by=bench, flt=flt)
        if ranked.empty:
            continue
        ranked = ranked[ranked["score"].notna()].copy()
        ranked["board_rank"] = np.arange(1, len(ranked) + 1)
        ranked["share"] = ranked["board_rank"] / len(ranked)
        ranked["leaderboard"] = board
        ranked["benchmark"] = bench
        if board in BOARD_PROVENANCE:
            ranked["provenance"] = BOARD_PROVENANCE[board]
        else:
            ranked = provenance.with_provenance(conn, ranked, board, bench)
        frames.append(
            ranked[["model_id", "leaderboard", "benchmark", "score", "board_rank", "share", "provenance", "params_b"]]
        )
    if not frames:
        return pd.DataFrame(columns=TASK_COLUMNS)
    rows = pd.concat(frames, ignore_index=True)
    rows["_key"] = rows["model_id"].str.lower()
    rows = rows.sort_values(["share", "board_rank", "_key", "leaderboard", "benchmark"], kind="mergesort")
    rows.insert(0, "task_rank", np.arange(1, len(rows) + 1))
    rows = rows.drop(columns=["_key", "share"]).reset_index(drop=True)
    if limit is not None:
        rows = rows.head(limit)
    return rows.reindex(columns=TASK_COLUMNS)


def model_evals(conn: Connection, model_id: str, *, latest: bool = False) -> pd.DataFrame:
    """Every current score of a model on every board, with its task, date, provenance and source.

    ``date`` is when the result was obtained where the source says (an Epoch run's start, a Hub
    result's date), else the first snapshot that listed the value. Extra columns (``leaderboard``,
    ``variant``, ``source_url``, ``stderr``, ``notes``) follow the contract's six.
    """
    model = queries.find_model(conn, model_id)
    keys = [lb.key for lb in LEADERBOARDS]
    frame = provenance.model_evals(conn, model["id"], keys, latest=latest)
    columns = [
        *EVALS_COLUMNS,
        "leaderboard",
        "variant",
        "source_url",
        "stderr",
        "notes",
        "task_id",
        "log_url",
        "valid_to",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    tasks: dict[tuple[str, str], str] = {}
    names: dict[str, str] = {}
    for lb in LEADERBOARDS:
        board = stored_board_def(conn, lb.key)
        names[lb.key] = lb.display_name
        for b in board.benchmarks:
            tasks[(lb.key, b.key)] = b.task_group
    frame = frame.copy()
    frame["task"] = [tasks.get((b, k), "") for b, k in zip(frame["leaderboard"], frame["benchmark"], strict=True)]
    frame = frame[~frame["task"].isin(AUXILIARY_GROUPS)]
    frame["provenance"] = [
        p if isinstance(p, str) and p else BOARD_PROVENANCE.get(b, "")
        for p, b in zip(frame["provenance"], frame["leaderboard"], strict=True)
    ]
    frame["date"] = [
        r if isinstance(r, dt.date) else v for r, v in zip(frame["run_date"], frame["valid_from"], strict=True)
    ]
    frame["source"] = [
        s if isinstance(s, str) and s else names.get(b, b)
        for s, b in zip(frame["source_name"], frame["leaderboard"], strict=True)
    ]
    order = {lb.key: i for i, lb in enumerate(LEADERBOARDS)}
    frame["_o"] = frame["leaderboard"].map(order)
    frame = frame.sort_values(["_o", "benchmark", "variant"], kind="mergesort").drop(columns="_o")
    return frame.reindex(columns=columns).reset_index(drop=True)


# The same benchmark on several boards (same test set, same metric; only the reporting differs).
# The v2 board's GPQA and MATH are normalised (random guessing = 0): not the same numbers, left out.
SAME_BENCHMARK: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "MMLU": (
        ("open-llm-leaderboard-v1", "mmlu", ()),
        (MODEL_CARD, "mmlu", ()),
        ("epoch", "mmlu_external", ()),
    ),
    "GSM8K": (
        ("open-llm-leaderboard-v1", "gsm8k", ()),
        (MODEL_CARD, "gsm8k", ()),
        ("hub-evals", "openai/gsm8k", ()),
    ),
    "GPQA Diamond": (
        ("epoch", "gpqa_diamond", ()),
        ("hub-evals", "Idavidrein/gpqa", ("diamond", "gpqa_diamond")),
    ),
}
CLAIMED = (provenance.SELF_REPORTED, provenance.COMMUNITY, provenance.EXTERNAL)
COMPARE_COLUMNS = [
    "benchmark",
    "side",
    "value",
    "percent",
    "stderr",
    "provenance",
    "leaderboard",
    "source",
    "link",
    "as_of",
    "until",
]


def claimed_vs_measured(evals: pd.DataFrame) -> pd.DataFrame:
    """A model's claimed results (self-reported, community, external) beside what was measured
    (by a board, or verified on the Hub) for the same benchmark (:data:`SAME_BENCHMARK`), one row
    per result; only benchmarks with both sides. ``percent`` puts a fraction (at most 1) and a
    percentage on one scale for reading; ``value`` is the source's own number."""
    if evals.empty:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    rows = []
    for family, members in SAME_BENCHMARK.items():
        found = []
        for board, bench, task_ids in members:
            hits = evals[(evals["leaderboard"] == board) & (evals["benchmark"] == bench)]
            if task_ids:
                hits = hits[hits["task_id"].isin(task_ids)]
            found.extend(hits.to_dict("records"))
        sides = {("claimed" if r["provenance"] in CLAIMED else "measured") for r in found}
        if sides != {"claimed", "measured"}:
            continue
        for r in found:
            side = "claimed" if r["provenance"] in CLAIMED else "measured"
            rows.append(
                {
                    "benchmark": family,
                    "side": side,
                    "value": r["value"],
                    "percent": round(as_percent(r["value"]), 2),
                    "stderr": r.get("stderr"),
                    "provenance": r["provenance"],
                    "leaderboard": r["leaderboard"],
                    "source": r["source"],
                    "link": r.get("source_url") if side == "claimed" else (r.get("log_url") or r.get("source_url")),
                    "as_of": r.get("date"),
                    "until": r.get("valid_to"),
                }
            )
    frame = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    return frame.sort_values(["benchmark", "side"], kind="mergesort").reset_index(drop=True)


def as_percent(value: float) -> float:
    """A score as a percentage for reading: a fraction (at most 1) times 100, a percentage as it is."""
    value = float(value)
    return value * 100.0 if abs(value) <= 1.0 else value
