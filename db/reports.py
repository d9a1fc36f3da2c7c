"""``python -m db``: read-only reports on the database (table, CSV or JSON)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
from collections.abc import Sequence

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from core.boards import LEADERBOARD_KEYS, LMARENA, MODEL_CARD, PROVENANCE_BOARDS, TASKS, leaderboard_def
from core.config import load_settings
from core.errors import InputError, TrackerError
from db import device_reports, history, queries
from db.dates import before_first, future_as_of
from db.engine import make_engine, one_line, require_current_schema
from db.schema import LICENSE_CATEGORIES

FORMATS = ("table", "csv", "json")
# Boards that rank models (as the dashboard offers them); the self-reported model-card scores
# are per model only (``history``), never a board to rank.
RANKED_BOARDS = tuple(k for k in LEADERBOARD_KEYS if k != MODEL_CARD)
_DB_HELP = "SQLAlchemy database URL (overrides DATABASE_URL; default sqlite:///data/leaderboard.db)"
LEADERBOARD_COLUMNS = [
    "rank",
    "model_id",
    "score",
    "params_b",
    "license",
    "license_category",
    "type",
    "params_confidence",
]
TENURE_COLUMNS = ["model_id", "start", "end", "days", "gap_days"]
HISTORY_COLUMNS = ["leaderboard", "date", "rank", "score", "entries"]


def _cell(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _csv_safe(value):
    """Neutralise spreadsheet formulas: a cell that starts with = + - @ gets a leading '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render(frame: pd.DataFrame, fmt: str) -> str:
    records = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    columns = list(frame.columns)
    if fmt == "json":
        return json.dumps([dict(zip(columns, r, strict=True)) for r in records], ensure_ascii=False, indent=2)
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for r in records:
            writer.writerow(["" if v is None else _csv_safe(v) for v in r])
        return out.getvalue().rstrip("\n")
    # table
    text = [[("" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))) for v in r] for r in records]
    widths = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in text]
    return "\n".join(lines)


