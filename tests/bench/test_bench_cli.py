"""``python -m bench`` plumbing at tiny sizes (the figures mean nothing; the shape does)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.__main__ import render
from bench.core import Result

ROOT = Path(__file__).resolve().parents[2]


def test_json_lists_every_figure_with_its_ratio_and_target(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--tiny",
            "--json",
            "--only",
            "replay",
            "--only",
            "history",
            "--keep",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1 = a target missed at this meaningless size
    results = json.loads(done.stdout)
    assert [r["name"] for r in results] == ["replay", "db_size_3_days", "board_growth", "tenure_growth"]
    for r in results:
        assert {"name", "value", "unit", "baseline", "ratio", "target"} <= set(r)
        assert r["value"] > 0 and r["baseline"] > 0
        assert abs(r["ratio"] - r["value"] / r["baseline"]) <= 0.01 * r["ratio"] + 1e-3  # values are rounded
    assert (tmp_path / "replay.db").exists()
    assert len(list((tmp_path / "replay").glob("*.csv"))) == 3


def test_table_marks_a_missed_target():
    table = render([Result("fast", 1.0, "s", 1.0, 2.0, "fine"), Result("slow", 5.0, "s", 1.0, 2.0, "too slow")])
    lines = table.splitlines()
    assert lines[0].split()[:6] == ["benchmark", "value", "baseline", "ratio", "target", "ok"]
    assert " yes " in lines[1] and lines[1].endswith("fine")
    assert " NO " in lines[2] and "5.00" in lines[2]


def test_a_benchmark_that_cannot_run_is_one_line_and_exit_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--only", "replay", "--keep", str(blocker / "sub")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "Traceback" not in done.stderr
