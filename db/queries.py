"""Read queries: the board as of a day, reigns at #1, a model's history, status figures.

All SQL that reads lives here; the reports (``python -m db``) and the dashboard call these
functions and get pandas DataFrames back. Everything is keyed by data keys (benchmark keys,
license categories), never by display labels.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from core.boards import LEADERBOARD_KEYS
from core.errors import NotFoundError
from db import facts as facts_rules
from db import history
from db.ranking import ranks_in_order, tie_ranks
from db.registry import stored_board_def
from db.schema import (
    BENCHMARKS,
    CLAIMS,
    LEADERBOARDS,
    MODELS,
    SCORES,
    SNAPSHOTS,
)
from db.schema import (
    INGEST_RUNS as RUNS,
)
from db.schema import (
    MODEL_ALIASES as ALIASES,
)
from db.schema import (
    MODEL_FACTS as FACTS,
)
from db.schema import (
    REJECTED_ROWS as REJECTED,
)

MODEL_COLUMNS = (
    "repo_id",
    "org",
    "name",
    "params_b",
    "params_source",
    "params_is_estimate",
    "license",
    "license_source",
    "license_category",
    "architecture",
    "model_type",
    "pipeline_tag",
    "base_model",
    "created_date",
    "downloads",
    "likes",
    "gated",
    "is_merged",
    "is_moe",
    "is_flagged",
    "on_hub",
    "hub_status",
    "params_confidence",
    "params_note",
    "license_inherited",
    "license_inherited_from",
)


@dataclass(frozen=True)
class ModelFilter:
    """Filters on model facts, shared by the reports and the dashboard."""

    min_params: float | None = None
    max_params: float | None = None
    license_categories: tuple[str, ...] = ()
    model_types: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    architectures: tuple[str, ...] = ()
    pipeline_tags: tuple[str, ...] = ()
    search: str = ""
    hide_merged: bool = False
    hide_flagged: bool = False
    hide_off_hub: bool = False
    # Size filters skip doubtful sizes (db.facts) unless asked; a floor x counts as [x, x+1).
    include_doubtful: bool = False

    def is_empty(self) -> bool:
        return self == ModelFilter()


def check_leaderboard(key: str) -> None:
    if key not in LEADERBOARD_KEYS:
        raise NotFoundError(f"unknown leaderboard {key!r}; choose one of: {', '.join(LEADERBOARD_KEYS)}")


def benchmarks(conn: Connection, leaderboard: str) -> pd.DataFrame:
    check_leaderboard(leaderboard)
    rows = (
        conn.execute(
            select(BENCHMARKS).where(BENCHMARKS.c.leaderboard_key == leaderboard).order_by(BENCHMARKS.c.position)
        )
        .mappings()
        .all()
    )
    return pd.DataFrame([dict(r) for r in rows])


def leaderboards(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(select(LEADERBOARDS).order_by(LEADERBOARDS.c.position)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows])


def snapshot_dates(conn: Connection, leaderboard: str) -> list[dt.date]:
    check_leaderboard(leaderboard)
    return list(
        conn.execute(
            select(SNAPSHOTS.c.snapshot_date)
            .where(SNAPSHOTS.c.leaderboard_key == leaderboard)
            .order_by(SNAPSHOTS.c.snapshot_date)
        ).scalars()
    )


def _models_frame(conn: Connection, ids: Iterable[int] | None = None) -> pd.DataFrame:
    cols = [MODELS.c.id.label("model_pk"), *[MODELS.c[c] for c in MODEL_COLUMNS]]
    if ids is None:
        rows = conn.execute(select(*cols)).all()
    else:
        id_list = sorted(set(ids))
        # One frame per 900 ids, joined at the end: the Python objects of one chunk at a time,
        # not of every row (100,000 models held as tuples cost ~100 MB the allocator keeps).
        names = ["model_pk", *MODEL_COLUMNS]
        parts = []
        for start in range(0, len(id_list), 900):
            chunk = conn.execute(select(*cols).where(MODELS.c.id.in_(id_list[start : start + 900]))).all()
            parts.append(pd.DataFrame.from_records([tuple(r) for r in chunk], columns=names))
        if not parts:
            return pd.DataFrame(columns=names)
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    # Plain tuples: pandas builds a frame from SQLAlchemy Row objects several times slower.
    frame = pd.DataFrame.from_records([tuple(r) for r in rows], columns=["model_pk", *MODEL_COLUMNS])
    return frame


def board_entries(conn: Connection, leaderboard: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every entry (model variant) on the board as it stood on ``as_of``, one column per benchmark."""
    check_leaderboard(leaderboard)
    bench_keys = [b.key for b in stored_board_def(conn, leaderboard).benchmarks]
    raw = _active_frame(conn, leaderboard, as_of)
    if raw.empty:
        return pd.DataFrame(columns=["model_pk", "variant", "precision", "revision", *bench_keys])
    wide = raw.pivot_table(index=["model_pk", "variant"], columns="benchmark", values="value", aggfunc="first")
    meta = raw.drop_duplicates(["model_pk", "variant"]).set_index(["model_pk", "variant"])[["precision", "revision"]]
    wide = meta.join(wide).reset_index()
    for key in bench_keys:
        if key not in wide.columns:
            wide[key] = np.nan
    return wide


