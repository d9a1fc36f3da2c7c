"""The Alembic migrations and db/schema.py describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from db.schema import Base


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_registers_the_boards(engine):
    from db import queries
    from db.engine import upgrade_schema

    upgrade_schema(engine)
    with engine.connect() as conn:
        boards = queries.leaderboards(conn)
        v2 = queries.benchmarks(conn, "open-llm-leaderboard-v2")
    assert boards["key"].tolist()[:3] == ["open-llm-leaderboard-v2", "open-llm-leaderboard-v1", "lmarena"]
    assert set(v2["task_group"]) >= {"math", "instruction following", "knowledge", "reasoning"}
    assert "alembic_version" in inspect(engine).get_table_names()
