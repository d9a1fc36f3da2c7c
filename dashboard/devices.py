"""The "fits in" filter (device preset or typed GB, bits, context) and the device page's data.

Pure parts (:class:`FitsState`, :func:`apply_fits`, :func:`device_rows`, :func:`memory_rows`)
are plain functions that tests call without Streamlit; :func:`filter_view` and
:func:`fits_widgets` are the Streamlit glue the pages call with one line. The rules themselves
are in ``db.memory`` and ``db.devices``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import format as fmt
from db import devices, memory
from db.ranking import ranks_in_order

CUSTOM = "custom"
CONTEXTS = (2048, 4096, 8192, 16384, 32768, 131072)
BITS = memory.PRECISIONS
# Widget keys (stable: tests and the URL sync use them) and their URL keys.
KEYS = {"device": "fits_device", "gb": "fits_gb", "bits": "fits_bits", "context": "fits_ctx"}
URL = {"device": "fits", "bits": "bits", "context": "ctx"}
MEMORY_LABEL = "Memory needed (GB)"


@dataclass(frozen=True)
class FitsState:
    """The "fits in" filter: off when ``device`` is None."""

    device: str | None = None  # a preset key or CUSTOM
    gb: float | None = None  # the typed budget when device is CUSTOM
    bits: float = 4
    context: int = memory.DEFAULT_CONTEXT

    @property
    def budget(self) -> float | None:
        if self.device == CUSTOM:
            return self.gb
        preset = memory.device(self.device) if self.device else None
        return preset.usable_gb if preset else None

    @property
    def active(self) -> bool:
        return self.budget is not None

    def to_query(self) -> dict[str, str]:
        if not self.active:
            return {}
        out = {URL["device"]: self.device if self.device != CUSTOM else f"{self.gb:g}"}
        if self.bits != 4:
            out[URL["bits"]] = f"{self.bits:g}"
        if self.context != memory.DEFAULT_CONTEXT:
            out[URL["context"]] = str(self.context)
        return out

    @classmethod
    def from_query(cls, params: dict) -> tuple[FitsState, list[str]]:
        notes: list[str] = []
        raw = str(params.get(URL["device"]) or "").strip()
        state = cls()
        if raw:
            try:
                budget = memory.budget_gb(raw)
            except ValueError:
                notes.append(f"'fits' must be a device ({', '.join(memory.DEVICE_KEYS)}) or a number of GB.")
            else:
                preset = memory.device(raw.lower())
                state = replace(state, device=preset.key) if preset else replace(state, device=CUSTOM, gb=budget)
        bits = str(params.get(URL["bits"]) or "").strip()
        if bits:
            try:
                value = float(bits)
            except ValueError:
                value = math.nan
            if value in BITS:
                state = replace(state, bits=value)
            else:
                notes.append("'bits' must be 16, 8 or 4; using 4.")
        ctx = str(params.get(URL["context"]) or "").strip()
        if ctx:
            if ctx.isdigit() and 1 <= int(ctx) <= 10_000_000:
                state = replace(state, context=int(ctx))
            else:
                notes.append(f"'ctx' must be a number of tokens; using {memory.DEFAULT_CONTEXT}.")
        return state, notes

    def describe(self) -> str:
        if not self.active:
            return ""
        return f"fit in {self.budget:g} GB at {self.bits:g}-bit with {self.context:,} tokens of context"


def apply_fits(
    rows: pd.DataFrame, configs: pd.DataFrame, state: FitsState, confidence: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows (a ranked board) that fit ``state``, ranks re-numbered, with the memory column used.

    ``confidence`` (model_pk, params_confidence) marks doubtful sizes when the rows lack it.
    """
    if not state.active or rows.empty:
        return rows
    with_mem = devices.add_memory(rows, configs, bits=state.bits, context=state.context)
    if "params_confidence" not in with_mem.columns:
        if confidence is not None and not confidence.empty and "model_pk" in with_mem.columns:
            marks = confidence.set_index("model_pk")["params_confidence"]
            with_mem = with_mem.assign(params_confidence=with_mem["model_pk"].map(marks))
        else:
            with_mem = with_mem.assign(params_confidence=None)
    kept = devices.fits_filter(with_mem, state.budget).copy(deep=False)
    if "rank" in kept.columns:  # numbered again, equal scores sharing a rank (1, 2, 2, 4)
        kept["rank"] = ranks_in_order(kept["score"]) if "score" in kept.columns else np.arange(1, len(kept) + 1)
    return kept.reset_index(drop=True)


