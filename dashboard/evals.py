"""Data for the eval-results pages (the Hub's eval results, Epoch AI's board, tasks across boards,
a model's eval results): plain functions over a Connection or DataFrames, no Streamlit here."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from core.boards import LEADERBOARDS, PROVENANCE_BOARDS, leaderboard_def
from dashboard.data import hub_url, page_url, safe_url
from db import provenance, queries, tasks, writes
from db.queries import ModelFilter
from db.registry import stored_board_def

EVAL_BOARDS = PROVENANCE_BOARDS  # the boards whose scores keep their own provenance

# Badges: the words of the vocabulary with a mark a reader can scan (labels only, never data keys).
PROVENANCE_BADGES = {
    provenance.MEASURED: "● measured",
    provenance.VERIFIED: "✔ verified",
    provenance.COMMUNITY: "◐ community",
    provenance.SELF_REPORTED: "○ self-reported",
    provenance.EXTERNAL: "◇ external",
}
PROVENANCE_HELP = {
    provenance.MEASURED: "the board ran the evaluation itself",
    provenance.VERIFIED: "run and signed on the Hub (a valid verifyToken)",
    provenance.COMMUNITY: "submitted in an open pull request on the model repo",
    provenance.SELF_REPORTED: "the model's own card or its authors' source",
    provenance.EXTERNAL: "a third-party result curated by the board",
}
EPOCH_CREDIT = (
    "Data: Epoch AI, 'AI Benchmarking Hub'. Published online at epoch.ai. Retrieved from "
    "'https://epoch.ai/benchmarks' [online resource]. Licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/)."
)
HUB_CREDIT = (
    "Data: evaluation results published in model repositories on the Hugging Face Hub "
    "(.eval_results), each under its repository's terms; see each row's source."
)

BOARD_COLUMNS = [
    "rank",
    "page_url",
    "hub_url",
    "score",
    "stderr",
    "score_text",
    "badge",
    "provenance",
    "params_b",
    "run_date",
    "source",
    "source_link",
    "log_link",
    "task_id",
    "notes",
]


def badge(kind: object) -> str:
    return PROVENANCE_BADGES.get(kind, "") if isinstance(kind, str) else ""


def score_text(value: object, stderr: object = None) -> str:
    """``0.836 ± 0.022`` (the benchmark's own scale; the stderr as +/- where there is one)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):.3f}" if abs(float(value)) < 10 else f"{float(value):.1f}"
    if stderr is not None and not (isinstance(stderr, float) and math.isnan(stderr)):
        text += f" ± {float(stderr):.3f}"
    return text


def benchmarks(conn: Connection, board: str) -> pd.DataFrame:
    """The board's benchmarks (registered from data): key, display_name, task_group, description, scale."""
    lb = stored_board_def(conn, board)
    return pd.DataFrame(
        [(b.key, b.display_name, b.task_group, b.description, b.scale) for b in lb.benchmarks],
        columns=["key", "display_name", "task_group", "description", "scale"],
    )


def eval_board(
    conn: Connection,
    board: str,
    bench: str,
    *,
    as_of: dt.date | None = None,
    verified_only: bool = False,
    flt: ModelFilter = ModelFilter(),
) -> pd.DataFrame:
    """One benchmark of ``hub-evals`` or ``epoch``, ranked (best variant per model), with each row's
    provenance, stderr, source and log links. ``verified_only`` keeps verified and measured scores."""
    ranked = queries.board(conn, board, as_of, rank_by=bench)
    ranked = provenance.with_provenance(conn, ranked, board, bench)
    if verified_only and not ranked.empty:
        ranked = ranked[ranked["provenance"].isin((provenance.VERIFIED, provenance.MEASURED))]
    ranked = queries.filter_models(ranked, flt).copy()
    if ranked.empty:
        return pd.DataFrame(columns=BOARD_COLUMNS)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    ranked["page_url"] = ranked["model_id"].map(page_url)
    ranked["hub_url"] = ranked["model_id"].map(hub_url)
    ranked["score_text"] = [score_text(v, e) for v, e in zip(ranked["score"], ranked["stderr"], strict=True)]
    ranked["badge"] = ranked["provenance"].map(badge)
    ranked["source"] = ranked["source_name"].fillna("")
    ranked["source_link"] = ranked["source_url"].map(safe_url)
    ranked["log_link"] = ranked["log_url"].map(safe_url)
    ranked["params_b"] = pd.to_numeric(ranked["params_b"], errors="coerce")
    ranked["run_date"] = pd.to_datetime(ranked["run_date"], errors="coerce")
    return ranked.reindex(columns=BOARD_COLUMNS).reset_index(drop=True)


def task_view(
    conn: Connection, task: str, *, as_of: dt.date | None = None, flt: ModelFilter = ModelFilter()
) -> pd.DataFrame:
    """Every board's score for ``task`` (see :func:`db.tasks.task_board`), with links and badges."""
    rows = tasks.task_board(conn, task, as_of=as_of, flt=flt)
    if rows.empty:
        return rows.assign(page_url=[], badge=[], board=[])
    names = {lb.key: lb.display_name for lb in LEADERBOARDS}
    rows = rows.copy()
    rows["page_url"] = rows["model_id"].map(page_url)
    rows["badge"] = rows["provenance"].map(badge)
    rows["board"] = rows["leaderboard"].map(names)
    display = {}
    for board in rows["leaderboard"].unique():
        for b in stored_board_def(conn, board).benchmarks:
            display[(board, b.key)] = b.display_name
    rows["benchmark_name"] = [
        display.get((lb, b), b) for lb, b in zip(rows["leaderboard"], rows["benchmark"], strict=True)
    ]
    return rows


def model_evals(conn: Connection, model_id: str) -> dict[str, pd.DataFrame]:
    """A model's eval results (current, every board, with provenance and links) and its
    claimed-vs-measured comparison (newest values, also those that left their board)."""
    current = tasks.model_evals(conn, model_id)
    latest = tasks.model_evals(conn, model_id, latest=True)
    compare = tasks.claimed_vs_measured(latest)
    if not current.empty:
        current = current.copy()
        display = {
            (board, b.key): b.display_name
            for board in current["leaderboard"].unique()
            for b in stored_board_def(conn, board).benchmarks
        }
        current["benchmark_name"] = [
            display.get((lb, b), b) for lb, b in zip(current["leaderboard"], current["benchmark"], strict=True)
        ]
        current["badge"] = current["provenance"].map(badge)
        current["link"] = [
            safe_url(u) or safe_url(lg) for u, lg in zip(current["source_url"], current["log_url"], strict=True)
        ]
        current["score_text"] = [score_text(v, e) for v, e in zip(current["value"], current["stderr"], strict=True)]
    if not compare.empty:
        compare = compare.copy()
        compare["badge"] = compare["provenance"].map(badge)
        compare["link"] = compare["link"].map(safe_url)
        compare["score_text"] = [score_text(v, e) for v, e in zip(compare["value"], compare["stderr"], strict=True)]
        compare["until"] = [_day_text(u, "current") for u in compare["until"]]
        compare["as_of"] = [_day_text(d, "") for d in compare["as_of"]]
    return {"evals": current, "compare": compare}


def source_rows(conn: Connection) -> pd.DataFrame:
    """The status page's rows for the eval sources: last run, its status, the revision (ETag)
    and the day the stored data last changed."""
    rows = []
    for source, runs in queries.last_runs(conn, EVAL_BOARDS).items():
        last = runs["last"] or {}
        detail = last.get("detail") if isinstance(last.get("detail"), dict) else {}
        etag = writes.get_state(conn, source, "etag")
        rows.append(
            {
                "source": leaderboard_def(source).display_name,
                "last_run": last.get("finished_at"),
                "status": last.get("status", "never run"),
                "revision": etag or detail.get("etag") or detail.get("snapshot_date") or "",
                "last_change": runs["last_success"],
            }
        )
    return pd.DataFrame(rows, columns=["source", "last_run", "status", "revision", "last_change"])


def _day_text(value: object, missing: str) -> str:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()[:10]
    return missing
