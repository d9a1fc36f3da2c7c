"""Configs and quantised builds of tracked models, from the Hub (after the ``hub`` source).

For each tracked model whose Hub revision (``models.hub_sha``) differs from the revision its
config was read at (incremental: unchanged models cost nothing):

- ``config.json`` through ``hf_hub_download`` at that pinned revision (cached in
  ``Settings.cache_dir``), parsed by :func:`db.memory.parse_config`;
- its quantised builds: ``list_models(filter="base_model:quantized:<repo>")``, most downloaded
  first, with the ``gguf`` metadata (``total``, ``architecture``, ``context_length``); for the
  most downloaded GGUF builds, the file sizes (``model_info(files_metadata=True)``).

Requests go through the run's bounded session (ingest/http.py: budget, retries, deadline). An
exhausted budget is a planned cap: what was read is written, the rest waits for the next run.
Everything read is written at the end in ONE transaction, recorded as its own run
(``hub-configs``), so a failed run leaves earlier data as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, and_, or_, select

from core.config import Settings
from core.errors import HubError
from db import devices, memory, writes
from db.schema import MODEL_CONFIGS, MODELS
from ingest.http import BudgetExhausted, RunBudget

log = logging.getLogger(__name__)

SOURCE = "hub-configs"
BUILDS_PER_MODEL = 20  # the most downloaded builds listed per base model
SIZED_BUILDS = 2  # GGUF builds per base model whose file sizes are read (one request each)
BUILD_EXPAND = ["downloads", "tags", "gguf", "sha"]


@dataclass
class ConfigStats:
    candidates: int = 0
    configs: int = 0
    no_config: int = 0
    refused: int = 0
    builds: int = 0
    note: str | None = None
    config_rows: list[dict] = field(default_factory=list)
    build_rows: dict[str, list[dict]] = field(default_factory=dict)

    def detail(self) -> dict:
        out = {
            "candidates": self.candidates,
            "configs": self.configs,
            "no_config": self.no_config,
            "refused": self.refused,
            "builds": self.builds,
        }
        return {**out, "note": self.note} if self.note else out


def candidates(engine: Engine, models: list[str] | None = None) -> list[tuple[str, str]]:
    """(repo id, Hub sha) of models on the Hub whose config was not read at that sha, most downloaded first."""
    query = (
        select(MODELS.c.repo_id, MODELS.c.hub_sha)
        .select_from(MODELS.outerjoin(MODEL_CONFIGS, MODEL_CONFIGS.c.repo_id_lower == MODELS.c.repo_id_lower))
        .where(
            MODELS.c.hub_sha.is_not(None),
            MODELS.c.on_hub.is_(True),
            or_(
                MODEL_CONFIGS.c.repo_id_lower.is_(None),
                MODEL_CONFIGS.c.config_sha.is_(None),
                and_(MODEL_CONFIGS.c.config_sha != MODELS.c.hub_sha),
            ),
        )
        .order_by(MODELS.c.downloads.is_(None), MODELS.c.downloads.desc(), MODELS.c.repo_id_lower)
    )
    if models:
        query = query.where(MODELS.c.repo_id_lower.in_([m.lower() for m in models]))
    with engine.connect() as conn:
        return [(r.repo_id, r.hub_sha) for r in conn.execute(query)]


def read_config(api, settings: Settings, repo_id: str, sha: str) -> tuple[memory.ArchConfig | None, str]:
    """The parsed ``config.json`` at ``sha`` (None when the repo has none) and its URL."""
    from huggingface_hub.errors import EntryNotFoundError

    url = f"{settings.hf_endpoint or 'https://huggingface.co'}/{repo_id}/blob/{sha}/config.json"
    try:
        path = api.hf_hub_download(repo_id, "config.json", revision=sha, cache_dir=settings.cache_dir / "huggingface")
    except EntryNotFoundError:
        return None, url
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        cfg = memory.ArchConfig(source=f"Hub config.json @ {sha[:10]}", problem=f"unreadable config.json ({exc})")
        return cfg, url
    return memory.parse_config(body, source=f"Hub {repo_id} config.json @ {sha[:10]}"), url


def build_rows(api, base: str, day: dt.date) -> list[dict]:
    """The quantised builds of ``base`` (rows for ``model_builds``)."""
    rows: list[dict] = []
    sized = 0
    listing = api.list_models(
        filter=f"base_model:quantized:{base}", sort="downloads", limit=BUILDS_PER_MODEL, expand=BUILD_EXPAND
    )
    for info in listing:
        tags = list(info.tags or [])
        fmt = memory.build_format(info.id, tags)
        gguf = info.gguf or {}
        link = f"https://huggingface.co/{info.id}"
        common = {
            "build_repo_id": info.id,
            "format": fmt,
            "downloads": info.downloads,
            "gguf_total": gguf.get("total"),
            "gguf_architecture": gguf.get("architecture"),
            "gguf_context_length": gguf.get("context_length"),
            "as_of": day,
        }
        source = f"Hub list_models base_model:quantized:{base}"
        files: list[tuple[str, int | None]] = []
        if fmt == "GGUF" and sized < SIZED_BUILDS:
            sized += 1
            detail = api.model_info(info.id, files_metadata=True)
            files = [
                (s.rfilename, s.size)
                for s in detail.siblings or []
                if s.rfilename.endswith(".gguf") and "mmproj" not in s.rfilename.lower()
            ]
        if files:
            for name, size in files:
                rows.append(
                    {
                        **common,
                        "file_name": name,
                        "bits": memory.build_bits(name),
                        "size_bytes": size,
                        "link": f"{link}/blob/main/{name}",
                        "source": source + "; file size: model_info(files_metadata) ; bits from the file name",
                    }
                )
        else:
            rows.append(
                {
                    **common,
                    "file_name": "",
                    "bits": memory.build_bits(info.id),
                    "size_bytes": None,
                    "link": link,
                    "source": source + "; bits from the repo name",
                }
            )
    return rows


def collect(api, settings: Settings, todo: list[tuple[str, str]], day: dt.date, stats: ConfigStats) -> None:
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

    for repo_id, sha in todo:
        try:
            try:
                cfg, url = read_config(api, settings, repo_id, sha)
            except (GatedRepoError, RepositoryNotFoundError) as exc:
                # Recorded with the revision, so it is not asked again until the repo changes.
                stats.refused += 1
                log.info("hub-configs: %s: %s", repo_id, str(exc).splitlines()[0][:160])
                kind = "gated" if isinstance(exc, GatedRepoError) else "not found or private"
                cfg = memory.ArchConfig(
                    source=f"Hub {repo_id} @ {sha[:10]}", problem=f"config.json not readable ({kind})"
                )
                url = None
            builds = build_rows(api, repo_id, day)
        except BudgetExhausted as exc:
            stats.note = str(exc)
            log.warning("hub-configs: %s; writing the %d configs read so far", exc, len(stats.config_rows))
            return
        except HfHubHTTPError as exc:
            raise HubError(f"hub-configs: {repo_id}: {str(exc).splitlines()[0][:200]}") from None
        if cfg is None:
            stats.no_config += 1
            cfg = memory.ArchConfig(source=f"Hub {repo_id} @ {sha[:10]}", problem="no config.json on the Hub")
        elif not cfg.problem.startswith("config.json not readable"):
            stats.configs += 1
        stats.config_rows.append(devices.config_row(repo_id, cfg, sha=sha, source_url=url))
        stats.build_rows[repo_id] = builds
        stats.builds += len({b["build_repo_id"] for b in builds})


def run_hub_configs(
    api,
    engine: Engine,
    settings: Settings,
    budget: RunBudget,
    *,
    day: dt.date,
    models: list[str] | None = None,
) -> tuple[str, dict]:
    """Read configs and builds of models whose Hub revision changed; one recorded run. Raises on failure.

    Runs a killed process left are failed by the caller first (``ingest.live.run_live``)."""
    todo = candidates(engine, models)
    run_id = writes.start_run(engine, SOURCE, {"candidates": len(todo)})
    stats = ConfigStats(candidates=len(todo))
    try:
        collect(api, settings, todo, day, stats)
        with engine.begin() as conn:
            written = devices.write_configs(conn, stats.config_rows)
            for base, rows in stats.build_rows.items():
                written += devices.write_builds(conn, base, rows)
    except BaseException as exc:
        message = str(exc).strip().splitlines()[0][:500] if str(exc).strip() else type(exc).__name__
        writes.finish_run(engine, run_id, "failed", rows_read=len(stats.config_rows), error=message)
        raise
    status = "succeeded" if todo else "skipped"
    detail = {**stats.detail(), "requests": budget.requests}
    writes.finish_run(engine, run_id, status, rows_read=len(stats.config_rows), rows_written=written, detail=detail)
    return status, detail


def run_source(ctx) -> tuple[str, dict]:
    """``ingest run hub-configs`` (``core.boards.LIVE``)."""
    return run_hub_configs(ctx.api, ctx.engine, ctx.settings, ctx.budget, day=ctx.day, models=ctx.model_ids)
