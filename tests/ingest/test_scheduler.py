"""``python -m ingest schedule``: a real subprocess against the fake Hub, stopped with SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select

from core.errors import ConfigError
from db.engine import make_engine
from db.schema import IngestRun
from ingest.lock import ingest_lock
from ingest.scheduler import make_trigger
from testing.fakehub import (
    ROOT,
    FakeHub,
    build_arena_leaderboard_dataset,
    build_contents_dataset,
    build_lmarena_dataset,
    hub_env,
)


@pytest.fixture
def hub():
    with FakeHub() as server:
        server.add_dataset(build_contents_dataset(100))
        server.add_dataset(build_lmarena_dataset(["2025-07-18"]))
        server.add_dataset(build_arena_leaderboard_dataset(["2025-07-18"]))
        yield server


def start(hub, tmp_path, *args: str, **env: str) -> subprocess.Popen:
    environ = hub_env(
        hub,
        DATABASE_URL=f"sqlite:///{tmp_path / 'sched.db'}",
        SLM_CACHE_DIR=str(tmp_path / "cache"),
        INGEST_LOCK=str(tmp_path / "ingest.lock"),
        HUB_TOP_N="10",
        HUB_LEADERBOARD_BUDGET="0",
        HUB_BACKOFF_BASE="0.05",
        **env,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "schedule", *args],
        env=environ,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def finished_runs(tmp_path) -> list:
    path = tmp_path / "sched.db"
    if not path.exists():
        return []
    engine = make_engine(f"sqlite:///{path}")
    try:
        table = IngestRun.__table__
        with engine.connect() as conn:
            return conn.execute(select(table).where(table.c.status != "running").order_by(table.c.id)).all()
    except Exception:  # the schema is being created by the subprocess
        return []
    finally:
        engine.dispose()


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_run_now_then_a_clean_stop_on_sigterm(hub, tmp_path):
    proc = start(hub, tmp_path, "--run-now")
    try:
        wait_for(lambda: len(finished_runs(tmp_path)) >= 6)
    finally:
        code, log = stop(proc)
    assert code == 0, log
    statuses = {r.source: r.status for r in finished_runs(tmp_path)}
    assert statuses == {
        "hub": "succeeded",
        "open-llm-leaderboard-v2": "succeeded",
        "lmarena": "succeeded",
        "hub-evals": "succeeded",
        "epoch": "succeeded",  # the fake Hub serves Epoch's zip too (hub_env's EPOCH_DATA_URL)
        "hub-configs": "succeeded",
    }
    assert "scheduler started: cron '0 3 * * *' (UTC)" in log
    assert "scheduled ingest run finished" in log
    assert "received SIGTERM: stopping" in log and log.strip().endswith("scheduler stopped")
    assert "Traceback" not in log and " ERROR " not in log


def test_sigterm_during_a_run_stops_it_and_records_it_failed(hub, tmp_path):
    # Every listing is rate limited for a minute: the run is waiting when SIGTERM comes.
    hub.fault(r"^/api/models", "429", times=None, retry_after=60)
    proc = start(hub, tmp_path, "--run-now", HUB_RUN_BUDGET="600")
    try:
        wait_for(lambda: hub.count(r"^/api/models") >= 1)
        time.sleep(0.5)
    finally:
        code, log = stop(proc)
    assert code == 0, log
    (run,) = [r for r in finished_runs(tmp_path) if r.source == "hub"]
    assert run.status == "failed" and "stopped" in run.error
    assert "Traceback" not in log and log.strip().endswith("scheduler stopped")


def test_a_scheduled_run_skips_while_a_manual_run_holds_the_lock(hub, tmp_path):
    skipped = "scheduled ingest run skipped: another ingest run is in progress"
    with ingest_lock(tmp_path / "ingest.lock"):
        proc = start(hub, tmp_path, "--run-now")
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)  # type: ignore[arg-type]
        reader.start()
        try:
            wait_for(lambda: any(skipped in line for line in lines))  # the log line, however slow the start
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
            reader.join(timeout=10)
    assert code == 0, "".join(lines)
    assert hub.requests == []


def test_a_bad_cron_expression_is_a_one_line_error(hub, tmp_path):
    proc = start(hub, tmp_path, "--cron", "every night")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.strip().splitlines()[-1].startswith("error: INGEST_CRON is not a crontab expression")
    with pytest.raises(ConfigError):
        make_trigger("61 3 * * *")
    assert str(make_trigger("0 3 * * *").timezone) == "UTC"
