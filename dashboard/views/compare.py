"""Compare two to six models side by side: a table and a radar of their benchmarks."""

from __future__ import annotations

import streamlit as st

from core.boards import leaderboard_def
from dashboard import charts, data, ui
from dashboard import format as fmt
from dashboard.filters import MAX_COMPARE, WIDGET_KEYS, FilterState

DEFAULTS = FilterState()
WIDGETS = ["board", "ids", "as_of"]

url, ver = ui.cache_args()
query_state, notes = ui.init_state("compare", DEFAULTS, WIDGETS)

st.title("Compare models")
ui.show_notes(notes)

board = ui.board_picker(DEFAULTS.board)
lb = leaderboard_def(board)
dates = ui.snapshot_dates(url, ver, board)
full = ui.ranked(url, ver, board, st.session_state.get(WIDGET_KEYS["as_of"]), lb.main_benchmark)
chosen = list(st.session_state.get(WIDGET_KEYS["ids"]) or [])
options = list(dict.fromkeys([*chosen, *full["model_id"].head(200)]))
cols = st.columns([4, 1], vertical_alignment="bottom")
cols[0].multiselect(
    "Models (two to six)",
    options=options,
    key=WIDGET_KEYS["ids"],
    max_selections=MAX_COMPARE,
    accept_new_options=True,
    placeholder="Pick from the top 200 or type a model id",
)
ui.as_of_widget(dates, cols[1])
state = ui.read_state(query_state)
ui.write_query(state, DEFAULTS)

rows = data.compare_frame(full, list(state.ids))
found = {m.lower() for m in rows["model_id"]} if not rows.empty else set()
missing = [i for i in state.ids if i.lower() not in found]
if missing:
    st.info(
        ui.md(f"Not on {lb.display_name} on that day: {', '.join(missing)}. Try another board or date."),
        icon=":material/info:",
    )
if len(rows) < 2:
    ui.empty_state(
        "Pick at least two models to compare.",
        "Choose them above, or open a link like compare?ids=microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct.",
    )
    st.stop()

table = data.compare_table(rows, board)
st.dataframe(table, key="compare_table", placeholder=fmt.MISSING)
radar = [(b.key, b.display_name) for b in lb.benchmarks if b.scale == "percent" and b.key != lb.main_benchmark]
if radar:
    st.plotly_chart(charts.compare_figure(rows, radar, "Benchmarks side by side"), key="compare_chart")
else:
    st.caption("This board has a single score; the table above shows it.")
st.caption("Model pages")
links = st.columns(min(len(rows), 3))
for i, model_id in enumerate(rows["model_id"]):
    links[i % len(links)].page_link(
        "views/model.py", label=ui.md(model_id), query_params={"id": model_id}, icon=":material/arrow_forward:"
    )
