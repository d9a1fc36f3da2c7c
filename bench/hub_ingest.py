"""``hub_ingest``: the live Hub ingest through the fake Hub's pages, against a bare client.

The fake Hub (``testing/fakehub.py``) serves N text-generation models (the real bodies of
``tests/fixtures`` under new ids) in pages of 1,000 with ``Link`` cursors. The product runs
``python -m ingest run hub --limit N`` (a subprocess, as cron would run it) on a fresh SQLite
file; the baseline fetches the very same pages (the listing URL the product asked for, then
each ``Link: rel="next"``) with plain httpx, parses them with ``json`` and inserts the ids,
downloads, likes and creation dates with one ``executemany``. Both are wall-clock seconds.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.core import Result, Sizes

log = logging.getLogger("bench.hub_ingest")
ROOT = Path(__file__).resolve().parent.parent


def _baseline(first_url: str, db_path: Path) -> tuple[float, int]:
    """Wall seconds and rows of: fetch every page with httpx, json.loads, one executemany."""
    import httpx

    start = time.perf_counter()
    rows: list[tuple] = []
    with httpx.Client(timeout=120) as client:
        url: str | None = first_url
        while url:
            response = client.get(url)
            response.raise_for_status()
            for item in json.loads(response.content):
                rows.append((item["id"], item.get("downloads"), item.get("likes"), item.get("createdAt")))
            url = response.links.get("next", {}).get("url")
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE models (id TEXT PRIMARY KEY, downloads INTEGER, likes INTEGER, created_at TEXT)")
    with conn:
        conn.executemany("INSERT INTO models VALUES (?, ?, ?, ?)", rows)
    conn.close()
    return time.perf_counter() - start, len(rows)


def run(work: Path, sizes: Sizes) -> list[Result]:
    from testing.fakehub import FakeHub, hub_env

    count = sizes.hub_models
    db_path = work / "hub.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with FakeHub(generated=count) as hub:
        env = hub_env(
            hub,
            DATABASE_URL=f"sqlite:///{db_path}",
            SLM_CACHE_DIR=str(work / "hub-cache"),
            INGEST_LOCK=str(work / "hub.lock"),
            SLM_WATCHLIST="",
            HUB_LEADERBOARD_BUDGET="0",
            HUB_REQUEST_BUDGET=str(count),
            HUB_RUN_BUDGET="7200",
        )
        subprocess.run([sys.executable, "-m", "ingest", "init"], env=env, cwd=ROOT, check=True, capture_output=True)
        log.info("hub_ingest: %d models through the fake Hub", count)
        hub.requests.clear()
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "ingest", "run", "hub", "--limit", str(count), "--no-progress"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"hub_ingest: the ingest failed: {done.stderr.strip()[-500:]}")
        listing = [path for method, path, status in hub.requests if path.startswith("/api/models?") and status == 200]
        others = sum(1 for _, path, _ in hub.requests if not path.startswith("/api/models?"))
        first = next(p for p in listing if "cursor=" not in p)
        base_seconds, base_rows = _baseline(hub.url + first, work / "hub-baseline.db")
    note = (
        f"{count:,} models, {len(listing)} pages (+{others} other requests by the product); "
        f"baseline read {base_rows:,} rows; wall s incl. the CLI's start-up"
    )
    return [Result("hub_ingest", seconds, "s", base_seconds, 3.0, note)]
