"""Import leaderboard files: extract (formats) -> normalise -> load (db.writes).

One file is one transaction and one ingest run: a file that fails leaves nothing behind and
its run is recorded as failed with the error; a bad row is rejected with a reason and the
rest goes in.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import operator
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from core.errors import InputError, TrackerError
from db import writes
from ingest.formats import FORMATS, ParsedFile, RowCache, date_from_name, parse_file, read_bytes

log = logging.getLogger(__name__)

_FACTS, _FIRST = operator.attrgetter("facts"), operator.itemgetter(0)

# Refuse a snapshot in which more than this share of rows is bad: applying it would mark
# every entry it lost as having left the board.
MAX_REJECTED_SHARE = 0.5


@dataclass
class FileResult:
    path: str
    snapshot_date: dt.date | None
    status: str  # "imported", "unchanged", "failed"
    run_id: int | None = None
    format: str | None = None
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    error: str | None = None


@dataclass
class ImportReport:
    source: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]


def plan_files(paths: Sequence[str | Path], as_of: dt.date | None) -> list[tuple[dt.date, Path]]:
    """Pair each path with its snapshot date and sort by date (then name)."""
    planned = []
    for raw in paths:
        path = Path(raw)
        day = as_of or date_from_name(path)
        if day is None:
            raise InputError(f"{path}: no date in the file name (YYYY-MM-DD or YYYYMMDD); pass --as-of DATE")
        planned.append((day, path))
    if as_of is not None and len(planned) > 1:
        raise InputError("--as-of applies to one file; name several files by their dates instead")
    planned.sort(key=lambda item: (item[0], str(item[1])))
    return planned


def check_usable(parsed: ParsedFile) -> None:
    """Refuse a snapshot with no valid rows or mostly bad rows (:class:`InputError`, one line)."""
    if not parsed.entries:
        raise InputError(f"{parsed.path}: no valid rows (all {parsed.rows_read} rejected)")
    share = len(parsed.rejections) / max(parsed.rows_read, 1)
    if share > MAX_REJECTED_SHARE:
        first = parsed.rejections[0].reason if parsed.rejections else ""
        raise InputError(
            f"{parsed.path}: {len(parsed.rejections)} of {parsed.rows_read} rows are bad "
            f"(first: {first}); refusing a snapshot that would drop entries from the board"
        )


def import_parsed(
    engine: Engine,
    parsed: ParsedFile,
    day: dt.date,
    run_id: int | None,
    cache: writes.ApplyCache | None = None,
) -> tuple[int, int]:
    """Load one parsed file in one transaction; returns (rows written, rows rejected).

    ``cache`` carries what the previous import of a series left behind (see
    :class:`db.writes.ApplyCache`) and ``parsed.delta`` the rows that changed since the file
    parsed before (:class:`db.records.SnapshotDelta`); both only make the import faster.
    """
    check_usable(parsed)
    try:
        with engine.begin() as conn:
            writes.begin_write(conn)
            if cache is not None:
                cache.check(conn)
            # The parser gives each entry's (lower-case id, variant): no per-row work here.
            keys = parsed.keys if len(parsed.keys) == len(parsed.entries) else None
            index, inserted, updated = writes.upsert_models(
                conn,
                list(map(_FACTS, parsed.entries)),
                source=parsed.leaderboard,
                as_of=day,
                board=True,
                cache=cache,
                keys=list(map(_FIRST, keys)) if keys is not None else None,
                delta=parsed.delta,
            )
            stats = writes.apply_snapshot(
                conn,
                parsed.leaderboard,
                day,
                parsed.entries,
                model_index=index,
                run_id=run_id,
                source_file=Path(parsed.path).name,
                sha256=parsed.sha256,
                keys=keys,
                delta=parsed.delta,
            )
            if run_id is not None:
                writes.record_rejections(conn, run_id, Path(parsed.path).name, parsed.rejections)
            if cache is not None:
                cache.remember(parsed.leaderboard, parsed.sha256)
                cache.seal(conn)
    except BaseException:
        if cache is not None:
            cache.reset()  # the transaction rolled back: what the cache remembers is not stored
        raise
    stats.models_inserted, stats.models_updated = inserted, updated
    return stats.rows_written, len(parsed.rejections)


def import_files(
    engine: Engine,
    source: str,
    paths: Sequence[str | Path],
    *,
    as_of: dt.date | None = None,
    progress: bool | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    review_sizes: bool = True,
) -> ImportReport:
    """Import ``paths`` of leaderboard ``source`` in date order; never raises for one bad file.

    Then the size and license review (:mod:`ingest.facts_review`) runs over every model,
    unless the caller runs it itself (``review_sizes=False``)."""
    known = tuple(dict.fromkeys(f.leaderboard for f in FORMATS))  # the boards read as tables
    if source not in known:
        raise InputError(f"unknown source {source!r}; choose one of: {', '.join(known)}")
    planned = plan_files(paths, as_of)
    report = ImportReport(source=source)
    show = sys.stderr.isatty() if progress is None else progress
    iterator = planned
    bar = None
    if show and len(planned) > 1:
        from tqdm import tqdm

        bar = tqdm(planned, unit="file", desc=f"import {source}", file=sys.stderr)
        iterator = bar
    # Consecutive snapshots repeat most rows: parse and apply only what changed.
    row_cache, apply_cache = RowCache(), writes.ApplyCache()
    try:
        for day, path in iterator:
            result = import_one(engine, source, path, day, row_cache=row_cache, apply_cache=apply_cache)
            report.files.append(result)
            if on_file:
                on_file(result)
            # The caches hold a whole board of long-lived objects: without this the cyclic
            # garbage collector walks all of them again and again (about 15% of a long series).
            gc.freeze()
    finally:
        gc.unfreeze()
    if bar is not None:
        bar.close()
    if review_sizes and any(f.status == "imported" for f in report.files):
        from ingest.facts_review import review

        review(engine)
    return report


def _read_once(path: Path) -> tuple[bytes, str] | None:
    """The decompressed content and its digest (what parse_file stores), or None if unreadable."""
    try:
        data = read_bytes(path)
    except InputError:
        return None
    return data, hashlib.sha256(data).hexdigest()


def import_one(
    engine: Engine,
    source: str,
    path: Path,
    day: dt.date,
    *,
    row_cache: RowCache | None = None,
    apply_cache: writes.ApplyCache | None = None,
) -> FileResult:
    result = FileResult(path=str(path), snapshot_date=day, status="failed")
    # The very same file again for the same day: nothing to do, nothing recorded.
    content = _read_once(path)
    if content is not None:
        with engine.connect() as conn:
            if writes.stored_snapshot_sha(conn, source, day) == content[1]:
                result.status = "unchanged"
                return result
    run_id = writes.start_run(engine, source, {"file": path.name, "snapshot_date": day.isoformat()})
    result.run_id = run_id
    try:
        parsed = parse_file(path, expected_leaderboard=source, row_cache=row_cache, content=content)
        result.format = parsed.format
        result.rows_read = parsed.rows_read
        written, rejected = import_parsed(engine, parsed, day, run_id, cache=apply_cache)
    except TrackerError as exc:
        result.error = str(exc)
        writes.finish_run(engine, run_id, "failed", rows_read=result.rows_read, error=result.error)
        # Callers report failures (the CLI as its one 'error:' line): logging here printed it twice.
        log.debug("import failed: %s", result.error)
        return result
    except Exception as exc:  # a bug or a database failure: record it, keep the data
        result.error = f"{path}: unexpected error: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        writes.finish_run(engine, run_id, "failed", rows_read=result.rows_read, error=result.error)
        log.debug("import failed unexpectedly", exc_info=True)
        return result
    result.status = "imported"
    result.rows_written, result.rows_rejected = written, rejected
    writes.finish_run(
        engine,
        run_id,
        "succeeded",
        rows_read=result.rows_read,
        rows_written=written,
        rows_rejected=rejected,
        detail={"file": path.name, "snapshot_date": day.isoformat(), "format": parsed.format},
    )
    return result


def cli_import(engine: Engine, args, settings) -> int:
    """``ingest import KEY PATH...`` for a board read through the shared format detection
    (``core.boards``' importer): one line per file; 1 when a file was refused."""
    from ingest.lmarena_dataset import refuse_dataset_files

    refuse_dataset_files([Path(p) for p in args.paths], args.source)  # the Arena's dataset, misnamed
    report = import_files(
        engine, args.source, args.paths, as_of=args.as_of, progress=None if not args.no_progress else False
    )
    for f in report.files:
        day = f.snapshot_date.isoformat() if f.snapshot_date else "?"
        if f.status == "imported":
            print(f"{day} {f.path}: {f.rows_read} rows read, {f.rows_written} written, {f.rows_rejected} rejected")
        elif f.status == "unchanged":
            print(f"{day} {f.path}: already imported, unchanged")
        else:
            print(f"error: {f.error}", file=sys.stderr)
    return 1 if report.failed else 0
