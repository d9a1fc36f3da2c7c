"""The Arena's own sections: the category picker, a category's board, attribution, unmatched names.

Queries and frames are plain functions (``category_table``, ``unmatched_names``, ``url_category``)
that tests call without Streamlit; the ``render_*`` / ``*_picker`` functions only lay them out.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import Connection

from core.boards import LMARENA
from dashboard import format as fmt
from db import arena, writes
from db.aliases import unmatched_open_models
from db.queries import ModelFilter

CATEGORY_KEY = "f_category"  # the widget's stable key; ``?category=`` in the URL
QUERY_KEY = "category"
ATTRIBUTION = (
    "Arena ratings, ranks and intervals: **LMArena** "
    "([lmarena-ai/leaderboard-dataset](https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset), "
    "CC BY 4.0); the 2023-2024 history from nakasyou/lmarena-history (MIT) and the LMArena Space's tables "
    "(apache-2.0). Ratings compare only within one publish date."
)
TABLE_COLUMNS = [
    "arena_rank",
    "position",
    "page_url",
    "hub_link",
    "rating",
    "ci_minus",
    "ci_plus",
    "votes",
    "params_b",
    "license",
    "license_category",
    "published",
]


# --------------------------------------------------------------------------- plain functions


def category_table(conn: Connection, category: str, as_of: dt.date | None, flt: ModelFilter) -> pd.DataFrame:
    """A category's board for display: the Arena's rank, position, rating, interval, votes, facts."""
    from dashboard.data import hub_url, page_url

    frame = arena.board(conn, category, as_of, flt)
    if frame.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    out = pd.DataFrame(
        {
            "arena_rank": frame["board_rank"].astype("Float64").round().astype("Int64"),
            "position": frame["rank"].to_numpy(),
            "page_url": frame["model_id"].map(page_url),
            "hub_link": frame["hub_id"].map(lambda h: hub_url(h) if isinstance(h, str) else None),
            "rating": frame["score"].round(1),
            "ci_minus": frame["ci_minus"].round(1),
            "ci_plus": frame["ci_plus"].round(1),
            "votes": frame["votes"],
            "params_b": frame["params_b"],
            "license": frame["license"].astype(object).where(frame["license"].notna(), ""),
            "license_category": frame["license_category"],
            "published": pd.to_datetime(frame["published"]),
        }
    )
    return out.reset_index(drop=True)


def alias_links(conn: Connection, ranked: pd.DataFrame) -> pd.DataFrame:
    """An Arena board with ``hub_id`` and, for aliased models, the Hub link of their repo."""
    from dashboard.data import hub_url
    from db.aliases import add_hub_ids

    out = add_hub_ids(conn, ranked, LMARENA)
    if not out.empty:
        aliased = out["hub_id"].notna()
        out.loc[aliased, "hub_url"] = out.loc[aliased, "hub_id"].map(hub_url)
    return out


def category_label(category: str) -> str:
    return f"{arena.category_name(category)} ({arena.category_task(category)})"


def unmatched_names(conn: Connection) -> pd.DataFrame:
    """Open models on the Arena (license not proprietary) with no alias to a Hub repo."""
    return unmatched_open_models(conn, LMARENA)


def url_category(params, stored: list[str]) -> str:
    """The category a URL asks for (``overall`` when absent or unknown)."""
    raw = params.get(QUERY_KEY)
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    return raw if isinstance(raw, str) and raw in stored else arena.OVERALL


# --------------------------------------------------------------------------- cached reads


@st.cache_data(show_spinner=False, max_entries=8)
def categories(url: str, ver: tuple) -> list[str]:
    from dashboard.ui import _conn

    with _conn() as conn:
        return arena.categories(conn) or [arena.OVERALL]


@st.cache_data(show_spinner=False, max_entries=32)
def _category_table(url: str, ver: tuple, category: str, as_of: dt.date | None, flt: tuple) -> pd.DataFrame:
    from dashboard.ui import _conn

    with _conn() as conn:
        return category_table(conn, category, as_of, ModelFilter(*flt))


@st.cache_data(show_spinner=False, max_entries=4)
def status_bundle(url: str, ver: tuple) -> dict:
    from dashboard.ui import _conn

    with _conn() as conn:
        return {
            "unmatched": unmatched_names(conn),
            "revision": writes.get_state(conn, LMARENA, "dataset_sha"),
            "last_modified": writes.get_state(conn, LMARENA, "dataset_last_modified"),
        }


# --------------------------------------------------------------------------- layout


def category_picker(url: str, ver: tuple, container=None) -> str:
    """The Arena category picker (key ``f_category``), restored from and mirrored to ``?category=``."""
    stored = categories(url, ver)
    wanted = url_category(st.query_params, stored)
    # A URL this page did not write (a shared link, the back button) wins over the widget.
    if st.session_state.get("_arena_url_category") != wanted or st.session_state.get(CATEGORY_KEY) not in stored:
        st.session_state[CATEGORY_KEY] = wanted
    where = container if container is not None else st
    chosen = where.selectbox(
        "Arena category",
        options=stored,
        format_func=category_label,
        key=CATEGORY_KEY,
        help="LMArena publishes a board per category; each has its own ranks. Overall is the default.",
    )
    st.session_state["_arena_url_category"] = chosen
    return chosen


def query_extra(category: str) -> dict[str, str]:
    """What the Arena adds to the page's URL (nothing for the default category)."""
    return {QUERY_KEY: category} if category != arena.OVERALL else {}


