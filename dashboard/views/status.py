"""Data status: last refresh per source, recent runs, rejected rows, row counts, staleness."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import arena, data, eval_ui, fidelity, freshness, status_panel, ui
from dashboard import devices as fits
from dashboard import format as fmt

url, ver = ui.cache_args()
ui.enter_page("status")
settings = ui.settings()
bundle = ui.status_bundle(url, ver)

st.title("Data status")
now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
fresh = freshness.source_freshness(bundle["snapshots"], bundle["last"], now, settings.stale_after_hours)
status_panel.show(fresh, settings.stale_after_hours)

eval_ui.status_section()
counts = bundle["counts"]
st.subheader("What is in the database")
c = st.columns(4)
c[0].metric("Models", f"{counts.get('models', 0):,}")
c[1].metric("Scores", f"{counts.get('scores', 0):,}")
c[2].metric("Snapshots", f"{counts.get('snapshots', 0):,}")
c[3].metric("Rejected rows", f"{counts.get('rejected_rows', 0):,}")
snaps = bundle["snapshots"]
if not snaps.empty:
    st.dataframe(
        snaps.assign(
            leaderboard=snaps["leaderboard"].map(data.source_label),
            first=pd.to_datetime(snaps["first"]),
            last=pd.to_datetime(snaps["last"]),
        ),
        hide_index=True,
        placeholder=fmt.MISSING,
        column_config={
            "leaderboard": "Leaderboard",
            "snapshots": "Snapshots",
            "first": st.column_config.DateColumn("First", format="YYYY-MM-DD"),
            "last": st.column_config.DateColumn("Latest", format="YYYY-MM-DD"),
        },
        key="snapshots_table",
    )

fits.status_section(url, ver)
fidelity.show_fidelity(url, ver)

st.subheader("Recent runs")
runs = bundle["runs"]
if runs.empty:
    ui.empty_state("No runs recorded yet.")
else:
    st.dataframe(
        runs.assign(source=runs["source"].map(data.source_label), error=runs["error"].fillna("")),
        hide_index=True,
        placeholder=fmt.MISSING,
        column_config={
            "run_id": st.column_config.NumberColumn("Run", format="%d"),
            "source": "Source",
            "started_at": st.column_config.DatetimeColumn("Started (UTC)", format="YYYY-MM-DD HH:mm"),
            "finished_at": st.column_config.DatetimeColumn("Finished (UTC)", format="YYYY-MM-DD HH:mm"),
            "status": "Status",
            "rows_read": st.column_config.NumberColumn("Rows read"),
            "rows_written": st.column_config.NumberColumn("Rows written"),
            "rows_rejected": st.column_config.NumberColumn("Rejected"),
            "error": st.column_config.TextColumn("Error", width="large"),
        },
        key="runs_table",
    )

st.subheader("Rejected rows")
rejected = bundle["rejected"]
if rejected.empty:
    st.caption("No row has been rejected.")
else:
    st.caption(
        f"The {len(rejected)} most recent rows the importers refused, with the reason. "
        "The rest of each file was imported."
    )
    st.dataframe(
        rejected.assign(raw=rejected["raw"].fillna("").str.slice(0, 300)),
        hide_index=True,
        placeholder=fmt.MISSING,
        column_config={
            "run_id": st.column_config.NumberColumn("Run", format="%d"),
            "file": "File",
            "row_number": st.column_config.NumberColumn("Row", format="%d"),
            "reason": st.column_config.TextColumn("Reason", width="large"),
            "raw": st.column_config.TextColumn("Row as read", width="large"),
        },
        key="rejected_table",
    )

arena.render_unmatched(url, ver)
