"""Source ``lmarena``: the Hub dataset ``mathewhe/chatbot-arena-elo``.

The dataset is refreshed daily and tags each update day ``YYYYMMDD``. A normal run imports
``main`` (as the day of the tag on the same commit, else the run date) when its commit changed;
``--backfill`` also imports every tagged day not stored yet, each at ``revision=tag`` as that
day's snapshot. Each day is one transaction and one recorded run (a failure stops the run and
leaves the days already imported, each complete).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

from sqlalchemy import Engine

from core.boards import LMARENA
from core.config import Settings
from core.errors import InputError
from db import queries, writes
from ingest.contents import _one_line, download_parquet, hf_cache
from ingest.formats import parse_file
from ingest.loader import import_parsed

log = logging.getLogger(__name__)

REPO = "mathewhe/chatbot-arena-elo"
STATE_KEY = "main_commit"
_TAG = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATA_EXT = (".parquet", ".csv", ".jsonl", ".json")


def tag_dates(refs) -> dict[dt.date, tuple[str, str]]:
    """Tagged update days: date -> (tag name, commit)."""
    days = {}
    for tag in refs.tags:
        match = _TAG.match(tag.name)
        if not match:
            continue
        try:
            day = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            continue
        days[day] = (tag.name, tag.target_commit)
    return days


def data_file(files: list[str]) -> list[str]:
    """The data file(s) among the repo's files: parquet first, then CSV, then JSON lines."""
    for ext in _DATA_EXT:
        found = sorted(f for f in files if f.endswith(ext) and not Path(f).name.startswith("."))
        if found:
            return found if ext == ".parquet" else found[:1]
    raise InputError(f"{REPO}: no data file (parquet, CSV or JSON) in {', '.join(files[:10]) or 'an empty repo'}")


def _stored_days(engine: Engine) -> set[dt.date]:
    with engine.connect() as conn:
        return set(queries.snapshot_dates(conn, LMARENA))


def _import_day(api, engine: Engine, settings: Settings, revision: str, day: dt.date, commit: str) -> dict:
    run_id = writes.start_run(
        engine, LMARENA, {"dataset": REPO, "revision": revision, "snapshot_date": day.isoformat()}
    )
    rows_read = 0
    try:
        files = api.list_repo_files(REPO, repo_type="dataset", revision=commit)
        names = data_file(files)
        if names[0].endswith(".parquet"):
            path = download_parquet(api, settings, REPO, commit, names)
        else:
            path = Path(
                api.hf_hub_download(REPO, names[0], repo_type="dataset", revision=commit, cache_dir=hf_cache(settings))
            )
        parsed = parse_file(path, expected_leaderboard=LMARENA)
        rows_read = parsed.rows_read
        written, rejected = import_parsed(engine, parsed, day, run_id)
    except BaseException as exc:
        writes.finish_run(engine, run_id, "failed", rows_read=rows_read, error=f"{revision}: {_one_line(exc)}")
        raise
    detail = {"dataset": REPO, "revision": revision, "commit": commit, "snapshot_date": day.isoformat()}
    writes.finish_run(
        engine, run_id, "succeeded", rows_read=rows_read, rows_written=written, rows_rejected=rejected, detail=detail
    )
    log.info("%s@%s: %s imported, %d rows, %d rejected", REPO, revision, day, rows_read, rejected)
    return detail


def run_lmarena(api, engine: Engine, settings: Settings, *, day: dt.date, backfill: bool) -> tuple[str, dict]:
    """Import the newest board (and with ``backfill`` every missing tagged day)."""
    try:
        refs = api.list_repo_refs(REPO, repo_type="dataset")
    except BaseException as exc:
        writes.record_run(
            engine, LMARENA, "failed", detail={"dataset": REPO}, error=f"reading the dataset's tags: {_one_line(exc)}"
        )
        raise
    tags = tag_dates(refs)
    main = next((b.target_commit for b in refs.branches if b.name == "main"), None)
    with engine.connect() as conn:
        last = writes.get_state(conn, LMARENA, STATE_KEY)
    stored = _stored_days(engine)
    plan: dict[dt.date, tuple[str, str]] = {}
    if backfill:
        for tag_day, (name, commit) in tags.items():
            if tag_day not in stored:
                plan[tag_day] = (name, commit)
    if main is not None and main != last:
        main_day = max((d for d, (_, commit) in tags.items() if commit == main), default=day)
        plan[main_day] = ("main", main)
    if not plan:
        writes.record_run(engine, LMARENA, "skipped", detail={"dataset": REPO, "reason": "nothing new"})
        log.info("%s: nothing new (main %s, %d tagged days stored)", REPO, (main or "?")[:10], len(stored))
        return "skipped", {"imported": 0}
    imported = []
    for snap_day in sorted(plan):
        revision, commit = plan[snap_day]
        imported.append(_import_day(api, engine, settings, revision, snap_day, commit))
    if main is not None and any(d["commit"] == main for d in imported):
        with engine.begin() as conn:
            writes.set_state(conn, LMARENA, STATE_KEY, main)
    return "succeeded", {"imported": len(imported), "days": [d["snapshot_date"] for d in imported]}


def run_source(ctx) -> tuple[str, dict]:
    """``ingest run lmarena-mathewhe`` (``core.boards.LIVE``): the old mirror's archive."""
    return run_lmarena(ctx.api, ctx.engine, ctx.settings, day=ctx.day, backfill=ctx.backfill)