def render_attribution() -> None:
    st.caption(ATTRIBUTION)


def render_category_board(url: str, ver: tuple, category: str, as_of: dt.date | None, flt: ModelFilter) -> None:
    """A non-overall category's board: the Arena's own rank, the interval, votes, sources."""
    from dataclasses import astuple

    from dashboard.ui import md

    table = _category_table(url, ver, category, as_of, astuple(flt))
    if table.empty:
        st.info(
            md(f"No {arena.category_name(category)} board on or before this day, or no model matches the filters."),
            icon=":material/search_off:",
        )
        render_attribution()
        return
    day = table["published"].max()
    st.caption(
        md(
            f"LMArena · {arena.category_name(category)} · board published {day:%Y-%m-%d} · "
            f"{len(table):,} models · rank is the Arena's own (models whose intervals overlap share a rank)"
        )
    )
    cc = st.column_config
    st.dataframe(
        table,
        hide_index=True,
        height=640,
        key="arena_category_table",
        column_config={
            "arena_rank": cc.NumberColumn("Arena rank", format="%d", width=70, help="The Arena's own rank"),
            "position": cc.NumberColumn("#", format="%d", width=50, help="Place after your filters, by rating"),
            "page_url": cc.LinkColumn("Model", display_text=r"model\?id=(.*)", width=260),
            "hub_link": cc.LinkColumn("Hub", display_text="Hub ↗", width=60, help="The aliased Hub repo"),
            "rating": cc.NumberColumn("Rating", format="%.0f"),
            "ci_minus": cc.NumberColumn("95% CI (-)", format="%.0f"),
            "ci_plus": cc.NumberColumn("95% CI (+)", format="%.0f"),
            "votes": cc.NumberColumn("Votes", format="localized"),
            "params_b": cc.NumberColumn("Params (B)", format="%.2f"),
            "license": cc.TextColumn("License"),
            "license_category": cc.TextColumn("License category"),
            "published": cc.DateColumn("Published", format="YYYY-MM-DD"),
        },
        placeholder=fmt.MISSING,
    )
    render_attribution()


@st.cache_data(show_spinner=False, max_entries=32)
def model_categories(url: str, ver: tuple, model_pk: int) -> pd.DataFrame:
    from dashboard.ui import _conn

    with _conn() as conn:
        return arena.model_category_ratings(conn, model_pk)


def render_model_categories(url: str, ver: tuple, model_pk: int) -> None:
    """Model page: the model's newest row in every Arena category (nothing when it has none)."""
    rows = model_categories(url, ver, int(model_pk))
    if rows.empty:
        return
    st.subheader("Chatbot Arena by category")
    st.dataframe(
        rows.assign(
            category=rows["category"].map(category_label),
            arena_rank=rows["arena_rank"].astype("Float64").round().astype("Int64"),
            published=pd.to_datetime(rows["published"]),
        )[["category", "published", "rating", "rating_lower", "rating_upper", "votes", "arena_rank"]],
        hide_index=True,
        key="arena_model_categories",
        column_config={
            "category": "Category",
            "published": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
            "rating": st.column_config.NumberColumn("Rating", format="%.0f"),
            "rating_lower": st.column_config.NumberColumn("95% low", format="%.0f"),
            "rating_upper": st.column_config.NumberColumn("95% high", format="%.0f"),
            "votes": st.column_config.NumberColumn("Votes", format="localized"),
            "arena_rank": st.column_config.NumberColumn("Arena rank", format="%d"),
        },
        placeholder=fmt.MISSING,
    )
    st.caption("Each category's newest board that lists the model; ratings compare only within one board.")
    render_attribution()


def render_unmatched(url: str, ver: tuple) -> None:
    """Status page: the Arena dataset's revision, and open Arena models without a Hub alias."""
    bundle = status_bundle(url, ver)
    st.subheader("LMArena")
    rev = bundle["revision"]
    st.markdown(
        f"Dataset revision: `{rev[:12]}` (last changed on the Hub {bundle['last_modified'] or 'unknown'})"
        if rev
        else "Dataset revision: not read from the Hub yet (the bundled history is offline data)."
    )
    unmatched = bundle["unmatched"]
    st.markdown(
        f"**{len(unmatched):,}** open models on the Arena have no alias to a Hub repo "
        "(add them to `data/aliases/lmarena.csv`, exact names only, with a source)."
    )
    if not unmatched.empty:
        st.dataframe(unmatched, hide_index=True, height=240, key="arena_unmatched", placeholder=fmt.MISSING)
    render_attribution()
