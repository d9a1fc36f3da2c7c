"""Reads and writes of the size review and the fidelity report (the SQL of db/facts.py's rules)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from db.schema import MODELS

REVIEW_COLUMNS = (
    "id",
    "repo_id",
    "params_b",
    "params_source",
    "params_is_estimate",
    "params_confidence",
    "params_note",
    "base_model",
    "is_merged",
    "is_moe",
    "model_type",
    "architecture",
    "license",
    "license_category",
    "license_inherited",
    "license_inherited_from",
)
WRITABLE = frozenset(
    {
        "params_b",
        "params_source",
        "params_is_estimate",
        "params_confidence",
        "params_note",
        "is_moe",
        "license_inherited",
        "license_inherited_from",
    }
)


def review_rows(conn: Connection) -> list[dict]:
    """Every model row with the columns the size and license review reads."""
    cols = [MODELS.c[c] for c in REVIEW_COLUMNS]
    return [dict(zip(REVIEW_COLUMNS, row, strict=True)) for row in conn.execute(select(*cols))]


def write_reviews(conn: Connection, changes: Sequence[tuple[int, dict]]) -> int:
    """Apply (model id, column changes); one executemany per set of columns."""
    from db.writes import update_rows

    for _, cols in changes:
        bad = set(cols) - WRITABLE
        if bad:
            raise ValueError(f"the review may not write {sorted(bad)}")
    update_rows(conn, MODELS, changes)
    return len(changes)
