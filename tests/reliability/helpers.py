"""Helpers shared by the reliability suites: CLI runs, canonical dumps, boards as of each date."""

from __future__ import annotations

import datetime as dt
import lzma
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, select

from core.config import SEED_DIR
from db.schema import MODEL_ALIASES as ALIASES
from db.schema import MODEL_FACTS as FACTS
from db.schema import MODELS, SCORES, SNAPSHOTS
from db.schema import REJECTED_ROWS as REJECTED

ROOT = Path(__file__).resolve().parents[2]

# Columns that legitimately differ between two runs of the same import (ids, clocks).
_VOLATILE_MODEL_COLUMNS = {"id", "hub_checked_at"}


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: this checkout on the path, no inherited DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HF_TOKEN")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m ingest ARGS`` (or another module given as ``-m X``) to completion."""
    command = [sys.executable, *args] if args[:1] == ("-m",) else [sys.executable, "-m", "ingest", *args]
    return subprocess.run(
        command, cwd=ROOT, env=env or cli_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


def seed_rows(relpath: str) -> bytes:
    """The bytes of one bundled real snapshot (decompressed)."""
    return lzma.decompress((SEED_DIR / relpath).read_bytes())


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of a SQLite file, opened the way a new process would (WAL recovery)."""
    conn = sqlite3.connect(path)
    try:
        return ";".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def _model_names(conn) -> dict[int, str]:
    return {row.id: row.repo_id_lower for row in conn.execute(select(MODELS.c.id, MODELS.c.repo_id_lower))}


def canonical_dump(engine: Engine, leaderboards: tuple[str, ...] | None = None) -> dict[str, list[tuple]]:
    """Models, scores, snapshots, facts, aliases and rejected rows, with ids replaced by repo ids.

    Two databases with equal dumps show the same data on every page and report.
    ``leaderboards`` limits the scores and snapshots compared (the boards an import touches).
    """
    score_filter = [SCORES.c.leaderboard_key.in_(leaderboards)] if leaderboards else []
    snap_filter = [SNAPSHOTS.c.leaderboard_key.in_(leaderboards)] if leaderboards else []
    with engine.connect() as conn:
        names = _model_names(conn)
        model_cols = [c for c in MODELS.c if c.name not in _VOLATILE_MODEL_COLUMNS]
        models = sorted(tuple(str(v) for v in row) for row in conn.execute(select(*model_cols)))
        scores = sorted(
            (r.leaderboard_key, names[r.model_id], r.variant, r.benchmark_key, repr(r.value), str(r.valid_from),
             str(r.valid_to), str(r.precision), str(r.revision))
            for r in conn.execute(select(SCORES).where(*score_filter))
        )  # fmt: skip
        snapshots = sorted(
            (r.leaderboard_key, str(r.snapshot_date), r.entries, str(r.source_file), str(r.sha256))
            for r in conn.execute(select(SNAPSHOTS).where(*snap_filter))
        )
        facts = sorted(
            (names[r.model_id], r.field, str(r.value), r.source, str(r.source_url), str(r.as_of))
            for r in conn.execute(select(FACTS))
        )
        aliases = sorted((r.alias_lower, names[r.model_id], r.reason) for r in conn.execute(select(ALIASES)))
        rejected = sorted((r.file, r.row_number or -1, r.reason, str(r.raw)) for r in conn.execute(select(REJECTED)))
    return {
        "models": models,
        "scores": scores,
        "snapshots": snapshots,
        "model_facts": facts,
        "model_aliases": aliases,
        "rejected_rows": rejected,
    }


def dump_diff(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> str:
    """A short description of how two canonical dumps differ ("" when equal)."""
    lines = []
    for table in a:
        left, right = set(a[table]), set(b[table])
        if left != right:
            only_a = sorted(left - right)[:3]
            only_b = sorted(right - left)[:3]
            lines.append(
                f"{table}: {len(left - right)} rows only in first {only_a}, {len(right - left)} only in second {only_b}"
            )
    return "\n".join(lines)


def board_states(engine: Engine, leaderboard: str) -> dict[dt.date, frozenset]:
    """For every stored snapshot date: the set of (model, variant, benchmark, value) valid that day."""
    with engine.connect() as conn:
        names = _model_names(conn)
        dates = list(
            conn.execute(select(SNAPSHOTS.c.snapshot_date).where(SNAPSHOTS.c.leaderboard_key == leaderboard)).scalars()
        )
        rows = conn.execute(
            select(SCORES.c.model_id, SCORES.c.variant, SCORES.c.benchmark_key, SCORES.c.value,
                   SCORES.c.valid_from, SCORES.c.valid_to).where(SCORES.c.leaderboard_key == leaderboard)
        ).all()  # fmt: skip
    states: dict[dt.date, set] = {d: set() for d in dates}
    for model_id, variant, bench, value, start, end in rows:
        for day in dates:
            if start <= day and (end is None or day < end):
                states[day].add((names[model_id], variant, bench, value))
    return {d: frozenset(s) for d, s in states.items()}


def snapshot_entries(engine: Engine, leaderboard: str) -> dict[dt.date, int]:
    with engine.connect() as conn:
        return {
            r.snapshot_date: r.entries
            for r in conn.execute(
                select(SNAPSHOTS.c.snapshot_date, SNAPSHOTS.c.entries).where(SNAPSHOTS.c.leaderboard_key == leaderboard)
            )
        }


def build_small_seeded_db(path: Path, boards: tuple[str, ...] = ("lmarena", "open-llm-leaderboard-v1")) -> Path:
    """A seeded SQLite file with the small real snapshot series only (Arena, v1 2023 scrapes).

    The big v1 final table and the v2 series are left out so that a trial copies and checks a
    few megabytes, not forty; the seed's model facts and claims are loaded as usual.
    """
    import json

    from db.engine import make_engine, upgrade_schema
    from ingest.loader import import_files
    from ingest.seed import load_claims, load_model_facts

    manifest = json.loads((SEED_DIR / "manifest.json").read_text())
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    for board in boards:
        files = [
            SEED_DIR / item["path"]
            for item in manifest["files"]
            if item.get("kind") == "snapshot" and item["leaderboard"] == board and item["rows"] < 5000
        ]
        report = import_files(engine, board, files, progress=False)
        assert not report.failed, [f.error for f in report.failed]
    load_model_facts(engine, SEED_DIR / "models.csv")
    load_claims(engine, SEED_DIR / "claims.csv")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path
