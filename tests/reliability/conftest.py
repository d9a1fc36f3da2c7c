"""Reliability suites: shared fixtures and the reporting of the figures each suite reached.

Every figure is reported three ways so that it is visible however pytest is run:
``record_property`` (junit XML, and carried to the xdist controller with the report), one line
appended to ``tests/artifacts/reliability.txt``, and the terminal summary at the end of the run.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
FIGURES_FILE = ARTIFACTS / "reliability.txt"
FIGURE_PREFIX = "reliability:"


@pytest.fixture
def figure(record_property, request):
    """``figure("name", value)``: report a figure this test reached (property, file, stdout)."""

    def report(name: str, value) -> None:
        record_property(f"{FIGURE_PREFIX}{name}", value)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{stamp} {request.node.nodeid} {name}={value}\n"
        # One short write per line in append mode: xdist workers do not interleave lines.
        with FIGURES_FILE.open("a", encoding="utf-8") as handle:
            handle.write(line)
        print(f"[reliability] {name} = {value}")

    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """List every reliability figure recorded in this run (also under ``pytest -n``)."""
    # tests/conftest.py also loads this module as a plugin (for the xdist controller): print once.
    if getattr(config, "_reliability_summary_done", False):
        return
    config._reliability_summary_done = True
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if isinstance(name, str) and name.startswith(FIGURE_PREFIX):
                    lines.append(f"{report.nodeid.split('::')[-1]}: {name[len(FIGURE_PREFIX) :]} = {value}")
    if lines:
        terminalreporter.section("reliability figures")
        for line in sorted(lines):
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"(also appended to {os.path.relpath(FIGURES_FILE)})")


@pytest.fixture(scope="session")
def small_seeded_db_file(tmp_path_factory) -> Path:
    """A seeded SQLite file with the small real snapshot series (Arena, v1 2023), built once."""
    from tests.reliability.helpers import build_small_seeded_db

    return build_small_seeded_db(tmp_path_factory.mktemp("small-seeded") / "seeded.db")
