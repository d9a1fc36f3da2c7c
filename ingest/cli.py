"""``python -m ingest``: create the database, load the seed, import files, run live ingest.

Errors the user can fix end as one line on stderr and exit code 1 (2 for usage errors);
a traceback is only shown with ``--debug``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from core.boards import ARCHIVE_SOURCES, IMPORT_SOURCES, LIVE_SOURCES, leaderboard_def
from core.config import Settings, load_settings, mask_secrets
from core.errors import TrackerError
from db.engine import make_engine, one_line, ready_engine, upgrade_schema
from db.reports import arg_date, arg_positive_int

log = logging.getLogger("ingest")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Load leaderboard snapshots and Hub metadata into the SLM Tracker database.",
    )
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (overrides DATABASE_URL)")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser(
        "init",
        help="create the schema, or upgrade it to the newest version",
        description="Create the database schema or upgrade it (Alembic migrations).",
    )

    seed = sub.add_parser(
        "seed",
        help="load the bundled real-data seed (idempotent)",
        description="Load data/seed: leaderboard snapshots, seed model facts and claims.",
    )
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no scores yet")
    seed.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    imp = sub.add_parser(
        "import",
        help="import leaderboard files (CSV, JSON, parquet; .gz/.xz ok)",
        description=(
            "Import leaderboard snapshot files. The snapshot date comes from the first "
            "YYYY-MM-DD or YYYYMMDD in each file name unless --as-of is given; several files "
            "are applied in date order. The format is detected from the header."
        ),
    )
    imp.add_argument("source", choices=IMPORT_SOURCES, help="which leaderboard the files belong to")
    imp.add_argument("paths", nargs="+", metavar="PATH", help="snapshot files (epoch: the zip, its folder or CSVs)")
    imp.add_argument("--as-of", type=arg_date, metavar="DATE", help="snapshot date for a single file")
    imp.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    st = sub.add_parser(
        "status",
        help="recent ingest runs with their counts and errors",
        description="Show recent ingest runs, newest first.",
    )
    st.add_argument("--limit", type=arg_positive_int, default=20, help="how many runs (default 20)")

    run = sub.add_parser(
        "run",
        help="live ingest from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN honoured)",
        description=(
            "Fetch fresh data from the Hugging Face Hub: 'hub' (model metadata), "
            "'open-llm-leaderboard-v2' (the contents dataset), 'lmarena' "
            "(lmarena-ai/leaderboard-dataset), 'hub-evals' (the Hub's eval results), 'epoch' "
            "(Epoch AI's benchmark_data.zip, only when its ETag changed) and 'hub-configs' (configs "
            "and quantised builds). Without SOURCE, all of them. "
            "'lmarena-mathewhe' reads the old mirror mathewhe/chatbot-arena-elo (only when named)."
        ),
    )
    run.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help=f"one or more of: {', '.join(LIVE_SOURCES)} (default: all), or {', '.join(ARCHIVE_SOURCES)}",
    )
    run.add_argument("--models", nargs="+", metavar="ID", help="hub, hub-evals: ingest just these repo ids")
    run.add_argument("--limit", type=arg_positive_int, metavar="N", help="hub: the top N most downloaded models")
    run.add_argument("--backfill", action="store_true", help="lmarena-mathewhe: import every tagged day not yet stored")
    run.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    sch = sub.add_parser(
        "schedule",
        help="run 'run' on INGEST_CRON (default 0 3 * * *, UTC) until stopped",
        description="Nightly refresh with APScheduler: one run at a time, clean stop on SIGTERM.",
    )
    sch.add_argument("--cron", metavar="EXPR", help="cron expression (overrides INGEST_CRON)")
    sch.add_argument("--run-now", action="store_true", help="also run once at start")

    sub.add_parser(
        "review",
        help="check every model's size and license again (runs after each import anyway)",
        description=(
            "The size and license review: every parameter count gets a confidence (exact, "
            "corrected, board-decimal, floor, name, doubtful) and a reason; packed and "
            "double-counted sizes are corrected; unstated licenses show the base model's, as inherited."
        ),
    )
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(database_url=args.db)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)
    print(f"database ready: {engine.url.render_as_string(hide_password=True)}")
    _refresh_partial_flags(engine)
    return 0


def _refresh_partial_flags(engine) -> None:
    """Mark the partial snapshots of a database imported before they were known (migration 0003)."""
    from core.boards import LEADERBOARD_KEYS
    from db import writes

    with engine.begin() as conn:
        writes.begin_write(conn)
        changed = sum(writes.refresh_partial_flags(conn, board) for board in LEADERBOARD_KEYS)
    if changed:
        print(f"partial snapshots: {changed} flag(s) set, history repaired")


def _engine_ready(settings: Settings):
    return ready_engine(settings.database_url)


def _engine_for_ingest(settings: Settings):
    """An engine for a command that writes; runs a killed process left 'running' become failed."""
    from db.writes import fail_abandoned_runs

    engine = _engine_ready(settings)
    cleared = fail_abandoned_runs(engine)
    if cleared:
        log.info("marked %d interrupted run(s) as failed", cleared)
    return engine


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.seed import database_is_empty, load_seed

    engine = _engine_for_ingest(settings)
    if args.if_empty and not database_is_empty(engine):
        print("database already has data: seed skipped")
        return 0
    summary = load_seed(engine, progress=False if args.no_progress else None)
    print(summary)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    import importlib

    engine = _engine_for_ingest(settings)
    module, _, name = leaderboard_def(args.source).importer.partition(":")
    return getattr(importlib.import_module(module), name)(engine, args, settings)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from db import queries
    from db.reports import render

    engine = _engine_ready(settings)
    with engine.connect() as conn:
        runs = queries.recent_runs(conn, args.limit)
    if runs.empty:
        print("no ingest runs yet: try 'python -m ingest seed'")
        return 0
    runs["error"] = runs["error"].fillna("").map(lambda e: mask_secrets(e, settings)[:120])
    print(render(runs, "table"))
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.live import run_live

    # run_live checks the sources and, under the ingest lock, fails runs a killed process left.
    engine = _engine_ready(settings)
    return run_live(
        engine,
        settings,
        sources=args.sources or list(LIVE_SOURCES),
        models=args.models,
        limit=args.limit,
        backfill=args.backfill,
        progress=None if not args.no_progress else False,
    )


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.scheduler import run_scheduler

    if args.cron:
        settings = settings.with_overrides(ingest_cron=args.cron)
    return run_scheduler(settings, run_now=args.run_now)


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.facts_review import review

    stats = review(_engine_for_ingest(settings))
    print(
        f"size review: {stats.models} models, {stats.changed} changed; {stats.corrected} corrected, "
        f"{stats.doubtful} doubtful, {stats.inherited_licenses} licenses inherited from the base model"
    )
    return 0


COMMANDS = {
    "init": cmd_init,
    "seed": cmd_seed,
    "import": cmd_import,
    "status": cmd_status,
    "run": cmd_run,
    "schedule": cmd_schedule,
    "review": cmd_review,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Library chatter (httpx request lines) only with --debug.
    for noisy in ("httpx", "httpx2", "httpcore", "huggingface_hub", "alembic", "filelock", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.debug else logging.WARNING)
    settings: Settings | None = None
    try:
        settings = _settings(args)
        return COMMANDS[args.command](args, settings)
    except TrackerError as exc:
        if args.debug:
            raise
        print(f"error: {mask_secrets(one_line(exc), settings)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except SQLAlchemyError as exc:
        if args.debug:
            raise
        print(f"error: database error: {mask_secrets(one_line(getattr(exc, 'orig', exc)), settings)}", file=sys.stderr)
        return 1
    except Exception as exc:  # the last line of defence: a bug must not show a traceback
        if args.debug:
            raise
        log.debug("unexpected error", exc_info=True)
        print(
            f"error: unexpected {type(exc).__name__}: {mask_secrets(one_line(exc), settings)} "
            "(run with --debug for details)",
            file=sys.stderr,
        )
        return 1
