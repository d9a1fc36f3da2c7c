"""Eval results: the Hub's eval results (provenance badges, "verified only") and Epoch AI's
independent measurements (scores with +/- stderr, the board as of a day)."""

from __future__ import annotations

import streamlit as st

from core.boards import EPOCH, HUB_EVALS, PROVENANCE_BOARDS, leaderboard_def
from dashboard import eval_ui, ui
from dashboard import format as fmt

url, ver = ui.cache_args()
ui.enter_page("evals")
st.title("Eval results and independent measurements")

boards = PROVENANCE_BOARDS  # the boards whose scores keep their own provenance
board = st.query_params.get("board") if st.query_params.get("board") in boards else HUB_EVALS
board = (
    st.segmented_control(
        "Board",
        options=list(boards),
        default=board,
        format_func=lambda k: leaderboard_def(k).display_name,
        key="ev_board",
        required=True,
    )
    or board
)
st.caption(leaderboard_def(board).description)
benches = eval_ui.benchmarks(url, ver, board)
if benches.empty or len(ui.snapshot_dates(url, ver, board)) == 0:
    ui.empty_state(
        f"No {leaderboard_def(board).display_name} data yet.",
        "Run 'python -m ingest run hub-evals' or 'python -m ingest import epoch benchmark_data.zip'.",
    )
    st.stop()
keys = benches["key"].tolist()
wanted = st.query_params.get("bench")
names = dict(zip(benches["key"], benches["display_name"], strict=True))
cols = st.columns([2, 1, 1], vertical_alignment="bottom")
bench = cols[0].selectbox(
    "Benchmark",
    options=keys,
    index=keys.index(wanted) if wanted in keys else 0,
    format_func=lambda k: f"{names.get(k, k)} ({k})" if names.get(k, k) != k else k,
    key="ev_bench",
)
max_params = cols[1].number_input(
    "At most (B params)", min_value=0.0, value=None, step=1.0, key="ev_max", placeholder="any size"
)
verified_only = False
as_of = None
if board == HUB_EVALS:
    verified_only = cols[2].toggle("Verified only", key="ev_verified", help="only results run and signed on the Hub")
else:
    dates = ui.snapshot_dates(url, ver, board)
    as_of = cols[2].date_input(
        "As of", value=None, min_value=dates[0], max_value=dates[-1], key="ev_asof", help="empty: the latest"
    )
st.query_params.update({"board": board, "bench": bench})

rows = eval_ui.eval_board(url, ver, board, bench, as_of, verified_only, max_params)
row = benches[benches["key"] == bench].iloc[0]
st.caption(f"{row['description']} · task: {row['task_group']}")
if rows.empty:
    ui.empty_state("No score matches these filters.", "Clear 'Verified only' or the size limit.")
else:
    st.dataframe(
        rows[
            [
                "rank",
                "page_url",
                "hub_url",
                "score_text",
                "badge",
                "params_b",
                "run_date",
                "source",
                "source_link",
                "log_link",
                "notes",
            ]
        ],
        hide_index=True,
        height=560 if len(rows) > 15 else "auto",
        column_config={
            "rank": st.column_config.NumberColumn("Rank", format="%d", width=56),
            **ui.model_link_config(width="medium"),
            "hub_url": st.column_config.LinkColumn("Hub", display_text="Hub ↗", width=60),
            "score_text": st.column_config.TextColumn(
                "Score (± stderr)", help="on the benchmark's own scale (Epoch's runs: a fraction of 1)"
            ),
            "badge": st.column_config.TextColumn("Provenance"),
            "params_b": st.column_config.NumberColumn("Params (B)", format="%.1f"),
            "run_date": st.column_config.DateColumn("Run date", format="YYYY-MM-DD"),
            "source": st.column_config.TextColumn("Source", width="medium"),
            "source_link": st.column_config.LinkColumn("Source link", display_text="source ↗"),
            "log_link": st.column_config.LinkColumn("Log", display_text="log ↗"),
            "task_id": st.column_config.TextColumn("Task id"),
            "notes": st.column_config.TextColumn("Notes"),
        },
        key="eval_board_table",
        placeholder=fmt.MISSING,
    )
    st.caption(
        f"{len(rows)} models, each with its best result on this benchmark. "
        + (
            "Epoch's runs count from the day they started: pick a past day to see the board then. "
            if board == EPOCH
            else ""
        )
        + "Scores of different benchmarks are on different scales and are never averaged."
    )
eval_ui.provenance_legend()
eval_ui.credit({board})
