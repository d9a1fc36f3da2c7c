"""``slm-tracker dashboard``: Streamlit on the installed dashboard app with the project's options.

The same server ``make run`` starts (``streamlit run dashboard/app.py --server.port 8501
--server.headless true``), wherever the package is installed: the app, its pages, its theme and
its ``.streamlit/config.toml`` (which Streamlit reads next to the main script) ship inside the
``dashboard`` package. The port comes from ``--port``, else ``PORT``, else 8501.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from core.config import load_settings
from core.errors import ConfigError

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_args(port: int, address: str | None = None) -> list[str]:
    """The ``streamlit`` command-line arguments that serve the dashboard."""
    args = ["run", str(APP), "--server.port", str(port), "--server.headless", "true"]
    if address:
        args += ["--server.address", address]
    return args


def build_parser(prog: str = "slm-tracker dashboard") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve the SLM Tracker dashboard (Streamlit) on the database DATABASE_URL names.",
    )
    parser.add_argument("--port", type=int, metavar="N", help="port to listen on (default: PORT, else 8501)")
    parser.add_argument("--address", metavar="ADDR", help="address to bind, e.g. 0.0.0.0 in a container")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "slm-tracker dashboard") -> int:
    args = build_parser(prog).parse_args(argv)
    try:
        port = args.port or load_settings().dashboard_port
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not 0 < port < 65536:
        print(f"error: the port must be between 1 and 65535, not {port}", file=sys.stderr)
        return 1
    from streamlit.web import cli as streamlit_cli

    # Streamlit's own command line (click) runs the server until it is stopped.
    return (
        streamlit_cli.main(args=streamlit_args(port, args.address), prog_name="streamlit", standalone_mode=False) or 0
    )
