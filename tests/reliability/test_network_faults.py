"""Network faults through the fake Hub, end to end: ``python -m ingest run`` as a subprocess.

Storms of 429, 500, 502 and 503, connection resets, slow and cut-off bodies, malformed JSON and
a redirect loop, for all three live sources at once. Every run either completes or fails
cleanly: a non-zero exit with one ``error:`` line naming each failed source, within its time
budget (``HUB_RUN_BUDGET``, ``HUB_TIMEOUT``), with the previous data exactly in place. The Hub
token (``HF_TOKEN``) is given to every run and must appear nowhere: not on stdout or stderr
(also with ``--debug``), not in any table, not in ``python -m ingest status``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.schema import Base
from testing.fakehub import (
    FakeHub,
    build_arena_leaderboard_dataset,
    build_contents_dataset,
    build_lmarena_dataset,
    hub_env,
)
from tests.reliability.helpers import ROOT, canonical_dump, dump_diff

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability-network")]

TOKEN = "hf_RelSecretToken0123456789abcdefXYZ"
# A token without the usual prefix: masking by pattern ("hf_...") alone would not hide it.
ODD_TOKEN = "NoPrefixSecret-9f8e7d6c5b4a3210"
ZEPHYR = "HuggingFaceH4/zephyr-7b-beta"
BUDGET_S = 6
TIMEOUT_S = 1
# Process start-up and database work on a loaded CI machine, on top of the run budget.
SLACK_S = 30

# (fault kind, how many times: None = every request).
STORMS = {
    "429-storm": ("429", None),
    "500-storm": ("500", None),
    "502-storm": ("502", None),
    "503-storm": ("503", None),
    "reset-storm": ("drop", None),
    "slow-storm": ("slow", None),
    "truncated-storm": ("cutoff", None),
    "malformed-json-storm": ("malformed", None),
}


class _RedirectLoop(BaseHTTPRequestHandler):
    """Every path redirects to the other of two paths, forever."""

    def do_GET(self) -> None:
        target = "/loop-b" if self.path.startswith("/loop-a") else "/loop-a"
        self.send_response(307)
        self.send_header("Location", f"{target}?from={self.path[:50]}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def hub():
    with FakeHub() as server:
        server.add_dataset(build_contents_dataset(rows=60))
        server.add_dataset(build_lmarena_dataset(days=["2024-06-19", "2025-07-18"]))
        server.add_dataset(build_arena_leaderboard_dataset(["2024-06-19", "2025-07-18"]))
        yield server


@pytest.fixture
def db(small_seeded_db_file, tmp_path) -> str:
    path = tmp_path / "db.sqlite"
    shutil.copyfile(small_seeded_db_file, path)
    return f"sqlite:///{path}"


def _run(
    endpoint_hub: FakeHub,
    url: str,
    tmp_path,
    *args: str,
    endpoint: str | None = None,
    debug: bool = False,
    token: str = TOKEN,
):
    env = hub_env(
        endpoint_hub,
        DATABASE_URL=url,
        SLM_CACHE_DIR=str(tmp_path / "cache"),
        INGEST_LOCK=str(tmp_path / "ingest.lock"),
        HF_TOKEN=token,
        HUB_RUN_BUDGET=str(BUDGET_S),
        HUB_TIMEOUT=str(TIMEOUT_S),
        HUB_MAX_RETRIES="3",
        HUB_BACKOFF_BASE="0.05",
        HUB_LEADERBOARD_BUDGET="0",
        HUB_TOP_N="0",
    )
    if endpoint:
        env["HF_ENDPOINT"] = endpoint
    command = [sys.executable, "-m", "ingest", *(["--debug"] if debug else []), "run", *args]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUDGET_S + 120)
    return done, time.monotonic() - started


def _all_text(url: str) -> str:
    """Every value of every table, as text (where a leaked token would be)."""
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect() as conn:
            return "\n".join(
                repr(tuple(row)) for table in Base.metadata.sorted_tables for row in conn.execute(select(table))
            )
    finally:
        engine.dispose()


def _dump(url: str) -> dict:
    engine = make_engine(url, must_exist=True)
    try:
        return canonical_dump(engine)
    finally:
        engine.dispose()


def _status(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--db", url, "status", "--limit", "50"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _assert_clean_failure(done, elapsed: float, before: dict, url: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "\n" not in last
    # One line names every source that failed.
    for source in ("hub", "open-llm-leaderboard-v2", "lmarena"):
        assert f"{source}: " in last, last
    assert elapsed < BUDGET_S + SLACK_S, f"took {elapsed:.1f}s for a {BUDGET_S}s budget"
    assert dump_diff(_dump(url), before) == "", "a failed run changed the data"
    text = _all_text(url)
    assert TOKEN not in done.stdout + done.stderr + text + _status(url)
    return last


SOURCES = ["hub", "open-llm-leaderboard-v2", "lmarena", "--models", ZEPHYR]


@pytest.mark.parametrize("storm", sorted(STORMS))
def test_a_fault_storm_fails_cleanly_within_the_budget(storm, hub, db, tmp_path, figure):
    kind, times = STORMS[storm]
    hub.fault(".", kind, times=times, retry_after=1, delay=TIMEOUT_S * 3)
    before = _dump(db)
    done, elapsed = _run(hub, db, tmp_path, *SOURCES)
    last = _assert_clean_failure(done, elapsed, before, db)
    figure(f"network_{storm}_seconds", round(elapsed, 1))
    figure(f"network_{storm}_message", last[:160])


def test_a_redirect_loop_fails_cleanly(hub, db, tmp_path, figure):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RedirectLoop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        before = _dump(db)
        done, elapsed = _run(hub, db, tmp_path, *SOURCES, endpoint=f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    last = _assert_clean_failure(done, elapsed, before, db)
    figure("network_redirect_loop_seconds", round(elapsed, 1))
    figure("network_redirect_loop_message", last[:160])


def _status_page_text(url: str, monkeypatch, token: str) -> str:
    """Everything the dashboard's Data status page shows (runs, errors, rejected rows)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("HF_TOKEN", token)
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/status.py")
    at.run()
    assert not at.exception
    parts = [str(e.value) for kind in (at.markdown, at.caption, at.info, at.warning, at.error, at.metric) for e in kind]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


