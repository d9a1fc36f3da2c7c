"""Tasks across boards: the models ranked for one task on every board that measures it, each number
with its board, benchmark, provenance and rank within its board (never an average of scales)."""

from __future__ import annotations

import streamlit as st

from core.boards import TASKS
from dashboard import eval_ui, ui
from dashboard import format as fmt

url, ver = ui.cache_args()
ui.enter_page("tasks")
st.title("Best small models for a task, across boards")
wanted = st.query_params.get("task")
cols = st.columns([2, 1], vertical_alignment="bottom")
task = cols[0].selectbox(
    "Task", options=list(TASKS), index=TASKS.index(wanted) if wanted in TASKS else TASKS.index("math"), key="t_task"
)
max_params = cols[1].number_input(
    "At most (B params)", min_value=0.0, value=15.0, step=1.0, key="t_max", placeholder="any size"
)
st.query_params.update({"task": task})
rows = eval_ui.task_view(url, ver, task, max_params, None)
if rows.empty:
    ui.empty_state(f"No board measures '{task}' for models of this size yet.", "Try another task or a larger size.")
    st.stop()
st.dataframe(
    rows[["task_rank", "page_url", "board", "benchmark_name", "score", "board_rank", "badge", "params_b"]],
    hide_index=True,
    height=600,
    column_config={
        "task_rank": st.column_config.NumberColumn("#", format="%d", width=50),
        **ui.model_link_config(width="medium"),
        "board": "Board",
        "benchmark_name": "Benchmark",
        "score": st.column_config.NumberColumn("Score (board's scale)", format="%.3f"),
        "board_rank": st.column_config.NumberColumn("Rank on the board", format="%d"),
        "badge": "Provenance",
        "params_b": st.column_config.NumberColumn("Params (B)", format="%.1f"),
    },
    key="task_table",
    placeholder=fmt.MISSING,
)
st.caption(
    "One row per model, board and benchmark. Rows are ordered by their place within their own board "
    "(1st of 40 before 3rd of 40), never by comparing scores of different scales."
)
eval_ui.provenance_legend()
eval_ui.credit(set(rows["leaderboard"]))