def rank_board(
    entries: pd.DataFrame, models: pd.DataFrame, rank_by: str, higher_is_better: bool = True
) -> pd.DataFrame:
    """Best variant per model by ``rank_by``, ordered (ties to the id first alphabetically); equal
    scores share a rank (1, 2, 2, 4: :mod:`db.ranking`)."""
    if entries.empty:
        return pd.DataFrame(columns=["rank", "model_id", *entries.columns])
    frame = entries.merge(models, on="model_pk", how="left")
    frame = frame[frame[rank_by].notna()].copy()
    frame["_key"] = frame["repo_id"].str.lower()
    frame = frame.sort_values([rank_by, "_key"], ascending=[not higher_is_better, True], kind="mergesort")
    frame = frame.drop_duplicates("model_pk", keep="first")
    frame.insert(0, "rank", ranks_in_order(frame[rank_by]))
    frame = frame.rename(columns={"repo_id": "model_id"}).drop(columns="_key")
    return frame.reset_index(drop=True)


def filter_models(frame: pd.DataFrame, flt: ModelFilter) -> pd.DataFrame:
    """Apply model-fact filters to a frame that has the model columns."""
    if flt.is_empty() or frame.empty:
        return frame
    mask = pd.Series(True, index=frame.index)
    if flt.min_params is not None or flt.max_params is not None:
        low, high, _ = facts_rules.size_frame_bounds(
            frame["params_b"].to_numpy(), frame.get("params_confidence"), flt.include_doubtful
        )
        low.index = high.index = frame.index
        if flt.min_params is not None:
            mask &= low.ge(flt.min_params).fillna(False).astype(bool)
        if flt.max_params is not None:
            mask &= high.le(flt.max_params).fillna(False).astype(bool)
    if flt.license_categories:
        mask &= frame["license_category"].isin(flt.license_categories)
    if flt.model_types:
        mask &= frame["model_type"].isin(flt.model_types)
    if flt.orgs:
        mask &= frame["org"].isin(flt.orgs)
    if flt.architectures:
        mask &= frame["architecture"].isin(flt.architectures)
    if flt.pipeline_tags:
        mask &= frame["pipeline_tag"].isin(flt.pipeline_tags)
    if flt.search:
        id_col = "model_id" if "model_id" in frame.columns else "repo_id"
        mask &= frame[id_col].str.contains(flt.search, case=False, regex=False, na=False)
    if flt.hide_merged:
        mask &= ~frame["is_merged"].fillna(False).astype(bool)
    if flt.hide_flagged:
        mask &= ~frame["is_flagged"].fillna(False).astype(bool)
    if flt.hide_off_hub:
        mask &= frame["on_hub"].fillna(True).astype(bool)
    return frame[mask]


def board(
    conn: Connection,
    leaderboard: str,
    as_of: dt.date | None = None,
    *,
    rank_by: str | None = None,
    flt: ModelFilter = ModelFilter(),
    limit: int | None = None,
) -> pd.DataFrame:
    """The ranked board: one row per model (its best variant), filtered, ranks re-numbered."""
    check_leaderboard(leaderboard)
    lb = stored_board_def(conn, leaderboard)
    key = rank_by or lb.main_benchmark
    bdef = lb.benchmark(key)
    entries = board_entries(conn, leaderboard, as_of)
    models = _models_frame(conn, entries["model_pk"].unique().tolist())
    ranked = rank_board(entries, models, key, bdef.higher_is_better)
    ranked = filter_models(ranked, flt).copy()
    ranked["score"] = ranked[key] if key in ranked.columns else np.nan
    ranked["rank"] = tie_ranks(ranked["score"], bdef.higher_is_better).astype(int) if len(ranked) else []
    if limit is not None:
        ranked = ranked.head(limit)
    return ranked.reset_index(drop=True)


