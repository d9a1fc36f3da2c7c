"""The hosting benchmark's viewers: real sessions over Streamlit's websocket, real settled pages."""

from __future__ import annotations

import pytest

from bench.hosting import Sampler, Target, load, pct, rss_mb, sqlite_connections
from testing.servers import free_port, start_streamlit, stop


def test_percentiles_interpolate():
    assert pct([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert pct([5.0], 95) == 5.0
    assert pct([], 50) != pct([], 50)  # nan: nothing measured


@pytest.mark.slow
def test_viewers_settle_every_step_and_the_server_is_sampled(seeded_db_file, tmp_path):
    proc, base = start_streamlit({"DATABASE_URL": f"sqlite:///{seeded_db_file}", "PATH": "/usr/bin:/bin"})
    try:
        target = Target(base, proc.pid, sqlite_connections(proc.pid, seeded_db_file))
        with Sampler([target], every_s=0.5) as sampler:
            done = load([base], viewers=2, seconds=0, think_s=(0.0, 0.1), max_loops=1)
        assert done.errors == []
        assert done.loops == 2
        assert len(done.filter) == 2 and all(t > 0 for t in done.filter)  # the license filter changed the count
        assert len(done.page) == 6  # leaderboard, a model page, the history page, per viewer
        assert sampler.rss() and all(mb > 50 for mb in sampler.rss())
        assert rss_mb(proc.pid) > 50
        assert sampler.max_connections() >= 1  # the server's open handles on the database file
    finally:
        stop(proc)


def test_a_server_that_is_not_there_is_an_error_per_viewer_not_a_crash():
    done = load([f"http://127.0.0.1:{free_port()}"], viewers=2, seconds=0, think_s=(0.0, 0.0), max_loops=1)
    assert len(done.errors) == 2 and done.loops == 0
