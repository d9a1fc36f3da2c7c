"""Streamlit glue shared by the pages: the cached engine and queries, URL <-> widget sync,
column configs and safe text output. Data work stays in ``data.py``/``charts.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import math
import re
import threading
from collections import OrderedDict
from dataclasses import astuple, dataclass
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.boards import leaderboard_def
from core.config import Settings, load_settings
from core.errors import DatabaseError
from dashboard import data, heap, urls
from dashboard import format as fmt
from dashboard.filters import (
    ALL_SIZES,
    BOARDS,
    HIDE_FLAGS,
    INCLUDE_FLAGS,
    PARAM_STOPS,
    SIZE_BY_KEY,
    WIDGET_KEYS,
    FilterState,
)
from db import queries
from db.engine import one_line, reader_engine, require_current_schema
from db.queries import ModelFilter
from db.ranking import ranks_in_order
from db.schema import LICENSE_CATEGORIES, MODEL_TYPES

log = logging.getLogger("dashboard")

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md(text: object) -> str:
    """Escape text from the data for st.markdown/st.caption (no links, no formatting)."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


# --------------------------------------------------------------------------- engine and caches


def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    # Every statement has at most SLM_QUERY_TIMEOUT seconds (busy or slow): see _last_good below.
    engine = reader_engine(url, settings().query_timeout_s)
    require_current_schema(engine)  # an old schema gets a note saying to run `ingest init`
    return engine


def engine() -> Engine:
    return _engine(settings().database_url)


def version() -> tuple:
    """The data version: changes when an ingest run finishes, which invalidates every cache.

    When the database does not answer in time, the last version this server read is used (so
    every page is served from the caches built for it) and the page says so.
    """
    url = settings().database_url
    # Asked several times per script run (the page, its sections): read once per run. The
    # context's cursors are a new dict for every run (ScriptRunContext.reset).
    ctx = get_script_run_ctx()
    run = getattr(ctx, "cursors", None)
    memo = getattr(ctx, "_slm_data_version", None)
    if run is not None and memo is not None and memo[0] is run and memo[1] == url:
        return memo[2]
    st.session_state["_busy_noted_run"] = False  # every page asks for the version first
    ver = _read_version(url)
    if run is not None:
        ctx._slm_data_version = (run, url, ver)
    return ver


def _read_version(url: str) -> tuple:
    try:
        with engine().connect() as conn:
            ver = queries.data_version(conn)
    except OperationalError as exc:
        last = _LAST_VERSION.get(url)
        if last is None:
            raise DatabaseError(f"the database did not answer in time ({one_line(exc.orig)[:120]})") from None
        busy_note()
        return last
    _LAST_VERSION[url] = ver
    return ver


def _conn():
    return engine().connect()


# --------------------------------------------------------------------------- under pressure
# A query that times out (SLM_QUERY_TIMEOUT: a busy or slow database) must not leave a viewer
# with an endless spinner or a bare error: the page is built from the last data version that
# answered, whose objects are still in the shared caches, with a note saying so. Only versions
# are remembered here (no frames), for at most _GOOD_KEYS argument sets.

_LAST_VERSION: dict[str, tuple] = {}
_GOOD: OrderedDict[tuple, tuple] = OrderedDict()
_GOOD_KEYS = 512
_GOOD_LOCK = threading.Lock()


def busy_note() -> None:
    """Tell the viewer (once per run) that the page shows the last good view."""
    if not st.session_state.get("_busy_noted_run"):
        st.session_state["_busy_noted_run"] = True
        st.warning(
            "The database is busy right now: this is the last view read before it. "
            "It refreshes by itself once the database answers again (reload the page).",
            icon=":material/hourglass_top:",
        )


def _last_good(name: str, fn, url: str, ver: tuple, *args):
    """``fn(url, ver, *args)``; when the database times out, the same for the last version that answered."""
    return _good_call(name, fn, url, ver, *args)[0]


