"""Load the bundled seed (``data/seed``): snapshots, seed-model facts and published claims.

Idempotent: snapshot files already imported with the same content are skipped, facts and
claims that are already stored are left alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from core.config import SEED_DIR
from core.errors import InputError
from db import queries, writes
from db.records import ModelFacts
from ingest.facts_review import review
from ingest.loader import import_files
from ingest.normalize import license_category, normalize_license, normalize_model_type

log = logging.getLogger(__name__)

# Seed facts that map onto model columns; every other field is kept as a sourced fact only.
_COLUMN_FIELDS = {
    "params_b",
    "license",
    "base_model",
    "created_date",
    "pipeline_tag",
    "architecture",
    "downloads",
    "likes",
    "model_type",
    "on_hub",
}


@dataclass
class SeedSummary:
    imported: int = 0
    unchanged: int = 0
    failed: int = 0
    facts: int = 0
    claims: int = 0

    def __str__(self) -> str:
        text = (
            f"seed loaded: {self.imported} snapshot files imported, {self.unchanged} already there, "
            f"{self.facts} model facts, {self.claims} claims"
        )
        return text + (f"; {self.failed} files FAILED (see 'python -m ingest status')" if self.failed else "")


def read_manifest(seed_dir: Path = SEED_DIR) -> dict:
    path = seed_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no seed manifest at {path}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON ({exc.msg})") from None


def database_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not queries.has_scores(conn)


def load_seed(engine: Engine, seed_dir: Path = SEED_DIR, *, progress: bool | None = None) -> SeedSummary:
    manifest = read_manifest(seed_dir)
    summary = SeedSummary()
    by_board: dict[str, list[Path]] = defaultdict(list)
    for item in manifest["files"]:
        if item.get("kind") == "snapshot":
            by_board[item["leaderboard"]].append(seed_dir / item["path"])
    for board, paths in by_board.items():
        report = import_files(engine, board, paths, progress=progress, review_sizes=False)
        for result in report.files:
            if result.status == "imported":
                summary.imported += 1
            elif result.status == "unchanged":
                summary.unchanged += 1
            else:
                summary.failed += 1
                log.warning("seed file failed: %s", result.error)
    summary.imported += load_epoch_seed(engine, seed_dir, manifest)
    summary.facts = load_model_facts(engine, seed_dir / "models.csv")
    summary.claims = load_claims(engine, seed_dir / "claims.csv")
    _load_arena_dataset(engine, seed_dir, manifest, summary)
    load_device_facts(engine, seed_dir)
    review(engine)  # sizes and licenses, once every file and fact is in
    return summary


def _load_arena_dataset(engine: Engine, seed_dir: Path, manifest: dict, summary: SeedSummary) -> None:
    """The Arena's history in the leaderboard-dataset schema, then the Arena's aliases."""
    from core.boards import ALIASED_BOARDS
    from ingest.aliases import sync_aliases
    from ingest.lmarena_dataset import import_dataset

    for item in manifest["files"]:
        if item.get("kind") == "arena_dataset":
            path = seed_dir / item["path"]
            result = import_dataset(engine, path, leaderboard=item["leaderboard"], origin=f"seed:{item['path']}")
            if result.error:
                summary.failed += 1
                log.warning("seed file failed: %s", result.error)
            elif result.dates_imported:
                summary.imported += 1
            else:
                summary.unchanged += 1
    for board in ALIASED_BOARDS:  # every aliased board's rows are in by now (Epoch's: load_epoch_seed)
        sync_aliases(engine, board)


def _read_csv(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError:
        raise InputError(f"seed file missing: {path}") from None


def _facts_for(repo: str, field: str, value: str) -> ModelFacts:
    facts = ModelFacts(repo_id=repo)
    if field == "params_b":
        facts.params_b = float(value)
    elif field == "license":
        facts.license = normalize_license(value)
        facts.license_category = license_category(facts.license)
    elif field == "created_date":
        facts.created_date = dt.date.fromisoformat(value[:10])
    elif field in ("downloads", "likes"):
        setattr(facts, field, int(float(value)))
    elif field == "model_type":
        facts.model_type = normalize_model_type(value)
    elif field == "on_hub":
        facts.on_hub = value.strip().lower() == "true"
    else:
        setattr(facts, field, value)
    return facts


def load_model_facts(engine: Engine, path: Path) -> int:
    """Apply seed facts to model rows (as authoritative "seed" facts) and keep their sources."""
    rows = _read_csv(path)
    with engine.begin() as conn:
        index = writes.load_model_index(conn)
        # Make sure every seed model has a row (some are on no board at all).
        index, _, _ = writes.upsert_models(
            conn, [ModelFacts(repo_id=r["repo_id"]) for r in rows], source="seed", as_of=None, board=False, index=index
        )
        for row in rows:
            if row["field"] not in _COLUMN_FIELDS:
                continue
            facts = _facts_for(row["repo_id"], row["field"], row["value"])
            source = f"seed: {row['source']}"
            if facts.params_b is not None:
                facts.params_source = source
                facts.params_is_estimate = "rounded" in row["source"]
            writes.upsert_models(conn, [facts], source=source, as_of=None, board=False, index=index)
        # A license "other" that the card names ("Microsoft Research License"): the named one.
        stated = {r["repo_id"]: r["value"] for r in rows if r["field"] == "license"}
        for row in rows:
            if row["field"] == "license_note" and stated.get(row["repo_id"]) == "other":
                named = normalize_license(row["value"])
                facts = ModelFacts(repo_id=row["repo_id"], license=named, license_category=license_category(named))
                source = f"seed: {row['source']}"
                writes.upsert_models(conn, [facts], source=source, as_of=None, board=False, index=index)
        by_source: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
        for row in rows:
            by_source[(row["source"], row.get("source_url") or "")].append(
                (index[row["repo_id"].lower()], row["field"], row["value"])
            )
        for (source, url), items in by_source.items():
            writes.upsert_facts(conn, items, source=source, as_of=None, source_url=url or None)
    return len(rows)


def load_claims(engine: Engine, path: Path) -> int:
    rows = _read_csv(path)
    with engine.begin() as conn:
        index = writes.load_model_index(conn)
        claims = []
        last_source = ""
        for row in rows:
            # The claims file says "same" for a source given on an earlier row.
            if row["source"].strip().lower() != "same":
                last_source = row["source"]
            model_id = index.get(row["model_id"].lower())
            if model_id is None:
                continue
            try:
                value = float(row["claimed_value"])
            except ValueError:
                value = None
            claims.append(
                {
                    "model_id": model_id,
                    "field": "params_b" if "parameters" in row["unit"] else row["unit"],
                    "claim": row["claim"],
                    "claimed_value": value,
                    "unit": row["unit"],
                    "source": last_source,
                }
            )
        writes.add_claims(conn, claims)
    return len(rows)


def load_epoch_seed(engine: Engine, seed_dir: Path, manifest: dict) -> int:
    """Import the seed's Epoch AI files as one snapshot (1 when it changed something, else 0)."""
    from ingest.epoch import import_epoch

    items = [item for item in manifest["files"] if item.get("kind") == "epoch"]
    if not items:
        return 0
    day = dt.date.fromisoformat(items[0]["snapshot_date"])
    report = import_epoch(engine, [seed_dir / item["path"] for item in items], day=day, label="seed: epoch")
    for line in report.failed:
        log.warning("seed epoch file refused: %s", line)
    return 1 if report.run_id is not None else 0


