"""``replay`` and ``db_size_190_days``: a season of daily v2 snapshots through the importer.

190 daily files ending on the newest real snapshot (2025-03-21): the 14 real API-format
snapshots of the seed on their own dates, generated days in between (``bench.generate
--real``), about 496,000 rows in all and 4,576 on the last day. The importer
(``ingest.loader.import_files`` into a fresh SQLite file) is timed against pandas merely
reading the same CSV files; then the database file is measured.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

import pandas as pd

from bench.core import BOARD, Result, Sizes, cpu_seconds, file_mb, fresh_sqlite
from bench.generate import generate
from ingest.loader import import_files

log = logging.getLogger("bench.replay")


def run(work: Path, sizes: Sizes) -> list[Result]:
    days = sizes.replay_days
    files_dir = work / "replay"
    log.info("replay: writing %d daily snapshots", days)
    files = generate(files_dir, models=1, days=days, seed=1, real=True)
    paths = [p for p, _ in files]
    rows = sum(n for _, n in files)

    def read_all() -> None:
        for path in paths:
            pd.read_csv(path)

    read_all()  # warm the page cache for both sides
    gc.collect()
    base_cpu, base_wall, _ = cpu_seconds(read_all)
    db_path = work / "replay.db"
    engine = fresh_sqlite(db_path)
    log.info("replay: importing %d files (%d rows)", len(paths), rows)
    gc.collect()
    cpu, wall, report = cpu_seconds(lambda: import_files(engine, BOARD, paths, progress=False))
    failed = [f for f in report.files if f.status != "imported"]
    if failed:
        raise RuntimeError(f"replay: {len(failed)} files failed, first: {failed[0].error}")
    engine.dispose()  # the last connection checkpoints the WAL into the file
    size = file_mb(db_path)
    note = f"{len(paths)} files, {rows:,} rows; CPU s (wall {wall:.1f} s vs {base_wall:.1f} s)"
    return [
        Result("replay", cpu, "s", base_cpu, 10.0, note),
        Result(
            f"db_size_{days}_days",
            size,
            "MB",
            1.0,
            60.0,
            f"SQLite file after the replay: {len(paths)} daily v2 files, {rows:,} rows",
        ),
    ]
