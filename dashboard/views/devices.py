"""Best model for your device: for a device preset (or a typed budget), the best model per task that fits."""

from __future__ import annotations

import streamlit as st

from dashboard import data, ui
from dashboard import devices as fits
from dashboard import format as fmt
from dashboard.filters import FilterState
from db import memory

url, ver = ui.cache_args()
ui.enter_page("devices")
params = ui.query_dict()

st.title("Best model for your device")
st.caption(
    "For each task, the best-scoring model whose estimated memory fits the device: weights at 16, 8 or "
    f"4 bits (the highest precision that fits), a {memory.CACHE_BITS}-bit KV cache at the chosen context, and "
    f"{memory.OVERHEAD_GB:g} GB of runtime overhead. Scores come from the Open LLM Leaderboard v2, Chatbot Arena "
    "(chat) and v1 (commonsense, truthfulness)."
)

# Widgets start from the URL (dev, gb, ctx, doubtful, nokv) on the first run of the page.
if "dev_device" not in st.session_state:
    dev = str(params.get("dev") or "laptop-8")
    st.session_state["dev_device"] = dev if dev in (*memory.DEVICE_KEYS, fits.CUSTOM) else "laptop-8"
    try:
        st.session_state["dev_gb"] = min(1024.0, max(0.5, float(params.get("gb") or 6)))
    except ValueError:
        st.session_state["dev_gb"] = 6.0
    ctx = str(params.get("ctx") or memory.DEFAULT_CONTEXT)
    st.session_state["dev_ctx"] = int(ctx) if ctx.isdigit() and int(ctx) in fits.CONTEXTS else memory.DEFAULT_CONTEXT
    st.session_state["dev_doubtful"] = params.get("doubtful") == "1"
    st.session_state["dev_nokv"] = params.get("nokv") == "1"

labels = {**{d.key: d.label for d in memory.DEVICES}, fits.CUSTOM: "Type a budget"}
st.pills("Device", options=list(labels), format_func=labels.get, key="dev_device", required=True)
custom = st.session_state["dev_device"] == fits.CUSTOM
cols = st.columns([1, 1, 2] if custom else [1, 3], vertical_alignment="bottom")
if custom:
    cols[0].number_input("Memory budget (GB)", min_value=0.5, max_value=1024.0, step=0.5, key="dev_gb")
cols[-2].selectbox("Context (tokens)", options=list(fits.CONTEXTS), format_func=lambda n: f"{n:,}", key="dev_ctx")
with cols[-1]:
    st.toggle("Include models whose size is doubtful", key="dev_doubtful")
    st.toggle("Include models without a config (KV cache unknown)", key="dev_nokv")

key = st.session_state["dev_device"]
device = fits.custom_device(st.session_state["dev_gb"]) if key == fits.CUSTOM else memory.device(key)
ui.write_query(
    FilterState(),
    FilterState(),
    {
        "dev": key,
        "gb": f"{st.session_state['dev_gb']:g}" if key == fits.CUSTOM else "",
        "ctx": str(st.session_state["dev_ctx"]) if st.session_state["dev_ctx"] != memory.DEFAULT_CONTEXT else "",
        "doubtful": "1" if st.session_state["dev_doubtful"] else "",
        "nokv": "1" if st.session_state["dev_nokv"] else "",
    },
)
options = {
    "context": st.session_state["dev_ctx"],
    "include_doubtful": st.session_state["dev_doubtful"],
    "include_unknown_kv": st.session_state["dev_nokv"],
}
chosen = fits.best_models(url, ver, (tuple(vars(device).values()),), **options)
rows = fits.device_rows(chosen)
missing = rows.loc[rows["page_url"].isna(), "task"].tolist() if not rows.empty else []
rows = rows[rows["page_url"].notna()] if not rows.empty else rows
st.subheader(device.label)
if rows.empty:
    ui.empty_state(
        "No model with a known memory estimate fits this device.",
        "Try a larger budget, a shorter context, or include models without a config.",
    )
else:
    st.dataframe(
        rows.assign(leaderboard=rows["leaderboard"].map(data.source_label)),
        hide_index=True,
        column_config={
            "task": st.column_config.TextColumn("Task"),
            **ui.model_link_config(width="medium"),
            "leaderboard": st.column_config.TextColumn("Board"),
            "score": st.column_config.NumberColumn("Score", format="%.1f"),
            "bits": st.column_config.TextColumn("Precision", help="The highest of 16, 8, 4 bits at which it fits"),
            "memory_gb": st.column_config.NumberColumn("Memory (GB)", format="%.2f"),
            "params_b": st.column_config.NumberColumn("Params (B)", format="%.2f"),
            "size_confidence": st.column_config.TextColumn("Size", help="How sure the parameter count is"),
            "build_repo_id": st.column_config.TextColumn("Quantised build"),
            "build_link": st.column_config.LinkColumn("Build", display_text="Hub ↗"),
        },
        key="device_table",
        placeholder=fmt.MISSING,
    )
    if missing:
        st.caption(
            ui.md(
                "No model with a known memory estimate fits for: " + ", ".join(missing) + ". Their boards' models "
                "have no config yet (the KV cache is unknown); turn on 'Include models without a config' to rank "
                "them by weights + overhead."
            )
        )
    st.caption(
        "Memory is an estimate: weights = params x bits / 8; KV cache = 2 x layers x KV heads x head "
        "dimension x context x 2 bytes (an upper bound for sliding-window models). The model page shows each "
        "figure with its inputs. A build is linked when the Hub lists one; its size is shown when known."
    )

with st.expander("Every device preset"):
    every = fits.best_models(url, ver, tuple(tuple(vars(d).values()) for d in memory.DEVICES), **options)
    table = fits.overview(every)
    if table.empty:
        st.caption("No data.")
    else:
        st.dataframe(
            table.rename(columns={d.key: d.label for d in memory.DEVICES}).reset_index(names="Task"),
            hide_index=True,
            key="device_overview",
            placeholder=fmt.MISSING,
        )
