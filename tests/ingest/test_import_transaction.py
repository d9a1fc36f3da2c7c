"""An import holds SQLite's write lock from its first read to its commit."""

from __future__ import annotations

import sqlite3

from db import writes
from db.engine import make_engine, upgrade_schema
from ingest import loader
from tests.conftest import seed_snapshots

V2 = "open-llm-leaderboard-v2"


def test_no_other_writer_can_commit_between_the_reads_and_the_writes(tmp_path, monkeypatch):
    path = tmp_path / "lock.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    attempts: list[str] = []
    real_upsert = writes.upsert_models

    def upsert_while_another_process_writes(conn, *args, **kwargs):
        # Before the import has written anything: another connection tries to commit.
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute(
                "INSERT INTO source_state(source, key, value, updated_at) VALUES ('x', 'y', 'z', '2025-01-01')"
            )
            other.commit()
            attempts.append("committed")
        except sqlite3.OperationalError as exc:
            attempts.append(str(exc))
        finally:
            other.close()
        return real_upsert(conn, *args, **kwargs)

    monkeypatch.setattr(writes, "upsert_models", upsert_while_another_process_writes)
    report = loader.import_files(engine, V2, seed_snapshots(V2)[-1:], progress=False)
    assert [f.status for f in report.files] == ["imported"]
    assert attempts == ["database is locked"]
    engine.dispose()


def test_begin_write_is_harmless_inside_an_open_transaction():
    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        writes.begin_write(conn)
        writes.begin_write(conn)  # already holding it: nothing to do
        assert conn.connection.dbapi_connection.in_transaction
