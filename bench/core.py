"""What every benchmark shares: the result record, timers and scratch databases."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from db.engine import make_engine, upgrade_schema

log = logging.getLogger("bench")

BOARD = "open-llm-leaderboard-v2"


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark runs. ``FULL`` is what the targets are stated for."""

    replay_days: int = 190
    history_models: int = 20_000
    hub_models: int = 100_000
    page_models: int = 20_000
    rss_models: int = 100_000
    repeats: int = 3
    arena_rows: int = 1_200_000  # a full split of LMArena's dataset (the real one: 1,168,522)


FULL = Sizes()
# Under five minutes on the 2-core machine: the long set-ups shrink, the measured things do not change.
QUICK = Sizes(history_models=2_000, hub_models=10_000, rss_models=50_000)
# For the plumbing tests only: every benchmark runs, the figures mean nothing.
TINY = Sizes(
    replay_days=3, history_models=60, hub_models=300, page_models=200, rss_models=300, repeats=1, arena_rows=3000
)


@dataclass
class Result:
    """One benchmark figure: ``ratio = value / baseline`` must stay at or under ``target``."""

    name: str
    value: float
    unit: str
    baseline: float
    target: float
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def ok(self) -> bool:
        return self.ratio <= self.target

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "unit": self.unit,
            "baseline": round(self.baseline, 4),
            "ratio": round(self.ratio, 3),
            "target": self.target,
            "note": self.note,
        }


def cpu_seconds(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(CPU seconds of this process, wall seconds, result) of one call.

    CPU time is what the code costs; on this shared 2-core machine the wall clock also counts
    whatever else runs at the time, so in-process figures use CPU time.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def quiet_streamlit() -> None:
    """Drop Streamlit's bare-mode warnings, which it says can be ignored and which buried our lines.

    AppTest and cached functions called outside a server log "missing ScriptRunContext" and "No
    runtime found" once per run. A filter, because Streamlit resets its loggers' levels when it
    loads its config.
    """
    noise = ("missing ScriptRunContext", "No runtime found")

    def keep(record: logging.LogRecord) -> bool:
        return not any(text in record.getMessage() for text in noise)

    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).addFilter(keep)


def best_of_pair(measured: Callable[[], object], baseline: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(best of ``measured``, best of ``baseline``), run alternately so that both meet the same
    load on the machine; a burst of other work then slows both instead of one side."""
    best_m = best_b = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        measured()
        best_m = min(best_m, time.perf_counter() - start)
        start = time.perf_counter()
        baseline()
        best_b = min(best_b, time.perf_counter() - start)
    return best_m, best_b


def fresh_sqlite(path: Path) -> Engine:
    """A new, migrated SQLite database at ``path`` (any old file is removed)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    return engine


def file_mb(path: Path) -> float:
    """Size of a SQLite database on disk in MB (10^6 bytes), WAL included."""
    total = 0
    for suffix in ("", "-wal"):
        p = Path(f"{path}{suffix}")
        if p.exists():
            total += p.stat().st_size
    return total / 1e6


def status_mb(pid: int | None, field: str) -> float | None:
    """A memory figure of a live process from /proc/PID/status in MB (``VmRSS``, ``VmHWM``);
    ``None`` when there is no such process (Linux)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        return None
    return None


def peak_rss_mb_of(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a live process in MB."""
    return status_mb(pid, "VmHWM")


def env_without(*prefixes: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