def arg_date(text: str) -> dt.date:
    """argparse type: an ISO date (also used by ``python -m ingest``)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _params(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of billions: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative number: {text!r}")
    return value


def arg_positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (also used by ``python -m ingest``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--db", metavar="URL", help=_DB_HELP)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--min-params", type=_params, metavar="X", help="at least X billion parameters")
    p.add_argument("--max-params", type=_params, metavar="X", help="at most X billion parameters")
    p.add_argument(
        "--license-category", choices=LICENSE_CATEGORIES, metavar="C", help=f"one of: {', '.join(LICENSE_CATEGORIES)}"
    )
    p.add_argument(
        "--include-doubtful",
        action="store_true",
        help="size filters (and --fits) also use sizes marked doubtful (see 'python -m db audit')",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m db",
        description="Read-only reports on the SLM Tracker database.",
        epilog="--db URL goes before or after the command; every command also takes --format table|csv|json.",
    )
    # Its own dest: a subcommand's default (None) would overwrite a value given before the command.
    parser.add_argument("--db", dest="db_global", metavar="URL", help=_DB_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lb = sub.add_parser(
        "leaderboard",
        help="the board as it stood on a day",
        description="The ranked board (best variant per model), optionally as of a past day.",
    )
    lb.add_argument(
        "--leaderboard",
        required=False,
        choices=RANKED_BOARDS,
        metavar="L",
        help=f"one of: {', '.join(RANKED_BOARDS)}",
    )
    lb.add_argument("--as-of", type=arg_date, metavar="DATE", help="the board as it stood that day (default: now)")
    lb.add_argument("--rank-by", metavar="BENCHMARK", help="rank by this benchmark key instead of the board's main one")
    lb.add_argument(
        "--task", choices=TASKS, metavar="T", help=f"rank one task across boards instead: {', '.join(TASKS)}"
    )
    lb.add_argument("--category", metavar="C", help="lmarena: one Arena category (default: overall)")
    _filters(lb)
    lb.add_argument("--limit", type=arg_positive_int, metavar="N", help="the top N rows")
    device_reports.add_fits_args(lb)
    _common(lb)

    te = sub.add_parser(
        "tenure",
        help="reigns at #1 in date order",
        description=(
            "One row per reign at #1: model_id, start, end (empty while it still leads), days, gap_days "
            "(the longest gap between snapshots inside the reign when longer than "
            f"{history.MAX_GAP_DAYS} days; empty when none). A partial snapshot cannot start or end a reign."
        ),
    )
    te.add_argument(
        "--leaderboard",
        required=True,
        choices=RANKED_BOARDS,
        metavar="L",
        help=f"one of: {', '.join(RANKED_BOARDS)}",
    )
    te.add_argument("--rank-by", metavar="BENCHMARK", help="rank by this benchmark key instead of the average")
    te.add_argument("--category", metavar="C", help="lmarena: one Arena category (default: overall)")
    _filters(te)
    te.add_argument("--include-flagged", action="store_true", help="flagged models may reign too")
    te.add_argument("--limit", type=arg_positive_int, metavar="N", help="the first N reigns")
    _common(te)

    hi = sub.add_parser(
        "history",
        help="a model's rank and score on every snapshot date",
        description="Rank and score of one model on every snapshot date it was listed.",
    )
    hi.add_argument("model_id", metavar="MODEL_ID", help="Hub repo id (case does not matter)")
    hi.add_argument(
        "--leaderboard", choices=LEADERBOARD_KEYS, metavar="L", help="only this leaderboard (default: every board)"
    )
    _common(hi)
    _add_evals(sub)
    device_reports.add_commands(sub, _common)

    au = sub.add_parser(
        "audit",
        help="how far each board's sizes and licenses can be trusted",
        description=(
            "Per board: sizes that are exact, estimated (board decimal, floor, name), corrected and "
            "doubtful; unknown sizes and licenses; partial snapshots."
        ),
    )
    _common(au)
    return parser


def _flt(args: argparse.Namespace) -> queries.ModelFilter:
    return queries.ModelFilter(
        min_params=args.min_params,
        max_params=args.max_params,
        license_categories=(args.license_category,) if args.license_category else (),
        include_doubtful=args.include_doubtful,
    )


def _check_board(conn, args) -> None:
    """The dashboard's date checks, and an error (not an empty table) for a board with no rows."""
    dates = queries.snapshot_dates(conn, args.leaderboard)
    if not dates:
        raise TrackerError(
            f"{args.leaderboard} has no snapshots in this database; "
            "load them with 'python -m ingest seed' or 'python -m ingest import'"
        )
    as_of = getattr(args, "as_of", None)
    if as_of is not None:
        problem = future_as_of(as_of) or before_first(as_of, dates)
        if problem:
            raise TrackerError(f"{problem}; leave --as-of out for the latest board")


def report_leaderboard(conn, args) -> pd.DataFrame:
    if getattr(args, "task", None):
        return report_task(conn, args)
    if not args.leaderboard:
        raise InputError("leaderboard needs --leaderboard L or --task T")
    if args.category and args.leaderboard != LMARENA:  # the wrong flag is the first thing to say
        from db.arena import report_board

        report_board(conn, args.leaderboard, args.category, args.as_of, _flt(args), args.limit)
    _check_board(conn, args)
    rank_by = getattr(args, "rank_by", None)
    if args.category and (rank_by or device_reports.wants_fits(args)):
        raise InputError("--category ranks one Arena category: leave out --rank-by and --fits")
    if (args.leaderboard == LMARENA or args.category) and not rank_by and not device_reports.wants_fits(args):
        from db.arena import report_board

        return report_board(conn, args.leaderboard, args.category, args.as_of, _flt(args), args.limit)
    limit = None if device_reports.wants_fits(args) else args.limit
    frame = queries.board(conn, args.leaderboard, args.as_of, rank_by=rank_by, flt=_flt(args), limit=limit)
    frame = device_reports.apply_fits(conn, frame, args)
    frame = frame.rename(columns={"model_type": "type"})
    if args.leaderboard in PROVENANCE_BOARDS:
        return provenance_report(conn, frame, args)
    return frame.reindex(columns=LEADERBOARD_COLUMNS + device_reports.fits_columns(args))


