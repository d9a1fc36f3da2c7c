"""Bad input: a corpus of broken files built from real seed rows (``corpus.py``).

For every case: no uncaught exception (only :class:`core.errors.InputError` for a whole file),
every bad row rejected with a reason, and through the CLI a one-line ``error: ...`` with a
non-zero exit for a refused file, with the data already in the database left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import InputError
from db.engine import make_engine
from db.schema import IngestRun, RejectedRow
from ingest.formats import parse_file
from ingest.loader import check_usable
from tests.reliability.corpus import CASES, Case, original
from tests.reliability.helpers import canonical_dump, cli, dump_diff

REFUSED = [c for c in CASES if c.expect == "refused"]
ROWS = [c for c in CASES if c.expect == "rows"]
SAME = [c for c in CASES if c.expect == "same"]


def _parse(case: Case, folder: Path):
    """(ParsedFile or None, InputError or None): anything else propagates and fails the test."""
    path = case.write(folder)
    try:
        return parse_file(path, expected_leaderboard=case.leaderboard), None
    except InputError as exc:
        return None, exc


def test_every_corpus_file_is_handled_without_an_uncaught_exception(tmp_path, figure):
    refused = rows_rejected = same = 0
    for case in CASES:
        parsed, error = _parse(case, tmp_path)
        if case.expect == "refused":
            if error is not None:
                message = str(error)
                assert "\n" not in message and re.search(case.reason, message), (case.name, message)
            else:  # parsed, then refused whole by the loader, with the case's reason
                with pytest.raises(InputError) as refusal:
                    check_usable(parsed)
                message = str(refusal.value)
                assert "\n" not in message and re.search(case.reason, message), (case.name, message)
            refused += 1
            continue
        assert error is None, (case.name, str(error))
        # Every row read is either an entry or a rejection with a reason.
        assert parsed.rows_read == len(parsed.entries) + len(parsed.rejections), case.name
        assert all(r.reason.strip() and "\n" not in r.reason for r in parsed.rejections), case.name
        if case.expect == "rows":
            assert len(parsed.rejections) == case.bad_rows, (case.name, [r.reason for r in parsed.rejections])
            assert all(re.search(case.reason, r.reason) for r in parsed.rejections), (
                case.name,
                [r.reason for r in parsed.rejections],
            )
            rows_rejected += len(parsed.rejections)
        else:
            clean = tmp_path / f"clean-{case.name}.csv"
            clean.write_bytes(original(case.source))
            expected = parse_file(clean)
            assert [(e.facts.repo_id, e.variant, e.scores) for e in parsed.entries] == [
                (e.facts.repo_id, e.variant, e.scores) for e in expected.entries
            ], case.name
            same += 1
    figure("bad_input_corpus_files", len(CASES))
    figure("bad_input_files_refused_with_one_line", refused)
    figure("bad_input_bad_rows_rejected_with_reason", rows_rejected)
    figure("bad_input_harmless_variants_identical", same)


@pytest.fixture(scope="module")
def base_db(small_seeded_db_file) -> Path:
    return small_seeded_db_file


@pytest.fixture(scope="module")
def base_dump(base_db):
    engine = make_engine(f"sqlite:///{base_db}")
    try:
        return canonical_dump(engine)
    finally:
        engine.dispose()


def _by_board(cases: list[Case]) -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.leaderboard, []).append(case)
    return groups


def _write_dated(cases: list[Case], folder: Path) -> dict[str, Case]:
    """Write each case under its own date (one CLI run imports them all): file name -> case."""
    named = {}
    for number, case in enumerate(cases):
        day = dt.date(2030, 1, 1) + dt.timedelta(days=number)
        path = folder / f"{case.name}-{day.isoformat()}{case.suffix}"
        path.write_bytes(case.data)
        named[path.name] = case
    return named


@pytest.mark.parametrize("board", sorted(_by_board(REFUSED)))
def test_cli_refuses_each_broken_file_in_one_line_and_keeps_the_data(board, base_db, base_dump, tmp_path):
    db = tmp_path / "db.sqlite"
    shutil.copyfile(base_db, db)
    named = _write_dated(_by_board(REFUSED)[board], tmp_path)
    paths = [str(tmp_path / name) for name in named]
    done = cli("--db", f"sqlite:///{db}", "import", board, *paths, "--no-progress")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout.strip() == ""
    lines = done.stderr.strip().splitlines()
    # Exactly one line per refused file, each "error: <that file>: <its reason>".
    assert len(lines) == len(named), done.stderr
    for line in lines:
        assert line.startswith("error: "), line
        hits = [name for name in named if name in line]
        if not hits:  # a file whose name is not repeated: match it by its reason
            hits = [name for name, case in named.items() if re.search(case.reason, line)]
        assert hits and any(re.search(named[h].reason, line) for h in hits), line
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert dump_diff(canonical_dump(engine), base_dump) == ""
        with engine.connect() as conn:
            runs = conn.execute(
                select(IngestRun.__table__.c.status, IngestRun.__table__.c.error).where(
                    IngestRun.__table__.c.id > base_runs(base_db)
                )
            ).all()
        # Each refusal is recorded as a failed run with the same one-line reason.
        assert len(runs) == len(named) and all(r.status == "failed" and "\n" not in r.error for r in runs)
    finally:
        engine.dispose()


def base_runs(db: Path) -> int:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.max(IngestRun.__table__.c.id))).scalar() or 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("board", sorted(_by_board(ROWS)))
def test_cli_imports_the_good_rows_and_records_each_bad_one_with_its_reason(board, base_db, tmp_path):
    db = tmp_path / "db.sqlite"
    shutil.copyfile(base_db, db)
    named = _write_dated(_by_board(ROWS)[board], tmp_path)
    done = cli("--db", f"sqlite:///{db}", "import", board, *[str(tmp_path / n) for n in named], "--no-progress")
    assert done.returncode == 0, done.stderr
    for name, case in named.items():
        assert (
            f"{name}: " in done.stdout and f"{case.bad_rows} rejected" in done.stdout.split(name, 1)[1].splitlines()[0]
        )
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            stored = conn.execute(select(RejectedRow.__table__.c.file, RejectedRow.__table__.c.reason)).all()
    finally:
        engine.dispose()
    for name, case in named.items():
        reasons = [r.reason for r in stored if r.file == name]
        assert len(reasons) == case.bad_rows, (name, reasons)
        assert all(re.search(case.reason, r) for r in reasons), (name, reasons)
