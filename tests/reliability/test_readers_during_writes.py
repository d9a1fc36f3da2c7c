"""Readers during writes: four dashboard-style readers query while imports run.

The readers share one engine, as the dashboard's threads do, and call the same read functions
(``db.queries.board``, ``board_entries``, ``tenure``). A separate process imports real Arena
snapshots one after another, each under a new, later date, so the newest snapshot keeps
moving while they read. Every reader checks that the board as of the newest snapshot date has
exactly the entries that snapshot's file has (never a snapshot row without its scores, never a
half-imported snapshot), and counts "database is locked" and any other error: both must be 0.

60 s on SQLite (the issue's figure; the one long test of the suite), 15 s on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from core.boards import LMARENA
from db import queries
from db.engine import make_engine
from db.schema import Snapshot
from ingest.formats import parse_file
from ingest.loader import import_files
from tests.conftest import seed_snapshots
from tests.reliability.helpers import ROOT, cli_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability-readers")]

READERS = 4
SECONDS = {"sqlite": 60.0, "postgresql": 15.0}

SNAPSHOTS = Snapshot.__table__


@dataclass
class Tally:
    queries: int = 0
    checks: int = 0
    locked: int = 0
    half_imported: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    slowest_s: float = 0.0


def _reader(engine, expected: dict[dt.date, int], stop: threading.Event, tally: Tally, number: int) -> None:
    lock = threading.Lock()
    while not stop.is_set():
        started = time.monotonic()
        try:
            with engine.connect() as conn:
                newest = queries.snapshot_dates(conn, LMARENA)[-1]
                entries = len(queries.board_entries(conn, LMARENA, newest))
                stored = conn.execute(
                    select(SNAPSHOTS.c.entries).where(
                        SNAPSHOTS.c.leaderboard_key == LMARENA, SNAPSHOTS.c.snapshot_date == newest
                    )
                ).scalar()
                ranked = queries.board(conn, LMARENA, newest)
                count = 4
                if number % 2 == 0:
                    queries.tenure(conn, LMARENA)
                    count += 1
            problems = []
            if entries != expected.get(newest, entries) or stored != entries:
                problems.append(
                    f"{newest}: board shows {entries} entries, snapshot row {stored}, file {expected.get(newest)}"
                )
            if not 0 < len(ranked) <= entries:
                problems.append(f"{newest}: ranked board has {len(ranked)} rows for {entries} entries")
            with lock:
                tally.queries += count
                tally.checks += 1
                tally.half_imported.extend(problems)
        except Exception as exc:  # every failure is counted, the reader goes on
            with lock:
                if "database is locked" in str(exc):
                    tally.locked += 1
                else:
                    tally.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
        tally.slowest_s = max(tally.slowest_s, time.monotonic() - started)


def _writer(url: str, files: list, stop: threading.Event, start_day: dt.date, expected: dict, log: list) -> None:
    """Import the Arena files one per process, each as a new day, until told to stop."""
    day = start_day
    index = 0
    while not stop.is_set():
        path, count = files[index % len(files)]
        expected[day] = count  # known before the import starts: a reader may see it at once
        done = subprocess.run(
            [sys.executable, "-m", "ingest", "--db", url, "import", LMARENA, str(path), "--as-of", day.isoformat()],
            cwd=ROOT,
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        log.append((day, done.returncode, done.stderr.strip()[-300:]))
        index += 1
        day += dt.timedelta(days=1)


def test_readers_never_see_locks_or_half_imported_snapshots(engine, db_url, figure):
    backend = engine.dialect.name
    seconds = SECONDS[backend]
    files = seed_snapshots(LMARENA)
    report = import_files(engine, LMARENA, files, progress=False)
    assert not report.failed, [f.error for f in report.failed]
    expected: dict[dt.date, int] = {}
    with engine.connect() as conn:
        for day, count in conn.execute(
            select(SNAPSHOTS.c.snapshot_date, SNAPSHOTS.c.entries).where(SNAPSHOTS.c.leaderboard_key == LMARENA)
        ):
            expected[day] = count
    # Each real file with its number of entries (what its snapshot must show once imported).
    sized = [(path, len(parse_file(path).entries)) for path in files]
    assert all(count > 50 for _, count in sized)
    start_day = max(expected) + dt.timedelta(days=1)

    reader_engine = make_engine(db_url, must_exist=True)
    stop = threading.Event()
    tallies = [Tally() for _ in range(READERS)]
    imports: list = []
    threads = [
        threading.Thread(target=_reader, args=(reader_engine, expected, stop, tallies[i], i), daemon=True)
        for i in range(READERS)
    ]
    writer = threading.Thread(target=_writer, args=(db_url, sized, stop, start_day, expected, imports), daemon=True)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    writer.start()
    time.sleep(seconds)
    stop.set()
    for thread in [*threads, writer]:
        thread.join(timeout=180)
    elapsed = time.monotonic() - started
    reader_engine.dispose()

    failed_imports = [item for item in imports if item[1] != 0]
    locked = sum(t.locked for t in tallies)
    errors = [e for t in tallies for e in t.errors]
    half = [p for t in tallies for p in t.half_imported]
    checks = sum(t.checks for t in tallies)
    label = f"readers_{backend}"
    figure(f"{label}_seconds", round(elapsed, 1))
    figure(f"{label}_readers", READERS)
    figure(f"{label}_imports_completed", len(imports) - len(failed_imports))
    figure(f"{label}_reader_queries", sum(t.queries for t in tallies))
    figure(f"{label}_consistency_checks", checks)
    figure(f"{label}_database_locked_errors", locked)
    figure(f"{label}_other_errors", len(errors))
    figure(f"{label}_half_imported_seen", len(half))
    figure(f"{label}_slowest_reader_iteration_s", round(max(t.slowest_s for t in tallies), 2))

    assert failed_imports == [], failed_imports[:3]
    assert len(imports) >= 1, "the writer imported nothing while the readers read"
    assert checks >= 3 * READERS
    assert locked == 0
    assert errors == [], errors[:5]
    assert half == [], half[:5]
    # The last import is there in full too.
    with engine.connect() as conn:
        newest = queries.snapshot_dates(conn, LMARENA)[-1]
        assert len(queries.board_entries(conn, LMARENA, newest)) == expected[newest]
