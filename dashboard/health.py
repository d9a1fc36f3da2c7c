"""``python -m dashboard.health``: is the dashboard up, and can it read its data? (the image's HEALTHCHECK)

Streamlit's ``/_stcore/health`` only says the process answers. This check also opens the
database the way the dashboard does (``DATABASE_URL``, read-only use, every statement bounded by
``SLM_QUERY_TIMEOUT``), requires the current schema, and reads the data version and one score.
It prints one line, ``ok: ...`` or ``error: ...``, and exits 0 or 1. ``--data-only`` skips the
HTTP probe (for a container that serves no HTTP, or a cron check).
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.request
from collections.abc import Sequence

from core.config import load_settings
from core.errors import TrackerError


def check_server(port: int, timeout_s: float) -> str | None:
    """None when Streamlit answers /_stcore/health on 127.0.0.1:``port``, else the problem."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout_s) as response:
            if response.status == 200:
                return None
            return f"the dashboard answered its health check with HTTP {response.status}"
    except OSError as exc:
        return f"the dashboard does not answer on port {port} ({getattr(exc, 'reason', exc)})"


def check_data(url: str, timeout_s: float) -> tuple[str | None, str]:
    """(None or the problem, what was read) for the database at ``url``."""
    from sqlalchemy.exc import SQLAlchemyError

    from db import queries
    from db.engine import one_line, reader_engine, require_current_schema

    try:
        engine = reader_engine(url, timeout_s)
    except TrackerError as exc:
        return str(exc), ""
    try:
        require_current_schema(engine)
        with engine.connect() as conn:
            ver = queries.data_version(conn)
            scores = queries.has_scores(conn)
    except TrackerError as exc:
        return str(exc), ""
    except SQLAlchemyError as exc:
        return f"the database cannot be read: {one_line(getattr(exc, 'orig', exc))[:200]}", ""
    finally:
        engine.dispose()
    if not scores:
        return "the database has no scores yet (the entrypoint seeds an empty one)", ""
    return None, f"data version {ver[0]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.health", description=__doc__.splitlines()[0])
    parser.add_argument("--data-only", action="store_true", help="check the database only, not the HTTP server")
    parser.add_argument("--port", type=int, help="the dashboard's port (default: PORT, else 8501)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except TrackerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    start = time.monotonic()
    if not args.data_only:
        problem = check_server(args.port or settings.dashboard_port, min(5.0, settings.query_timeout_s))
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 1
    problem, what = check_data(settings.database_url, settings.query_timeout_s)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    print(f"ok: {what} read in {time.monotonic() - start:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
