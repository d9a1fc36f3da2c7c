"""``device_page``: the "Best for your device" page at 100,000 models against the leaderboard page.

A v2 board of N generated models (bench/generate.py: real rows under new ids) gets a config per
model: the bundled seed's real configs (``data/seed/hub/configs``) assigned in turn, so every
model has a KV-cache estimate and the page does its full work (memory at 16/8/4 bits, the best
model per task and device). Both pages run through ``streamlit.testing.v1.AppTest`` with warm
server caches (a visitor after the first); best of N, alternated. The cold first run (the first
visitor after an ingest run fills the caches) is printed as well.

    python -m bench.devices [--models 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from bench.core import Result, quiet_streamlit
from bench.dashboard import APP, TIMEOUT, _database, _table, _timed, board_db
from core.config import SEED_DIR
from db import devices, memory
from db.engine import make_engine
from db.schema import MODELS

log = logging.getLogger("bench.devices")


def add_configs(db_path: Path) -> int:
    """Give every model of the database one of the seed's real configs, in turn."""
    from sqlalchemy import select

    configs = []
    with (SEED_DIR / "hub" / "configs.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            body = json.loads((SEED_DIR / "hub" / row["path"]).read_text(encoding="utf-8"))
            cfg = memory.parse_config(body, source=row["source"])
            if cfg.usable:
                configs.append(cfg)
    engine = make_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        ids = list(conn.execute(select(MODELS.c.repo_id)).scalars())
        rows = [devices.config_row(r, configs[i % len(configs)], sha=None) for i, r in enumerate(ids)]
        for start in range(0, len(rows), 5000):
            devices.write_configs(conn, rows[start : start + 5000])
    engine.dispose()
    return len(rows)


def page_benchmark(db_path: Path, models: int, repeats: int) -> Result:
    from streamlit.testing.v1 import AppTest

    quiet_streamlit()
    with _database(db_path):

        def leaderboard() -> float:
            at = AppTest.from_file(APP, default_timeout=TIMEOUT)
            seconds = _timed(at.run)
            if len(_table(at)) < models * 0.9:
                raise RuntimeError("device_page: the leaderboard shows too few rows")
            return seconds

        def device_page() -> float:
            at = AppTest.from_file(APP, default_timeout=TIMEOUT)
            at.run()
            at.switch_page("views/devices.py")
            seconds = _timed(at.run)
            if at.exception:
                raise RuntimeError(f"device_page: {[e.value for e in at.exception]}")
            table = next(df.value for df in at.dataframe if "task" in df.value.columns)
            if table["page_url"].notna().sum() == 0:
                raise RuntimeError("device_page: no model fits")
            return seconds

        start = time.perf_counter()
        leaderboard()
        cold_board = time.perf_counter() - start
        start = time.perf_counter()
        device_page()
        cold_device = time.perf_counter() - start
        page, base = float("inf"), float("inf")
        for _ in range(repeats):
            base = min(base, leaderboard())
            page = min(page, device_page())
    note = (
        f"{models:,} models with configs; warm caches, best of {repeats}, alternated; "
        f"cold first runs: leaderboard {cold_board:.2f} s, device page (after it) {cold_device:.2f} s"
    )
    return Result("device_page", page, "s", base, 3.0, note)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.devices", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory(prefix="bench-devices-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        db_path = board_db(work, args.models)
        configs = add_configs(db_path)
        log.info("database: %d models, %d configs, built in %.0f s", args.models, configs, time.perf_counter() - start)
        result = page_benchmark(db_path, args.models, args.repeats)
    status = "ok" if result.ok else "OVER TARGET"
    print(
        f"{result.name}: {result.value:.3f} {result.unit} vs leaderboard page {result.baseline:.3f} s: "
        f"ratio {result.ratio:.2f} (target <= {result.target:g}) {status}\n  {result.note}"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
