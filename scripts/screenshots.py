"""Take the dashboard screenshots used by docs/dashboard.md (and a full set for review).

    python -m scripts.screenshots                 # seeds a temporary database first
    DATABASE_URL=sqlite:////tmp/dash.db python -m scripts.screenshots --all

Run from the checkout's root (``-m`` puts it on the path for ``testing.servers``). Starts
``streamlit run dashboard/app.py`` on a free port (:func:`testing.servers.start_streamlit`),
opens every page in headless Chromium and writes docs/screenshots/<page>.png (1280 px, light). ``--all`` also writes
1280/390 px x light/dark variants to docs/screenshots/<width>-<scheme>/<page>.png.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from testing.servers import launch_chromium, start_streamlit, stop

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "screenshots"
PAGES = {
    "leaderboard": "",
    "leaderboard-edge": "?size=edge&license=permissive",
    "leaderboard-arena": "?board=lmarena",
    "size": "size",
    "licenses": "licenses",
    "history": "history",
    "model": "model?id=microsoft/phi-2",
    "compare": "compare?ids=microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct,meta-llama/Llama-3.2-3B-Instruct",
    "status": "status",
    "epoch": "evals?board=epoch&bench=gpqa_diamond",
    "model-claimed": "model?id=llama-65b",
    "tasks": "tasks?task=math",
    "devices": "devices",
    "leaderboard-fits": "?fits=laptop-8&bits=4",
    "model-memory": "model?id=meta-llama/Llama-3.2-3B-Instruct",
    "arena": "?board=lmarena",
}

# Pages whose first render takes a while (a query across every board): wait for their table.
READY = {"tasks": "[data-testid='stDataFrame']", "epoch": "[data-testid='stDataFrame']"}


def wait_rendered(page) -> None:
    """Wait until Streamlit has finished running the script and charts/tables are drawn."""
    page.wait_for_selector("[data-testid='stApp']", timeout=30000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 20",
        timeout=30000,
    )
    # Tables draw on a canvas and charts in an SVG: wait for them when the page has them.
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')].every(d => !d.checkVisibility() || d.querySelector('canvas'))",
        timeout=30000,
    )
    page.wait_for_timeout(1200)


def fit_height(page, width: int) -> None:
    """Streamlit scrolls inside its main block: grow the viewport to the content for a full shot."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": width, "height": max(600, min(int(height) + 40, 6000))})
    page.wait_for_timeout(800)


def shoot(base: str, out: Path, names: list[str], width: int, scheme: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 844},
            color_scheme=scheme,
            device_scale_factor=1,
        )
        page = context.new_page()
        for name in names:
            page.goto(f"{base}/{PAGES[name]}")
            page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
            if name in READY:
                page.wait_for_selector(READY[name], timeout=60000)
            wait_rendered(page)
            fit_height(page, width)
            wait_rendered(page)  # what the taller viewport uncovered (charts, tables) is drawn too
            fit_height(page, width)  # and its height, once drawn
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            written.append(path)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also 1280/390 px x light/dark into docs/screenshots/")
    parser.add_argument(
        "--only", "--page", nargs="+", action="extend", choices=list(PAGES), metavar="PAGE", help="just these pages"
    )
    args = parser.parse_args(argv)
    names = args.only or list(PAGES)
    tmp = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        tmp = Path(tempfile.mkdtemp(prefix="slm-shots-"))
        url = f"sqlite:///{tmp / 'seeded.db'}"
        subprocess.run([sys.executable, "-m", "ingest", "--db", url, "seed", "--no-progress"], cwd=ROOT, check=True)
    proc, base = start_streamlit({**os.environ, "DATABASE_URL": url})
    try:
        for path in shoot(base, DOCS, names, 1280, "light"):
            print(f"wrote {path.relative_to(ROOT)}")
        if args.all:
            for width in (1280, 390):
                for scheme in ("light", "dark"):
                    for path in shoot(base, DOCS / f"{width}-{scheme}", names, width, scheme):
                        print(f"wrote {path.relative_to(ROOT)}")
    finally:
        stop(proc)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
