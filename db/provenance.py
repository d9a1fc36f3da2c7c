"""Score provenance: where each score of the ``hub-evals`` and ``epoch`` boards comes from.

The values and their history go through the ordinary snapshot path (``scores``, validity
intervals); this module keeps, beside each score key (board, model, variant, benchmark), its
provenance, its source and, for Epoch's own runs, the standard error, the log link and the run
date (table ``score_provenance``). The rule that names a Hub result's provenance is a pure
function stated once (:func:`hub_provenance`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, select

from core.boards import MEASURED, SELF_REPORTED  # the board ran it; the model's card or authors
from db.schema import MODELS, SCORES
from db.schema import SCORE_PROVENANCE as PROV

# The agreed vocabulary, most trustworthy first.
VERIFIED = "verified"  # run and signed on the Hub (a valid verifyToken)
COMMUNITY = "community"  # an open pull request on the model repo
EXTERNAL = "external"  # a curated third-party source (Epoch's external results)
PROVENANCE = (MEASURED, VERIFIED, COMMUNITY, SELF_REPORTED, EXTERNAL)

_FIELDS = (
    "provenance",
    "source_name",
    "source_url",
    "stderr",
    "log_url",
    "run_date",
    "task_id",
    "notes",
)


def hub_provenance(verified: object, pull_request: object) -> str:
    """The provenance of a Hub eval result from its ``verified`` flag and ``pullRequest`` number.

    Verified wins (the Hub checked its signature); otherwise a result that lives in an open pull
    request is a community submission; anything else is in the model's own repo: self-reported.
    Only a real ``True`` counts as verified (``"false"`` or ``1`` from a sloppy body do not), and
    only a pull request number from 1 up names a pull request.
    """
    if verified is True:
        return VERIFIED
    return COMMUNITY if _pr_number(pull_request) is not None else SELF_REPORTED


def _pr_number(value: object) -> int | None:
    """A pull request number (a whole number from 1 up, or its digits as text), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and int(text) > 0:  # "²" is a digit to isdigit(), not to int()
        return int(text)
    return None


@dataclass(frozen=True)
class Provenance:
    """The provenance of one score key (``model`` is the lower-case id the model index knows)."""

    model: str
    variant: str
    benchmark: str
    provenance: str
    source_name: str | None = None
    source_url: str | None = None
    stderr: float | None = None
    log_url: str | None = None
    run_date: dt.date | None = None
    task_id: str | None = None
    notes: str | None = None

    def values(self) -> dict:
        return {name: getattr(self, name) for name in _FIELDS}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)
    return a == b


def stored(conn: Connection, leaderboard: str) -> dict[tuple[int, str, str], dict]:
    """Every stored provenance row of a board: (model id, variant, benchmark) -> row as a dict."""
    rows = conn.execute(select(PROV).where(PROV.c.leaderboard_key == leaderboard)).mappings()
    return {(r["model_id"], r["variant"], r["benchmark_key"]): dict(r) for r in rows}


def upsert(
    conn: Connection,
    leaderboard: str,
    items: Iterable[Provenance],
    index: dict[str, int],
    day: dt.date,
    *,
    first_seen: dict[tuple[str, str, str], dt.date] | None = None,
) -> int:
    """Store the provenance of ``items`` listed on ``day``; returns how many rows changed.

    A new key gets ``first_seen`` (``first_seen[key]`` when given, else ``day``); a known key
    keeps the earlier of its two ``first_seen`` and the later ``last_seen``. Unchanged rows are
    not written, so importing the same data again changes nothing.
    """
    current = stored(conn, leaderboard)
    inserts, updates = [], []
    for item in items:
        model_id = index[item.model]
        key = (model_id, item.variant, item.benchmark)
        seen = (first_seen or {}).get((item.model, item.variant, item.benchmark), day)
        row = current.get(key)
        values = item.values()
        if row is None:
            inserts.append(
                {
                    "leaderboard_key": leaderboard,
                    "model_id": model_id,
                    "variant": item.variant,
                    "benchmark_key": item.benchmark,
                    "first_seen": seen,
                    "last_seen": day,
                    **values,
                }
            )
            current[key] = {**values, "first_seen": seen, "last_seen": day}
            continue
        change = {k: v for k, v in values.items() if not _same(row.get(k), v)}
        if row.get("first_seen") is None or seen < row["first_seen"]:
            change["first_seen"] = seen
        if row.get("last_seen") is None or day > row["last_seen"]:
            change["last_seen"] = day
        if change:
            updates.append((row["id"], change))
            row.update(change)
    if inserts:
        conn.execute(PROV.insert(), inserts)
    from db.writes import update_rows

    update_rows(conn, PROV, updates)
    return len(inserts) + len(updates)


