"""The fidelity report: how far each board's sizes and licenses can be trusted.

Per board (the models it lists): sizes that are exact, estimated (board decimal, floor of a
rounded column, name), corrected and doubtful; sizes unknown; licenses unknown (and how many
of those show a base model's license as inherited); the snapshots marked partial
(``snapshots.is_partial``). Used by ``python -m db audit``
and the dashboard's status page.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from core.boards import LEADERBOARD_KEYS
from db.schema import MODELS, SCORES, SNAPSHOTS

AUDIT_COLUMNS = [
    "leaderboard",
    "models",
    "exact",
    "estimated",
    "board_decimal",
    "floor",
    "name",
    "corrected",
    "doubtful",
    "size_unknown",
    "license_unknown",
    "license_inherited",
    "partial_snapshots",
]


def partial_snapshot_dates(conn: Connection) -> dict[str, list[str]]:
    """Board -> ISO dates of its partial snapshots (``snapshots.is_partial``, db.history's rule)."""
    rows = conn.execute(
        select(SNAPSHOTS.c.leaderboard_key, SNAPSHOTS.c.snapshot_date)
        .select_from(SNAPSHOTS)
        .where(SNAPSHOTS.c.is_partial.is_(True))
        .order_by(SNAPSHOTS.c.leaderboard_key, SNAPSHOTS.c.snapshot_date)
    ).all()
    out: dict[str, list[str]] = {}
    for board, day in rows:
        out.setdefault(board, []).append(day.isoformat() if hasattr(day, "isoformat") else str(day))
    return out


def audit(conn: Connection) -> pd.DataFrame:
    """One row per board with the counts of :data:`AUDIT_COLUMNS`."""
    listed = select(SCORES.c.model_id.label("mid"), SCORES.c.leaderboard_key.label("board")).distinct().subquery()
    query = (
        select(
            listed.c.board,
            MODELS.c.params_b.is_(None).label("no_size"),
            MODELS.c.params_confidence,
            MODELS.c.license_category,
            MODELS.c.license_inherited.is_not(None).label("inherited"),
            func.count().label("n"),
        )
        .select_from(listed.join(MODELS, MODELS.c.id == listed.c.mid))
        .group_by(listed.c.board, "no_size", MODELS.c.params_confidence, MODELS.c.license_category, "inherited")
    )
    frame = pd.DataFrame(
        [tuple(r) for r in conn.execute(query)],
        columns=["board", "no_size", "confidence", "license_category", "inherited", "n"],
    )
    partial = partial_snapshot_dates(conn)
    rows = []
    for board in LEADERBOARD_KEYS:
        sub = frame[frame["board"] == board]

        def count(mask, sub=sub) -> int:
            return int(sub.loc[mask, "n"].sum())

        conf = sub["confidence"]
        sized = ~sub["no_size"].astype(bool)
        unknown_license = sub["license_category"].fillna("unknown").eq("unknown")
        row = {
            "leaderboard": board,
            "models": int(sub["n"].sum()),
            "exact": count(sized & conf.eq("exact")),
            "board_decimal": count(sized & conf.eq("board-decimal")),
            "floor": count(sized & conf.eq("floor")),
            "name": count(sized & conf.eq("name")),
            "corrected": count(sized & conf.eq("corrected")),
            "doubtful": count(sized & conf.eq("doubtful")),
            "size_unknown": count(~sized),
            "license_unknown": count(unknown_license),
            "license_inherited": count(unknown_license & sub["inherited"].astype(bool)),
            "partial_snapshots": " ".join(partial.get(board, [])),
        }
        row["estimated"] = row["board_decimal"] + row["floor"] + row["name"]
        rows.append(row)
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)
