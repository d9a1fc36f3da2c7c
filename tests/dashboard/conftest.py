"""Fixtures for the dashboard tests: a read-only connection to the seeded database, and ``app``
(opens a page of the real app with AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from db.engine import make_engine


@pytest.fixture(scope="module")
def seeded_conn(seeded_db_file):
    """A connection to the session's seeded SQLite file (the dashboard only reads)."""
    eng = make_engine(f"sqlite:///{seeded_db_file}", create_dirs=False, must_exist=True)
    with eng.connect() as conn:
        yield conn
    eng.dispose()


APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 120


@pytest.fixture
def app(seeded_db_file, monkeypatch):
    """A function that opens a page (with query parameters) and runs it once."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{seeded_db_file}")

    def open_page(page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if page is None:
            for key, value in query.items():
                at.query_params[key] = value
            return at.run()
        at.run()
        at.switch_page(page)
        for key, value in query.items():
            at.query_params[key] = value
        return at.run()

    return open_page
