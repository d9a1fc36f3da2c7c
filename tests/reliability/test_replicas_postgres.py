"""Two dashboard replicas on PostgreSQL through the read-only role, while a run writes (compose.yaml's processes).

Docker cannot run here, so this starts what ``docker compose --profile postgres up`` starts,
minus the proxy: the role script the postgres container runs on its first start
(``docker/postgres/readonly-role.sql``, with psql), the scheduler's ``ingest init`` and ``seed`` as
the owner, two ``streamlit run dashboard/app.py`` servers reading as ``slm_reader``, then an
import (the nightly run's write) while the load benchmark's viewers (``bench.hosting``, short)
use both replicas. Nothing may fail, and both replicas must show the new snapshot without a
restart (their caches are keyed by the data version).
"""

from __future__ import annotations

import asyncio
import lzma
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bench.hosting import Tab, Target, load, measure, postgres_connections
from testing.servers import start_streamlit, stop
from tests.conftest import ROOT, TEST_DATABASE_URL, _postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

V2 = "open-llm-leaderboard-v2"
ROLE_SQL = ROOT / "docker" / "postgres" / "readonly-role.sql"
READER = "slm_reader"


def _psql() -> str | None:
    return shutil.which("psql") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), reverse=True)), None
    )


@pytest.fixture
def owner_url():
    if not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    if _psql() is None:
        pytest.skip("psql is not installed")
    yield from _postgres_database()


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str], url: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _snapshot_count(base: str) -> int:
    """How many v2 snapshots the replica's leaderboard says it has (its caption)."""

    async def visit() -> list[str]:
        tab = Tab(base)
        await tab.open()
        try:
            return (await tab.run("")).texts
        finally:
            await tab.close()

    texts = asyncio.run(visit())
    caption = next(t for t in texts if " snapshots from " in t)
    return int(caption.split(" snapshots from ")[0].rsplit("·", 1)[1].strip().replace(",", ""))


def test_two_read_only_replicas_serve_while_a_run_writes(owner_url, tmp_path):
    # 1. The postgres container's first start: the read-only role, before any table exists (the
    #    default privileges must cover the tables `ingest init` creates later).
    password = "reader-pw"
    role = subprocess.run(
        [_psql(), "-X", "-q", "-v", f"reader_password={password}", "-f", str(ROLE_SQL), _libpq(owner_url)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert role.returncode == 0, role.stderr
    admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # the role is cluster-wide: an earlier run may have made it
        conn.execute(text(f"ALTER ROLE {READER} PASSWORD '{password}'"))
    admin.dispose()

    # 2. The scheduler's entrypoint as the owner: init and seed.
    for step in (["-m", "ingest", "init"], ["-m", "ingest", "seed", "--no-progress"]):
        done = _run(step, owner_url)
        assert done.returncode == 0, done.stderr

    reader_url = make_url(owner_url).set(username=READER, password=password).render_as_string(hide_password=False)
    reader = create_engine(reader_url)
    with reader.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scores")).scalar() > 0
        with pytest.raises(SQLAlchemyError):
            conn.execute(text("DELETE FROM runs"))
    with reader.connect() as conn, pytest.raises(SQLAlchemyError):
        conn.execute(text("CREATE TABLE intruder (a int)"))
    reader.dispose()

    # 3. Two replicas reading as slm_reader.
    env = {**os.environ, "DATABASE_URL": reader_url, "SLM_QUERY_TIMEOUT": "30"}
    servers = []
    try:
        for i in range(2):
            servers.append(start_streamlit(env, log_path=tmp_path / f"replica-{i}.log", startup_s=120))
        bases = [base for _, base in servers]
        before = [_snapshot_count(base) for base in bases]
        assert before[0] == before[1] > 0

        # 4. The nightly run's write (the latest real v2 snapshot again, as of a later day) while
        #    viewers use both replicas.
        latest = sorted((ROOT / "data" / "seed" / V2).glob("*.csv.xz"))[-1]
        snapshot = tmp_path / latest.name.removesuffix(".xz")
        snapshot.write_bytes(lzma.decompress(latest.read_bytes()))
        results: dict = {}

        def write() -> None:
            results["import"] = _run(
                ["-m", "ingest", "import", V2, str(snapshot), "--as-of", "2026-11-30", "--no-progress"], owner_url
            )

        writer = threading.Thread(target=write)
        writer.start()
        during = load(bases, viewers=4, seconds=25, think_s=(0.2, 0.6), max_loops=50)
        writer.join(timeout=600)
        done = results["import"]
        assert done.returncode == 0, done.stderr
        assert during.errors == [], during.errors[:3]
        assert during.loops >= 4

        # 5. Both replicas show the new snapshot without a restart, and nothing earlier was lost.
        after = [_snapshot_count(base) for base in bases]
        assert after == [before[0] + 1] * 2

        # 6. The load benchmark (short) against both replicas: every step settles, none fails.
        targets = [Target(base, proc.pid, postgres_connections(owner_url, READER)) for proc, base in servers]
        found, figures = measure("replicas", targets, viewers=6, seconds=20, single_s=10)
        errors = next(r for r in found if r.name == "hosting_errors_replicas")
        assert errors.value == 0, errors.note
        assert figures["connections_max"] is None or figures["connections_max"] <= 2 * 10  # within both pools
    finally:
        for proc, _ in servers:
            stop(proc)