def _good_call(name: str, fn, url: str, ver: tuple, *args) -> tuple:
    """(:func:`_last_good`'s value, the data version it is from)."""
    key = (name, url, *args)
    try:
        out = fn(url, ver, *args)
    except OperationalError as exc:
        with _GOOD_LOCK:
            old = _GOOD.get(key)
        if old is None or old == ver:
            raise DatabaseError(f"the database did not answer in time ({one_line(exc.orig)[:120]})") from None
        log.warning("%s: the database timed out; serving data version %s", name, old)
        try:
            out = fn(url, old, *args)
        except OperationalError:
            raise DatabaseError(f"the database did not answer in time ({one_line(exc.orig)[:120]})") from None
        busy_note()
        return out, old
    with _GOOD_LOCK:
        _GOOD[key] = ver
        _GOOD.move_to_end(key)
        while len(_GOOD) > _GOOD_KEYS:
            _GOOD.popitem(last=False)
    return out, ver


# The ranked boards and filtered views below are cached with st.cache_resource: one object shared
# by every session, not a copy per run (st.cache_data unpickles 20,000 rows on every run). They
# must never be changed in place, so callers only get shallow copies: with pandas' copy-on-write
# a change made to a copy never reaches the cached frame. The data version in every key makes
# them refresh when an ingest run finishes.


@st.cache_resource(show_spinner=False, max_entries=48)
def _ranked(url: str, ver: tuple, board: str, day: dt.date | None, rank_key: str) -> pd.DataFrame:
    with _conn() as conn:
        board_frame = data.ranked_board(conn, board, day, rank_key)
    heap.release()  # the build's rows and pivots are freed: give their pages back (dashboard/heap.py)
    return board_frame


def ranked(url: str, ver: tuple, board: str, as_of: dt.date | None, rank_key: str) -> pd.DataFrame:
    """The ranked board as of a day (cached per snapshot date and data version)."""
    day = data.board_day(as_of, snapshot_dates(url, ver, board))
    return _last_good("ranked", _ranked, url, ver, board, day, rank_key).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=48)
def _filter_options(url: str, ver: tuple, board: str, day: dt.date | None, rank_key: str) -> dict[str, tuple]:
    full = _ranked(url, ver, board, day, rank_key)
    return {column: tuple(values) for column, values in data.filter_options(full).items()}


def filter_options(url: str, ver: tuple, board: str, as_of: dt.date | None, rank_key: str) -> dict[str, list[str]]:
    """:func:`data.filter_options` of the ranked board (cached with it)."""
    day = data.board_day(as_of, snapshot_dates(url, ver, board))
    options = _last_good("options", _filter_options, url, ver, board, day, rank_key)
    return {column: list(values) for column, values in options.items()}


@dataclass(frozen=True)
class BoardView:
    """A filtered leaderboard: its rows (data keys), the table to show and the board's size.

    ``rows`` and ``table`` are built from the shared caches on each access and never stored: a
    page keeps its view in its script's globals, which Streamlit keeps with each session, so a
    stored copy of a filtered board cost every session ~40 MB at 100,000 models.
    """

    full: pd.DataFrame  # the shared ranked board (never changed)
    display: pd.DataFrame  # its shared display table
    positions: np.ndarray  # the rows of this filter state
    total: int
    # The table as a shared pyarrow.Table (cached per filter state): st.dataframe sends it without
    # converting a frame on every run, and above LAZY_ROWS lazily (the browser fetches the rows it
    # shows in chunks). None: show ``table``.
    arrow: object = None
    drop_hub: bool = False  # no row has a Hub link: the table leaves the column out

    @property
    def rows(self) -> pd.DataFrame:
        return _take(self.full, self.positions)

    @property
    def table(self) -> pd.DataFrame:
        table = _take(self.display, self.positions, self.full["score"])
        return table.drop(columns="hub_url") if self.drop_hub and "hub_url" in table else table

    def reload(self) -> pd.DataFrame:
        """The rows again (for the downloads, built when a visitor clicks)."""
        return self.rows


# Tables longer than this are sent to the browser in chunks (st.dataframe's lazy loading).
LAZY_ROWS = 2_000


