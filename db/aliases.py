"""Board display names -> Hub repo ids (``board_aliases``), and the Hub facts they bring.

A board such as the Arena names models by display names (``llama-3.2-3b-instruct``), never by
Hub ids. ``data/aliases/<board>.csv`` (read by ``ingest.aliases``) maps exact names to repo ids,
each with how the mapping is known. An aliased model takes its parameter count and license from
its Hub repo's row when that row has them, so the board can be filtered by size and license like
the others; the fact keeps its source (``hub via alias of ...``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, delete, func, select, update

from db import facts as facts_rules
from db.schema import BOARD_ALIASES, MODELS

# Where a fact taken over from the aliased Hub repo says it came from (starts with "hub": it
# ranks as a Hub fact, so later board rows never override it).
VIA = facts_rules.ALIAS_PREFIX + "{hub_id} ({source})"


def replace_aliases(conn: Connection, leaderboard: str, rows: Sequence[dict]) -> int:
    """Make ``board_aliases`` of ``leaderboard`` exactly ``rows`` (dicts: name, hub_id, source)."""
    conn.execute(delete(BOARD_ALIASES).where(BOARD_ALIASES.c.leaderboard_key == leaderboard))
    if rows:
        conn.execute(
            BOARD_ALIASES.insert(),
            [
                {
                    "leaderboard_key": leaderboard,
                    "name": r["name"],
                    "name_lower": r["name"].lower(),
                    "hub_id": r["hub_id"],
                    "source": r["source"],
                }
                for r in rows
            ],
        )
    return len(rows)


def aliases(conn: Connection, leaderboard: str) -> pd.DataFrame:
    """The aliases of a board: name, name_lower, hub_id, source (sorted by name)."""
    rows = conn.execute(
        select(BOARD_ALIASES.c.name, BOARD_ALIASES.c.name_lower, BOARD_ALIASES.c.hub_id, BOARD_ALIASES.c.source)
        .where(BOARD_ALIASES.c.leaderboard_key == leaderboard)
        .order_by(BOARD_ALIASES.c.name_lower)
    ).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=["name", "name_lower", "hub_id", "source"])


def hub_ids(conn: Connection, leaderboard: str) -> dict[str, str]:
    """Lower-case board name -> Hub repo id."""
    rows = conn.execute(
        select(BOARD_ALIASES.c.name_lower, BOARD_ALIASES.c.hub_id).where(BOARD_ALIASES.c.leaderboard_key == leaderboard)
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def add_hub_ids(conn: Connection, frame: pd.DataFrame, leaderboard: str, id_column: str = "model_id") -> pd.DataFrame:
    """``frame`` with a ``hub_id`` column (empty where the board name has no alias)."""
    mapping = hub_ids(conn, leaderboard)
    out = frame.copy()
    if out.empty:
        out["hub_id"] = pd.Series(dtype=object)
        return out
    out["hub_id"] = out[id_column].str.lower().map(mapping)
    return out


def apply_all_hub_facts(conn: Connection) -> int:
    """:func:`apply_hub_facts` for every board that has aliases; how many rows changed."""
    boards = conn.execute(select(BOARD_ALIASES.c.leaderboard_key).distinct()).scalars().all()
    return sum(apply_hub_facts(conn, board) for board in sorted(boards))


def apply_hub_facts(conn: Connection, leaderboard: str) -> int:
    """Copy params and license of each aliased Hub repo onto the board model's row.

    Only facts the Hub row has are copied (a Hub row without a parameter count leaves the board
    model's own estimate). Returns how many model rows changed. Idempotent.
    """
    hub = MODELS.alias("hub")
    rows = conn.execute(
        select(
            MODELS.c.id,
            MODELS.c.params_b,
            MODELS.c.params_source,
            MODELS.c.license,
            MODELS.c.license_source,
            MODELS.c.params_confidence,
            MODELS.c.params_note,
            hub.c.repo_id,
            hub.c.params_b,
            hub.c.params_is_estimate,
            hub.c.license,
            hub.c.license_category,
            hub.c.params_source,
            hub.c.license_source,
            hub.c.params_confidence,
            hub.c.params_note,
        )
        .select_from(
            BOARD_ALIASES.join(MODELS, MODELS.c.repo_id_lower == BOARD_ALIASES.c.name_lower).join(
                hub, hub.c.repo_id_lower == func.lower(BOARD_ALIASES.c.hub_id)
            )
        )
        .where(BOARD_ALIASES.c.leaderboard_key == leaderboard, MODELS.c.id != hub.c.id)
    ).all()
    changed = 0
    for (
        pk,
        params,
        psrc,
        lic,
        lsrc,
        conf,
        note,
        hub_id,
        h_params,
        h_est,
        h_lic,
        h_cat,
        h_psrc,
        h_lsrc,
        h_conf,
        h_note,
    ) in rows:
        values: dict = {}
        if h_params is not None:
            source = VIA.format(hub_id=hub_id, source=h_psrc or "hub")
            if params != h_params or psrc != source:
                values.update(params_b=h_params, params_is_estimate=bool(h_est), params_source=source)
            # As sure as the repo's own size (reviewed first: see ingest.facts_review.review).
            if (conf, note) != (h_conf, h_note):
                values.update(params_confidence=h_conf, params_note=h_note)
        if h_lic is not None and facts_rules.authoritative(h_lsrc):  # the Hub's or the seed's own license
            source = VIA.format(hub_id=hub_id, source=h_lsrc)
            if lic != h_lic or lsrc != source:
                values.update(license=h_lic, license_category=h_cat or "unknown", license_source=source)
        if values:
            conn.execute(update(MODELS).where(MODELS.c.id == pk).values(**values))
            changed += 1
    return changed


def unmatched_open_models(conn: Connection, leaderboard: str) -> pd.DataFrame:
    """Open models of a board (license not proprietary) whose name has no alias: name, license.

    A model counts when it has a score on the board; sorted by name ignoring case.
    """
    from db.schema import SCORES

    on_board = select(SCORES.c.model_id).where(SCORES.c.leaderboard_key == leaderboard).distinct().subquery()
    rows = conn.execute(
        select(MODELS.c.repo_id, MODELS.c.license, MODELS.c.license_category)
        .join(on_board, on_board.c.model_id == MODELS.c.id)
        .outerjoin(
            BOARD_ALIASES,
            (BOARD_ALIASES.c.name_lower == MODELS.c.repo_id_lower) & (BOARD_ALIASES.c.leaderboard_key == leaderboard),
        )
        .where(BOARD_ALIASES.c.hub_id.is_(None), MODELS.c.license_category != "proprietary")
        .order_by(MODELS.c.repo_id_lower)
    ).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=["name", "license", "license_category"])


def alias_hub_ids(conn: Connection) -> list[str]:
    """Hub repo ids that board names are aliased to, least recently checked on the Hub first."""
    rows = conn.execute(
        select(BOARD_ALIASES.c.hub_id, func.max(MODELS.c.hub_checked_at))
        .outerjoin(MODELS, MODELS.c.repo_id_lower == func.lower(BOARD_ALIASES.c.hub_id))
        .group_by(BOARD_ALIASES.c.hub_id)
        .order_by(
            func.max(MODELS.c.hub_checked_at).is_not(None), func.max(MODELS.c.hub_checked_at), BOARD_ALIASES.c.hub_id
        )
    ).all()
    return [r[0] for r in rows]
