"""A slow or busy database: readers stop waiting, and pages get the last good view (or a note)."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.errors import DatabaseError
from dashboard import ui
from dashboard.filters import FilterState
from db.engine import reader_engine

V2 = "open-llm-leaderboard-v2"
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"


def test_a_reader_statement_stops_at_its_timeout_and_the_connection_still_works(seeded_url):
    engine = reader_engine(seeded_url, 0.5)
    with engine.connect() as conn:
        start = time.monotonic()
        with pytest.raises(OperationalError, match="interrupted"):
            conn.execute(text(ENDLESS)).scalar()
        assert time.monotonic() - start < 10
        # The next statement gets its own time, on the same connection.
        assert conn.execute(text("SELECT count(*) FROM scores")).scalar() > 0
    engine.dispose()


def test_a_timed_out_query_gives_the_last_good_view_else_a_database_error(seeded_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_url)  # a private URL: no other test's cache entries
    monkeypatch.setenv("SLM_QUERY_TIMEOUT", "30")
    url, ver = ui.cache_args()
    state = FilterState(licenses=("permissive",))
    good = ui.board_view(url, ver, V2, "average", state)
    expected = good.rows
    assert 0 < len(expected) < good.total

    # The database becomes too slow for anything but trivial reads; an ingest run finished
    # meanwhile (a new data version), so every cache misses and has to query.
    ui._engine.clear()
    monkeypatch.setenv("SLM_QUERY_TIMEOUT", "0.001")
    newer = (*ver, "after a run")
    with pytest.raises(OperationalError):  # the cached query itself does time out
        ui._ranked(url, newer, V2, None, "average")
    served = ui.board_view(url, newer, V2, "average", state)
    pd.testing.assert_frame_equal(served.rows, expected)  # the last view that was read
    assert served.total == good.total
    # Nothing good to fall back on (never read before): a DatabaseError, which the app shows
    # as its "cannot read its database right now" note instead of waiting.
    with pytest.raises(DatabaseError, match="did not answer in time"):
        ui.history(url, newer, V2, "average")
    ui._engine.clear()
