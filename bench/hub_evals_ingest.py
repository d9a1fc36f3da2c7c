"""``hub_evals_ingest``: ``ingest run hub-evals`` for 1,000 models against the bare requests.

The fake Hub (``testing/fakehub.py``) serves, for each of N model ids, the eval results of one of
the three real repos in ``tests/fixtures/hf-hub-api/eval-results`` (their real wrapper items under
new ids), the official benchmark list and the real GPQA leaderboard excerpt. The product runs
``ingest run hub-evals --models ID...`` (``ingest.live.run_live``, in this process once the imports
are warm: Python's start-up is not what is measured) on a fresh SQLite file; the baseline sends the very same requests with plain httpx (the benchmark list, one
``GET /api/models/{id}?expand=evalResults`` per model, one leaderboard per benchmark), parses them
with ``json`` and inserts one row per result with one ``executemany``. Both are wall-clock seconds.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path

from bench.core import Result, Sizes

log = logging.getLogger("bench.hub_evals_ingest")
ROOT = Path(__file__).resolve().parent.parent
MODELS = 1000


def _baseline(base: str, ids: list[str], db_path: Path) -> tuple[float, int]:
    import httpx

    start = time.perf_counter()
    rows: list[tuple] = []
    with httpx.Client(timeout=120) as client:
        listed = client.get(f"{base}/api/datasets", params={"filter": "benchmark:official"})
        listed.raise_for_status()
        official = [d["id"] for d in json.loads(listed.content)]
        for repo in ids:
            response = client.get(f"{base}/api/models/{repo}", params={"expand": "evalResults"})
            response.raise_for_status()
            for item in json.loads(response.content).get("evalResults") or []:
                data = item["data"]
                rows.append((repo, data["dataset"]["id"], str(data["dataset"]["task_id"]), float(data["value"])))
        for bench in official:
            response = client.get(f"{base}/api/datasets/{bench}/leaderboard", params={"base_model": "false"})
            response.raise_for_status()
            for entry in json.loads(response.content):
                rows.append((entry["modelId"], bench, entry["filename"], float(entry["value"])))
    db_path.unlink(missing_ok=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE results (model TEXT, dataset TEXT, task TEXT, value REAL)")
    with conn:
        conn.executemany("INSERT INTO results VALUES (?, ?, ?, ?)", rows)
    conn.close()
    return time.perf_counter() - start, len(rows)


def run(work: Path, sizes: Sizes, models: int = MODELS) -> list[Result]:
    from core.config import load_settings
    from db.engine import make_engine, upgrade_schema
    from ingest.live import run_live
    from testing.fakehub import FakeHub

    if sizes.hub_models < 1000:  # the plumbing run (--tiny)
        models = min(models, sizes.hub_models)
    with FakeHub() as hub:
        real = sorted(hub.eval_results.items())
        ids = []
        for i in range(models):
            repo = f"bench-evals/model-{i:05d}"
            hub.eval_results[repo.lower()] = real[i % len(real)][1]
            hub.eval_repos[repo.lower()] = repo
            ids.append(repo)
        # Warm both clients' imports first: the figures are the runs, not Python's start-up.
        _baseline(hub.url, ids[:1], work / "warm.db")
        log.info("hub_evals_ingest: %d models through the fake Hub, best of %d", models, sizes.repeats)
        seconds = base_seconds = float("inf")
        for attempt in range(sizes.repeats):  # each on a fresh database; the best of each side
            db_path = work / f"hub-evals-{attempt}.db"
            settings = load_settings(
                {
                    "DATABASE_URL": f"sqlite:///{db_path}",
                    "HF_ENDPOINT": hub.url,
                    "HF_HUB_DISABLE_TELEMETRY": "1",
                    "SLM_CACHE_DIR": str(work / "hub-evals-cache"),
                    "INGEST_LOCK": str(work / "hub-evals.lock"),
                    "HUB_REQUEST_BUDGET": str(models + 100),
                    "HUB_RUN_BUDGET": "7200",
                }
            )
            engine = make_engine(settings.database_url)
            upgrade_schema(engine)
            hub.requests.clear()
            start = time.perf_counter()
            run_live(engine, settings, sources=["hub-evals"], models=ids, progress=False)
            seconds = min(seconds, time.perf_counter() - start)
            engine.dispose()
            product_requests = len(hub.requests)
            took, base_rows = _baseline(hub.url, ids, work / "hub-evals-baseline.db")
            base_seconds = min(base_seconds, took)
    note = (
        f"{models:,} models, {product_requests} requests by the product; baseline stored {base_rows:,} results; "
        "wall s in one process (imports warm), the fake Hub in the same process for both"
    )
    return [Result("hub_evals_ingest", seconds, "s", base_seconds, 2.0, note)]