def first_seen_by_key(conn: Connection, leaderboard: str) -> dict[tuple[str, str, str], dt.date]:
    """(lower-case model id, variant, benchmark) -> the first snapshot that listed it."""
    rows = conn.execute(
        select(MODELS.c.repo_id_lower, PROV.c.variant, PROV.c.benchmark_key, PROV.c.first_seen)
        .join(MODELS, MODELS.c.id == PROV.c.model_id)
        .where(PROV.c.leaderboard_key == leaderboard)
    )
    return {(r[0], r[1], r[2]): r[3] for r in rows if r[3] is not None}


PROVENANCE_COLUMNS = [
    "model_pk",
    "variant",
    "benchmark",
    "provenance",
    "source_name",
    "source_url",
    "stderr",
    "log_url",
    "run_date",
    "task_id",
    "notes",
    "first_seen",
]


def board_provenance(conn: Connection, leaderboard: str, model_pks: Sequence[int] | None = None) -> pd.DataFrame:
    """Provenance rows of a board (optionally of some models), one per score key."""
    query = select(
        PROV.c.model_id,
        PROV.c.variant,
        PROV.c.benchmark_key,
        *[PROV.c[c] for c in _FIELDS],
        PROV.c.first_seen,
    ).where(PROV.c.leaderboard_key == leaderboard)
    rows = []
    if model_pks is None:
        rows = conn.execute(query).all()
    else:
        ids = sorted(set(int(m) for m in model_pks))
        for start in range(0, len(ids), 900):
            rows.extend(conn.execute(query.where(PROV.c.model_id.in_(ids[start : start + 900]))).all())
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=PROVENANCE_COLUMNS)


def model_evals(conn: Connection, model_pk: int, boards: Sequence[str], *, latest: bool = False) -> pd.DataFrame:
    """Every current score of a model on ``boards`` with its provenance (an empty provenance
    for boards that keep none): leaderboard, benchmark, variant, value, valid_from, valid_to,
    provenance, ... With ``latest``, the newest value of every key even when it has left its board
    since (``valid_to`` says when)."""
    conditions = [SCORES.c.model_id == model_pk, SCORES.c.leaderboard_key.in_(list(boards))]
    if not latest:
        conditions.append(SCORES.c.valid_to.is_(None))
    score_rows = conn.execute(
        select(
            SCORES.c.leaderboard_key,
            SCORES.c.benchmark_key,
            SCORES.c.variant,
            SCORES.c.value,
            SCORES.c.valid_from,
            SCORES.c.valid_to,
        ).where(*conditions)
    ).all()
    scores = pd.DataFrame.from_records(
        [tuple(r) for r in score_rows],
        columns=["leaderboard", "benchmark", "variant", "value", "valid_from", "valid_to"],
    )
    if latest and not scores.empty:
        scores = (
            scores.sort_values("valid_from", kind="mergesort")
            .drop_duplicates(["leaderboard", "benchmark", "variant"], keep="last")
            .reset_index(drop=True)
        )
    prov_rows = conn.execute(
        select(
            PROV.c.leaderboard_key,
            PROV.c.benchmark_key,
            PROV.c.variant,
            *[PROV.c[c] for c in _FIELDS],
        ).where(PROV.c.model_id == model_pk)
    ).all()
    prov = pd.DataFrame.from_records(
        [tuple(r) for r in prov_rows], columns=["leaderboard", "benchmark", "variant", *_FIELDS]
    )
    if scores.empty:
        return pd.DataFrame(columns=[*scores.columns, *_FIELDS])
    return scores.merge(prov, on=["leaderboard", "benchmark", "variant"], how="left")


def with_provenance(conn: Connection, ranked: pd.DataFrame, leaderboard: str, benchmark: str) -> pd.DataFrame:
    """A ranked board (``queries.board``) with each row's provenance, source, stderr and run date
    for the score it is ranked by (the model's best variant on ``benchmark``)."""
    extra = ["provenance", "stderr", "run_date", "source_name", "source_url", "log_url", "task_id", "notes"]
    if ranked.empty:
        return ranked.reindex(columns=[*ranked.columns, *extra])
    prov = board_provenance(conn, leaderboard, ranked["model_pk"].tolist())
    prov = prov[prov["benchmark"] == benchmark][["model_pk", "variant", *extra]]
    return ranked.merge(prov, on=["model_pk", "variant"], how="left")
