"""Crash safety: ``kill -9`` an import at random moments, then check nothing was lost.

Each trial copies the seeded database, starts ``python -m ingest import`` on a few small
snapshot files (real seed rows, re-dated so that they land after, between and before the
stored snapshots), kills it with SIGKILL at a random moment (seeded RNG), and checks that

- ``PRAGMA integrity_check`` is ``ok``;
- the board as of every earlier snapshot date is exactly what it was before;
- a snapshot is either wholly there or not at all (never a snapshot row without its scores);
- the next run marks the killed run failed and ends with the same data as a run that was
  never interrupted (canonical dump of models, scores, snapshots, facts, rejected rows).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.registry import LMARENA, OPEN_LLM_V1
from db.schema import IngestRun
from tests.reliability.helpers import (
    ROOT,
    board_states,
    canonical_dump,
    cli,
    cli_env,
    dump_diff,
    integrity,
    seed_rows,
    snapshot_entries,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability-crash")]

TRIALS = 30
RNG_SEED = 20261126
RUNS = IngestRun.__table__

# (leaderboard, [(seed file, date it is imported as)]): after the newest, between two stored
# dates and before the oldest, so every kind of interval repair is interrupted somewhere.
IMPORT_SETS = {
    "lmarena": (
        LMARENA,
        [
            ("lmarena/2024-06-19.csv.xz", "2025-08-01"),
            ("lmarena/2025-07-18.csv.xz", "2024-07-01"),
            ("lmarena/2024-12-03.csv.xz", "2025-01-20"),
            ("lmarena/2024-08-02.csv.xz", "2024-06-01"),
        ],
    ),
    "v1-2023": (
        OPEN_LLM_V1,
        [
            ("open-llm-leaderboard-v1/2023-10-31.csv.xz", "2023-11-15"),
            ("open-llm-leaderboard-v1/2023-06-10.csv.xz", "2023-07-01"),
            ("open-llm-leaderboard-v1/2023-05-23.csv.xz", "2023-05-01"),
        ],
    ),
}


@dataclass
class ImportSet:
    name: str
    leaderboard: str
    files: list[Path]
    before: dict  # board state per date, before any import
    reference_states: dict  # board state per date after an uninterrupted import
    reference_entries: dict
    reference_dump: dict
    wal_bytes: int  # how far the write-ahead log grew during the uninterrupted run
    stats: dict = field(default_factory=dict)


def _import_args(db: Path, s: ImportSet) -> list[str]:
    return ["--db", f"sqlite:///{db}", "import", s.leaderboard, "--no-progress", *map(str, s.files)]


@pytest.fixture(scope="module")
def import_sets(small_seeded_db_file, tmp_path_factory) -> dict[str, ImportSet]:
    base = tmp_path_factory.mktemp("crash")
    before_engine = make_engine(f"sqlite:///{small_seeded_db_file}")
    sets = {}
    for name, (leaderboard, items) in IMPORT_SETS.items():
        folder = base / name
        folder.mkdir()
        files = []
        for relpath, day in items:
            path = folder / f"{leaderboard}-{day}.csv"
            path.write_bytes(seed_rows(relpath))
            files.append(path)
        before = board_states(before_engine, leaderboard)
        ref_db = folder / "reference.db"
        shutil.copyfile(small_seeded_db_file, ref_db)
        s = ImportSet(name, leaderboard, files, before, {}, {}, {}, 0)
        returncode, s.wal_bytes, _ = _run_and_kill(ref_db, s, threshold=None)
        assert returncode == 0
        assert s.wal_bytes > 0
        ref_engine = make_engine(f"sqlite:///{ref_db}")
        s.reference_states = board_states(ref_engine, leaderboard)
        s.reference_entries = snapshot_entries(ref_engine, leaderboard)
        s.reference_dump = canonical_dump(ref_engine, (leaderboard,))
        ref_engine.dispose()
        # The re-dated files really change the board (else the test would prove nothing).
        assert len(s.reference_states) == len(before) + len(items)
        sets[name] = s
    before_engine.dispose()
    return sets


def _run_and_kill(db: Path, s: ImportSet, threshold: int | None, extra_delay: float = 0.0) -> tuple[int, int, bool]:
    """Run the import; SIGKILL it once its write-ahead log reaches ``threshold`` bytes (+ delay).

    Watching the log instead of the clock puts the kills inside the writing phase however
    loaded the machine is. Returns (exit code, largest log size seen, killed?).
    """
    wal = Path(f"{db}-wal")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", *_import_args(db, s)],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    largest, killed = 0, False
    while proc.poll() is None:
        try:
            largest = max(largest, wal.stat().st_size)
        except FileNotFoundError:
            pass
        if threshold is not None and largest >= threshold:
            if extra_delay:
                time.sleep(extra_delay)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
            break
        time.sleep(0.0005)
    _, stderr = proc.communicate(timeout=120)
    if threshold is None:
        assert proc.returncode == 0, stderr.decode()
    return proc.returncode, largest, killed


def _runs(engine) -> dict[int, tuple[str, str | None]]:
    with engine.connect() as conn:
        return {r.id: (r.status, r.error) for r in conn.execute(select(RUNS.c.id, RUNS.c.status, RUNS.c.error))}


def test_kill_minus_nine_during_import(import_sets, small_seeded_db_file, tmp_path, figure):
    rng = random.Random(RNG_SEED)
    names = sorted(import_sets)
    outcomes = {"killed_before_any_write": 0, "killed_mid_run": 0, "killed_between_files": 0, "finished": 0}
    left_running = 0
    for trial in range(TRIALS):
        s = import_sets[names[trial % len(names)]]
        db = tmp_path / f"trial{trial}.db"
        shutil.copyfile(small_seeded_db_file, db)
        # A random point of the write-ahead log's growth, sometimes plus a few milliseconds.
        threshold = rng.randint(0, s.wal_bytes)
        extra = rng.choice((0.0, rng.uniform(0.0, 0.05)))
        returncode, _, _ = _run_and_kill(db, s, threshold, extra)
        context = f"trial {trial} ({s.name}, killed at log size {threshold} + {extra * 1000:.0f} ms, exit {returncode})"

        assert integrity(db) == "ok", context
        engine = make_engine(f"sqlite:///{db}")
        try:
            states = board_states(engine, s.leaderboard)
            entries = snapshot_entries(engine, s.leaderboard)
            for day, state in s.before.items():
                assert states.get(day) == state, f"{context}: the board as of {day} changed"
            new_days = set(states) - set(s.before)
            for day in new_days:
                # All or nothing: a stored snapshot has every score of the uninterrupted import.
                assert states[day] == s.reference_states[day], f"{context}: snapshot {day} is half imported"
                assert entries[day] == s.reference_entries[day], context
            running = [rid for rid, (status, _) in _runs(engine).items() if status == "running"]
            left_running += len(running)
            if returncode == 0:
                outcomes["finished"] += 1
            elif running:
                outcomes["killed_mid_run"] += 1
            elif new_days:
                outcomes["killed_between_files"] += 1
            else:
                outcomes["killed_before_any_write"] += 1

            # The next run completes, marks the killed run failed, and gives the reference data.
            done = cli(*_import_args(db, s))
            assert done.returncode == 0, f"{context}: rerun failed: {done.stderr}"
            runs = _runs(engine)
            assert [rid for rid, (status, _) in runs.items() if status == "running"] == [], context
            for rid in running:
                status, error = runs[rid]
                assert status == "failed" and error and "interrupted" in error, f"{context}: run {rid} {runs[rid]}"
            assert integrity(db) == "ok", context
            diff = dump_diff(canonical_dump(engine, (s.leaderboard,)), s.reference_dump)
            assert diff == "", f"{context}: differs from an uninterrupted import:\n{diff}"
        finally:
            engine.dispose()
        db.unlink()
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    figure("crash_trials", TRIALS)
    figure("crash_trials_passed", TRIALS)
    for name, count in outcomes.items():
        figure(f"crash_{name}", count)
    figure("crash_runs_left_running_then_marked_failed", left_running)
    figure("crash_rng_seed", RNG_SEED)
