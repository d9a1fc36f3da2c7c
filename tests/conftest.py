"""Shared fixtures: real databases (SQLite files in tmp_path, PostgreSQL when
TEST_DATABASE_URL is set), the bundled seed, and the real snapshot files."""

from __future__ import annotations

import json
import lzma
import os
import shutil
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.config import SEED_DIR
from db.engine import make_engine, upgrade_schema

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

BACKENDS = ["sqlite"] + (["postgres"] if TEST_DATABASE_URL else [])


def seed_manifest() -> dict:
    return json.loads((SEED_DIR / "manifest.json").read_text())


def seed_snapshots(leaderboard: str) -> list[Path]:
    """The bundled (real) snapshot files of one leaderboard, in date order."""
    return sorted(
        SEED_DIR / f["path"]
        for f in seed_manifest()["files"]
        if f.get("leaderboard") == leaderboard and f.get("kind") == "snapshot"
    )


def plain_csv(path: Path, dest_dir: Path, name: str | None = None) -> Path:
    """Decompress a seed snapshot to a plain CSV file (as users have them)."""
    dest = dest_dir / (name or path.name.removesuffix(".xz"))
    dest.write_bytes(lzma.decompress(path.read_bytes()))
    return dest


@pytest.fixture
def seed_files():
    return seed_snapshots


def _postgres_database():
    """Create a fresh database on the test server; yield its URL; drop it."""
    admin_url = make_url(TEST_DATABASE_URL)
    name = f"slm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A URL of an empty database, on every backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def engine(db_url):
    """An engine on an empty, initialised database (SQLite and PostgreSQL)."""
    eng = make_engine(db_url)
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def seeded_db_file(tmp_path_factory) -> Path:
    """A SQLite file with the whole bundled seed loaded, built once per test session."""
    from filelock import FileLock

    from ingest.seed import load_seed

    # Under pytest-xdist every worker has its own session: build the file once for all of
    # them (in the run's shared temp folder, under a lock) instead of once per worker.
    shared = (
        tmp_path_factory.getbasetemp().parent
        if os.environ.get("PYTEST_XDIST_WORKER")
        else tmp_path_factory.getbasetemp()
    )
    path = shared / "seeded.db"
    with FileLock(str(shared / "seeded.db.lock")):
        if not path.exists():
            building = shared / "seeded.db.building"
            building.unlink(missing_ok=True)
            eng = make_engine(f"sqlite:///{building}")
            upgrade_schema(eng)
            load_seed(eng, progress=False)
            with eng.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            eng.dispose()
            for suffix in ("-wal", "-shm"):
                Path(f"{building}{suffix}").unlink(missing_ok=True)
            building.rename(path)
    return path


@pytest.fixture
def seeded_url(seeded_db_file, tmp_path) -> str:
    """A private, writable copy of the seeded database."""
    dest = tmp_path / "seeded.db"
    shutil.copyfile(seeded_db_file, dest)
    return f"sqlite:///{dest}"


@pytest.fixture
def seeded_engine(seeded_url):
    eng = make_engine(seeded_url)
    yield eng
    eng.dispose()


# The reliability figures summary must also load in the xdist controller (it only reads this file).
pytest_plugins = ("tests.reliability.conftest",)


# Hypothesis: no per-example deadline and no "too slow" health check anywhere. The machine is
# shared and loaded, so wall time says nothing about a property (one failed at 399 ms). Tests
# that need other settings still pass their own @settings, which override only what they name.
settings.register_profile("slm", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("slm")
