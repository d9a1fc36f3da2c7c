"""What the pages build from the data once per data version, shared by every session.

Streamlit runs each session's script in a thread of one process, so with many viewers what
counts is the CPU of each script run. The history page's figures and tables, the rank-history
index and the navigation's page list depend on the data version (and the page's own choices),
not on the viewer: they are built here once, in ``st.cache_resource`` (one object for every
session, never copied per session), keyed by the data version, and only read afterwards.
Callers must not change what they get (figures are handed to ``st.plotly_chart``, which only
reads them; frames to ``st.dataframe``). The data work itself stays in ``data.py``/``charts.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.boards import OPEN_LLM_V1, leaderboard_def
from dashboard import charts, data, ui
from db.history import MAX_GAP_DAYS

# --------------------------------------------------------------------------- navigation


@dataclass(frozen=True)
class PageSpec:
    """One ``st.Page``'s arguments (the script path relative to nothing: an absolute path)."""

    path: str
    title: str
    icon: str
    url_path: str
    default: bool = False


@functools.lru_cache(maxsize=4)  # a plain cache: st.cache_resource would hash the specs on every run
def _page_templates(specs: tuple[PageSpec, ...]) -> tuple:
    return tuple(
        st.Page(Path(s.path), title=s.title, icon=s.icon, url_path=s.url_path, default=s.default) for s in specs
    )


def pages(specs: tuple[PageSpec, ...]) -> list:
    """The ``st.Page`` objects for ``specs``, built once per process (path resolution, icon
    checks) and copied for each run: ``st.navigation`` marks the page it returns as callable and
    ``Page.run`` clears the mark, so sessions running at once must not share one object."""
    return [copy.copy(p) for p in _page_templates(specs)]


@functools.lru_cache(maxsize=4)
def static_text(path: str) -> str:
    """A static file shipped with the app (the theme's CSS), read once."""
    return Path(path).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- rank history


@st.cache_resource(show_spinner=False, max_entries=128)
def _rank_chart(
    url: str, ver: tuple, board: str, bench: str, include: tuple[str, ...], ids: tuple[str, ...], title: str
) -> tuple[go.Figure, frozenset[str]]:
    chosen = data.ranks_of(ui._history(url, ver, board, bench, include)["ranks"], list(ids))
    found = frozenset(chosen["model_id"].str.lower()) if not chosen.empty else frozenset()
    return charts.rank_history_figure(chosen, title), found


def rank_chart(
    url: str, ver: tuple, board: str, bench: str, include: tuple[str, ...], ids: tuple[str, ...], title: str
) -> tuple[go.Figure, frozenset[str]]:
    """:func:`charts.rank_history_figure` of ``ids`` on the board's rank history, and the ids (lower
    case) that have a rank there; shared per data version, board, benchmark and ids (one scan of
    every rank on every date per choice, not per page view)."""
    return ui._last_good("rank_chart", _rank_chart, url, ver, board, bench, tuple(include), tuple(ids), title)


# --------------------------------------------------------------------------- the history page


@dataclass(frozen=True)
class HistoryPage:
    """Everything the history page shows that depends on the data, not on the viewer's picks."""

    dates: list[dt.date]
    empty: bool  # no snapshots or no leaders
    overall: pd.DataFrame  # the reigns of the whole board ("all" sizes)
    reigns: pd.DataFrame
    gaps: list[tuple[dt.date, dt.date]]
    partial: list[dt.date]
    falcon_story: str | None  # the story the v1 page opens with (plain text, not yet escaped)
    leader_figure: go.Figure | None
    reign_figure: go.Figure | None
    longest_table: pd.DataFrame | None
    reigns_table: pd.DataFrame | None
    last_day: list[str]  # the top 20 at the last snapshot
    holders: list[str]  # every model that held #1, in order


