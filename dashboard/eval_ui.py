"""Streamlit pieces of the eval-results pages: cached calls and the sections other pages call
with one line (the model page's eval results, the status page's eval sources). Layout only: the
data comes from :mod:`dashboard.evals`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core.boards import BOARD_PROVENANCE, EPOCH, HUB_EVALS, MEASURED
from dashboard import evals, ui
from dashboard import format as fmt
from db.queries import ModelFilter


@st.cache_data(show_spinner=False, max_entries=16)
def benchmarks(url: str, ver: tuple, board: str) -> pd.DataFrame:
    with ui.engine().connect() as conn:
        return evals.benchmarks(conn, board)


@st.cache_data(show_spinner=False, max_entries=32)
def eval_board(
    url: str, ver: tuple, board: str, bench: str, as_of: dt.date | None, verified_only: bool, max_params: float | None
) -> pd.DataFrame:
    with ui.engine().connect() as conn:
        return evals.eval_board(
            conn, board, bench, as_of=as_of, verified_only=verified_only, flt=ModelFilter(max_params=max_params)
        )


@st.cache_data(show_spinner=False, max_entries=32)
def task_view(url: str, ver: tuple, task: str, max_params: float | None, as_of: dt.date | None) -> pd.DataFrame:
    with ui.engine().connect() as conn:
        return evals.task_view(conn, task, as_of=as_of, flt=ModelFilter(max_params=max_params))


@st.cache_data(show_spinner=False, max_entries=64)
def model_evals(url: str, ver: tuple, model_id: str) -> dict[str, pd.DataFrame]:
    with ui.engine().connect() as conn:
        return evals.model_evals(conn, model_id)


@st.cache_data(show_spinner=False, max_entries=4)
def source_rows(url: str, ver: tuple) -> pd.DataFrame:
    with ui.engine().connect() as conn:
        return evals.source_rows(conn)


def credit(boards) -> None:
    """The CC BY credit (and the Hub's terms) for the boards a page shows."""
    if EPOCH in boards:
        st.caption(evals.EPOCH_CREDIT)
    if HUB_EVALS in boards:
        st.caption(evals.HUB_CREDIT)


def provenance_legend() -> None:
    st.caption(
        "  ·  ".join(f"{evals.PROVENANCE_BADGES[k]}: {evals.PROVENANCE_HELP[k]}" for k in evals.PROVENANCE_BADGES)
    )


def model_section(model_id: str) -> None:
    """The model page's eval results with their sources, and claimed against measured."""
    url, ver = ui.cache_args()
    bundle = model_evals(url, ver, model_id)
    found, compare = bundle["evals"], bundle["compare"]
    st.subheader("Eval results, with where each comes from")
    if found.empty:
        ui.empty_state("No eval result is stored for this model.")
        return
    if not compare.empty:
        st.markdown("**Claimed vs measured** (the same benchmark; each number on its source's own scale)")
        st.dataframe(
            blank_links(
                compare[["benchmark", "side", "score_text", "percent", "badge", "as_of", "until", "source", "link"]]
            ),
            hide_index=True,
            column_config={
                "benchmark": "Benchmark",
                "side": "Side",
                "score_text": st.column_config.TextColumn("Score (± stderr)", help="as the source reports it"),
                "percent": st.column_config.NumberColumn("As %", format="%.1f", help="fractions times 100"),
                "badge": "Provenance",
                "source": st.column_config.TextColumn("Source", width="medium"),
                "link": st.column_config.LinkColumn("Link", display_text="open ↗", width="small"),
                "as_of": st.column_config.TextColumn("Since"),
                "until": st.column_config.TextColumn("Until", help="the first snapshot without this value"),
            },
            key="claimed_vs_measured",
            placeholder=fmt.MISSING,
        )
    shown = found[~found["leaderboard"].isin([b for b, how in BOARD_PROVENANCE.items() if how == MEASURED])]
    if shown.empty:
        shown = found
    st.dataframe(
        blank_links(shown[["benchmark_name", "task", "score_text", "badge", "date", "source", "link", "notes"]]),
        hide_index=True,
        column_config={
            "benchmark_name": "Benchmark",
            "task": "Task",
            "score_text": st.column_config.TextColumn("Score (± stderr)"),
            "badge": "Provenance",
            "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "source": st.column_config.TextColumn("Source", width="medium"),
            "link": st.column_config.LinkColumn("Link", display_text="open ↗"),
            "notes": st.column_config.TextColumn("Notes", width="medium"),
        },
        key="model_evals_table",
        placeholder=fmt.MISSING,
    )
    provenance_legend()
    credit(set(found["leaderboard"]))


def status_section() -> None:
    """The status page's rows for the eval sources (revision or ETag, and the last change)."""
    url, ver = ui.cache_args()
    rows = source_rows(url, ver)
    st.subheader("Eval sources")
    st.dataframe(
        rows,
        hide_index=True,
        column_config={
            "source": "Source",
            "last_run": st.column_config.DatetimeColumn("Last run (UTC)", format="YYYY-MM-DD HH:mm"),
            "status": "Status",
            "revision": st.column_config.TextColumn("Revision / ETag", help="the zip's ETag, or the run's date"),
            "last_change": st.column_config.DatetimeColumn("Last change (UTC)", format="YYYY-MM-DD HH:mm"),
        },
        key="eval_sources_table",
        placeholder=fmt.MISSING,
    )
    credit({EPOCH})


def blank_links(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing links and texts as empty cells (a table shows None otherwise)."""
    out = frame.copy()
    for column in ("link", "source_link", "log_link", "hub_url", "source", "notes"):
        if column in out.columns:
            out[column] = out[column].astype(object).where(out[column].notna(), "")
    return out
