"""Licenses: the mix by size class and over time, and how permissive the top of each class is."""

from __future__ import annotations

import streamlit as st

from core.boards import leaderboard_def
from dashboard import charts, data, ui
from dashboard import format as fmt
from dashboard.filters import TOP_N_CHOICES, WIDGET_KEYS, FilterState, rank_label

DEFAULTS = FilterState()
WIDGETS = ["board", "types", "hide", "as_of", "top_n"]

url, ver = ui.cache_args()
query_state, notes = ui.init_state("licenses", DEFAULTS, WIDGETS)

st.title("Licenses")
st.caption(
    "Which licenses do small models come with? Permissive (Apache-2.0, MIT, ...) means free to use "
    "commercially; custom licenses (Llama, Gemma, ...) add conditions; non-commercial forbids it."
)
ui.show_notes(notes)

board = ui.board_picker(DEFAULTS.board)
top = st.columns(2, vertical_alignment="bottom")
top[0].segmented_control("Top N", options=list(TOP_N_CHOICES), key=WIDGET_KEYS["top_n"], required=True)

dates = ui.snapshot_dates(url, ver, board)
with st.sidebar:
    st.subheader("Filters")
    ui.type_widget()
    ui.hide_widget()
    ui.as_of_widget(dates)

state = ui.read_state(query_state)
ui.write_query(state, DEFAULTS)
main = leaderboard_def(board).main_benchmark
full = ui.ranked(url, ver, board, state.as_of, main)
view = data.apply_filters(full, state)

if view.empty:
    ui.empty_state("No models match these filters.", "Remove a filter or pick another board.")
else:
    st.caption(ui.md(ui.board_caption(board, state.as_of, dates)) + f" · {len(view):,} models")
    share = data.permissive_share_top_n(view, state.top_n)
    cols = st.columns(len(share))
    for col, row in zip(cols, share.itertuples(index=False), strict=True):
        label = charts.SIZE_NAMES[row.size_class]
        value = "no models" if not row.models else f"{row.share:.0%}"
        col.metric(f"{label}: top {state.top_n}", value, help=f"{row.permissive} of {row.models} are permissive")
    st.plotly_chart(charts.permissive_share_figure(share, state.top_n), key="permissive_chart")
    st.caption(f"Top N by {rank_label(board, main)} on this board, within each size class.")

    left, right = st.columns(2)
    mix = data.license_mix_by_size(view)
    left.plotly_chart(charts.license_by_size_figure(mix), key="mix_size_chart")
    over = data.license_mix_over_time(view)
    right.plotly_chart(charts.license_over_time_figure(over), key="mix_time_chart")
    missing = int(view["created_date"].isna().sum())
    if missing:
        right.caption(f"{missing:,} models without a known Hub creation date are not in the time chart.")
    with st.expander("The numbers"):
        table = mix.assign(
            size_class=mix["size_class"].map(charts.SIZE_NAMES),
            license_category=mix["license_category"].map(data.LICENSE_LABELS),
        )
        st.dataframe(
            table,
            hide_index=True,
            placeholder=fmt.MISSING,
            column_config={
                "size_class": "Size class",
                "license_category": "License category",
                "models": st.column_config.NumberColumn("Models"),
                "share": st.column_config.NumberColumn("Share", format="percent"),
            },
            key="mix_table",
        )
