"""Source ``open-llm-leaderboard-v2``: the ``open-llm-leaderboard/contents`` dataset on the Hub.

The dataset's parquet is downloaded with ``hf_hub_download`` (cached in ``Settings.cache_dir``)
and imported with the file importer as the board on the run date. When the dataset's commit is
the one imported last time (kept in ``source_state``), nothing is downloaded: the run is
recorded as skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from sqlalchemy import Engine

from core.boards import OPEN_LLM_V2
from core.config import Settings
from core.errors import InputError
from db import writes
from ingest.formats import parse_file
from ingest.loader import import_parsed

log = logging.getLogger(__name__)

REPO = "open-llm-leaderboard/contents"
STATE_KEY = "contents_commit"


def hf_cache(settings: Settings) -> Path:
    return settings.cache_dir / "huggingface"


def download_parquet(api, settings: Settings, repo: str, revision: str, files: list[str]) -> Path:
    """Download the dataset's parquet file(s) at ``revision``; several shards become one file."""
    shards = sorted(f for f in files if f.endswith(".parquet"))
    if not shards:
        raise InputError(f"{repo}@{revision[:10]}: no parquet file in the dataset")
    paths = [
        Path(api.hf_hub_download(repo, f, repo_type="dataset", revision=revision, cache_dir=hf_cache(settings)))
        for f in shards
    ]
    if len(paths) == 1:
        return paths[0]
    import pyarrow as pa
    import pyarrow.parquet as pq

    merged = hf_cache(settings) / f"{repo.replace('/', '--')}-{revision[:12]}.parquet"
    if not merged.exists():
        # No thread pool: it made the process abort at exit now and then (see formats._parquet_table).
        table = pa.concat_tables([pq.read_table(p, use_threads=False) for p in paths], promote_options="default")
        # Written aside and renamed: a run killed mid-write must not leave a half file under the
        # name that every later run would trust.
        partial = merged.with_name(f"{merged.name}.{os.getpid()}.partial")
        pq.write_table(table, partial)
        os.replace(partial, merged)
    return merged


def run_contents(api, engine: Engine, settings: Settings, *, day: dt.date) -> tuple[str, dict]:
    """Import the dataset when its commit changed; returns (status, detail). Raises on failure."""
    run_id = writes.start_run(engine, OPEN_LLM_V2, {"dataset": REPO})
    detail: dict = {"dataset": REPO, "snapshot_date": day.isoformat()}
    rows_read = 0
    try:
        info = api.dataset_info(REPO)
        sha = info.sha
        detail["commit"] = sha
        with engine.connect() as conn:
            last = writes.get_state(conn, OPEN_LLM_V2, STATE_KEY)
        if last == sha:
            log.info("%s: commit %s already imported; nothing to do", REPO, sha[:10])
            writes.finish_run(engine, run_id, "skipped", detail={**detail, "reason": "commit unchanged"})
            return "skipped", detail
        files = api.list_repo_files(REPO, repo_type="dataset", revision=sha)
        path = download_parquet(api, settings, REPO, sha, files)
        parsed = parse_file(path, expected_leaderboard=OPEN_LLM_V2)
        rows_read = parsed.rows_read
        written, rejected = import_parsed(engine, parsed, day, run_id)
        with engine.begin() as conn:
            writes.set_state(conn, OPEN_LLM_V2, STATE_KEY, sha)
    except BaseException as exc:
        writes.finish_run(engine, run_id, "failed", rows_read=rows_read, error=_one_line(exc))
        raise
    detail["format"] = parsed.format
    writes.finish_run(
        engine,
        run_id,
        "succeeded",
        rows_read=rows_read,
        rows_written=written,
        rows_rejected=rejected,
        detail=detail,
    )
    log.info("%s: %d rows read, %d written, %d rejected", REPO, rows_read, written, rejected)
    return "succeeded", detail


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:500]


def run_source(ctx) -> tuple[str, dict]:
    """``ingest run open-llm-leaderboard-v2`` (``core.boards.LIVE``)."""
    return run_contents(ctx.api, ctx.engine, ctx.settings, day=ctx.day)