def load_device_facts(engine: Engine, seed_dir: Path = SEED_DIR) -> tuple[int, int]:
    """Seed configs (``hub/configs.csv``) and quantised builds (``hub/builds.csv``); (configs, builds) written.

    Facts read live from the Hub win: a config read at a Hub revision, or builds already
    listed for a base model, are left alone.
    """
    from sqlalchemy import select

    from db import devices, memory
    from db.schema import MODEL_BUILDS, MODEL_CONFIGS

    index_path, builds_path = seed_dir / "hub" / "configs.csv", seed_dir / "hub" / "builds.csv"
    if not index_path.exists():
        return 0, 0
    configs = []
    for row in _read_csv(index_path):
        try:
            body = json.loads((seed_dir / "hub" / row["path"]).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"seed config {row['path']}: {exc}") from None
        cfg = memory.parse_config(body, source=row["source"])
        configs.append(devices.config_row(row["repo_id"], cfg, sha=None, source_url=row["source_url"] or None))
    by_base: dict[str, list[dict]] = defaultdict(list)
    for row in _read_csv(builds_path) if builds_path.exists() else []:
        item = {k: (v if v != "" else None) for k, v in row.items()}
        for key in ("size_bytes", "downloads", "gguf_total", "gguf_context_length"):
            item[key] = int(item[key]) if item[key] is not None else None
        item["bits"] = float(item["bits"]) if item["bits"] is not None else None
        by_base[item.pop("base_repo_id")].append(item)
    with engine.begin() as conn:
        live = set(
            conn.execute(select(MODEL_CONFIGS.c.repo_id_lower).where(MODEL_CONFIGS.c.config_sha.is_not(None))).scalars()
        )
        written = devices.write_configs(conn, [c for c in configs if c["repo_id_lower"] not in live])
        # Live listings carry the day they were read (as_of); seed rows have none.
        live_bases = set(
            conn.execute(select(MODEL_BUILDS.c.base_repo_lower).where(MODEL_BUILDS.c.as_of.is_not(None))).scalars()
        )
        builds = 0
        for base, rows in by_base.items():
            if base.lower() in live_bases:
                continue
            builds += devices.write_builds(conn, base, rows)
    return written, builds