def history_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A reigns table as the history page shows it (links, size names, dates as text)."""
    out = frame.assign(
        page_url=frame["model_id"].map(data.page_url),
        size_class=frame["size_class"].map(charts.SIZE_NAMES),
        start=frame["start"].astype(str),
        end=[str(e) if e is not None and not pd.isna(e) else "still #1" for e in frame["end"]],
    )
    return out[["size_class", "page_url", "start", "end", "days", "value", "gap_days"]]


@st.cache_resource(show_spinner=False, max_entries=16)
def _history_page(
    url: str, ver: tuple, board: str, bench: str, include: tuple[str, ...], score_label: str
) -> HistoryPage:
    hist = ui._history(url, ver, board, bench, include)
    dates, leaders, reigns, ranks = hist["dates"], hist["leaders"], hist["reigns"], hist["ranks"]
    partial = list(hist["partial"])
    if not dates or leaders.empty:
        return HistoryPage(list(dates), True, reigns, reigns, [], partial, None, None, None, None, None, [], [])
    overall = reigns[reigns["size_class"] == "all"].reset_index(drop=True)
    gaps = [(a, b) for a, b in zip(dates, dates[1:], strict=False) if (b - a).days > MAX_GAP_DAYS]
    story = None
    falcon = overall[overall["model_id"].str.lower() == "tiiuae/falcon-40b-instruct"]
    if board == OPEN_LLM_V1 and bench == "average" and not falcon.empty:
        first = overall[overall["model_id"].str.lower() == "tiiuae/falcon-40b"]
        reign = falcon.iloc[0]
        took = f"tiiuae/falcon-40b took #1 on {first.iloc[0]['start']}; " if not first.empty else ""
        story = (
            f"{took}its instruct version tiiuae/falcon-40b-instruct then led the board from "
            f"{reign['start']} to {reign['end']} ({reign['days']} days), until Llama 2 fine-tunes arrived."
        )
    lead_all = leaders[leaders["size_class"] == "all"]
    leader_figure = charts.leader_step_figure(lead_all, overall, score_label, f"The leading {score_label} over time")
    reign_figure = charts.reign_timeline_figure(reigns, dates[-1], "Who led each size class, and when")
    last_day = ranks[ranks["date"] == dates[-1]].nsmallest(20, "rank")["model_id"] if not ranks.empty else []
    return HistoryPage(
        dates=list(dates),
        empty=False,
        overall=overall,
        reigns=reigns,
        gaps=gaps,
        partial=partial,
        falcon_story=story,
        leader_figure=leader_figure,
        reign_figure=reign_figure,
        longest_table=history_table(data.longest_reigns(reigns, 15)),
        reigns_table=history_table(overall).drop(columns="size_class"),
        last_day=list(last_day),
        holders=list(dict.fromkeys(reigns["model_id"])),
    )


def history_page(
    url: str, ver: tuple, board: str, bench: str, include: tuple[str, ...], score_label: str
) -> HistoryPage:
    """The history page's shared part (per data version, board, benchmark and include flags).

    Read only: its frames and figures are shared by every session.
    """
    return ui._last_good("history_page", _history_page, url, ver, board, bench, tuple(include), score_label)


# --------------------------------------------------------------------------- the model page


@st.cache_resource(show_spinner=False, max_entries=128)
def _score_chart(url: str, ver: tuple, model_id: str, board: str) -> go.Figure:
    lb = leaderboard_def(board)
    bdef = lb.benchmark(lb.main_benchmark)
    label = bdef.display_name
    hist = data.score_history(ui._model_bundle(url, ver, model_id)["scores"], board, lb.main_benchmark)
    return charts.score_history_figure(hist, label, f"{label} over time", bdef.scale, (bdef.min_value, bdef.max_value))


def score_chart(url: str, ver: tuple, model_id: str, board: str) -> go.Figure:
    """The model page's main-benchmark score over time on ``board`` (``model_id`` as the page got
    it: the key of :func:`ui.model_bundle`), shared per data version, model and board."""
    return ui._last_good("score_chart", _score_chart, url, ver, model_id, board)
