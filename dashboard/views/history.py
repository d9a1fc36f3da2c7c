"""History: the #1 over time, reigns per size class, the longest reigns, rank over time."""

from __future__ import annotations

import streamlit as st

from core.boards import OPEN_LLM_V1, leaderboard_def
from dashboard import charts, page_cache, ui
from dashboard import format as fmt
from dashboard.filters import MAX_COMPARE, WIDGET_KEYS, FilterState
from db.history import MAX_GAP_DAYS

DEFAULTS = FilterState(board=OPEN_LLM_V1, ids=("tiiuae/falcon-40b", "tiiuae/falcon-40b-instruct", "llama-65b"))
WIDGETS = ["board", "rank_by", "ids", "include"]

url, ver = ui.cache_args()
query_state, notes = ui.init_state("history", DEFAULTS, WIDGETS)

st.title("Who was #1, and for how long")
ui.show_notes(notes)

board = ui.board_picker(DEFAULTS.board)
top = st.columns(2, vertical_alignment="bottom")
lb = leaderboard_def(board)
benches = [b for b in lb.benchmarks if b.higher_is_better and b.task_group not in ("uncertainty", "popularity")]
keys = [b.key for b in benches]
if st.session_state.get(WIDGET_KEYS["rank_by"]) not in keys:
    st.session_state[WIDGET_KEYS["rank_by"]] = lb.main_benchmark
top[0].selectbox(
    "Ranked by",
    options=keys,
    format_func=lambda k: next(b.display_name for b in benches if b.key == k),
    key=WIDGET_KEYS["rank_by"],
)
bench = st.session_state[WIDGET_KEYS["rank_by"]]
score_label = next(b.display_name for b in benches if b.key == bench)

with st.sidebar:
    ui.include_widget()
include = tuple(st.session_state.get(WIDGET_KEYS["include"]) or ())
# Figures, tables and the rank index: built once per data version and shared by every session.
shared = page_cache.history_page(url, ver, board, bench, include, score_label)
dates, reigns, overall = shared.dates, shared.reigns, shared.overall
if shared.empty:
    ui.empty_state(f"{lb.display_name} has no snapshots yet.", "Load the bundled data with 'python -m ingest seed'.")
    st.stop()

gaps = shared.gaps
st.caption(
    ui.md(f"{lb.display_name} · {len(dates)} snapshots from {dates[0].isoformat()} to {dates[-1].isoformat()}")
    + " · a reign runs from the first snapshot a model leads to the first snapshot another model leads."
)

# The story this page opens with: Falcon-40B's reign on the 2023 board.
if shared.falcon_story is not None:
    st.success(ui.md(shared.falcon_story), icon=":material/emoji_events:")
    st.page_link(
        "views/model.py",
        label="tiiuae/falcon-40b-instruct",
        query_params={"id": "tiiuae/falcon-40b-instruct"},
        icon=":material/arrow_forward:",
    )

current = overall.iloc[-1]
longest = overall.sort_values("days", ascending=False).iloc[0]
m = st.columns([2, 1, 1])
m[0].metric("Leader at the last snapshot", charts._short(current["model_id"], 28), help=str(current["model_id"]))
m[1].metric("Longest reign", f"{longest['days']} days", help=f"{longest['model_id']} from {longest['start']}")
m[2].metric("Reigns", len(overall))

if gaps:
    st.caption(
        ui.md(
            "No snapshot between "
            + "; ".join(f"{a} and {b}" for a, b in gaps)
            + ": a reign across that gap may have been shorter than shown ('Longest gap' in the tables)."
        )
    )
if shared.partial:
    st.caption(
        ui.md(
            "Partial snapshots (far fewer entries than the ones before): "
            + ", ".join(d.isoformat() for d in shared.partial)
            + ". They carry what they lack from the snapshot before and cannot start or end a reign by themselves."
        )
    )
st.plotly_chart(shared.leader_figure, key="leader_chart")

st.subheader("Reigns by size class")
st.plotly_chart(shared.reign_figure, key="reign_timeline")

link = ui.model_link_config(width="medium")
date_cfg = {
    "start": st.column_config.TextColumn("From"),
    "end": st.column_config.TextColumn("Until"),
    "days": st.column_config.NumberColumn("Days", format="%d"),
    "value": st.column_config.NumberColumn(score_label, format="%.2f"),
    "size_class": st.column_config.TextColumn("Size class"),
    "gap_days": st.column_config.NumberColumn(
        "Longest gap", format="%d", help=f"days without a snapshot, when over {MAX_GAP_DAYS}"
    ),
}

st.subheader("Longest reigns")
st.dataframe(
    shared.longest_table,
    hide_index=True,
    placeholder=fmt.MISSING,
    column_config={**link, **date_cfg},
    key="longest_table",
)
st.subheader("Every #1, in order")
st.dataframe(
    shared.reigns_table,
    hide_index=True,
    placeholder=fmt.MISSING,
    column_config={**link, **date_cfg},
    key="reigns_table",
)
st.caption("'Until' is the first snapshot where another model led.")

st.subheader("Rank over time")
if board != DEFAULTS.board and list(st.session_state.get(WIDGET_KEYS["ids"]) or []) == list(DEFAULTS.ids):
    # Falcon's era is the v1 story; on another board start with its last three leaders.
    st.session_state[WIDGET_KEYS["ids"]] = list(dict.fromkeys(reversed(overall["model_id"].tolist())))[:3]
chosen = list(st.session_state.get(WIDGET_KEYS["ids"]) or [])
options = list(dict.fromkeys([*chosen, *shared.holders, *shared.last_day]))
st.multiselect(
    "Models",
    options=options,
    key=WIDGET_KEYS["ids"],
    max_selections=MAX_COMPARE,
    accept_new_options=True,
    placeholder="Pick or type model ids",
    help="Up to six models. Type a model id to add one that is not in the list.",
)
state = ui.read_state(query_state)
ui.write_query(state, DEFAULTS)
rank_figure, ranked_ids = page_cache.rank_chart(url, ver, board, bench, include, state.ids, f"Rank by {score_label}")
missing = [i for i in state.ids if i.lower() not in ranked_ids]
if missing:
    st.info(ui.md(f"Never ranked on {lb.display_name}: {', '.join(missing)}"), icon=":material/info:")
st.plotly_chart(rank_figure, key="rank_chart")