def report_tenure(conn, args) -> pd.DataFrame:
    if args.rank_by:  # an unknown benchmark is the first thing to say
        leaderboard_def(args.leaderboard).benchmark(args.rank_by)
    _check_board(conn, args)
    if args.category:
        from db.arena import report_tenure as arena_tenure

        reigns = arena_tenure(conn, args.leaderboard, args.category, args.rank_by, _flt(args))
    else:
        reigns = queries.tenure(conn, args.leaderboard, args.rank_by, _flt(args), include_flagged=args.include_flagged)
    frame = reigns.reindex(columns=TENURE_COLUMNS)
    return frame.head(args.limit) if args.limit else frame


def report_history(conn, args) -> pd.DataFrame:
    model = queries.find_model(conn, args.model_id)
    boards = [args.leaderboard] if args.leaderboard else list(LEADERBOARD_KEYS)
    frames = []
    for key in boards:
        hist = queries.rank_history(conn, key, [model["id"]])
        if not hist.empty:
            hist.insert(0, "leaderboard", key)
            frames.append(hist)
    if not frames:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    return pd.concat(frames, ignore_index=True).reindex(columns=HISTORY_COLUMNS)


def report_audit(conn, args) -> pd.DataFrame:
    from db.fidelity import audit

    return audit(conn)


REPORTS = {
    "leaderboard": report_leaderboard,
    "tenure": report_tenure,
    "history": report_history,
    "audit": report_audit,
}
REPORTS.update(device_reports.REPORTS)


def _add_evals(sub) -> None:
    ev = sub.add_parser(
        "evals",
        help="every eval result of a model with its task, provenance and source",
        description=(
            "Every current score of one model on every board: benchmark, task, value, date, "
            "provenance (measured, verified, community, self-reported, external) and source."
        ),
    )
    ev.add_argument("model_id", metavar="MODEL_ID", help="Hub repo id or board name (case does not matter)")
    _common(ev)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(database_url=args.db or args.db_global)
        engine = make_engine(settings.database_url, create_dirs=False, must_exist=True)
        require_current_schema(engine)
        with engine.connect() as conn:
            frame = REPORTS[args.command](conn, args)
            note = queries.partial_note(conn, args.leaderboard, args.as_of) if args.command == "leaderboard" else None
    except TrackerError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"error: database error: {one_line(getattr(exc, 'orig', exc))}", file=sys.stderr)
        return 1
    if note:
        print(f"note: {note}", file=sys.stderr)
    try:
        print(render(frame, args.format))
    except BrokenPipeError:  # `| head`: the reader has what it wanted; no traceback at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


# --------------------------------------------------------------------------- boards with provenance

# Boards whose scores carry their provenance add it after the usual columns (stderr: Epoch's +/-).
PROVENANCE_COLUMNS = [*LEADERBOARD_COLUMNS, "stderr", "provenance", "variant", "run_date", "source"]


def provenance_report(conn, frame: pd.DataFrame, args) -> pd.DataFrame:
    from db import provenance
    from db.registry import stored_board_def

    bench = getattr(args, "rank_by", None) or stored_board_def(conn, args.leaderboard).main_benchmark
    frame = provenance.with_provenance(conn, frame, args.leaderboard, bench)
    frame["source"] = frame["source_name"] if "source_name" in frame.columns else None
    return frame.reindex(columns=PROVENANCE_COLUMNS)


def report_task(conn, args) -> pd.DataFrame:
    from db import tasks

    if args.leaderboard or getattr(args, "rank_by", None):
        raise InputError("--task ranks across boards: leave out --leaderboard and --rank-by")
    return tasks.task_board(conn, args.task, as_of=args.as_of, flt=_flt(args), limit=args.limit)


def report_evals(conn, args) -> pd.DataFrame:
    from db import tasks

    frame = tasks.model_evals(conn, args.model_id)
    return frame.reindex(columns=tasks.EVALS_COLUMNS if args.format == "csv" else [*tasks.EVALS_COLUMNS, "leaderboard"])


REPORTS["evals"] = report_evals
