"""``board_growth`` and ``tenure_growth``: does a year of history slow the reads down?

Two databases with the same board size on their last day (20,000 models; 5,000 with
``--quick``), one with 365 days of daily history and one with 30, both generated from the real
snapshots' rates (``bench.generate``) and imported with ``ingest.loader.import_files``:

- ``board_growth``: ``db.queries.board`` as of the last day, 365 days against 30 (the cost
  should follow the board, not the history);
- ``tenure_growth``: ``db.queries.tenure`` (reigns at #1 over every snapshot date), 365 days
  against 30 (it must read every day, so linear at worst).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from bench.core import BOARD, Result, Sizes, best_of_pair, fresh_sqlite
from bench.generate import generate
from db import queries
from ingest.loader import import_files

log = logging.getLogger("bench.history")


def history_db(work: Path, *, models: int, days: int, seed: int = 2):
    """(engine, last day, rows) of a database holding ``days`` generated daily snapshots."""
    log.info("history: %d models, %d days: generating and importing", models, days)
    files = generate(work / f"history-{models}-{days}", models=models, days=days, seed=seed)
    engine = fresh_sqlite(work / f"history-{models}-{days}.db")
    report = import_files(engine, BOARD, [p for p, _ in files], progress=False)
    failed = [f for f in report.files if f.status != "imported"]
    if failed:
        raise RuntimeError(f"history: {len(failed)} files failed, first: {failed[0].error}")
    last = dt.date.fromisoformat(files[-1][0].name[:10])
    return engine, last, sum(n for _, n in files)


def run(work: Path, sizes: Sizes) -> tuple[list[Result], Path]:
    """The two results, and the path of the 30-day database (reused by the page benchmarks)."""
    models = sizes.history_models
    long_engine, long_last, long_rows = history_db(work, models=models, days=365)
    short_engine, short_last, short_rows = history_db(work, models=models, days=30)

    def board_of(engine, day):
        def go():
            with engine.connect() as conn:
                frame = queries.board(conn, BOARD, day)
            assert len(frame) >= models * 0.9, len(frame)

        return go

    def tenure_of(engine):
        def go():
            with engine.connect() as conn:
                queries.tenure(conn, BOARD)

        return go

    for fn in (board_of(long_engine, long_last), board_of(short_engine, short_last)):
        fn()  # warm caches
    board_long, board_short = best_of_pair(
        board_of(long_engine, long_last), board_of(short_engine, short_last), sizes.repeats + 2
    )
    tenure_long, tenure_short = best_of_pair(tenure_of(long_engine), tenure_of(short_engine), sizes.repeats)
    size = f"{models:,} models on the last day"
    results = [
        Result(
            "board_growth",
            board_long,
            "s",
            board_short,
            1.5,
            f"{size}; 365 days ({long_rows:,} rows imported) vs 30 days ({short_rows:,}); best of {sizes.repeats + 2}, alternated",
        ),
        Result(
            "tenure_growth",
            tenure_long,
            "s",
            tenure_short,
            15.0,
            f"{size}; 365 days vs 30 days; best of {sizes.repeats}, alternated",
        ),
    ]
    long_engine.dispose()
    short_engine.dispose()
    return results, work / f"history-{models}-30.db"
