"""``python -m db``: read-only reports on the database (table, CSV or JSON)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Sequence

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from db import queries
from db.config import load_settings
from db.engine import make_engine, one_line, schema_is_current
from db.errors import DatabaseError, TrackerError
from db.registry import LEADERBOARD_KEYS
from db.schema import LICENSE_CATEGORIES

FORMATS = ("table", "csv", "json")
LEADERBOARD_COLUMNS = ["rank", "model_id", "score", "params_b", "license", "license_category", "type"]
TENURE_COLUMNS = ["model_id", "start", "end", "days"]
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
    p.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (overrides DATABASE_URL)")


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--min-params", type=_params, metavar="X", help="at least X billion parameters")
    p.add_argument("--max-params", type=_params, metavar="X", help="at most X billion parameters")
    p.add_argument(
        "--license-category", choices=LICENSE_CATEGORIES, metavar="C", help=f"one of: {', '.join(LICENSE_CATEGORIES)}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m db", description="Read-only reports on the SLM Tracker database.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lb = sub.add_parser(
        "leaderboard",
        help="the board as it stood on a day",
        description="The ranked board (best variant per model), optionally as of a past day.",
    )
    lb.add_argument(
        "--leaderboard",
        required=True,
        choices=LEADERBOARD_KEYS,
        metavar="L",
        help=f"one of: {', '.join(LEADERBOARD_KEYS)}",
    )
    lb.add_argument("--as-of", type=arg_date, metavar="DATE", help="the board as it stood that day (default: now)")
    lb.add_argument("--category", metavar="C", help="lmarena: one Arena category (default: overall)")
    _filters(lb)
    lb.add_argument("--limit", type=arg_positive_int, metavar="N", help="the top N rows")
    _common(lb)

    te = sub.add_parser(
        "tenure",
        help="reigns at #1 in date order",
        description="One row per reign at #1: model_id, start, end (empty while it still leads), days.",
    )
    te.add_argument(
        "--leaderboard",
        required=True,
        choices=LEADERBOARD_KEYS,
        metavar="L",
        help=f"one of: {', '.join(LEADERBOARD_KEYS)}",
    )
    te.add_argument("--rank-by", metavar="BENCHMARK", help="rank by this benchmark key instead of the average")
    te.add_argument("--category", metavar="C", help="lmarena: one Arena category (default: overall)")
    _filters(te)
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
    return parser


def _flt(args: argparse.Namespace) -> queries.ModelFilter:
    return queries.ModelFilter(
        min_params=args.min_params,
        max_params=args.max_params,
        license_categories=(args.license_category,) if args.license_category else (),
    )


def report_leaderboard(conn, args) -> pd.DataFrame:
    if args.leaderboard == "lmarena" or args.category:
        from db.arena import report_board

        return report_board(conn, args.leaderboard, args.category, args.as_of, _flt(args), args.limit)
    frame = queries.board(conn, args.leaderboard, args.as_of, flt=_flt(args), limit=args.limit)
    frame = frame.rename(columns={"model_type": "type"})
    return frame.reindex(columns=LEADERBOARD_COLUMNS)


def report_tenure(conn, args) -> pd.DataFrame:
    if args.category:
        from db.arena import report_tenure as arena_tenure

        return arena_tenure(conn, args.leaderboard, args.category, args.rank_by, _flt(args)).reindex(
            columns=TENURE_COLUMNS
        )
    return queries.tenure(conn, args.leaderboard, args.rank_by, _flt(args)).reindex(columns=TENURE_COLUMNS)


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


REPORTS = {"leaderboard": report_leaderboard, "tenure": report_tenure, "history": report_history}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(database_url=args.db)
        engine = make_engine(settings.database_url, create_dirs=False, must_exist=True)
        if not schema_is_current(engine):
            raise DatabaseError(
                "the database has no tables yet: run 'python -m ingest init' and 'python -m ingest seed'"
            )
        with engine.connect() as conn:
            frame = REPORTS[args.command](conn, args)
    except TrackerError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"error: database error: {one_line(getattr(exc, 'orig', exc))}", file=sys.stderr)
        return 1
    print(render(frame, args.format))
    return 0