def with_memory_column(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """A display table plus the memory column (rows and table are in the same order)."""
    out = table.copy(deep=False)
    # Next to the model's name, where it is seen without scrolling.
    at = out.columns.get_loc("hub_url") + 1 if "hub_url" in out.columns else min(2, len(out.columns))
    out.insert(at, MEMORY_LABEL, rows["memory_gb"].round(2).to_numpy())
    return out


def memory_rows(table: list[memory.Estimate]) -> pd.DataFrame:
    """The model page's memory table: one row per precision, with the total's formula."""
    out = []
    for est in table:
        out.append(
            {
                "Precision": f"{est.bits:g}-bit",
                # The total first: on a phone the other columns scroll.
                "Total (GB)": est.total.value_gb,
                "Weights (GB)": est.weights.value_gb,
                "KV cache (GB)": est.kv_cache.value_gb,
                "Overhead (GB)": est.overhead_gb,
                "Note": est.kv_cache.note or est.weights.note,
            }
        )
    return pd.DataFrame(out)


def inputs_rows(table: list[memory.Estimate]) -> pd.DataFrame:
    """Every input of the first estimate's figures (params, layers, ...), with where it came from."""
    if not table:
        return pd.DataFrame(columns=["Figure", "Input", "Value", "Source"])
    est = table[0]
    rows = []
    for fig in (est.weights, est.kv_cache):
        for item in fig.inputs:
            if item.name == "bits":
                continue
            value = item.value
            if item.name == "params" and isinstance(value, float):
                value = f"{value:,.0f}"
            rows.append(
                {"Figure": fig.name.replace("_", " "), "Input": item.name, "Value": str(value), "Source": item.source}
            )
    return pd.DataFrame(rows)


def device_rows(result: pd.DataFrame) -> pd.DataFrame:
    """The device page's table for one device: task, model, score, precision, memory, size, build."""
    from dashboard import data

    if result.empty:
        return result
    out = result.assign(
        page_url=result["model_id"].map(lambda m: data.page_url(m) if isinstance(m, str) else None),
        bits=result["bits"].map(lambda b: f"{b}-bit" if not pd.isna(b) else ""),
        build_repo_id=result["build_repo_id"].astype(object).where(result["build_repo_id"].notna(), ""),
        size_confidence=result["size_confidence"].astype(object).where(result["size_confidence"].notna(), ""),
    )
    return out[
        [
            "task",
            "page_url",
            "bits",
            "memory_gb",
            "score",
            "size_confidence",
            "params_b",
            "leaderboard",
            "build_repo_id",
            "build_link",
        ]
    ].reset_index(drop=True)


def overview(result: pd.DataFrame) -> pd.DataFrame:
    """Tasks down, devices across: the model that wins each cell (or an empty cell)."""
    if result.empty:
        return result
    cell = result.apply(
        lambda r: f"{r['model_id']} ({r['bits']}-bit)" if isinstance(r["model_id"], str) else "", axis=1
    )
    table = result.assign(cell=cell).pivot(index="task", columns="device", values="cell")
    order = [d.key for d in memory.DEVICES if d.key in table.columns]
    tasks = list(dict.fromkeys(result["task"]))
    return table.reindex(index=tasks, columns=order + [c for c in table.columns if c not in order])


def custom_device(gb: float) -> memory.Device:
    return memory.Device("custom", f"Your device ({gb:g} GB)", float(gb), "a budget you typed")


# --------------------------------------------------------------------------- Streamlit glue


def fits_widgets(container=None) -> FitsState:
    """The "fits in" widgets (device, GB, bits, context), seeded from the URL; returns their state."""
    container = container or st.sidebar
    from dashboard import ui

    from_url, notes = FitsState.from_query(ui.query_dict())
    wanted = from_url.to_query()
    # A URL this filter did not write itself (a shared link, back/forward) sets the widgets.
    if st.session_state.get("_fits_written") != wanted or KEYS["device"] not in st.session_state:
        st.session_state[KEYS["device"]] = from_url.device
        st.session_state[KEYS["gb"]] = from_url.gb if from_url.gb is not None else 8.0
        st.session_state[KEYS["bits"]] = int(from_url.bits)
        st.session_state[KEYS["context"]] = from_url.context
    for note in notes:
        container.info(note, icon=":material/info:")
    options = [None, *memory.DEVICE_KEYS, CUSTOM]
    labels = {None: "Any device", CUSTOM: "Type a budget (GB)", **{d.key: d.label for d in memory.DEVICES}}
    container.selectbox(
        "Fits in",
        options=options,
        format_func=lambda k: labels[k],
        key=KEYS["device"],
        help=(
            "Only models whose estimated memory (weights at the chosen bits + KV cache at the chosen "
            f"context + {memory.OVERHEAD_GB:g} GB overhead) is at most the device's memory. Models without "
            "a config (KV cache unknown) or with a doubtful size are left out."
        ),
    )
    device = st.session_state.get(KEYS["device"])
    if device == CUSTOM:
        container.number_input("Memory budget (GB)", min_value=0.5, max_value=1024.0, step=0.5, key=KEYS["gb"])
    if device is not None:
        cols = container.columns(2)
        cols[0].selectbox("Bits per weight", options=[int(b) for b in BITS], key=KEYS["bits"])
        ctx = st.session_state.get(KEYS["context"])
        cols[1].selectbox(
            "Context (tokens)",
            options=sorted({*CONTEXTS, int(ctx)}),
            format_func=lambda n: f"{n:,}",
            key=KEYS["context"],
        )
    return FitsState(
        device=device,
        gb=float(st.session_state.get(KEYS["gb"]) or 8.0) if device == CUSTOM else None,
        bits=float(st.session_state.get(KEYS["bits"]) or 4),
        context=int(st.session_state.get(KEYS["context"]) or memory.DEFAULT_CONTEXT),
    )


def write_url(state: FitsState) -> None:
    """Add the filter to the URL the page wrote (and tell the page's URL sync it wrote it)."""
    wanted = state.to_query()
    from dashboard import ui

    current = ui.query_dict()
    merged = {k: v for k, v in current.items() if k not in URL.values()} | wanted
    if merged != current:
        st.query_params.from_dict(merged)
    if st.session_state.get("_last_query") is not None:
        st.session_state["_last_query"] = merged
    st.session_state["_fits_written"] = wanted


@st.cache_resource(show_spinner=False, max_entries=4)
def _confidence(url: str, ver: tuple) -> pd.DataFrame:
    """Every model's size confidence (empty until that fact exists)."""
    from dashboard import ui

    with ui.engine().connect() as conn:
        return devices.confidence_frame(conn, None)


@st.cache_resource(show_spinner=False, max_entries=4)
def _configs(url: str, ver: tuple) -> pd.DataFrame:
    """Every stored config (shared, never changed in place)."""
    from dashboard import ui

    with ui.engine().connect() as conn:
        return devices.configs_frame(conn)


@st.cache_resource(show_spinner=False, max_entries=4)
def _device_inputs(url: str, ver: tuple) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The boards' current entries with model facts, the configs and the builds (for the device page)."""
    from dashboard import ui

    with ui.engine().connect() as conn:
        frames = devices.board_frames(conn, devices.TASK_BOARDS)
        builds = devices.builds_frame(conn)
    return frames, _configs(url, ver), builds  # the configs frame the fits filter shares


def best_models(
    url: str, ver: tuple, device_list: tuple, *, context: int, include_doubtful: bool, include_unknown_kv: bool
) -> pd.DataFrame:
    """:func:`db.devices.best_for_devices` over the cached inputs (cached per choice)."""
    return _best(url, ver, device_list, context, include_doubtful, include_unknown_kv)


@st.cache_resource(show_spinner=False, max_entries=32)
def _best(url, ver, device_list, context, include_doubtful, include_unknown_kv) -> pd.DataFrame:
    frames, configs, builds = _device_inputs(url, ver)
    return devices.best_for_devices(
        frames,
        configs,
        builds,
        tasks=devices.task_groups(),
        devices=[memory.Device(*d) for d in device_list],
        context=context,
        include_doubtful=include_doubtful,
        include_unknown_kv=include_unknown_kv,
    )


def filter_view(url: str, ver: tuple, board: str, rank_key: str, view, state: FitsState):
    """The page's filtered board narrowed to what fits ``state`` (from :func:`fits_widgets`), URL updated."""
    from dashboard import data, ui

    write_url(state)
    if not state.active:
        return view
    rows = apply_fits(view.rows, _configs(url, ver), state, _confidence_for(url, ver, view.rows))
    table = with_memory_column(data.display_frame(rows, board, rank_key), rows)
    st.caption(
        f"Showing models that {state.describe()}: memory = weights + KV cache + "
        f"{memory.OVERHEAD_GB:g} GB overhead; models without a config or with a doubtful size are left out."
    )
    # A view of its own (its ranks are numbered again and it has the memory column); only a page
    # with the fits filter on holds these rows, the shared caches are untouched.
    return ui.BoardView(rows, table, np.arange(len(rows)), view.total, None, view.drop_hub)


def filter_frame(url: str, ver: tuple, frame: pd.DataFrame, state: FitsState) -> pd.DataFrame:
    """Like :func:`filter_view` for a plain frame of models (the size page)."""
    write_url(state)
    if not state.active:
        return frame
    return apply_fits(frame, _configs(url, ver), state, _confidence_for(url, ver, frame))


def _confidence_for(url: str, ver: tuple, rows: pd.DataFrame) -> pd.DataFrame | None:
    """Every model's size confidence, read only for rows that do not carry it (ranked boards do)."""
    return None if "params_confidence" in rows.columns else _confidence(url, ver)


# --------------------------------------------------------------------------- model and status pages


@st.cache_resource(show_spinner=False, max_entries=64)
def _model_devices(url: str, ver: tuple, repo_id: str, params_b, params_source, context: int) -> dict:
    from dashboard import ui

    with ui.engine().connect() as conn:
        model = {"repo_id": repo_id, "params_b": params_b, "params_source": params_source}
        table, cfg = devices.model_memory(conn, model, context=context)
        builds = devices.builds_for(conn, repo_id)
        if not builds.empty:
            builds["total_gb"] = [
                memory.build_total(None if pd.isna(b) else int(b), cfg, context=context).value_gb
                for b in builds["size_bytes"]
            ]
        return {
            "table": table,
            "config": cfg,
            "config_url": devices.config_source_url(conn, repo_id),
            "builds": builds,
        }


def builds_rows(builds: pd.DataFrame) -> pd.DataFrame:
    """The model page's builds list (most downloaded first)."""
    if builds.empty:
        return builds
    return pd.DataFrame(
        {
            "Build": builds["build_repo_id"],
            "File": builds["file_name"].fillna(""),
            "Format": builds["format"],
            "Bits": builds["bits"],
            "Size (GB)": builds["size_gb"],
            "Total to run (GB)": builds["total_gb"] if "total_gb" in builds else None,
            "Downloads": builds["downloads"],
            "GGUF params": builds["gguf_total"],
            "GGUF context": builds["gguf_context_length"],
            "Link": builds["link"],
            "Source": builds["source"],
        }
    )


def model_section(url: str, ver: tuple, model: dict) -> None:
    """The model page's "Will it run on my device?" section: memory table with inputs, quantised builds."""
    from dashboard import ui

    st.subheader("Will it run on my device?")
    context = st.segmented_control(
        "Context", options=[4096, 32768], format_func=lambda n: f"{n:,} tokens", key="model_ctx", default=4096
    )
    info = _model_devices(
        url, ver, model["repo_id"], model.get("params_b"), model.get("params_source"), int(context or 4096)
    )
    table, cfg = info["table"], info["config"]
    st.dataframe(
        memory_rows(table),
        hide_index=True,
        column_config={
            c: st.column_config.NumberColumn(c, format="%.2f")
            for c in ("Weights (GB)", "KV cache (GB)", "Overhead (GB)", "Total (GB)")
        },
        key="memory_table",
        placeholder=fmt.MISSING,
    )
    st.caption(
        ui.md(
            "weights = params x bits / 8 · KV cache = 2 x layers x kv_heads x head_dim x context x "
            f"{memory.CACHE_BITS} bits / 8 · total = weights + KV cache + {memory.OVERHEAD_GB:g} GB overhead "
            "(runtime and buffers; a stated allowance) · GB = 10^9 bytes"
        )
    )
    inputs = inputs_rows(table)
    if not inputs.empty:
        with st.expander("Inputs and where they come from"):
            st.dataframe(inputs, hide_index=True, key="memory_inputs", placeholder=fmt.MISSING)
            if cfg is not None and cfg.max_context:
                st.caption(ui.md(f"The model's own maximum context: {cfg.max_context:,} tokens ({cfg.source})."))
            link = ui.data.safe_url(info["config_url"])
            if link:
                st.markdown(f"[The config file]({link})")
    builds = info["builds"]
    if builds.empty:
        st.caption("No quantised build of this model is recorded yet.")
        return
    counts = devices.build_counts(builds)
    st.markdown(
        "**Quantised builds:** "
        + ui.md(", ".join(f"{n} {fmt}" for fmt, n in zip(counts["format"], counts["builds"], strict=True)))
    )
    st.dataframe(
        builds_rows(builds).assign(Link=lambda f: f["Link"].map(ui.data.safe_url)),
        hide_index=True,
        column_config={
            "Size (GB)": st.column_config.NumberColumn("Size (GB)", format="%.2f"),
            "Total to run (GB)": st.column_config.NumberColumn(
                "Total to run (GB)", format="%.2f", help="file size + KV cache at the chosen context + overhead"
            ),
            "Downloads": st.column_config.NumberColumn("Downloads", format="localized"),
            "GGUF params": st.column_config.NumberColumn("GGUF params", format="localized"),
            "Link": st.column_config.LinkColumn("Link", display_text="Hub ↗"),
        },
        key="builds_table",
        placeholder=fmt.MISSING,
    )
    st.caption("Builds are their own repos: their scores, if any, stay with them; this model's sizes are its own.")


@st.cache_resource(show_spinner=False, max_entries=4)
def _fact_counts(url: str, ver: tuple) -> dict[str, int]:
    from dashboard import ui

    with ui.engine().connect() as conn:
        return devices.fact_counts(conn)


def status_section(url: str, ver: tuple) -> None:
    """The status page's device facts: how many models have a config, builds, sizes."""
    counts = _fact_counts(url, ver)
    st.subheader("Device facts")
    cols = st.columns(len(counts))
    for col, (label, value) in zip(cols, counts.items(), strict=True):
        col.metric(label[:1].upper() + label[1:], f"{value:,}")
