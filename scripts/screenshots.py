"""Take the dashboard screenshots used by docs/dashboard.md (and a full set for review).

    python scripts/screenshots.py                 # seeds a temporary database first
    DATABASE_URL=sqlite:////tmp/dash.db python scripts/screenshots.py --all

Starts ``streamlit run dashboard/app.py`` on a free port, opens every page in headless
Chromium and writes docs/screenshots/<page>.png (1280 px, light). ``--all`` also writes
1280/390 px x light/dark variants to tests/artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "leaderboard": "",
    "leaderboard-edge": "?size=edge&license=permissive",
    "size": "size",
    "licenses": "licenses",
    "history": "history",
    "model": "model?id=microsoft/phi-2",
    "compare": "compare?ids=microsoft/phi-2,Qwen/Qwen2.5-3B-Instruct,meta-llama/Llama-3.2-3B-Instruct",
    "status": "status",
    "arena": "?board=lmarena",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"DATABASE_URL": database_url}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "dashboard" / "app.py"),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


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
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 844},
            color_scheme=scheme,
            device_scale_factor=1,
        )
        page = context.new_page()
        for name in names:
            page.goto(f"{base}/{PAGES[name]}")
            page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
            wait_rendered(page)
            fit_height(page, width)
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            written.append(path)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also 390 px and dark variants into tests/artifacts")
    parser.add_argument("--only", choices=sorted(PAGES), action="append", help="just this page (repeatable)")
    args = parser.parse_args(argv)
    names = args.only or list(PAGES)
    tmp = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        tmp = Path(tempfile.mkdtemp(prefix="slm-shots-"))
        url = f"sqlite:///{tmp / 'seeded.db'}"
        subprocess.run([sys.executable, "-m", "ingest", "--db", url, "seed", "--no-progress"], cwd=ROOT, check=True)
    port = free_port()
    proc = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for path in shoot(base, DOCS, names, 1280, "light"):
            print(f"wrote {path.relative_to(ROOT)}")
        if args.all:
            for width in (1280, 390):
                for scheme in ("light", "dark"):
                    for path in shoot(base, ARTIFACTS / f"{width}-{scheme}", names, width, scheme):
                        print(f"wrote {path.relative_to(ROOT)}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
