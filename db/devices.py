"""Configs, quantised builds and "what fits on my device": the reads and writes (the rules are in db.memory).

- ``model_configs``: one row per repo id with the KV-cache facts of its ``config.json``;
- ``model_builds``: quantised builds of a base model (GGUF, AWQ, GPTQ, MLX, ...), per file
  when the Hub gives file sizes.

A build is never turned into a leaderboard model with a smaller size: the base model's page
lists it, and scores a build has (as its own ``models`` row) stay with it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, func, select

from core.boards import AUXILIARY_GROUPS, LEADERBOARDS, LMARENA, OPEN_LLM_V1, OPEN_LLM_V2, leaderboard_def
from core.errors import InputError
from db import memory
from db.schema import MODEL_BUILDS, MODEL_CONFIGS, MODELS

CONFIG_FIELDS = (
    "layers",
    "heads",
    "kv_heads",
    "head_dim",
    "hidden_size",
    "max_context",
    "sliding_window",
    "dtype",
    "model_type",
)
BUILD_COLUMNS = (
    "build_repo_id",
    "file_name",
    "format",
    "bits",
    "size_bytes",
    "downloads",
    "gguf_total",
    "gguf_architecture",
    "gguf_context_length",
    "link",
    "source",
    "as_of",
)
# Boards whose scores pick "the best model for a task", in order of preference. The model-card
# board is left out: its scores are self-reported.
TASK_BOARDS = (OPEN_LLM_V2, LMARENA, OPEN_LLM_V1)
MEMORY_CSV_COLUMNS = [
    "bits",
    "weights_gb",
    "kv_cache_gb",
    "total_gb",
    "params_b",
    "params_source",
    "config_source",
    "context",
    "overhead_gb",
]
DEVICE_COLUMNS = [
    "device",
    "usable_gb",
    "task",
    "leaderboard",
    "model_id",
    "score",
    "bits",
    "memory_gb",
    "memory_basis",
    "context",
    "params_b",
    "size_confidence",
    "params_source",
    "build_repo_id",
    "build_size_gb",
    "build_link",
]


# --------------------------------------------------------------------------- writes


def config_row(repo_id: str, cfg: memory.ArchConfig, *, sha: str | None, source_url: str | None = None) -> dict:
    """A ``model_configs`` row for ``repo_id`` from a parsed config."""
    return {
        "repo_id_lower": repo_id.lower(),
        "repo_id": repo_id,
        "config_sha": sha,
        **{name: getattr(cfg, name) for name in CONFIG_FIELDS},
        "derived": dict(cfg.derived) or None,
        "problem": cfg.problem or None,
        "source": cfg.source,
        "source_url": source_url,
        "fetched_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }


def write_configs(conn: Connection, rows: Sequence[dict]) -> int:
    """Insert or replace configs by repo id (ignoring case)."""
    if not rows:
        return 0
    keys = sorted({r["repo_id_lower"] for r in rows})
    for start in range(0, len(keys), 900):
        conn.execute(delete(MODEL_CONFIGS).where(MODEL_CONFIGS.c.repo_id_lower.in_(keys[start : start + 900])))
    latest = {r["repo_id_lower"]: r for r in rows}
    conn.execute(MODEL_CONFIGS.insert(), list(latest.values()))
    return len(latest)


def write_builds(conn: Connection, base_repo_id: str, rows: Sequence[dict]) -> int:
    """Replace the builds listed for ``base_repo_id`` with ``rows`` (each a dict of BUILD_COLUMNS)."""
    base = base_repo_id.lower()
    conn.execute(delete(MODEL_BUILDS).where(MODEL_BUILDS.c.base_repo_lower == base))
    unique: dict[tuple[str, str], dict] = {}
    for row in rows:
        item = {"base_repo_lower": base, **{c: row.get(c) for c in BUILD_COLUMNS}}
        item["file_name"] = item["file_name"] or ""
        unique[(item["build_repo_id"], item["file_name"])] = item
    if unique:
        conn.execute(MODEL_BUILDS.insert(), list(unique.values()))
    return len(unique)


# --------------------------------------------------------------------------- reads


def configs_frame(conn: Connection, repo_ids_lower: Iterable[str] | None = None) -> pd.DataFrame:
    cols = [MODEL_CONFIGS.c.repo_id_lower, *[MODEL_CONFIGS.c[c] for c in CONFIG_FIELDS], MODEL_CONFIGS.c.source]
    cols += [MODEL_CONFIGS.c.problem, MODEL_CONFIGS.c.config_sha]
    names = ["repo_id_lower", *CONFIG_FIELDS, "config_source", "config_problem", "config_sha"]
    if repo_ids_lower is None:
        rows = conn.execute(select(*cols)).all()
    else:
        keys = sorted(set(repo_ids_lower))
        rows = []
        for start in range(0, len(keys), 900):
            chunk = keys[start : start + 900]
            rows += conn.execute(select(*cols).where(MODEL_CONFIGS.c.repo_id_lower.in_(chunk))).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=names)


def arch_config(conn: Connection, repo_id: str) -> memory.ArchConfig | None:
    """The stored config of ``repo_id`` as an :class:`ArchConfig`, or None."""
    row = conn.execute(select(MODEL_CONFIGS).where(MODEL_CONFIGS.c.repo_id_lower == repo_id.lower())).mappings().first()
    if row is None:
        return None
    return memory.ArchConfig(
        **{name: row[name] for name in CONFIG_FIELDS},
        source=row["source"],
        derived=dict(row["derived"] or {}),
        problem=row["problem"] or "",
    )


def config_source_url(conn: Connection, repo_id: str) -> str | None:
    return conn.execute(
        select(MODEL_CONFIGS.c.source_url).where(MODEL_CONFIGS.c.repo_id_lower == repo_id.lower())
    ).scalar()


def builds_for(conn: Connection, repo_id: str) -> pd.DataFrame:
    """The quantised builds of ``repo_id``: most downloaded first, then by size."""
    rows = conn.execute(
        select(*[MODEL_BUILDS.c[c] for c in BUILD_COLUMNS]).where(MODEL_BUILDS.c.base_repo_lower == repo_id.lower())
    ).all()
    frame = pd.DataFrame.from_records([tuple(r) for r in rows], columns=list(BUILD_COLUMNS))
    if frame.empty:
        return frame
    frame["size_gb"] = frame["size_bytes"].astype(float) / memory.GB
    frame = frame.sort_values(
        ["downloads", "build_repo_id", "size_bytes"],
        ascending=[False, True, True],
        na_position="last",
        kind="mergesort",
    )
    return frame.reset_index(drop=True)


def build_counts(builds: pd.DataFrame) -> pd.DataFrame:
    """Builds per format (a repo with several files counts once)."""
    if builds.empty:
        return pd.DataFrame(columns=["format", "builds"])
    repos = builds.drop_duplicates("build_repo_id")
    counts = repos.groupby("format").size().rename("builds").reset_index()
    return counts.sort_values(["builds", "format"], ascending=[False, True]).reset_index(drop=True)


def fact_counts(conn: Connection) -> dict[str, int]:
    """How many models have each device fact (for the status page)."""
    tracked = select(MODELS.c.repo_id_lower)
    configs = conn.execute(
        select(func.count()).select_from(MODEL_CONFIGS).where(MODEL_CONFIGS.c.repo_id_lower.in_(tracked))
    ).scalar()
    usable = conn.execute(
        select(func.count())
        .select_from(MODEL_CONFIGS)
        .where(MODEL_CONFIGS.c.repo_id_lower.in_(tracked), MODEL_CONFIGS.c.problem.is_(None))
    ).scalar()
    with_builds = conn.execute(
        select(func.count(func.distinct(MODEL_BUILDS.c.base_repo_lower))).where(
            MODEL_BUILDS.c.base_repo_lower.in_(tracked)
        )
    ).scalar()
    build_repos = conn.execute(
        select(func.count(func.distinct(MODEL_BUILDS.c.build_repo_id))).select_from(MODEL_BUILDS)
    ).scalar()
    sized = conn.execute(
        select(func.count()).select_from(MODEL_BUILDS).where(MODEL_BUILDS.c.size_bytes.is_not(None))
    ).scalar()
    return {
        "models with a config": int(configs or 0),
        "models with a usable config (KV cache known)": int(usable or 0),
        "models with quantised builds": int(with_builds or 0),
        "quantised builds": int(build_repos or 0),
        "build files with a size": int(sized or 0),
    }


# --------------------------------------------------------------------------- one model


def model_memory(
    conn: Connection, model: dict, *, context: int = memory.DEFAULT_CONTEXT
) -> tuple[list[memory.Estimate], memory.ArchConfig | None]:
    """The memory table of one model row (from ``queries.find_model``) and the config it used."""
    cfg = arch_config(conn, model["repo_id"])
    table = memory.memory_table(
        model.get("params_b"), cfg, context=context, params_source=model.get("params_source") or ""
    )
    return table, cfg


def memory_frame(model: dict, table: list[memory.Estimate], cfg: memory.ArchConfig | None) -> pd.DataFrame:
    """The CSV contract of ``python -m db memory``: one row per precision."""
    rows = []
    for est in table:
        rows.append(
            {
                "bits": int(est.bits) if float(est.bits).is_integer() else est.bits,
                "weights_gb": _round(est.weights.value_gb),
                "kv_cache_gb": _round(est.kv_cache.value_gb),
                "total_gb": _round(est.total.value_gb),
                "params_b": model.get("params_b"),
                "params_source": model.get("params_source"),
                "config_source": cfg.source if cfg is not None else est.kv_cache.note,
                "context": est.context,
                "overhead_gb": est.overhead_gb,
            }
        )
    return pd.DataFrame(rows, columns=MEMORY_CSV_COLUMNS)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


# --------------------------------------------------------------------------- many models


def confidence_frame(conn: Connection, pks: Sequence[int] | None) -> pd.DataFrame:
    """model_pk -> params_confidence of the models ``pks`` (``None``: every model)."""
    if pks is None:
        rows = conn.execute(select(MODELS.c.id, MODELS.c.params_confidence)).all()
        return pd.DataFrame.from_records([tuple(r) for r in rows], columns=["model_pk", "params_confidence"])
    keys = sorted(set(int(p) for p in pks))
    rows = []
    for start in range(0, len(keys), 900):
        rows += conn.execute(
            select(MODELS.c.id, MODELS.c.params_confidence).where(MODELS.c.id.in_(keys[start : start + 900]))
        ).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=["model_pk", "params_confidence"])


def doubtful_size(frame: pd.DataFrame) -> pd.Series:
    """True where the parameter count is doubtful (``params_confidence == "doubtful"``; a model
    not reviewed yet, with no confidence, counts as doubtful when its size is an estimate)."""
    estimate = frame["params_is_estimate"].fillna(False).astype(bool) if "params_is_estimate" in frame else False
    if "params_confidence" in frame:
        conf = frame["params_confidence"]
        return (conf == "doubtful") | (conf.isna() & estimate)
    return pd.Series(estimate, index=frame.index, dtype=bool)


def size_confidence(frame: pd.DataFrame) -> pd.Series:
    """A word for how sure the size is: the stored confidence, else (not reviewed yet) estimate / stated."""
    estimate = frame["params_is_estimate"].fillna(False).astype(bool)
    fallback = pd.Series(np.where(estimate, "estimate", "stated"), index=frame.index)
    fallback = fallback.where(frame["params_b"].notna(), "unknown")
    if "params_confidence" in frame:
        return frame["params_confidence"].where(frame["params_confidence"].notna(), fallback)
    return fallback


def add_memory(
    frame: pd.DataFrame, configs: pd.DataFrame, *, bits: float, context: int, overhead_gb: float = memory.OVERHEAD_GB
) -> pd.DataFrame:
    """The frame (with ``model_id`` and ``params_b``) plus the memory columns used by the fits filter.

    ``memory_gb`` is the total (weights + KV cache + overhead) where the config is known; where
    it is not, weights + overhead with ``memory_basis`` saying the KV cache is unknown.
    """
    out = frame.copy(deep=False)
    id_col = "model_id" if "model_id" in out.columns else "repo_id"
    keys = out[id_col].astype(str).str.lower().to_numpy(dtype=object)
    cfg = configs.drop_duplicates("repo_id_lower").set_index("repo_id_lower") if not configs.empty else None
    # One look-up of every row's config, then plain array takes (Series.map per column is slow).
    where = cfg.index.get_indexer(keys) if cfg is not None else np.full(len(out), -1)
    found = where >= 0

    def col(name: str) -> np.ndarray:
        values = np.full(len(out), np.nan)
        if cfg is not None and name in cfg.columns:
            source = cfg[name].to_numpy(dtype=float, na_value=np.nan)
            values[found] = source[where[found]]
        return values

    usable = found.copy()
    if cfg is not None:
        usable[found] = cfg["config_problem"].isna().to_numpy()[where[found]]
    layers, kv_heads, head_dim = col("layers"), col("kv_heads"), col("head_dim")
    kv_heads = np.where(usable, kv_heads, np.nan)
    w, kv, total = memory.totals_gb(
        out["params_b"].to_numpy(dtype=float, na_value=np.nan),
        layers,
        kv_heads,
        head_dim,
        bits=bits,
        context=context,
        overhead_gb=overhead_gb,
    )
    max_ctx = col("max_context")
    known_kv = ~np.isnan(kv)
    out["weights_gb"] = w
    out["kv_cache_gb"] = kv
    out["memory_gb"] = np.where(known_kv, total, w + overhead_gb)
    out["memory_basis"] = np.where(
        known_kv, "total", np.where(np.isnan(w), "size unknown", "weights + overhead (KV cache unknown: no config)")
    )
    out["max_context"] = max_ctx
    out["context_ok"] = ~(max_ctx < context)  # unknown max: not refused
    out["memory_bits"] = bits
    out["memory_context"] = context
    return out


def fits_filter(
    frame: pd.DataFrame, budget_gb: float, *, include_doubtful: bool = False, include_unknown_kv: bool = False
) -> pd.DataFrame:
    """Rows of an :func:`add_memory` frame whose memory is known and at most ``budget_gb``.

    Models whose own maximum context is below the chosen context are dropped, and so are
    models with a doubtful size unless ``include_doubtful``, and models without a usable
    config (KV cache unknown) unless ``include_unknown_kv`` (then weights + overhead count).
    """
    mask = np.array(frame["memory_gb"].le(budget_gb).fillna(False), dtype=bool)
    mask &= np.array(frame["context_ok"], dtype=bool)
    if not include_unknown_kv:
        mask &= np.array(frame["memory_basis"] == "total", dtype=bool)
    if not include_doubtful:
        mask &= ~doubtful_size(frame).to_numpy(dtype=bool)
    return frame[mask]


# --------------------------------------------------------------------------- best model per device


def task_groups(boards: Sequence[str] = TASK_BOARDS) -> list[str]:
    """Task groups the boards rank by (benchmarks' ``task_group``), in registry order."""
    seen: list[str] = []
    for key in boards:
        for bench in leaderboard_def(key).benchmarks:
            if bench.task_group not in AUXILIARY_GROUPS and bench.task_group not in seen and bench.higher_is_better:
                seen.append(bench.task_group)
    return seen


def task_board(task: str) -> tuple[str, list[str]]:
    """(board, benchmark keys) that score ``task``: the first board in :data:`TASK_BOARDS` with it."""
    for key in TASK_BOARDS:
        lb = leaderboard_def(key)
        members = [b.key for b in lb.benchmarks if b.task_group == task and b.higher_is_better]
        if task == "overall" and members:
            return key, [lb.main_benchmark]
        if members:
            return key, members
    raise InputError(f"unknown task {task!r}; choose one of: {', '.join(task_groups())}")


def best_for_devices(
    board_frames: dict[str, pd.DataFrame],
    configs: pd.DataFrame,
    builds: pd.DataFrame,
    *,
    tasks: Sequence[str],
    devices: Sequence[memory.Device] = memory.DEVICES,
    context: int = memory.DEFAULT_CONTEXT,
    include_doubtful: bool = False,
    include_unknown_kv: bool = False,
) -> pd.DataFrame:
    """One row per device and task: the best-scoring model that fits, at the highest precision it fits.

    ``board_frames`` maps a board key to its entries joined with model facts (one row per
    variant, a column per benchmark, ``model_id``, ``params_b``, ``params_is_estimate``, ...).
    A model "fits" a device when :func:`fits_filter` keeps it at that precision; ties on the
    score go to the id first in alphabetical order (ignoring case).
    """
    rows: list[dict] = []
    # Per board, once: memory at each precision, and the memory that counts for fitting
    # (NaN where fits_filter would drop the row whatever the budget).
    prepared: dict[str, tuple[dict[float, pd.DataFrame], dict[float, np.ndarray], np.ndarray]] = {}
    for key, frame in board_frames.items():
        by_bits, usable = {}, {}
        for bits in memory.PRECISIONS:
            mem = add_memory(frame, configs, bits=bits, context=context)
            keep = fits_filter(
                mem, math.inf, include_doubtful=include_doubtful, include_unknown_kv=include_unknown_kv
            ).index
            gb = np.full(len(mem), np.nan)
            gb[mem.index.get_indexer(keep)] = mem.loc[keep, "memory_gb"].to_numpy(dtype=float)
            by_bits[bits], usable[bits] = mem, gb
        prepared[key] = (by_bits, usable, frame["model_id"].astype(str).str.lower().to_numpy())
    build_pick = _build_picker(builds)
    for task in tasks:
        board, members = task_board(task)
        base_rows = [
            {"device": d.key, "usable_gb": d.usable_gb, "task": task, "leaderboard": board, "context": context}
            for d in devices
        ]
        if board not in prepared or board_frames[board].empty:
            rows += base_rows
            continue
        by_bits, usable, keys = prepared[board]
        first = by_bits[memory.PRECISIONS[0]]
        score = first[members].mean(axis=1, skipna=False).to_numpy(dtype=float)
        scored = np.flatnonzero(~np.isnan(score))
        # Best first: score descending, then id ascending.
        order = scored[np.lexsort((keys[scored], -score[scored]))]
        for dev, base in zip(devices, base_rows, strict=True):
            needed = np.full(len(order), np.nan)
            for bits in sorted(memory.PRECISIONS):  # lowest first: the highest precision that fits wins
                fit = usable[bits][order] <= dev.usable_gb
                needed[fit] = bits
            hits = np.flatnonzero(~np.isnan(needed))
            if not len(hits):
                rows.append(base)
                continue
            pos = order[hits[0]]
            bits = float(needed[hits[0]])
            chosen = by_bits[bits].iloc[pos]
            pick = build_pick(chosen["model_id"], chosen, dev.usable_gb, bits)
            rows.append(
                {
                    **base,
                    "model_id": chosen["model_id"],
                    "score": round(float(score[pos]), 4),
                    "bits": int(bits),
                    "memory_gb": round(float(chosen["memory_gb"]), 3),
                    "memory_basis": chosen["memory_basis"],
                    "params_b": chosen["params_b"],
                    "size_confidence": size_confidence(first.iloc[[pos]]).iloc[0],
                    "params_source": chosen.get("params_source"),
                    **pick,
                }
            )
    out = pd.DataFrame(rows, columns=DEVICE_COLUMNS)
    out["bits"] = out["bits"].astype("Int64")
    return out


def _build_picker(builds: pd.DataFrame):
    """A function (model id, memory row, budget, bits) -> the build columns of a fitting build."""
    by_base = {k: g for k, g in builds.groupby("base_repo_lower")} if not builds.empty else {}

    def pick(model_id: str, row, budget: float, bits: float) -> dict:
        group = by_base.get(str(model_id).lower())
        empty = {"build_repo_id": None, "build_size_gb": None, "build_link": None}
        if group is None:
            return empty
        kv = row["kv_cache_gb"] if not pd.isna(row["kv_cache_gb"]) else 0.0
        sized = group[group["size_bytes"].notna()].copy()
        if not sized.empty:
            # memory.build_total's rule: the file's bytes + the base model's KV cache + overhead.
            sized["need"] = sized["size_bytes"].astype(float) / memory.GB + kv + memory.OVERHEAD_GB
            fitting = sized[sized["need"] <= budget]
            if not fitting.empty:
                # The highest precision that fits, then the most downloaded.
                best = fitting.sort_values(
                    ["bits", "downloads", "size_bytes"], ascending=[False, False, False], na_position="last"
                ).iloc[0]
                return {
                    "build_repo_id": best["build_repo_id"] + (f" ({best['file_name']})" if best["file_name"] else ""),
                    "build_size_gb": round(float(best["size_bytes"]) / memory.GB, 3),
                    "build_link": best["link"],
                }
        same = group[group["bits"] == bits] if "bits" in group else group.iloc[0:0]
        chosen = same if not same.empty else group[group["bits"].notna() & (group["bits"] <= bits)]
        if chosen.empty:
            return empty
        best = chosen.sort_values("downloads", ascending=False, na_position="last").iloc[0]
        return {"build_repo_id": best["build_repo_id"], "build_size_gb": None, "build_link": best["link"]}

    return pick


def builds_frame(conn: Connection, base_repo_lowers: Iterable[str] | None = None) -> pd.DataFrame:
    cols = [MODEL_BUILDS.c.base_repo_lower, *[MODEL_BUILDS.c[c] for c in BUILD_COLUMNS]]
    if base_repo_lowers is None:
        rows = conn.execute(select(*cols)).all()
    else:
        keys = sorted(set(base_repo_lowers))
        rows = []
        for start in range(0, len(keys), 900):
            rows += conn.execute(
                select(*cols).where(MODEL_BUILDS.c.base_repo_lower.in_(keys[start : start + 900]))
            ).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=["base_repo_lower", *BUILD_COLUMNS])


