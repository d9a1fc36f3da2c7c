"""How fresh the data is, per source: the status page's rule, stated once (no Streamlit here).

A board's freshness is the age of its newest snapshot, not the time of the import that loaded
it: a seed imported a minute ago can hold a board last scraped two years ago. A retired board
gets no new snapshots, so its age is shown but never called a failure; a live board whose
newest snapshot is older than the stale threshold is stale. The Hub metadata source has no
snapshots: its age is the age of its last successful run.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.boards import LEADERBOARDS
from dashboard import format as fmt

COLUMNS = [
    "source",
    "name",
    "state",
    "newest_snapshot",
    "age_days",
    "last_success",
    "retired_on",
    "note",
    "stale",
]


def _as_date(value: object) -> dt.date | None:
    if fmt.missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _as_datetime(value: object) -> dt.datetime | None:
    if fmt.missing(value):
        return None
    stamp = pd.Timestamp(value)
    return stamp.to_pydatetime().replace(tzinfo=None)


def source_freshness(
    snapshots: pd.DataFrame, last_success: pd.DataFrame, now: dt.datetime, stale_after_hours: float
) -> pd.DataFrame:
    """One row per source: its newest snapshot and age, last successful run, live or retired, stale.

    ``snapshots``: leaderboard, last (as :func:`db.queries.snapshot_summary`);
    ``last_success``: source, last_success (as :func:`db.queries.last_success_per_source`);
    ``now``: naive UTC. Boards without snapshots and sources without runs are left out.
    """
    newest = {row.leaderboard: _as_date(row.last) for row in snapshots.itertuples(index=False)}
    runs = {row.source: _as_datetime(row.last_success) for row in last_success.itertuples(index=False)}
    today = now.date()
    rows = []
    for lb in LEADERBOARDS:
        day = newest.get(lb.key)
        if day is None:
            continue
        age = (today - day).days
        retired = lb.retired
        rows.append(
            {
                "source": lb.key,
                "name": lb.display_name,
                "state": "retired" if retired else "live",
                "newest_snapshot": day,
                "age_days": age,
                "last_success": runs.get(lb.key),
                "retired_on": retired.on if retired else None,
                "note": retired.note if retired else "",
                # A live board is stale when its newest snapshot is older than the threshold.
                "stale": retired is None and age * 24 > stale_after_hours,
            }
        )
    known = {lb.key for lb in LEADERBOARDS}
    for source, when in sorted(runs.items()):
        if source in known or when is None:
            continue
        hours = (now - when).total_seconds() / 3600
        rows.append(
            {
                "source": source,
                "name": "Hugging Face Hub (model facts)" if source == "hub" else source,
                "state": "live",
                "newest_snapshot": None,
                "age_days": hours / 24,
                "last_success": when,
                "retired_on": None,
                "note": "",
                "stale": hours > stale_after_hours,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def headline(fresh: pd.DataFrame, stale_after_hours: float) -> tuple[str, str]:
    """(level, sentence) for the top of the status page: level is "ok", "warning" or "empty"."""
    boards = fresh[fresh["newest_snapshot"].notna()]
    if boards.empty:
        return "empty", "No leaderboard snapshot has been imported yet."
    best = boards.sort_values("newest_snapshot").iloc[-1]
    live = boards[boards["state"] == "live"]
    retired = boards[boards["state"] == "retired"]
    newest = (
        f"The newest leaderboard snapshot is {best['name']}'s of {fmt.date(best['newest_snapshot'])} "
        f"({fmt.age(best['age_days'])} old)."
    )
    if live.empty:
        names = ", ".join(retired["name"])
        return (
            "warning",
            f"{newest} Every board here is retired ({names}): no newer snapshot will come, "
            "so treat these rankings as history, not as today's standings.",
        )
    stale = live[live["stale"]]
    if not stale.empty:
        names = ", ".join(f"{r.name} ({fmt.date(r.newest_snapshot)})" for r in stale.itertuples(index=False))
        return (
            "warning",
            f"{newest} Live boards older than {stale_after_hours:g} hours: {names}. "
            "The nightly refresh may be failing; see the runs below.",
        )
    return "ok", newest
