"""Leaderboard: pick a board, filter, rank by a benchmark or task group, download the view."""

from __future__ import annotations

import streamlit as st

from core.boards import LMARENA
from dashboard import arena, scope, ui
from dashboard import devices as fits
from dashboard.filters import WIDGET_KEYS, FilterState, rank_choices, rank_label
from db.arena import OVERALL

# Small models first (the page's promise), flagged scores hidden; both one click away in the caption.
DEFAULTS = FilterState(preset="small", hide=("flagged",))
WIDGETS = [
    "board",
    "preset",
    "params",
    "licenses",
    "types",
    "orgs",
    "archs",
    "tasks",
    "rank_by",
    "search",
    "hide",
    "as_of",
    "include",
]


url, ver = ui.cache_args()
query_state, notes = ui.init_state("leaderboard", DEFAULTS, WIDGETS)

st.title("Small open models, ranked")
ui.show_notes(notes)

board = ui.board_picker(DEFAULTS.board)
category = arena.category_picker(url, ver) if board == LMARENA else OVERALL
top = st.columns([1, 1], vertical_alignment="bottom")
choices = rank_choices(board)
if st.session_state.get(WIDGET_KEYS["rank_by"]) not in choices:
    st.session_state[WIDGET_KEYS["rank_by"]] = choices[0]
top[0].selectbox(
    "Rank by",
    options=choices,
    format_func=lambda k: rank_label(board, k),
    key=WIDGET_KEYS["rank_by"],
    help="A benchmark, or a task group: the mean of that group's benchmarks.",
)
top[1].text_input("Search models", key=WIDGET_KEYS["search"], placeholder="e.g. phi, qwen2.5, mistral")

dates = ui.snapshot_dates(url, ver, board)
with st.sidebar:
    st.subheader("Filters")
    ui.size_widgets()
    ui.license_and_type_widgets()
    ui.hide_widget()
    ui.include_widget()
    ui.as_of_widget(dates)

state = ui.read_state(query_state)
rank_key = state.rank_key
options = ui.filter_options(url, ver, board, state.as_of, rank_key)
with st.sidebar:
    # Options come from the board; keep values from a URL even if this board lacks them.
    for name, column, label, holder in (
        ("orgs", "org", "Organisation", "Any organisation"),
        ("archs", "architecture", "Architecture", "Any architecture"),
        ("tasks", "pipeline_tag", "Task (Hub pipeline tag)", "Any task"),
    ):
        chosen = list(st.session_state.get(WIDGET_KEYS[name]) or [])
        st.multiselect(
            label, options=sorted({*options[column], *chosen}, key=str.lower), key=WIDGET_KEYS[name], placeholder=holder
        )
    fit = fits.fits_widgets()  # reads the URL: before write_query rewrites it
    if st.button("Reset filters", key="f_reset", icon=":material/restart_alt:"):
        for name in WIDGETS:
            st.session_state.pop(WIDGET_KEYS[name], None)
        st.query_params.clear()
        st.rerun()

state = ui.read_state(query_state)
ui.write_query(state, DEFAULTS, arena.query_extra(category))
if category != OVERALL:
    arena.render_category_board(url, ver, category, state.as_of, state.model_filter())
    st.stop()
# Filtered rows and display table come from a cache keyed by the filter state and data version.
shown = ui.board_view(url, ver, board, rank_key, state)
shown = fits.filter_view(url, ver, board, rank_key, shown, fit)
scope.scope_note(state, DEFAULTS)

ui.board_results(board, rank_key, state, dates, shown)
if board == LMARENA:
    arena.render_attribution()
