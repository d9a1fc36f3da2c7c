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

from core.boards import LMARENA, OPEN_LLM_V1
from db.engine import make_engine
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

pytestmark = [pytest.mark.slow]

TRIALS = 30  # in all: split evenly over the import sets, which xdist can run side by side
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


@pytest.mark.parametrize("set_name", sorted(IMPORT_SETS))
def test_kill_minus_nine_during_import(set_name, import_sets, small_seeded_db_file, tmp_path, figure):
    rng = random.Random(f"{RNG_SEED}-{set_name}")
    trials = TRIALS // len(IMPORT_SETS)
    outcomes = {"killed_before_any_write": 0, "killed_mid_run": 0, "killed_between_files": 0, "finished": 0}
    left_running = 0
    s = import_sets[set_name]
    for trial in range(trials):
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

    figure(f"crash_{set_name}_trials", trials)
    for name, count in outcomes.items():
        figure(f"crash_{set_name}_{name}", count)
    # The trials did interrupt imports (a kill that always came too late would prove nothing).
    assert outcomes["killed_mid_run"] > 0 and outcomes["finished"] < trials, outcomes
    figure(f"crash_{set_name}_runs_left_running_then_marked_failed", left_running)
    figure(f"crash_{set_name}_rng_seed", f"{RNG_SEED}-{set_name}")


# --------------------------------------------------------------------------- live Hub ingest

HUB_TRIALS = 8
HUB_SOURCES = ["hub", "open-llm-leaderboard-v2", "lmarena", "--models", "HuggingFaceH4/zephyr-7b-beta", "gpt2"]


def _two_shard_contents():
    """The contents dataset split in two parquet shards (the loader merges them into one file)."""
    import io

    import pyarrow.parquet as pq

    from testing.fakehub import CONTENTS_REPO, FakeDataset, build_contents_parquet

    whole = pq.read_table(io.BytesIO(build_contents_parquet(rows=120)))
    files = {"README.md": b"---\nlicense: apache-2.0\n---\n"}
    for number, part in enumerate((whole.slice(0, 60), whole.slice(60))):
        sink = io.BytesIO()
        pq.write_table(part, sink)
        files[f"data/train-0000{number}-of-00002.parquet"] = sink.getvalue()
    dataset = FakeDataset(CONTENTS_REPO)
    dataset.commit(files)
    return dataset


@pytest.fixture(scope="module")
def fake_hub():
    from testing.fakehub import FakeHub, build_arena_leaderboard_dataset, build_lmarena_dataset

    with FakeHub() as hub:
        hub.add_dataset(_two_shard_contents())
        hub.add_dataset(build_lmarena_dataset(days=["2024-06-19", "2024-07-24"]))
        hub.add_dataset(build_arena_leaderboard_dataset(["2024-06-19", "2024-07-24"]))
        yield hub


def _hub_env(hub, db: Path, work: Path) -> dict[str, str]:
    from testing.fakehub import hub_env

    return hub_env(
        hub,
        DATABASE_URL=f"sqlite:///{db}",
        SLM_CACHE_DIR=str(work / "cache"),
        INGEST_LOCK=str(work / "ingest.lock"),
        HUB_BACKOFF_BASE="0.05",
        HUB_LEADERBOARD_BUDGET="0",
        HUB_TOP_N="0",
    )


def _state(engine) -> list[tuple]:
    from db.schema import SourceState

    table = SourceState.__table__
    with engine.connect() as conn:
        return sorted(
            (r.source, r.key, r.value) for r in conn.execute(select(table.c.source, table.c.key, table.c.value))
        )


def _run_hub(db: Path, work: Path, hub, threshold: int | None, extra: float = 0.0) -> tuple[int, int]:
    wal = Path(f"{db}-wal")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", "run", *HUB_SOURCES, "--no-progress"],
        cwd=ROOT, env=_hub_env(hub, db, work), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    largest = 0
    while proc.poll() is None:
        try:
            largest = max(largest, wal.stat().st_size)
        except FileNotFoundError:
            pass
        if threshold is not None and largest >= threshold:
            time.sleep(extra)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.0005)
    _, stderr = proc.communicate(timeout=180)
    if threshold is None:
        assert proc.returncode == 0, stderr.decode()[-3000:]
    return proc.returncode, largest


