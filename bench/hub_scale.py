"""Live ``hub`` ingest at scale through the fake Hub: time and peak memory of the CLI.

``python -m bench.hub_scale --models 100000 [--models 5000 ...]`` starts the fake Hub
(``testing/fakehub.py``: the real text-generation bodies copied under new ids, served in pages
of 1,000 with ``Link`` cursors), runs ``python -m ingest run hub --limit N`` as a subprocess
on a fresh SQLite file and prints its wall time and peak RSS. Peak RSS that stays flat as N
grows shows that pages are streamed (records are staged on disk, not kept in memory); the
peak after the final write also holds the id index and the model-card board of the run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(count: int) -> tuple[float, float, int, float | None]:
    """(seconds, peak RSS in MiB, exit code, peak RSS after reading) for ``count`` listed models."""
    from testing.fakehub import FakeHub, hub_env

    with tempfile.TemporaryDirectory() as tmp, FakeHub(generated=count) as hub:
        env = hub_env(
            hub,
            DATABASE_URL=f"sqlite:///{tmp}/bench.db",
            SLM_CACHE_DIR=f"{tmp}/cache",
            INGEST_LOCK=f"{tmp}/ingest.lock",
            HUB_LEADERBOARD_BUDGET="0",
            HUB_REQUEST_BUDGET="100000",
            HUB_RUN_BUDGET="7200",
        )
        subprocess.run([sys.executable, "-m", "ingest", "init"], env=env, cwd=ROOT, check=True, capture_output=True)
        # Each measurement runs in a fresh child so RUSAGE_CHILDREN's maximum is this run's.
        script = (
            "import resource, subprocess, sys;"
            "rc = subprocess.run(sys.argv[1:]).returncode;"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)"
        )
        start = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                script,
                sys.executable,
                "-m",
                "ingest",
                "run",
                "hub",
                "--limit",
                str(count),
                "--no-progress",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        rss_kib, code = out.stdout.split()[-2:]
        if int(code) != 0:
            print(out.stderr[-2000:], file=sys.stderr)
        from db.engine import make_engine
        from db.queries import last_run_detail

        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        with engine.connect() as conn:
            detail = last_run_detail(conn, "hub")
        engine.dispose()
        return seconds, int(rss_kib) / 1024, int(code), detail.get("peak_rss_mib_read")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, action="append", help="listed models (repeatable; default 5000)")
    args = parser.parse_args(argv)
    for count in args.models or [5000]:
        seconds, rss_mib, code, rss_read = measure(count)
        print(
            f"hub ingest of {count:>7,} listed models: {seconds:7.1f} s, peak RSS {rss_mib:6.1f} MiB "
            f"(after reading every page: {rss_read} MiB), exit {code}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
