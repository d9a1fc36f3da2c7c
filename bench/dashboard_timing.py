"""Dashboard render times on the full seed: ``python -m bench.dashboard_timing [--db URL]``.

For every page: the first render with empty caches (what the first visitor after a data
refresh waits for), a warm render, and a filter change, all through Streamlit's AppTest
(the script run on the server; the browser adds its own drawing time on top). Prints a
table; nothing is asserted. Without ``--db`` it seeds a temporary SQLite database first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")

# (page, query, widget to change, its new value)
CASES = [
    ("views/leaderboard.py", {}, ("pills", "f_size", "edge")),
    ("views/leaderboard.py", {"size": "edge"}, ("text_input", "f_search", "qwen")),
    ("views/leaderboard.py", {"board": "open-llm-leaderboard-v1"}, ("multiselect", "f_license", ["permissive"])),
    ("views/size.py", {}, ("pills", "f_size", "laptop")),
    ("views/licenses.py", {}, ("segmented_control", "f_top", 25)),
    ("views/history.py", {}, ("selectbox", "f_rank", "mmlu")),
    ("views/model.py", {"id": "microsoft/phi-2"}, None),
    (
        "views/compare.py",
        {"ids": "microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct"},
        ("segmented_control", "f_board", "open-llm-leaderboard-v1"),
    ),
    ("views/status.py", {}, None),
]


def _open(page: str, query: dict, *, cold: bool = False):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()  # AppTest needs one run before it can switch pages
    if cold:  # both caches: the ranked boards and filtered views are cache_resource objects
        st.cache_data.clear()
        st.cache_resource.clear()
    at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(repeats: int) -> list[tuple[str, float, float, float | None]]:
    rows = []
    for page, query, change in CASES:
        at = _open(page, query, cold=True)
        cold = _timed(at.run)
        if at.exception:
            raise SystemExit(f"{page}: {at.exception[0].message}")
        warm = []
        for _ in range(repeats):
            again = _open(page, query)
            warm.append(_timed(again.run))
        change_times = []
        if change is not None:
            kind, key, value = change
            for _ in range(repeats):
                fresh = _open(page, query)
                fresh.run()
                widget = getattr(fresh, kind)(key=key)
                widget.set_value(value)
                change_times.append(_timed(fresh.run))
                if fresh.exception:
                    raise SystemExit(f"{page}: {fresh.exception[0].message}")
        label = page.removeprefix("views/").removesuffix(".py") + (
            "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
        )
        rows.append(
            (
                label,
                cold,
                statistics.median(warm),
                statistics.median(change_times) if change_times else None,
            )
        )
    return rows


BROWSER_PAGES = [
    ("leaderboard", ""),
    ("size", "size"),
    ("licenses", "licenses"),
    ("history", "history"),
    ("model", "model?id=microsoft/phi-2"),
    ("compare", "compare?ids=microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct"),
    ("status", "status"),
]
_READY = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 20"
    " && [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
    ".every(d => !d.checkVisibility() || d.querySelector('canvas'))"
)


def measure_browser(url: str) -> list[tuple[str, float, float, float | None]]:
    """Wall time in headless Chromium from navigation to a drawn page, on a fresh server."""
    import re

    from playwright.sync_api import sync_playwright

    from testing.servers import launch_chromium, start_streamlit, stop

    proc, base = start_streamlit({**os.environ, "DATABASE_URL": url})
    rows = []
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            for name, path in BROWSER_PAGES:
                times = []
                for _ in range(2):  # the first visit fills the caches, the second reads them
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    start = time.perf_counter()
                    page.goto(f"{base}/{path}")
                    page.wait_for_function(_READY, timeout=60000)
                    times.append(time.perf_counter() - start)
                    context.close()
                change = None
                if name == "leaderboard":
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.goto(f"{base}/")
                    page.wait_for_function(_READY, timeout=60000)
                    count = re.compile(r"([\d,]+) of ([\d,]+) models")
                    page.wait_for_function(
                        "() => /[\\d,]+ of [\\d,]+ models/.test(document.querySelector('[data-testid=\"stMain\"]').innerText)",
                        timeout=60000,
                    )
                    before = count.search(page.inner_text("[data-testid='stMain']")).group(1)
                    start = time.perf_counter()
                    page.get_by_role("radio", name="Edge (up to 3B)").click()
                    page.wait_for_function(
                        "(before) => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                        " const t = m ? m.innerText.match(/([\\d,]+) of [\\d,]+ models/) : null;"
                        " return t && t[1] !== before; }",
                        arg=before,
                        timeout=60000,
                    )
                    page.wait_for_function(_READY, timeout=60000)
                    change = time.perf_counter() - start
                    context.close()
                rows.append((f"{name} (browser)", times[0], times[1], change))
            browser.close()
    finally:
        stop(proc)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: seed a temporary SQLite file)")
    parser.add_argument("--repeats", type=int, default=3, help="warm runs per page (median shown)")
    parser.add_argument("--browser", action="store_true", help="also time pages in headless Chromium")
    args = parser.parse_args(argv)
    tmp = None
    url = args.db
    if not url:
        tmp = Path(tempfile.mkdtemp(prefix="slm-bench-"))
        url = f"sqlite:///{tmp / 'seeded.db'}"
        subprocess.run([sys.executable, "-m", "ingest", "--db", url, "seed", "--no-progress"], cwd=ROOT, check=True)
    os.environ["DATABASE_URL"] = url
    from bench.core import quiet_streamlit

    quiet_streamlit()
    try:
        rows = measure(args.repeats)
        if args.browser:
            rows += measure_browser(url)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'page':55} {'first (cold)':>12} {'warm':>8} {'filter change':>14}")
    for label, cold, warm, change in rows:
        change_text = f"{change:13.3f}s" if change is not None else f"{'-':>14}"
        print(f"{label:55} {cold:11.3f}s {warm:7.3f}s {change_text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