@st.cache_resource(show_spinner=False, max_entries=48)
def _display(url: str, ver: tuple, board: str, day: dt.date | None, rank_key: str) -> pd.DataFrame:
    """The whole ranked board's display table, built once and shared (views take rows of it)."""
    table = data.display_frame(_ranked(url, ver, board, day, rank_key), board, rank_key)
    heap.release()
    return table


@st.cache_resource(show_spinner=False, max_entries=256)
def _view_rows(url: str, ver: tuple, board: str, day: dt.date | None, rank_key: str, flt: tuple) -> np.ndarray:
    """The positions of a filter state's rows in the ranked board: the only per-filter copy."""
    full = _ranked(url, ver, board, day, rank_key)
    rows = queries.filter_models(full, ModelFilter(*flt))
    return full.index.get_indexer(rows.index).astype(np.int32)


def _take(frame: pd.DataFrame, positions: np.ndarray, scores: pd.Series | None = None) -> pd.DataFrame:
    """The rows at ``positions``, ranks numbered again: equal scores share a rank (1, 2, 2, 4), the
    scores being the frame's ``score`` column or, for a display table, the ranked board's
    ``scores``; every row: a shallow copy (no data copied)."""
    if len(positions) == len(frame) and (positions == np.arange(len(frame))).all():
        out = frame.copy(deep=False)
    else:
        out = frame.take(positions)
    out = out.reset_index(drop=True)
    if "score" in out.columns:
        out["rank"] = ranks_in_order(out["score"])
    elif scores is not None:
        out["rank"] = ranks_in_order(scores.iloc[positions])
    else:
        out["rank"] = np.arange(1, len(out) + 1)
    return out


@st.cache_resource(show_spinner=False, max_entries=16)
def _view_arrow(url: str, ver: tuple, board: str, day: dt.date | None, rank_key: str, flt: tuple):
    """A filter state's display table as Arrow, shared by every session showing it."""
    import pyarrow as pa

    positions = _view_rows(url, ver, board, day, rank_key, flt)
    full = _ranked(url, ver, board, day, rank_key)
    table = _take(_display(url, ver, board, day, rank_key), positions, full["score"])
    arrow = pa.Table.from_pandas(table, preserve_index=True)  # the index as a column: chunks keep it
    del table
    heap.release()
    return arrow


def board_view(url: str, ver: tuple, board: str, rank_key: str, state: FilterState) -> BoardView:
    """The ranked board filtered by ``state`` and its display table.

    The ranked board and its display table are cached once per board, day and ranking; a filter
    state caches only its row positions, and the rows (ranks numbered again) are taken per run.
    """
    day = data.board_day(state.as_of, snapshot_dates(url, ver, board))
    full, ver = _good_call("ranked", _ranked, url, ver, board, day, rank_key)  # ver: the one that answered
    flt = astuple(state.model_filter())
    positions = _view_rows(url, ver, board, day, rank_key, flt)
    display = _display(url, ver, board, day, rank_key)
    arrow = _view_arrow(url, ver, board, day, rank_key, flt) if len(positions) else None
    # As data.display_frame does for a view without Hub links.
    drop_hub = "hub_url" in full and bool(full["hub_url"].iloc[positions].isna().all())
    if drop_hub and arrow is not None and "hub_url" in arrow.column_names:
        arrow = arrow.drop_columns(["hub_url"])
    return BoardView(full, display, positions, len(full), arrow, drop_hub)


@st.cache_data(show_spinner=False, max_entries=16)
def _snapshot_dates(url: str, ver: tuple, board: str) -> list[dt.date]:
    with _conn() as conn:
        return queries.snapshot_dates(conn, board)


def snapshot_dates(url: str, ver: tuple, board: str) -> list[dt.date]:
    return _last_good("dates", _snapshot_dates, url, ver, board)


@st.cache_resource(show_spinner=False, max_entries=16)
def _history(url: str, ver: tuple, board: str, bench: str, include: tuple[str, ...] = ()) -> dict:
    with _conn() as conn:
        dates, lead, ranks = data.board_history(
            conn, board, bench, include_doubtful="doubtful" in include, include_flagged="flagged" in include
        )
    partial_days = lead.attrs["partial"]  # board_history read them for the reign rule
    reigns = data.reigns_by_class(lead, dates, partial_days)
    heap.release()
    return {"dates": dates, "leaders": lead, "reigns": reigns, "ranks": ranks, "partial": list(partial_days)}


