"""``page_render``, ``filter_rerun`` and ``dashboard_rss``: the dashboard at scale.

- ``page_render``: a new visitor's first run of the leaderboard page (``dashboard/app.py``
  through ``streamlit.testing.v1.AppTest``, server caches warm) on a board of 20,000 models,
  against a bare Streamlit script that only shows the same, already-filtered DataFrame (taken
  from the page's own table) with ``st.dataframe``. Best of 3, wall-clock seconds.
- ``filter_rerun``: the rerun after choosing a license on that page, against the bare script
  rerunning after the same choice (it shows the page's own filtered table).
- ``dashboard_rss``: peak resident memory (VmHWM) of ``streamlit run dashboard/app.py`` with a
  board of 100,000 models, after a headless Chromium has opened the leaderboard, size and
  license pages and waited for each table or chart.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path

from bench.core import BOARD, Result, Sizes, env_without, fresh_sqlite, peak_rss_mb_of, quiet_streamlit
from bench.generate import generate
from ingest.loader import import_files
from testing.servers import launch_chromium, start_streamlit, stop

log = logging.getLogger("bench.dashboard")
ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
TIMEOUT = 600

BARE = """
import pandas as pd
import streamlit as st

FRAMES = {frames!r}


@st.cache_data
def load(path):
    return pd.read_parquet(path)


choice = tuple(st.multiselect("License", options={options!r}, key="f_license"))
st.dataframe(load(FRAMES.get(choice, FRAMES[()])), hide_index=True)
"""


def board_db(work: Path, models: int, *, seed: int = 4) -> Path:
    """A database whose v2 board has ``models`` entries (one generated snapshot)."""
    path = work / f"board-{models}.db"
    files = generate(work / f"board-{models}", models=models, days=1, seed=seed)
    engine = fresh_sqlite(path)
    report = import_files(engine, BOARD, [p for p, _ in files], progress=False)
    if any(f.status != "imported" for f in report.files):
        raise RuntimeError(f"dashboard: import failed: {report.files[0].error}")
    engine.dispose()
    return path


@contextmanager
def _database(path: Path):
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old


def _table(at):
    frames = [df.value for df in at.dataframe if "rank" in df.value.columns]
    if at.exception or not frames:
        raise RuntimeError(f"dashboard: the leaderboard page showed no table ({[e.value for e in at.exception]})")
    return frames[0]


def _open(script: str):
    """An AppTest of ``script``; the dashboard at every size (it opens on models up to 15 B), so
    that its board is all N models, as the bare script's is."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(script, default_timeout=TIMEOUT)
    if script == APP:
        at.query_params["size"] = "all"
    return at


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def page_benchmarks(work: Path, db_path: Path, models: int, repeats: int = 3) -> list[Result]:

    quiet_streamlit()
    license_choice = ["permissive"]
    with _database(db_path):
        at = _open(APP)
        cold = _timed(at.run)  # fills the server caches, as the first visitor after a refresh does
        full = _table(at)
        if len(full) < models * 0.9:
            raise RuntimeError(f"dashboard: the page shows {len(full)} rows, expected about {models}")
        at.multiselect(key="f_license").set_value(license_choice).run()
        filtered = _table(at)
        frames = {(): str(work / "bare-full.parquet"), tuple(license_choice): str(work / "bare-filtered.parquet")}
        full.to_parquet(frames[()])
        filtered.to_parquet(frames[tuple(license_choice)])
        bare = work / "bare_page.py"
        bare.write_text(BARE.format(frames=frames, options=["permissive", "copyleft", "custom"]))

        def first_run(script: str) -> float:
            at = _open(script)
            seconds = _timed(at.run)
            assert len(_table(at) if script == APP else at.dataframe[0].value) == len(full)
            return seconds

        def rerun(script: str) -> float:
            at = _open(script)
            at.run()
            widget = at.multiselect(key="f_license").set_value(license_choice)
            seconds = _timed(widget.run)
            shown = _table(at) if script == APP else at.dataframe[0].value
            assert len(shown) == len(filtered)
            return seconds

        first_run(str(bare))  # warm the bare script's caches too (both frames)
        rerun(str(bare))
        page, page_base = float("inf"), float("inf")
        again, again_base = float("inf"), float("inf")
        for _ in range(repeats):  # alternated, so that both sides meet the same load
            page = min(page, first_run(APP))
            page_base = min(page_base, first_run(str(bare)))
            again = min(again, rerun(APP))
            again_base = min(again_base, rerun(str(bare)))
    note = (
        f"{len(full):,} models shown; best of {repeats}, alternated; the very first run (cold caches) took {cold:.2f} s"
    )
    return [
        Result("page_render", page, "s", page_base, 3.0, note),
        Result(
            "filter_rerun",
            again,
            "s",
            again_base,
            3.0,
            f"license = permissive: {len(filtered):,} of {len(full):,} models; best of {repeats}, alternated",
        ),
    ]


def rss_benchmark(work: Path, db_path: Path, models: int) -> Result:
    from playwright.sync_api import sync_playwright

    env = env_without("STREAMLIT_") | {"DATABASE_URL": f"sqlite:///{db_path}"}
    proc, base = start_streamlit(env, startup_s=120)
    pages = 0
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for path, selector in (
                ("/", '[data-testid="stDataFrame"]'),
                ("/size", ".js-plotly-plot"),
                ("/licenses", ".js-plotly-plot"),
            ):
                page.goto(base + path, timeout=TIMEOUT * 1000)
                page.wait_for_selector(selector, timeout=TIMEOUT * 1000)
                # Wait until the script run is over (no "running" indicator) so the peak is reached.
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT * 1000
                )
                pages += 1
            browser.close()
        rss = peak_rss_mb_of(proc.pid)
    finally:
        stop(proc, timeout_s=30)
    if rss is None:
        raise RuntimeError("dashboard_rss: cannot read the server's memory")
    return Result(
        "dashboard_rss",
        rss,
        "MB",
        1.0,
        1024.0,
        f"peak RSS of 'streamlit run dashboard/app.py' with {models:,} models after {pages} pages in Chromium",
    )


def run(work: Path, sizes: Sizes, board_20k: Path | None = None) -> list[Result]:
    page_models = sizes.page_models
    if board_20k is None:
        log.info("dashboard: a board of %d models", page_models)
        board_20k = board_db(work, page_models)
    results = page_benchmarks(work, board_20k, page_models, sizes.repeats)
    rss_models = sizes.rss_models
    log.info("dashboard: a board of %d models for the memory figure", rss_models)
    results.append(rss_benchmark(work, board_db(work, rss_models), rss_models))
    return results
