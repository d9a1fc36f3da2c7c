"""Schema currency: the database's Alembic revision against the head of ``db/migrations``.

A database one migration behind is upgraded by the commands that write (``ingest run`` here,
against the fake Hub), refused with a note by the readers (``python -m db``, the dashboard), and
a database newer than the code is refused everywhere. The head is read from the scripts, so the
tests hold whatever migrations are added.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from core.errors import DatabaseError
from db.engine import _alembic_config, make_engine, migration_heads, ready_engine, schema_state, upgrade_schema
from db.schema import Model
from testing.fakehub import ROOT, FakeHub, hub_env

ZEPHYR = "HuggingFaceH4/zephyr-7b-beta"
APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def previous_revision() -> str:
    """The revision just before the (single) head, read from the scripts."""
    engine = make_engine("sqlite://")
    script = ScriptDirectory.from_config(_alembic_config(engine))
    (head,) = script.get_heads()
    down = script.get_revision(head).down_revision
    assert isinstance(down, str), "the newest migration must follow exactly one earlier one"
    return down


@pytest.fixture
def behind(tmp_path) -> str:
    """A SQLite database migrated only to the revision before the head."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = _alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, previous_revision())
    engine.dispose()
    return url


def test_the_state_follows_the_scripts(behind, tmp_path):
    heads, known = migration_heads()
    old = make_engine(behind)
    state = schema_state(old)
    assert state.status == "behind" and state.revisions == (previous_revision(),) and state.heads == heads
    assert "ingest init" in state.problem() and previous_revision() in state.problem()
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert schema_state(empty).status == "missing"
    upgrade_schema(old)
    assert schema_state(old).current and schema_state(old).revisions == heads
    assert set(heads) <= known and previous_revision() in known


def test_ingest_run_upgrades_a_database_one_migration_behind(behind, tmp_path):
    with FakeHub() as hub:
        env = hub_env(
            hub,
            DATABASE_URL=behind,
            SLM_CACHE_DIR=str(tmp_path / "cache"),
            INGEST_LOCK=str(tmp_path / "ingest.lock"),
            HUB_LEADERBOARD_BUDGET="0",
            HUB_BACKOFF_BASE="0.05",
        )
        done = subprocess.run(
            [sys.executable, "-m", "ingest", "run", "hub", "--models", ZEPHYR, "--no-progress"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, done.stderr
    engine = make_engine(behind)
    assert schema_state(engine).current
    with engine.connect() as conn:
        ids = conn.execute(select(Model.__table__.c.repo_id)).scalars().all()
    assert ZEPHYR in ids


def test_readers_refuse_an_old_schema_with_the_fix(behind):
    env_db = {"DATABASE_URL": behind, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "db", "leaderboard", "--leaderboard", "lmarena"],
        env=env_db,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: the database schema is older") and "ingest init" in line
    assert schema_state(make_engine(behind)).status == "behind"  # a reader never upgrades


def test_the_dashboard_notes_an_old_schema(behind, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", behind)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    messages = " ".join(e.value for e in at.error).replace("\\", "")
    assert "older than this version" in messages and "ingest init" in messages


def test_a_database_newer_than_the_code_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffnewer'"))
    assert schema_state(engine).status == "unknown"
    with pytest.raises(DatabaseError, match="newer than this version"):
        ready_engine(url)
    with pytest.raises(DatabaseError, match="newer than this version"):
        upgrade_schema(engine)  # `ingest init` too: alembic would fail on a revision it cannot find
    with engine.connect() as conn:  # nothing was written: the revision is still the newer one
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "ffffnewer"
