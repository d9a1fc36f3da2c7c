"""Fixtures for the dashboard tests: a read-only connection to the seeded database."""

from __future__ import annotations

import pytest

from db.engine import make_engine


@pytest.fixture(scope="module")
def seeded_conn(seeded_db_file):
    """A connection to the session's seeded SQLite file (the dashboard only reads)."""
    eng = make_engine(f"sqlite:///{seeded_db_file}", create_dirs=False, must_exist=True)
    with eng.connect() as conn:
        yield conn
    eng.dispose()