@pytest.mark.parametrize("token", [TOKEN, ODD_TOKEN], ids=["hf-token", "unprefixed-token"])
@pytest.mark.parametrize("fault", ["dead", "401"])
def test_failing_runs_keep_the_token_secret_also_with_debug(hub, db, tmp_path, monkeypatch, token, fault):
    if fault == "dead":
        hub.stop()  # connection refused
    else:
        # The Hub refuses the token for the model, and the datasets keep failing.
        hub.statuses[ZEPHYR.lower()] = 401
        hub.fault(r"^/api/datasets/", "500", times=None)
    before = _dump(db)
    done, _ = _run(hub, db, tmp_path, *SOURCES, debug=True, token=token)
    # --debug may show tracebacks; it still must not show the token.
    assert done.returncode != 0
    assert token not in done.stdout + done.stderr
    if fault == "dead":
        assert dump_diff(_dump(db), before) == ""  # (a 401 is an answer: the hub source records it)
    assert token not in _all_text(db) + _status(db)
    page = _status_page_text(db, monkeypatch, token)
    assert "hub" in page.lower() and "failed" in page.lower()  # the failed runs are on the page...
    assert token not in page  # ...without the token


def test_transient_faults_of_every_kind_only_delay_the_run(hub, db, tmp_path, figure):
    # Each kind once or twice, on JSON requests (a HEAD has no body to cut off): the run retries
    # through all of them (at most 3 retries per request) and completes.
    hub.fault(r"^/api/models/HuggingFaceH4", "429", times=1, retry_after=1)
    hub.fault(r"^/api/models/HuggingFaceH4", "malformed", times=1)
    hub.fault(r"^/api/datasets/lmarena-ai/leaderboard-dataset", "drop", times=1)
    hub.fault(r"^/api/datasets/lmarena-ai/leaderboard-dataset", "cutoff", times=1)
    hub.fault(r"^/api/datasets/open-llm-leaderboard", "502", times=1)
    hub.fault(r"^/api/datasets/open-llm-leaderboard", "slow", times=1, delay=TIMEOUT_S * 3)
    hub.fault(r"^/api/datasets/", "503", times=1)
    done, elapsed = _run(hub, db, tmp_path, *SOURCES)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    hits = sum(f.hits for f in hub.faults)
    assert hits == len(hub.faults), [(f.kind, f.pattern, f.hits) for f in hub.faults]
    assert TOKEN not in done.stdout + done.stderr + _all_text(db) + _status(db)
    # The token did go to the Hub (and only there).
    assert f"Bearer {TOKEN}" in hub.auth_headers
    engine = make_engine(db, must_exist=True)
    try:
        from db import queries

        with engine.connect() as conn:
            runs = queries.recent_runs(conn, 10)
    finally:
        engine.dispose()
    latest = runs.drop_duplicates("source")
    assert set(latest["status"]) == {"succeeded"}, latest[["source", "status", "error"]].to_dict("records")
    figure("network_transient_faults_survived", hits)
    figure("network_transient_run_seconds", round(elapsed, 1))
