"""The two command lines, run as a user runs them: as subprocesses."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.schema import IngestRun, RejectedRow
from tests.conftest import ROOT, plain_csv, seed_snapshots
from tests.db.test_history import dump

V1, V2, ARENA = "open-llm-leaderboard-v1", "open-llm-leaderboard-v2", "lmarena"


def cli(module: str, *args: str, db: str | None = None, check: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    if db:
        env["DATABASE_URL"] = db
    result = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert lines, result.stderr
    return lines[0]


@pytest.mark.parametrize("module", ["ingest", "db"])
def test_help_on_every_command(module):
    top = cli(module, "--help", check=True).stdout
    commands = {
        "ingest": ["init", "seed", "import", "status", "run", "schedule"],
        "db": ["leaderboard", "tenure", "history", "evals"],
    }
    for command in commands[module]:
        assert command in top
        sub = cli(module, command, "--help", check=True).stdout
        assert "usage:" in sub and len(sub.splitlines()) > 3


def test_import_then_reports(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    cli("ingest", "init", db=db, check=True)
    files = [str(plain_csv(p, tmp_path)) for p in seed_snapshots(V1)[:7]]
    out = cli("ingest", "import", V1, *reversed(files), "--no-progress", db=db, check=True).stdout
    dates = [line.split()[0] for line in out.splitlines()]
    assert dates == sorted(dates) and len(dates) == 7  # applied in date order
    tenure = cli("db", "tenure", "--leaderboard", V1, "--format", "csv", db=db, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(tenure)))
    assert rows[1] == {
        "model_id": "tiiuae/falcon-40b",
        "start": "2023-05-26",
        "end": "2023-05-31",
        "days": "5",
        "gap_days": "",
    }
    assert rows[-1]["model_id"] == "tiiuae/falcon-40b-instruct" and rows[-1]["end"] == ""
    board = json.loads(
        cli(
            "db",
            "leaderboard",
            "--leaderboard",
            V1,
            "--as-of",
            "2023-05-26",
            "--limit",
            "3",
            "--format",
            "json",
            db=db,
            check=True,
        ).stdout
    )
    assert [r["rank"] for r in board] == [1, 2, 3]
    assert list(board[0]) == [
        "rank",
        "model_id",
        "score",
        "params_b",
        "license",
        "license_category",
        "type",
        "params_confidence",
    ]
    assert board[0]["model_id"] == "tiiuae/falcon-40b" and board[0]["score"] == 60.4
    small = json.loads(
        cli(
            "db", "leaderboard", "--leaderboard", V1, "--max-params", "13", "--format", "json", db=db, check=True
        ).stdout
    )
    assert small and all(r["params_b"] is not None and r["params_b"] <= 13 for r in small)
    hist = cli("db", "history", "TIIUAE/falcon-40b", "--leaderboard", V1, "--format", "csv", db=db, check=True).stdout
    first = list(csv.DictReader(io.StringIO(hist)))[0]
    assert first["date"] == "2023-05-26" and first["rank"] == "1"
    status = cli("ingest", "status", db=db, check=True).stdout
    assert "succeeded" in status and V1 in status
    # The fidelity report and the review, in every format.
    fidelity = json.loads(cli("db", "audit", "--format", "json", db=db, check=True).stdout)
    v1 = next(r for r in fidelity if r["leaderboard"] == V1)
    assert v1["models"] > 0 and v1["models"] == sum(
        v1[k] for k in ("exact", "estimated", "corrected", "doubtful", "size_unknown")
    )
    assert cli("db", "audit", "--format", "csv", db=db, check=True).stdout.startswith("leaderboard,models,exact,")
    review = cli("ingest", "review", db=db, check=True).stdout
    assert review.startswith("size review:") and " 0 changed" in review  # the import already reviewed


def test_bad_input_gives_one_line_errors_and_keeps_data(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    good = plain_csv(seed_snapshots(ARENA)[0], tmp_path)
    cli("ingest", "import", ARENA, str(good), db=db, check=True)
    engine = make_engine(db)
    before = dump(engine)

    unknown = tmp_path / "2024-07-01.csv"
    unknown.write_text("name,score\na,1\n")
    assert "unknown format" in one_line_error(cli("ingest", "import", ARENA, str(unknown), db=db))

    text = plain_csv(seed_snapshots(ARENA)[1], tmp_path).read_text()
    truncated = tmp_path / "2024-07-25.csv"
    truncated.write_text(text[: len(text) * 2 // 3])
    assert "truncated" in one_line_error(cli("ingest", "import", ARENA, str(truncated), db=db))

    wrong = plain_csv(seed_snapshots(V1)[0], tmp_path)
    assert "not lmarena" in one_line_error(cli("ingest", "import", ARENA, str(wrong), db=db))

    undated = tmp_path / "arena.csv"
    undated.write_text(text)
    assert "--as-of" in one_line_error(cli("ingest", "import", ARENA, str(undated), db=db))
    assert "no such file" in one_line_error(cli("ingest", "import", ARENA, str(tmp_path / "x-2024-01-01.csv"), db=db))
    assert "invalid choice" in cli("ingest", "import", "nope", str(good), db=db).stderr
    assert dump(engine) == before  # nothing of the failed files is left behind
    with engine.connect() as conn:
        runs = conn.execute(select(IngestRun.status, IngestRun.error).order_by(IngestRun.id)).all()
    # unknown format, truncated, wrong source, missing file: four failed runs, each with its reason.
    assert [r.status for r in runs] == ["succeeded"] + ["failed"] * 4
    assert ["unknown format" in runs[1].error, "truncated" in runs[2].error, "not lmarena" in runs[3].error] == [
        True
    ] * 3


def test_bad_rows_are_recorded_and_the_rest_goes_in(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    text = plain_csv(seed_snapshots(ARENA)[0], tmp_path).read_text().splitlines()
    header, rows = text[0], text[1:]
    broken = [rows[0].replace("1287", "lots"), ",".join(["2", "", "1200", "+3/-3", "10", "X", "MIT", "2023", ""])]
    path = tmp_path / "2024-06-20.csv"
    path.write_text("\n".join([header, *broken, *rows[1:]]) + "\n")
    result = cli("ingest", "import", ARENA, str(path), db=db, check=True)
    assert "2 rejected" in result.stdout
    engine = make_engine(db)
    with engine.connect() as conn:
        reasons = [r.reason for r in conn.execute(select(RejectedRow.reason, RejectedRow.row_number))]
    assert any("not a number" in r for r in reasons) and any("empty model name" in r for r in reasons)


def test_reports_fail_clearly_without_a_database(tmp_path):
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    assert "no database" in one_line_error(cli("db", "tenure", "--leaderboard", V1, db=missing))
    assert not (tmp_path / "none.db").exists()
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    cli("ingest", "init", db=db, check=True)
    assert "no model" in one_line_error(cli("db", "history", "nobody/nothing", db=db))
    assert "unknown benchmark" in one_line_error(cli("db", "tenure", "--leaderboard", V1, "--rank-by", "vibes", db=db))
    assert cli("db", "leaderboard", "--leaderboard", V1, "--as-of", "yesterday", db=db).returncode == 2
    assert "not a database URL" in one_line_error(cli("db", "tenure", "--leaderboard", V1, "--db", "nonsense"))


def test_seed_is_idempotent_and_quick_to_skip(seeded_url):
    # seeded_url is a database on which load_seed already ran once (70 snapshot files and the
    # Arena history in the leaderboard-dataset schema imported).
    db = seeded_url
    engine = make_engine(db)
    before = dump(engine)
    again = cli("ingest", "seed", db=db, check=True).stdout
    assert "0 snapshot files imported, 71 already there" in again
    assert dump(engine) == before
    assert "seed skipped" in cli("ingest", "seed", "--if-empty", db=db, check=True).stdout