def history(url: str, ver: tuple, board: str, bench: str, include: tuple[str, ...] = ()) -> dict:
    """Snapshot dates, daily leaders, reigns per size class and every rank on every date.

    ``include``: "doubtful" sizes in size classes, "flagged" models in reigns (both left out by
    default). One object shared by every session (st.cache_data unpickled every rank on every
    date for each run of the history and model pages); callers get shallow copies, as with the
    boards.
    """
    return _shallow(_last_good("history", _history, url, ver, board, bench, tuple(include)))


def _shallow(bundle: dict) -> dict:
    out = {}
    for key, value in bundle.items():
        if isinstance(value, pd.DataFrame):
            out[key] = value.copy(deep=False)
        elif isinstance(value, list | dict):
            out[key] = copy.deepcopy(value)
        else:
            out[key] = value
    return out


def model_bundle(url: str, ver: tuple, model_id: str) -> dict:
    """Everything the model page shows, in one cached call."""
    return _last_good("model", _model_bundle, url, ver, model_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _model_bundle(url: str, ver: tuple, model_id: str) -> dict:
    with _conn() as conn:
        model = queries.find_model(conn, model_id)
        pk = model["id"]
        scores = queries.model_scores(conn, pk)
        return {
            "model": model,
            "facts": queries.model_facts(conn, pk),
            "claims": queries.model_claims(conn, pk),
            "aliases": queries.model_aliases(conn, pk),
            "chain": queries.base_model_chain(conn, model["repo_id"]),
            "scores": scores,
            "boards": data.model_boards(scores),
        }


@st.cache_data(show_spinner=False, max_entries=16)
def search_models(url: str, ver: tuple, text: str) -> pd.DataFrame:
    with _conn() as conn:
        return queries.search_models(conn, text, limit=25)


@st.cache_data(show_spinner=False, max_entries=4)
def status_bundle(url: str, ver: tuple) -> dict:
    with _conn() as conn:
        return {
            "last": queries.last_success_per_source(conn),
            "runs": queries.recent_runs(conn, limit=30),
            "rejected": queries.rejected_rows(conn, limit=200),
            "counts": queries.table_counts(conn),
            "snapshots": queries.snapshot_summary(conn),
        }


def cache_args() -> tuple[str, tuple]:
    """(database URL, data version): the first two arguments of every cached query."""
    return settings().database_url, version()


# --------------------------------------------------------------------------- URL <-> widgets


def query_dict() -> dict[str, str]:
    return {k: st.query_params.get(k) for k in st.query_params}


def enter_page(page: str) -> None:
    """Start from the URL when the page or its URL changed from outside.

    Widget values left by another page do not carry over, and a URL this page did not write
    itself (the browser's back and forward buttons, a link to the same page) wins over the
    widgets' current values.
    """
    last = st.session_state.get("_last_query")
    if st.session_state.get("_page") != page or (last is not None and query_dict() != last):
        for key in WIDGET_KEYS.values():
            st.session_state.pop(key, None)
        st.session_state["_page"] = page
    st.session_state["_last_query"] = None


def init_state(page: str, defaults: FilterState, widgets: list[str]) -> tuple[FilterState, list[str]]:
    """Parse the URL and give every widget of this page its value from it (first run only).

    A widget that already has a value in the session keeps it: the URL is rewritten from the
    widgets after each run, so both agree.
    """
    enter_page(page)
    params, alias_notes = urls.canonical(query_dict())  # ?as_of= reads as ?asof=, ...
    state, notes = FilterState.from_query(params, defaults)
    notes = alias_notes + notes
    values = state.widget_values()
    for name in widgets:
        key = WIDGET_KEYS[name]
        if key not in st.session_state:
            st.session_state[key] = values[key]
    return state, notes


def read_state(base: FilterState) -> FilterState:
    return FilterState.from_widgets(st.session_state, base)


def write_query(state: FilterState, defaults: FilterState, extra: dict[str, str] | None = None) -> None:
    """Mirror the state into the URL (only what differs from the page's defaults)."""
    wanted = state.to_query(defaults)
    if extra:
        wanted.update({k: v for k, v in extra.items() if v})
    if wanted != query_dict():
        st.query_params.from_dict(wanted)
    st.session_state["_last_query"] = wanted


def show_notes(notes: list[str]) -> None:
    for note in notes:
        st.info(md(note), icon=":material/info:")


def _on_preset() -> None:
    preset = st.session_state.get(WIDGET_KEYS["preset"])
    if preset in SIZE_BY_KEY:
        st.session_state[WIDGET_KEYS["params"]] = _preset_range(preset)
    else:  # "All sizes", or the chosen pill clicked again
        st.session_state[WIDGET_KEYS["params"]] = (0.0, math.inf)
        st.session_state[WIDGET_KEYS["preset"]] = ALL_SIZES


def _preset_range(key: str) -> tuple[float, float]:
    size = SIZE_BY_KEY[key]
    return (size.low or 0.0, math.inf if size.high is None else size.high)


def _on_params() -> None:
    # Also called after _on_preset moved the slider: keep the preset when the range is its own.
    preset = st.session_state.get(WIDGET_KEYS["preset"])
    chosen = tuple(st.session_state.get(WIDGET_KEYS["params"]))
    if preset in SIZE_BY_KEY and chosen == _preset_range(preset):
        return
    st.session_state[WIDGET_KEYS["preset"]] = ALL_SIZES if chosen == (0.0, math.inf) else None


def _fmt_stop(value: float) -> str:
    if math.isinf(value):
        return "no limit"
    return f"{value:g}B"


def size_widgets(container=st) -> None:
    """Size presets (pills) and the custom range slider; they keep each other in step."""
    container.pills(
        "Size",
        options=[ALL_SIZES, *SIZE_BY_KEY],
        format_func=lambda k: "All sizes" if k == ALL_SIZES else SIZE_BY_KEY[k].label,
        key=WIDGET_KEYS["preset"],
        on_change=_on_preset,
        help="Presets people use: up to 15B (the small models), edge devices, laptops, a single GPU, "
        "the large models, or all sizes.",
    )
    low, high = st.session_state.get(WIDGET_KEYS["params"], (0.0, math.inf))
    options = sorted({*PARAM_STOPS, float(low), float(high)})
    container.select_slider(
        "Parameters (billions)",
        options=options,
        # A range default makes it a range slider; the value itself comes from session state.
        value=(0.0, math.inf),
        format_func=_fmt_stop,
        key=WIDGET_KEYS["params"],
        on_change=_on_params,
    )


def as_of_widget(dates: list[dt.date], container=st, **kw) -> None:
    """The 'as of' date picker; its range covers the snapshots and any date a URL asked for."""
    chosen = st.session_state.get(WIDGET_KEYS["as_of"])
    low = dates[0] if dates else dt.date(2023, 1, 1)
    high = max(dates[-1], dt.date.today()) if dates else dt.date.today()
    if isinstance(chosen, dt.date):
        low, high = min(low, chosen), max(high, chosen)
    container.date_input(
        "As of",
        key=WIDGET_KEYS["as_of"],
        min_value=low,
        max_value=high,
        format="YYYY-MM-DD",
        help="Show the board as it stood on that day (empty: the latest snapshot).",
        **kw,
    )


# --------------------------------------------------------------------------- tables


PIN_WIDTHS = (40, 165)


def board_column_config(board: str, rank_key: str) -> dict:
    """Column configs (labels, bars for percent scores, links) for a leaderboard table."""
    cc = st.column_config
    config: dict = {
        # Streamlit unpins every column when the pinned ones take more than 60% of the table's
        # width: 40 + 165 px stay pinned on a 390 px phone (a 358 px table).
        "rank": cc.NumberColumn("Rank", width=PIN_WIDTHS[0], pinned=True, format="%d"),
        "page_url": cc.LinkColumn(
            "Model", display_text=r"model\?id=(.*)", width=PIN_WIDTHS[1], pinned=True, help="Open the model's page"
        ),
        "hub_url": cc.LinkColumn("Hub", display_text="Hub ↗", width=60, help="The model on Hugging Face"),
        "params_b": cc.NumberColumn("Params (B)", format=fmt.PARAMS_FORMAT, width=80),
        "params_confidence": cc.TextColumn(
            "Size confidence",
            width="small",
            help="exact (counted from the weights), board-decimal, floor (a rounded-down whole number: "
            "between x and x+1), name, corrected or doubtful; the model page says why",
        ),
        "license": cc.TextColumn("License"),
        "license_category": cc.TextColumn("License category"),
        "model_type": cc.TextColumn("Type"),
        "org": cc.TextColumn("Organisation"),
        "architecture": cc.TextColumn("Architecture"),
        "created_date": cc.DateColumn("Created on the Hub", format="YYYY-MM-DD"),
        "first_listed": cc.DateColumn("First listed", format="YYYY-MM-DD"),
    }
    if rank_key.startswith("group:"):
        config["score"] = cc.ProgressColumn(
            data.column_label(board, "score", rank_key), min_value=0, max_value=100, format="%.1f", width=140
        )
    for b in leaderboard_def(board).benchmarks:
        if b.scale == "percent":
            config[b.key] = cc.ProgressColumn(
                b.display_name, help=b.description, min_value=0, max_value=100, format="%.1f", width=115
            )
        elif b.scale == "count":
            config[b.key] = cc.NumberColumn(b.display_name, help=b.description, format="localized")
        else:
            config[b.key] = cc.NumberColumn(b.display_name, help=b.description, format="%d")
    return config


def model_link_config(column: str = "page_url", label: str = "Model", width: str | int = 200) -> dict:
    """The model link column, pinned (200 px stays pinned on a phone: under 60% of the table)."""
    return {column: st.column_config.LinkColumn(label, display_text=r"model\?id=(.*)", width=width, pinned=True)}


def empty_state(message: str, hint: str | None = None) -> None:
    st.info(md(message) + (f"  \n{md(hint)}" if hint else ""), icon=":material/search_off:")


def board_caption(board: str, as_of: dt.date | None, dates: list[dt.date]) -> str:
    lb = leaderboard_def(board)
    if not dates:
        return f"{lb.display_name}: no snapshots imported yet."
    shown = [d for d in dates if as_of is None or d <= as_of]
    day = shown[-1] if shown else None
    when = f"snapshot of {day.isoformat()}" if day else "before the first snapshot"
    return f"{lb.display_name} · {when} · {len(dates)} snapshots from {dates[0].isoformat()} to {dates[-1].isoformat()}"


def _export(rows, board: str, rank_key: str, encode) -> bytes:
    """A download file, built only when a visitor clicks its button (``rows``: a frame or a function giving it)."""
    frame = rows() if callable(rows) else rows
    return encode(data.display_frame(frame, board, rank_key, for_download=True))


def board_results(board: str, rank_key: str, state: FilterState, dates: list[dt.date], view: BoardView) -> None:
    """The leaderboard page's results: caption, then the table with its downloads or an empty state.

    Kept out of the page script: Streamlit compiles page scripts through its "magic" rewriter
    (AppTest on every run), imported modules only once.
    """
    st.caption(md(board_caption(board, state.as_of, dates)))
    if note := partial_note(*cache_args(), board, state.as_of):
        st.caption(md("Partial snapshot: " + note + "."))
    shown = len(view.positions)  # the rows themselves are built only for the table or a download
    if state.as_of is not None and dates and state.as_of < dates[0]:
        empty_state(
            f"{leaderboard_def(board).display_name} had no snapshot yet on {state.as_of.isoformat()}.",
            f"Its first snapshot is from {dates[0].isoformat()}: pick a later 'as of' date or clear it.",
        )
        return
    if view.total == 0:
        empty_state(
            "This board has no scores yet.",
            "Load the bundled data with 'python -m ingest seed', or import snapshots with 'python -m ingest import'.",
        )
        return
    if shown == 0:
        empty_state(
            "No model matches these filters: " + (state.describe() or "none") + ".",
            "Widen the size range, remove a filter, or press 'Reset filters' in the sidebar.",
        )
        return
    summary = state.describe()
    # One wrapping row (columns stack on a phone and push the table off the first screen).
    row = st.container(horizontal=True, vertical_alignment="center", key="board_head")
    head = [row, row, row]
    head[0].markdown(
        f"**{shown:,}** of {view.total:,} models"
        + (f" · {md(summary)}" if summary else " · filters are in the sidebar"),
        width="content",
    )
    stem = f"{board}-{state.as_of.isoformat() if state.as_of else 'latest'}"
    head[1].download_button(
        "CSV",
        partial(_export, view.reload, board, rank_key, data.csv_bytes),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="dl_csv",
        icon=":material/download:",
    )
    head[2].download_button(
        "Parquet",
        partial(_export, view.reload, board, rank_key, data.parquet_bytes),
        file_name=f"{stem}.parquet",
        mime="application/vnd.apache.parquet",
        key="dl_parquet",
        icon=":material/download:",
    )
    st.dataframe(
        view.table if view.arrow is None else view.arrow,
        lazy=len(view.positions) > LAZY_ROWS,
        hide_index=True,
        placeholder=fmt.MISSING,
        column_config=board_column_config(board, rank_key),
        height=640,
        key="board_table",
    )
    st.caption(
        "Each model is shown with its best-scoring variant (precision or revision). "
        "Scores are what the leaderboard published that day; sizes and licenses come from the Hub or the board."
    )


def board_picker(default: str) -> str:
    """The leaderboard switch most pages start with (its state lives under the shared key)."""
    chosen = st.segmented_control(
        "Leaderboard",
        options=list(BOARDS),
        format_func=lambda k: leaderboard_def(k).display_name,
        key=WIDGET_KEYS["board"],
        required=True,
    )
    return chosen or default


HIDE_LABELS = {"merged": "Merged models", "flagged": "Flagged models", "offhub": "Models gone from the Hub"}


def license_widget() -> None:
    """The license-category filter (inside the sidebar)."""
    st.multiselect(
        "License",
        options=list(LICENSE_CATEGORIES),
        format_func=lambda k: data.LICENSE_LABELS[k],
        key=WIDGET_KEYS["licenses"],
        placeholder="Any license",
    )


def type_widget() -> None:
    """The model-type filter (inside the sidebar)."""
    st.multiselect(
        "Model type",
        options=list(MODEL_TYPES),
        format_func=lambda k: data.TYPE_LABELS[k],
        key=WIDGET_KEYS["types"],
        placeholder="Any type",
    )


def license_and_type_widgets() -> None:
    """The license-category and model-type filters (inside the sidebar)."""
    license_widget()
    type_widget()


def hide_widget() -> None:
    """Hide merged, flagged or no-longer-on-the-Hub models (inside the sidebar)."""
    st.multiselect(
        "Hide",
        options=list(HIDE_FLAGS),
        format_func=lambda k: HIDE_LABELS[k],
        key=WIDGET_KEYS["hide"],
        placeholder="Show everything",
    )


@st.cache_data(show_spinner=False, max_entries=64)
def partial_note(url: str, ver: tuple, board: str, as_of: dt.date | None) -> str | None:
    """The note shown when the board as of ``as_of`` comes from a partial snapshot."""
    with _conn() as conn:
        return queries.partial_note(conn, board, as_of)


INCLUDE_LABELS = {"doubtful": "Doubtful sizes", "flagged": "Flagged models in reigns"}


def include_widget() -> None:
    """Use sizes marked doubtful, or let flagged models reign (inside the sidebar)."""
    st.multiselect(
        "Include",
        options=list(INCLUDE_FLAGS),
        format_func=lambda k: INCLUDE_LABELS[k],
        key=WIDGET_KEYS["include"],
        placeholder="Trusted sizes, unflagged leaders",
        help="By default size filters, classes and frontiers skip sizes marked doubtful, and flagged "
        "models take no reign; see each model's page for why a size is doubtful.",
    )
