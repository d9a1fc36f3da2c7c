"""``slm-tracker ingest|db|dashboard ...``: hands the rest of the line to the layer's own CLI.

``slm-tracker ingest ...`` runs the same function as ``python -m ingest ...``
(:func:`ingest.cli.main`), ``slm-tracker db ...`` the same as ``python -m db ...``
(:func:`db.reports.main`), and ``slm-tracker dashboard`` serves the installed app
(:func:`dashboard.serve.main`). Each layer is imported only when its command runs, so the
dashboard's process never imports ``ingest``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = """usage: slm-tracker COMMAND [ARGS...]

Track small open language models on public leaderboards.

commands:
  ingest     create the database, load the seed, import files, run live ingest
             (the same as `python -m ingest`; `slm-tracker ingest --help` lists its commands)
  db         read-only reports: leaderboard, tenure, history (the same as `python -m db`)
  dashboard  serve the dashboard (Streamlit) on PORT (default 8501)
"""


def _ingest(argv: Sequence[str]) -> int:
    from ingest.cli import main

    return main(argv)


def _db(argv: Sequence[str]) -> int:
    from db.reports import main

    return main(argv)


def _dashboard(argv: Sequence[str]) -> int:
    from dashboard.serve import main

    return main(argv)


COMMANDS = {"ingest": _ingest, "db": _db, "dashboard": _dashboard}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(USAGE, end="", file=sys.stderr)
        print(f"slm-tracker: error: unknown command {command!r} (choose from {', '.join(COMMANDS)})", file=sys.stderr)
        return 2
    return COMMANDS[command](rest)
