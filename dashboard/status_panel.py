"""The status page's freshness section: the headline and one row per source (layout only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import format as fmt
from dashboard import freshness
from dashboard.ui import empty_state, md


def freshness_table(fresh: pd.DataFrame) -> pd.DataFrame:
    """The freshness rows as the page shows them: text cells, nothing empty reads as None."""
    rows = []
    for row in fresh.itertuples(index=False):
        if row.state == "retired":
            state = "retired" + (f" {fmt.date(row.retired_on)}" if not fmt.missing(row.retired_on) else "")
        else:
            state = "stale" if row.stale else "live"
        rows.append(
            {
                "source": row.name,
                "state": state,
                "newest_snapshot": fmt.date(row.newest_snapshot, "no snapshots (model facts)"),
                "age": fmt.age(row.age_days),
                "last_success": (
                    "never" if fmt.missing(row.last_success) else f"{pd.Timestamp(row.last_success):%Y-%m-%d %H:%M}"
                ),
                "note": row.note,
            }
        )
    return pd.DataFrame(rows, columns=["source", "state", "newest_snapshot", "age", "last_success", "note"])


def show(fresh: pd.DataFrame, stale_after_hours: float) -> None:
    level, sentence = freshness.headline(fresh, stale_after_hours)
    if level == "empty":
        empty_state(sentence, "Run 'python -m ingest seed' to load the bundled data.")
        return
    if level == "warning":
        st.warning(md(sentence), icon=":material/schedule:")
    else:
        st.success(md(sentence), icon=":material/check_circle:")
    st.dataframe(
        freshness_table(fresh),
        hide_index=True,
        placeholder=fmt.MISSING,
        column_config={
            "source": st.column_config.TextColumn("Source", pinned=True),
            "state": st.column_config.TextColumn("State"),
            "newest_snapshot": st.column_config.TextColumn("Newest snapshot"),
            "age": st.column_config.TextColumn("Its age"),
            "last_success": st.column_config.TextColumn("Last successful run (UTC)"),
            "note": st.column_config.TextColumn("Note", width="large"),
        },
        key="freshness_table",
    )
    st.caption(
        "Age is counted from the newest snapshot's date, not from when it was imported. "
        f"A live board is stale when that snapshot is older than {stale_after_hours:g} hours "
        "(STALE_AFTER_HOURS); a retired board gets no new snapshots."
    )
