"""Size vs score: every model's parameters (log axis) against its score, with the Pareto frontier."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.boards import LMARENA
from dashboard import charts, data, ui
from dashboard import devices as fits
from dashboard import format as fmt
from dashboard.filters import WIDGET_KEYS, FilterState, rank_choices, rank_label

DEFAULTS = FilterState()
WIDGETS = ["board", "preset", "params", "licenses", "types", "rank_by", "search", "hide", "as_of", "color", "include"]

url, ver = ui.cache_args()
query_state, notes = ui.init_state("size", DEFAULTS, WIDGETS)

st.title("Size vs score")
st.caption(
    "Is a bigger model worth it? Each dot is a model; the line is the Pareto frontier: "
    "the best score reached at each size (no smaller or equal model scores higher)."
)
ui.show_notes(notes)

board = ui.board_picker(DEFAULTS.board)
top = st.columns(2, vertical_alignment="bottom")
choices = [c for c in rank_choices(board) if c not in ("votes",)]
if st.session_state.get(WIDGET_KEYS["rank_by"]) not in choices:
    st.session_state[WIDGET_KEYS["rank_by"]] = choices[0]
top[0].selectbox("Score", options=choices, format_func=lambda k: rank_label(board, k), key=WIDGET_KEYS["rank_by"])
top[1].segmented_control(
    "Colour by",
    options=["license", "type"],
    format_func=lambda k: {"license": "License", "type": "Model type"}[k],
    key=WIDGET_KEYS["color"],
    required=True,
)

dates = ui.snapshot_dates(url, ver, board)
with st.sidebar:
    st.subheader("Filters")
    ui.size_widgets()
    ui.license_and_type_widgets()
    st.text_input("Search models", key=WIDGET_KEYS["search"])
    ui.hide_widget()
    ui.include_widget()
    ui.as_of_widget(dates)

fit = fits.fits_widgets()  # reads the URL: before write_query rewrites it
state = ui.read_state(query_state)
ui.write_query(state, DEFAULTS)
rank_key = state.rank_key
full = ui.ranked(url, ver, board, state.as_of, rank_key)
view = data.apply_filters(full, state)
view = fits.filter_frame(url, ver, view, fit)
points = data.size_points(view, include_doubtful="doubtful" in state.include)
score_label = rank_label(board, rank_key)

if board == LMARENA and points.empty:
    ui.empty_state(
        "Chatbot Arena does not publish parameter counts, and none of its models has a known size under these filters.",
        "Pick an Open LLM Leaderboard to compare sizes.",
    )
elif points.empty:
    ui.empty_state(
        "No model with a known size and score matches these filters.",
        "Widen the size range or remove a filter (the sidebar has 'Reset filters' on the Leaderboard page).",
    )
else:
    st.caption(ui.md(ui.board_caption(board, state.as_of, dates)) + f" · {len(points):,} models with a known size")
    fig = charts.frontier_figure(points, state.color, score_label, f"{score_label} by size")
    st.plotly_chart(fig, key="size_chart", config={"displaylogo": False})
    front = data.frontier_table(points)
    st.subheader(f"On the frontier ({len(front)} models)")
    st.caption("Smallest first. 'Gain' is how much each one adds over the previous frontier model.")
    st.dataframe(
        front[["page_url", "params_b", "score", "gain", "license", "model_type"]].assign(
            model_type=front["model_type"].map(data.TYPE_LABELS),
            license=front["license"].astype(object).where(front["license"].notna(), ""),
            # The smallest frontier model has nothing before it: an empty cell, not "None".
            gain=front["gain"].map(lambda g: "" if pd.isna(g) else f"{g:+.2f}"),
        ),
        hide_index=True,
        placeholder=fmt.MISSING,
        column_config={
            **ui.model_link_config(),
            "params_b": st.column_config.NumberColumn("Params (B)", format=fmt.PARAMS_FORMAT),
            "score": st.column_config.NumberColumn(score_label, format="%.2f"),
            "gain": st.column_config.TextColumn("Gain"),
            "license": st.column_config.TextColumn("License"),
            "model_type": st.column_config.TextColumn("Type"),
        },
        key="frontier_table",
    )