# --------------------------------------------------------------------------- tenure


def _daily_leaders_frame(
    conn: Connection, leaderboard: str, bench: str, flt: ModelFilter
) -> tuple[list[dt.date], pd.DataFrame]:
    """Every (snapshot date index, model, value) for ``bench``, best variant per model."""
    dates = snapshot_dates(conn, leaderboard)
    rows = conn.execute(
        select(SCORES.c.model_id, SCORES.c.value, SCORES.c.valid_from, SCORES.c.valid_to).where(
            SCORES.c.leaderboard_key == leaderboard, SCORES.c.benchmark_key == bench
        )
    ).all()
    if not rows or not dates:
        return dates, pd.DataFrame(columns=["date_idx", "model_pk", "value"])
    ivals = pd.DataFrame.from_records([tuple(r) for r in rows], columns=["model_pk", "value", "valid_from", "valid_to"])
    models = _models_frame(conn, ivals["model_pk"].unique().tolist())
    if not flt.is_empty():
        keep = set(filter_models(models, flt)["model_pk"])
        ivals = ivals[ivals["model_pk"].isin(keep)]
    date_arr = np.array([np.datetime64(d) for d in dates])
    start = np.searchsorted(date_arr, ivals["valid_from"].to_numpy(dtype="datetime64[D]"), side="left")
    to = ivals["valid_to"]
    end = np.full(len(ivals), len(dates))
    has_end = to.notna().to_numpy()
    if has_end.any():
        end[has_end] = np.searchsorted(date_arr, to[has_end].to_numpy(dtype="datetime64[D]"), side="left")
    counts = np.maximum(end - start, 0)
    total = int(counts.sum())
    if total == 0:
        return dates, pd.DataFrame(columns=["date_idx", "model_pk", "value"])
    rep_start = np.repeat(start, counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    exploded = pd.DataFrame(
        {
            "date_idx": rep_start + offsets,
            "model_pk": np.repeat(ivals["model_pk"].to_numpy(), counts),
            "value": np.repeat(ivals["value"].to_numpy(dtype=float), counts),
        }
    )
    exploded.attrs["models"] = models
    return dates, exploded


def _order_keys(models: pd.DataFrame) -> dict[int, int]:
    """Model pk -> position of its id in case-insensitive alphabetical order."""
    ordered = models.assign(_k=models["repo_id"].str.lower()).sort_values("_k")
    return {pk: i for i, pk in enumerate(ordered["model_pk"])}


def daily_leaders(
    conn: Connection, leaderboard: str, rank_by: str | None = None, flt: ModelFilter = ModelFilter()
) -> pd.DataFrame:
    """The #1 on every snapshot date: columns date, model_id, value."""
    check_leaderboard(leaderboard)
    lb = stored_board_def(conn, leaderboard)
    bench = rank_by or lb.main_benchmark
    bdef = lb.benchmark(bench)
    dates, exploded = _daily_leaders_frame(conn, leaderboard, bench, flt)
    if exploded.empty:
        return pd.DataFrame(columns=["date", "model_id", "model_pk", "value"])
    models = exploded.attrs["models"]
    order = _order_keys(models)
    alpha = exploded["model_pk"].map(order).to_numpy()
    value = exploded["value"].to_numpy()
    primary = -value if bdef.higher_is_better else value
    idx = np.lexsort((alpha, primary, exploded["date_idx"].to_numpy()))
    ordered = exploded.iloc[idx]
    leaders = ordered.drop_duplicates("date_idx", keep="first")
    names = models.set_index("model_pk")["repo_id"]
    return pd.DataFrame(
        {
            "date": [dates[i] for i in leaders["date_idx"]],
            "model_id": leaders["model_pk"].map(names).to_numpy(),
            "model_pk": leaders["model_pk"].to_numpy(),
            "value": leaders["value"].to_numpy(),
        }
    ).reset_index(drop=True)


def tenure(
    conn: Connection,
    leaderboard: str,
    rank_by: str | None = None,
    flt: ModelFilter = ModelFilter(),
    *,
    include_flagged: bool = False,
) -> pd.DataFrame:
    """One row per reign at #1, in date order: model_id, start, end, days, model_pk, value, gap_days.

    The reign rule is :func:`db.history.reigns` (shared with the dashboard): a reign runs from
    the first snapshot date where the model is #1 to the first snapshot date where another
    model is #1 (``end`` empty while it still leads at the last snapshot; ``days`` then counts
    to the last snapshot date); a partial snapshot cannot start or end one by itself.
    ``gap_days``: the longest gap between snapshots inside the reign when it is longer than
    :data:`db.history.MAX_GAP_DAYS` (None otherwise). Flagged models (contamination and the
    boards' other flags) take no reign unless ``include_flagged``.
    """
    if not include_flagged:
        flt = dataclasses.replace(flt, hide_flagged=True)
    leaders = daily_leaders(conn, leaderboard, rank_by, flt)
    dates = snapshot_dates(conn, leaderboard)
    columns = ["model_id", "start", "end", "days", "model_pk", "value", "gap_days"]
    if leaders.empty:
        return pd.DataFrame(columns=columns)
    by_date = dict(
        zip(leaders["date"], zip(leaders["model_pk"], leaders["model_id"], leaders["value"], strict=True), strict=True)
    )
    found = history.reigns(dates, by_date, identity=lambda leader: leader[0], partial=partial_dates(conn, leaderboard))
    rows = [
        {
            "model_id": r["leader"][1],
            "start": r["start"],
            "end": r["end"],
            "days": r["days"],
            "model_pk": r["leader"][0],
            "value": r["leader"][2],
            "gap_days": r["gap_days"],
        }
        for r in found
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["gap_days"] = pd.Series([r["gap_days"] for r in rows], dtype=object, index=frame.index)
    return frame


def rank_history(
    conn: Connection,
    leaderboard: str,
    model_pks: Sequence[int],
    rank_by: str | None = None,
    flt: ModelFilter = ModelFilter(),
) -> pd.DataFrame:
    """Rank and score of the given models on every snapshot date where they are listed."""
    check_leaderboard(leaderboard)
    lb = stored_board_def(conn, leaderboard)
    bench = rank_by or lb.main_benchmark
    bdef = lb.benchmark(bench)
    dates, exploded = _daily_leaders_frame(conn, leaderboard, bench, flt)
    columns = ["date", "model_id", "model_pk", "rank", "score", "entries"]
    if exploded.empty:
        return pd.DataFrame(columns=columns)
    models = exploded.attrs["models"]
    order = _order_keys(models)
    exploded = exploded.assign(alpha=exploded["model_pk"].map(order))
    primary = -exploded["value"] if bdef.higher_is_better else exploded["value"]
    exploded = exploded.assign(primary=primary).sort_values(["date_idx", "primary", "alpha"], kind="mergesort")
    best = exploded.drop_duplicates(["date_idx", "model_pk"], keep="first").copy()
    best["rank"] = tie_ranks(best["value"], bdef.higher_is_better, best["date_idx"]).astype(int)
    best["entries"] = best.groupby("date_idx")["model_pk"].transform("size")
    wanted = best[best["model_pk"].isin(set(model_pks))]
    names = models.set_index("model_pk")["repo_id"]
    return (
        pd.DataFrame(
            {
                "date": [dates[i] for i in wanted["date_idx"]],
                "model_id": wanted["model_pk"].map(names).to_numpy(),
                "model_pk": wanted["model_pk"].to_numpy(),
                "rank": wanted["rank"].to_numpy(),
                "score": wanted["value"].to_numpy(),
                "entries": wanted["entries"].to_numpy(),
            }
        )
        .sort_values(["model_id", "date"])
        .reset_index(drop=True)
    )


def daily_values(conn: Connection, leaderboard: str, bench: str) -> tuple[list[dt.date], pd.DataFrame, pd.DataFrame]:
    """(snapshot dates, one row per snapshot date index and score interval of a model, the models' facts).

    The dashboard derives per-size-class leaders from this in one pass instead of one
    query per class.
    """
    check_leaderboard(leaderboard)
    dates, exploded = _daily_leaders_frame(conn, leaderboard, bench, ModelFilter())
    models = exploded.attrs.get("models")
    if models is None:
        models = _models_frame(conn, [])
    exploded.attrs = {}
    return dates, exploded, models


def first_listed(conn: Connection, leaderboard: str) -> pd.DataFrame:
    """When each model was first listed on a board: model_pk, first_listed."""
    check_leaderboard(leaderboard)
    rows = conn.execute(
        select(SCORES.c.model_id, func.min(SCORES.c.valid_from))
        .where(SCORES.c.leaderboard_key == leaderboard)
        .group_by(SCORES.c.model_id)
    ).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=["model_pk", "first_listed"])


# --------------------------------------------------------------------------- models


def find_model(conn: Connection, model_id: str) -> dict:
    """A model row by id or alias (ignoring case); raises NotFoundError."""
    key = model_id.strip().lower()
    row = conn.execute(select(MODELS).where(MODELS.c.repo_id_lower == key)).mappings().first()
    if row is None:
        alias = conn.execute(select(ALIASES.c.model_id).where(ALIASES.c.alias_lower == key)).scalar()
        if alias is not None:
            row = conn.execute(select(MODELS).where(MODELS.c.id == alias)).mappings().first()
    if row is None:
        raise NotFoundError(f"no model {model_id!r} in the database")
    return dict(row)


def search_models(conn: Connection, text: str, limit: int = 20) -> pd.DataFrame:
    pattern = f"%{text.strip().lower()}%"
    rows = conn.execute(
        select(MODELS.c.repo_id, MODELS.c.params_b, MODELS.c.license_category)
        .where(MODELS.c.repo_id_lower.like(pattern))
        .order_by(func.length(MODELS.c.repo_id), MODELS.c.repo_id_lower)
        .limit(limit)
    ).all()
    return pd.DataFrame.from_records(rows, columns=["model_id", "params_b", "license_category"])


def model_facts(conn: Connection, model_pk: int) -> pd.DataFrame:
    rows = conn.execute(
        select(FACTS.c.field, FACTS.c.value, FACTS.c.source, FACTS.c.source_url, FACTS.c.as_of)
        .where(FACTS.c.model_id == model_pk)
        .order_by(FACTS.c.field, FACTS.c.source)
    ).all()
    return pd.DataFrame.from_records(rows, columns=["field", "value", "source", "source_url", "as_of"])


def model_claims(conn: Connection, model_pk: int) -> pd.DataFrame:
    rows = conn.execute(
        select(CLAIMS.c.field, CLAIMS.c.claim, CLAIMS.c.claimed_value, CLAIMS.c.unit, CLAIMS.c.source).where(
            CLAIMS.c.model_id == model_pk
        )
    ).all()
    return pd.DataFrame.from_records(rows, columns=["field", "claim", "claimed_value", "unit", "source"])


def model_aliases(conn: Connection, model_pk: int) -> list[str]:
    return list(conn.execute(select(ALIASES.c.alias).where(ALIASES.c.model_id == model_pk)).scalars())


def model_scores(conn: Connection, model_pk: int) -> pd.DataFrame:
    """Every score interval of a model on every board (its full history)."""
    rows = conn.execute(
        select(
            SCORES.c.leaderboard_key,
            SCORES.c.variant,
            SCORES.c.precision,
            SCORES.c.revision,
            SCORES.c.benchmark_key,
            SCORES.c.value,
            SCORES.c.valid_from,
            SCORES.c.valid_to,
        )
        .where(SCORES.c.model_id == model_pk)
        .order_by(SCORES.c.leaderboard_key, SCORES.c.benchmark_key, SCORES.c.valid_from)
    ).all()
    return pd.DataFrame.from_records(
        rows,
        columns=["leaderboard", "variant", "precision", "revision", "benchmark", "value", "valid_from", "valid_to"],
    )


def models_frame(conn: Connection, model_pks: Iterable[int] | None = None) -> pd.DataFrame:
    return _models_frame(conn, model_pks)


def base_model_chain(conn: Connection, model_id: str, max_depth: int = 10) -> list[str]:
    """model -> its base -> that model's base ..., as far as the database knows."""
    chain: list[str] = []
    seen = {model_id.lower()}
    current = model_id
    for _ in range(max_depth):
        row = conn.execute(select(MODELS.c.base_model).where(MODELS.c.repo_id_lower == current.lower())).first()
        if row is None or not row.base_model or row.base_model.lower() in seen:
            break
        chain.append(row.base_model)
        seen.add(row.base_model.lower())
        current = row.base_model
    return chain


# --------------------------------------------------------------------------- status


def has_scores(conn: Connection) -> bool:
    """True when any leaderboard score is stored (the database has been seeded or imported into)."""
    return conn.execute(select(SCORES.c.id).limit(1)).first() is not None


def last_run_detail(conn: Connection, source: str) -> dict:
    """The ``detail`` of the newest run of ``source`` (its figures), or ``{}``."""
    detail = conn.execute(
        select(RUNS.c.detail).where(RUNS.c.source == source).order_by(RUNS.c.id.desc()).limit(1)
    ).scalar()
    return detail if isinstance(detail, dict) else {}


def recent_runs(conn: Connection, limit: int = 20) -> pd.DataFrame:
    rows = conn.execute(
        select(
            RUNS.c.id,
            RUNS.c.source,
            RUNS.c.started_at,
            RUNS.c.finished_at,
            RUNS.c.status,
            RUNS.c.rows_read,
            RUNS.c.rows_written,
            RUNS.c.rows_rejected,
            RUNS.c.error,
        )
        .order_by(RUNS.c.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame.from_records(
        rows,
        columns=[
            "run_id",
            "source",
            "started_at",
            "finished_at",
            "status",
            "rows_read",
            "rows_written",
            "rows_rejected",
            "error",
        ],
    )


def last_success_per_source(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        select(RUNS.c.source, func.max(RUNS.c.finished_at))
        .where(RUNS.c.status == "succeeded")
        .group_by(RUNS.c.source)
        .order_by(RUNS.c.source)
    ).all()
    return pd.DataFrame.from_records(rows, columns=["source", "last_success"])


def last_runs(conn: Connection, sources: Sequence[str]) -> dict[str, dict]:
    """Per source: its newest run (``status``, ``finished_at``, ``detail``; ``None`` when it never
    ran) and the end of its newest successful run (``last_success``)."""
    out = {}
    for source in sources:
        last = conn.execute(
            select(RUNS.c.status, RUNS.c.finished_at, RUNS.c.detail)
            .where(RUNS.c.source == source)
            .order_by(RUNS.c.id.desc())
            .limit(1)
        ).first()
        success = conn.execute(
            select(func.max(RUNS.c.finished_at)).where(RUNS.c.source == source, RUNS.c.status == "succeeded")
        ).scalar()
        out[source] = {"last": last._asdict() if last is not None else None, "last_success": success}
    return out


def rejected_rows(conn: Connection, limit: int = 200) -> pd.DataFrame:
    rows = conn.execute(
        select(REJECTED.c.run_id, REJECTED.c.file, REJECTED.c.row_number, REJECTED.c.reason, REJECTED.c.raw)
        .order_by(REJECTED.c.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame.from_records(rows, columns=["run_id", "file", "row_number", "reason", "raw"])


def table_counts(conn: Connection) -> dict[str, int]:
    tables = {
        "models": MODELS,
        "scores": SCORES,
        "snapshots": SNAPSHOTS,
        "ingest_runs": RUNS,
        "rejected_rows": REJECTED,
        "model_facts": FACTS,
        "claims": CLAIMS,
    }
    return {name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0) for name, t in tables.items()}


def snapshot_summary(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        select(
            SNAPSHOTS.c.leaderboard_key,
            func.count(),
            func.min(SNAPSHOTS.c.snapshot_date),
            func.max(SNAPSHOTS.c.snapshot_date),
        ).group_by(SNAPSHOTS.c.leaderboard_key)
    ).all()
    return pd.DataFrame.from_records(rows, columns=["leaderboard", "snapshots", "first", "last"])


def data_version(conn: Connection) -> tuple:
    """Changes whenever an ingest run finishes: the dashboard's cache key."""
    row = conn.execute(select(func.max(RUNS.c.id), func.max(RUNS.c.finished_at))).first()
    return (row[0], str(row[1])) if row else (None, None)


def hub_check_candidates(conn: Connection, boards: Sequence[str], limit: int) -> list[str]:
    """Repo ids of models on ``boards`` (current entries first), least recently checked on the Hub first."""
    if limit <= 0:
        return []
    on_board = (
        select(SCORES.c.model_id, func.max(func.coalesce(SCORES.c.valid_to, dt.date.max)).label("last_seen"))
        .where(SCORES.c.leaderboard_key.in_(list(boards)))
        .group_by(SCORES.c.model_id)
        .subquery()
    )
    query = (
        select(MODELS.c.repo_id)
        .join(on_board, on_board.c.model_id == MODELS.c.id)
        .where(MODELS.c.repo_id.like("%/%"), MODELS.c.repo_id.not_like("% %"))
        .order_by(
            MODELS.c.hub_checked_at.is_not(None),
            MODELS.c.hub_checked_at,
            on_board.c.last_seen.desc(),
            MODELS.c.repo_id_lower,
        )
        .limit(limit)
    )
    return [row.repo_id for row in conn.execute(query)]


# --------------------------------------------------------------------------- partial snapshots


def partial_dates(conn: Connection, leaderboard: str) -> set[dt.date]:
    """The dates of a board's partial snapshots (see :func:`db.history.partial_flags`)."""
    return set(
        conn.execute(
            select(SNAPSHOTS.c.snapshot_date).where(
                SNAPSHOTS.c.leaderboard_key == leaderboard, SNAPSHOTS.c.is_partial.is_(True)
            )
        ).scalars()
    )


def snapshot_in_effect(conn: Connection, leaderboard: str, as_of: dt.date | None = None) -> dict | None:
    """The snapshot the board "as of" a day comes from (the last on or before it; None: the newest).

    ``{"date", "entries", "partial"}``, or None when the board has no snapshot by then. A
    partial one lists only part of the board: the entries it lacks are carried from before.
    """
    query = select(SNAPSHOTS.c.snapshot_date, SNAPSHOTS.c.entries, SNAPSHOTS.c.is_partial).where(
        SNAPSHOTS.c.leaderboard_key == leaderboard
    )
    if as_of is not None:
        query = query.where(SNAPSHOTS.c.snapshot_date <= as_of)
    row = conn.execute(query.order_by(SNAPSHOTS.c.snapshot_date.desc()).limit(1)).first()
    if row is None:
        return None
    return {"date": row[0], "entries": row[1], "partial": bool(row[2])}


def partial_note(conn: Connection, leaderboard: str, as_of: dt.date | None = None) -> str | None:
    """A one-line note when the board as of ``as_of`` comes from a partial snapshot, else None."""
    snap = snapshot_in_effect(conn, leaderboard, as_of)
    if snap is None or not snap["partial"]:
        return None
    return (
        f"the snapshot of {snap['date'].isoformat()} is partial ({snap['entries']} entries, far fewer than the "
        "snapshots before it): entries it lacks are shown as they were on the snapshot before"
    )


def _active_frame(conn: Connection, leaderboard: str, day: dt.date | None, chunk: int = 50_000) -> pd.DataFrame:
    """:func:`_active` as a frame, read ``chunk`` rows at a time.

    A board of 100,000 models has 700,000 active scores; as Row objects all at once they cost
    ~200 MB of small Python objects whose memory the allocator keeps after they are freed (the
    dashboard's resident size stayed that much higher). One chunk at a time keeps the peak small.
    """
    cols = (
        SCORES.c.model_id,
        SCORES.c.variant,
        SCORES.c.precision,
        SCORES.c.revision,
        SCORES.c.benchmark_key,
        SCORES.c.value,
    )
    names = ["model_pk", "variant", "precision", "revision", "benchmark", "value"]
    base = [SCORES.c.leaderboard_key == leaderboard]
    if day is None:
        wheres = [[*base, SCORES.c.valid_to.is_(None)]]
    else:
        wheres = [
            [*base, SCORES.c.valid_to.is_(None), SCORES.c.valid_from <= day],
            [*base, SCORES.c.valid_to > day, SCORES.c.valid_from <= day],
        ]
    parts = []
    for where in wheres:
        result = conn.execution_options(yield_per=chunk).execute(select(*cols).where(*where))
        for rows in result.partitions(chunk):
            parts.append(pd.DataFrame.from_records([tuple(r) for r in rows], columns=names))
    if not parts:
        return pd.DataFrame(columns=names)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
