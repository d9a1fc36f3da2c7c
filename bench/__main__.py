"""``python -m bench [--quick] [--json]``: every benchmark, as ratios against same-run baselines.

Prints a table (or, with ``--json``, a JSON list of ``{"name", "value", "unit", "baseline",
"ratio", "target", "note"}``; ``ratio = value / baseline`` must be at most ``target``). Exits 1
when a target is missed. ``--quick`` uses smaller sizes where the full ones take too long (the
notes say which); ``--only NAME`` runs one group. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.core import FULL, QUICK, TINY, Result, Sizes

log = logging.getLogger("bench")

GROUPS = ("replay", "history", "hub", "dashboard", "hub_evals", "arena", "hosting")


def run_all(work: Path, sizes: Sizes, only: Sequence[str] = GROUPS, soak_minutes: float | None = None) -> list[Result]:
    """Run the chosen groups in ``work``; returns their results in a stable order."""
    from bench import dashboard, history, hub_ingest, replay

    results: list[Result] = []
    board_20k = None
    if "replay" in only:
        results += replay.run(work, sizes)
    if "history" in only:
        found, short_db = history.run(work, sizes)
        results += found
        if sizes.history_models == sizes.page_models:
            board_20k = short_db  # the page benchmarks' board size on its last day: reuse it
    if "hub" in only:
        results += hub_ingest.run(work, sizes)
    if "dashboard" in only:
        results += dashboard.run(work, sizes, board_20k=board_20k)
    if "hub_evals" in only:
        from bench import hub_evals_ingest

        results += hub_evals_ingest.run(work, sizes)
    if "arena" in only:
        from bench import arena_dataset

        results += arena_dataset.run(work, sizes)
    if "hosting" in only:
        from bench import hosting

        results += hosting.run(work, sizes, soak_minutes=soak_minutes)
    return results


def render(results: Sequence[Result]) -> str:
    rows = [("benchmark", "value", "baseline", "ratio", "target", "ok", "what")]
    for r in results:
        rows.append(
            (
                r.name,
                f"{r.value:,.3f} {r.unit}",
                f"{r.baseline:,.3f} {r.unit}",
                f"{r.ratio:,.2f}",
                f"<= {r.target:g}",
                "yes" if r.ok else "NO",
                r.note,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes where needed (under five minutes)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--only", choices=GROUPS, action="append", help="run just this group (repeatable)")
    parser.add_argument(
        "--soak-minutes", type=float, metavar="M", help="hosting: the memory soak's length (default 10, quick 2)"
    )
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # plumbing tests only
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep the files (default: a temp dir)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    for noisy in ("alembic", "httpx", "streamlit", "ingest", "db"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    start = time.perf_counter()
    try:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            results = run_all(args.keep, sizes, only=args.only or GROUPS, soak_minutes=args.soak_minutes)
        else:
            with tempfile.TemporaryDirectory(prefix="slm-bench-") as tmp:
                results = run_all(Path(tmp), sizes, only=args.only or GROUPS, soak_minutes=args.soak_minutes)
    except Exception as exc:  # a benchmark that cannot run is a failed benchmark, said in one line
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1
    log.info("done in %.0f s", time.perf_counter() - start)
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=2))
    else:
        mode = "tiny" if args.tiny else "quick" if args.quick else "full"
        print(f"SLM Tracker benchmarks ({mode} run; every ratio is against a baseline measured in this run)")
        print(render(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