def board_frames(conn: Connection, boards: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Current entries of each board joined with model facts (and size confidence where stored)."""
    from db import queries

    out = {}
    for key in boards:
        entries = queries.board_entries(conn, key)
        if entries.empty:  # an empty board: the columns, no rows
            columns = [*entries.columns, "model_id", *queries.MODEL_COLUMNS[1:]]
            out[key] = pd.DataFrame(columns=list(dict.fromkeys(columns)))
            continue
        models = queries.models_frame(conn, entries["model_pk"].unique().tolist())
        frame = entries.merge(models, on="model_pk", how="left").rename(columns={"repo_id": "model_id"})
        out[key] = frame.reset_index(drop=True)
    return out


def devices_report(
    conn: Connection,
    *,
    task: str | None = None,
    context: int = memory.DEFAULT_CONTEXT,
    include_doubtful: bool = False,
    include_unknown_kv: bool = False,
) -> pd.DataFrame:
    """``python -m db devices``: for every device preset and task, the best model that fits."""
    tasks = [task] if task else task_groups()
    boards = sorted({task_board(t)[0] for t in tasks}, key=[lb.key for lb in LEADERBOARDS].index)
    frames = board_frames(conn, boards)
    keys = {k for f in frames.values() for k in f["model_id"].dropna().str.lower()}
    return best_for_devices(
        frames,
        configs_frame(conn, keys),
        builds_frame(conn, keys),
        tasks=tasks,
        context=context,
        include_doubtful=include_doubtful,
        include_unknown_kv=include_unknown_kv,
    )