def test_kill_minus_nine_during_hub_ingest(fake_hub, small_seeded_db_file, tmp_path, figure):
    boards = (LMARENA, OPEN_LLM_V1, "open-llm-leaderboard-v2", "model-card")
    base = make_engine(f"sqlite:///{small_seeded_db_file}")
    before = {board: board_states(base, board) for board in boards}
    base.dispose()
    ref_db = tmp_path / "reference.db"
    shutil.copyfile(small_seeded_db_file, ref_db)
    _, wal_bytes = _run_hub(ref_db, tmp_path / "ref", fake_hub, threshold=None)
    ref = make_engine(f"sqlite:///{ref_db}")
    reference = (canonical_dump(ref), _state(ref))
    ref.dispose()
    assert wal_bytes > 0 and reference[1], "the reference run wrote nothing"

    rng = random.Random(RNG_SEED + 1)
    killed = mid_run = 0
    for trial in range(HUB_TRIALS):
        db = tmp_path / f"hub{trial}.db"
        work = tmp_path / f"hub{trial}"
        shutil.copyfile(small_seeded_db_file, db)
        threshold = rng.randint(0, wal_bytes)
        extra = rng.choice((0.0, rng.uniform(0.0, 0.3)))
        returncode, _ = _run_hub(db, work, fake_hub, threshold, extra)
        context = f"hub trial {trial} (log size {threshold} + {extra * 1000:.0f} ms, exit {returncode})"
        killed += returncode == -signal.SIGKILL
        assert integrity(db) == "ok", context
        engine = make_engine(f"sqlite:///{db}")
        try:
            for board in boards:
                states = board_states(engine, board)
                for day, state in before[board].items():
                    assert states.get(day) == state, f"{context}: {board} as of {day} changed"
            running = [rid for rid, (status, _) in _runs(engine).items() if status == "running"]
            mid_run += bool(running)
            # The next run (same cache folder: a half-written download must not be trusted).
            _run_hub(db, work, fake_hub, threshold=None)
            runs = _runs(engine)
            assert [rid for rid, (status, _) in runs.items() if status == "running"] == [], context
            assert all(runs[rid][0] == "failed" for rid in running), context
            diff = dump_diff(canonical_dump(engine), reference[0])
            assert diff == "", f"{context}: differs from an uninterrupted run:\n{diff}"
            assert _state(engine) == reference[1], context
        finally:
            engine.dispose()
    figure("crash_hub_trials", HUB_TRIALS)
    figure("crash_hub_killed", killed)
    figure("crash_hub_killed_mid_run", mid_run)
    assert killed > 0 and mid_run > 0, (killed, mid_run)  # the kills did land inside runs


# --------------------------------------------------------------------------- whose run is abandoned


def test_only_runs_whose_process_is_gone_are_marked_failed(sqlite_engine):
    """A concurrent live run is left alone; a dead owner, or a new process with a reused pid, is not."""
    import socket

    from db import writes

    me = writes._run_owner()
    host, pid, start = me.split(":")
    owners = {
        "live": me,  # this very process: alive
        "dead": f"{host}:{2**22 + 12345}:1",  # no such pid
        "pid reused": f"{host}:{pid}:{int(start or 0) + 1}",  # same pid, another process start
        "no owner": None,  # a run recorded before owners were
        "other host": f"not-{socket.gethostname()}:1:1",  # cannot tell: left to the age limit
    }
    ids = {}
    for name, owner in owners.items():
        run_id = writes.start_run(sqlite_engine, "lmarena")
        with sqlite_engine.begin() as conn:
            conn.execute(RUNS.update().where(RUNS.c.id == run_id).values(detail={"owner": owner} if owner else {}))
        ids[name] = run_id
    assert writes.fail_abandoned_runs(sqlite_engine) == 3
    status = {name: _runs(sqlite_engine)[run_id][0] for name, run_id in ids.items()}
    assert status == {
        "live": "running",
        "dead": "failed",
        "pid reused": "failed" if start else "running",
        "no owner": "failed",
        "other host": "running",
    }
