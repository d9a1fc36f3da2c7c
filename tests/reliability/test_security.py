"""Security: CSV formula injection, SQL built only with bound parameters, SQL-looking ids that
stay harmless, junk query parameters, and the container user.

(Hostile markup in a browser: ``test_xss_browser.py``; the Hub token: ``test_network_faults.py``;
known vulnerabilities in the pinned requirements: ``test_pip_audit.py``.)
"""

from __future__ import annotations

import ast
import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect

from core.boards import LMARENA
from core.errors import NotFoundError
from db import queries
from db.engine import make_engine
from tests.reliability.helpers import ROOT, cli, seed_rows

INJECTION = "x'; DROP TABLE models; --"
FORMULAS = [
    '=HYPERLINK("http://example.invalid/x","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
DAY = "2025-08-01"


def _arena_with(names: dict[int, dict[str, str]], folder: Path) -> Path:
    """The newest real Arena snapshot with some cells replaced, dated after every bundled one."""
    text = seed_rows("lmarena/2025-07-18.csv.xz").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    for index, cells in names.items():
        for column, value in cells.items():
            rows[index + 1][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = folder / f"arena-{DAY}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_db(small_seeded_db_file, tmp_path_factory) -> str:
    """The small seeded database plus an Arena snapshot whose names are formulas and SQL."""
    folder = tmp_path_factory.mktemp("security")
    db = folder / "db.sqlite"
    shutil.copyfile(small_seeded_db_file, db)
    edits = {i: {"model": formula} for i, formula in enumerate(FORMULAS)}
    edits[0]["organization"] = "=cmd|' /C notepad'!A0"
    edits[1]["license"] = "@license"
    edits[len(FORMULAS)] = {"model": INJECTION}
    path = _arena_with(edits, folder)
    done = cli("--db", f"sqlite:///{db}", "import", LMARENA, str(path), "--no-progress")
    assert done.returncode == 0 and "0 rejected" in done.stdout, done.stdout + done.stderr
    return f"sqlite:///{db}"


def _dangerous_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if cell.startswith(DANGEROUS_START)]


# --------------------------------------------------------------------------- CSV formula injection


def test_report_csv_neutralises_formula_cells(hostile_db):
    done = cli("-m", "db", "leaderboard", "--leaderboard", LMARENA, "--format", "csv", "--db", hostile_db)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    ids = {row["model_id"] for row in rows}
    for formula in FORMULAS:
        assert "'" + formula in ids, formula  # kept, as text a spreadsheet will not run
    assert _dangerous_cells(done.stdout) == []
    # Numbers are numbers: a negative score would not be touched (only text cells are).
    assert all(re.fullmatch(r"\d+(\.\d+)?", row["score"]) for row in rows)


def test_dashboard_csv_download_neutralises_formula_cells(hostile_db):
    from dashboard import data

    engine = make_engine(hostile_db, must_exist=True)
    try:
        with engine.connect() as conn:
            ranked = data.ranked_board(conn, LMARENA, None, "arena_score")
    finally:
        engine.dispose()
    export = data.display_frame(ranked, LMARENA, "arena_score", for_download=True)
    text = data.csv_bytes(export).decode("utf-8")
    assert _dangerous_cells(text) == []
    assert all(f"'{f}" in text or f"'{f}".replace('"', '""') in text for f in FORMULAS)
    assert "'=cmd|' /C notepad'!A0" in text and "'@license" in text


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=30))
def test_csv_safe_leaves_no_cell_a_spreadsheet_would_run(value):
    from db.reports import _csv_safe

    safe = _csv_safe(value)
    assert not safe.startswith(DANGEROUS_START)
    assert safe in (value, "'" + value)


# --------------------------------------------------------------------------- SQL only with bound parameters

# Shapes of SQL statements (any case), so that messages like "cannot create the folder" do not count.
_SQL = re.compile(
    r"\bselect\b.+\bfrom\b|\binsert\s+into\b|\bupdate\s+\w+\s+set\b|\bdelete\s+from\b|\b(drop|create|alter)\s+"
    r"(table|index|view|database|trigger)\b|\bpragma\s+\w+|\bwhere\b.+[=<>]",
    re.IGNORECASE | re.DOTALL,
)
_EXECUTORS = {"execute", "exec_driver_sql", "text", "executescript", "executemany", "scalar", "scalars"}


def _is_dynamic(node: ast.AST) -> bool:
    """A string built at run time: f-string with fields, ``%`` or ``+`` on strings, ``.format``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return any(isinstance(n, (ast.Constant, ast.JoinedStr)) for n in (node.left, node.right))
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _literal_text(node: ast.AST) -> str:
    return " ".join(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))


def sql_built_from_strings(source: str, filename: str = "<src>") -> list[str]:
    """Every line of ``source`` that builds SQL text by formatting or concatenation."""
    found: dict[int, str] = {}
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in _EXECUTORS and node.args and _is_dynamic(node.args[0]):
                found.setdefault(node.lineno, f"{filename}:{node.lineno}: {ast.unparse(node)[:120]}")
                continue
        if _is_dynamic(node) and _SQL.search(_literal_text(node)):
            found.setdefault(node.lineno, f"{filename}:{node.lineno}: {ast.unparse(node)[:120]}")
    return sorted(found.values())


def test_the_scanner_finds_sql_built_from_strings():
    bad = """
conn.execute(text(f"SELECT * FROM models WHERE repo_id = '{model_id}'"))
conn.exec_driver_sql("DELETE FROM scores WHERE id = %s" % score_id)
query = "select repo_id from models where org = '{}'".format(org)
conn.execute("UPDATE models SET name = '" + name + "'")
"""
    assert len(sql_built_from_strings(bad)) == 4
    good = """
conn.execute(select(MODELS).where(MODELS.c.repo_id_lower == key))
conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
raise DatabaseError(f"cannot create the folder for {database}: {exc.strerror}")
conn.execute(text("SELECT 1 FROM models WHERE id = :id"), {"id": model_id})
"""
    assert sql_built_from_strings(good) == []


def test_no_sql_is_built_from_strings_in_db_and_ingest(figure):
    files = sorted(p for folder in ("core", "db", "ingest") for p in (ROOT / folder).rglob("*.py"))
    found = [hit for path in files for hit in sql_built_from_strings(path.read_text(), str(path.relative_to(ROOT)))]
    figure("sql_scan_files", len(files))
    figure("sql_built_from_strings", len(found))
    assert found == []


# --------------------------------------------------------------------------- SQL-looking ids


def test_an_sql_injection_id_is_just_a_name(hostile_db):
    engine = make_engine(hostile_db, must_exist=True)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            before = queries.table_counts(conn)
            # Stored literally by the importer, found literally, and nothing else.
            assert queries.find_model(conn, INJECTION)["repo_id"] == INJECTION
            assert queries.search_models(conn, "'; DROP")["model_id"].tolist() == [INJECTION]
            assert queries.search_models(conn, "%' OR '1'='1").empty
            with pytest.raises(NotFoundError):
                queries.find_model(conn, "y'; DROP TABLE scores; --")
            board = queries.board(conn, LMARENA, flt=queries.ModelFilter(search="'; DROP TABLE"))
            assert board["model_id"].tolist() == [INJECTION]
    finally:
        engine.dispose()
    # Through the CLI: a one-line "not found", exit 1.
    done = cli("-m", "db", "history", "y'; DROP TABLE models; --", "--db", hostile_db)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and done.stderr.startswith("error: no model")
    done = cli("-m", "db", "history", INJECTION, "--leaderboard", LMARENA, "--db", hostile_db, "--format", "json")
    assert done.returncode == 0 and INJECTION.replace("'", "") not in done.stderr
    done = cli("-m", "db", "leaderboard", "--leaderboard", f"{LMARENA}'; DROP TABLE models; --", "--db", hostile_db)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    engine = make_engine(hostile_db, must_exist=True)
    try:
        assert set(inspect(engine).get_table_names()) == tables
        with engine.connect() as conn:
            assert queries.table_counts(conn) == before
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- junk query parameters

APP = str(ROOT / "dashboard" / "app.py")
JUNK = {
    "board": "'; DROP TABLE models; --",
    "id": "y'; DROP TABLE scores; --",
    "ids": f"{INJECTION},<img src=x onerror=alert(1)>,{'a' * 5000}",
    "as_of": "2024-13-45",
    "asof": "not-a-date",
    "size": "../../etc/passwd",
    "license": "<script>alert(1)</script>",
    "rank": "%00",
    "bench": "nope",
    "min_params": "-inf",
    "max_params": "NaN",
    "hide": "everything",
    "page": "999999999999999999999",
}
PAGE_FILES = ["leaderboard", "size", "licenses", "history", "model", "compare", "status"]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGE_FILES)
def test_junk_query_parameters_give_a_message_not_an_error(page, hostile_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", hostile_db)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page != "leaderboard":
        at.switch_page(f"views/{page}.py")
    for key, value in JUNK.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    shown = " ".join(str(e.value) for kind in (at.markdown, at.caption, at.info, at.warning, at.title) for e in kind)
    assert "Traceback" not in shown
    if page == "model":
        # The unknown id gets a friendly "no model" message.
        messages = " ".join(str(m.value) for m in [*at.info, *at.warning]).lower()
        assert "no model" in messages, messages


# The image runs as a non-root user: tests/test_dockerfile.py::test_base_image_and_a_non_root_user.


# --------------------------------------------------------------------------- a read-only dashboard


@pytest.mark.slow
def test_the_dashboard_never_writes(hostile_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from db.schema import Base

    def every_row() -> dict:
        engine = make_engine(hostile_db, must_exist=True)
        try:
            with engine.connect() as conn:
                return {t.name: sorted(map(repr, conn.execute(t.select()))) for t in Base.metadata.sorted_tables}
        finally:
            engine.dispose()

    before = every_row()
    monkeypatch.setenv("DATABASE_URL", hostile_db)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for page in PAGE_FILES[1:]:
        at.switch_page(f"views/{page}.py")
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
    assert every_row() == before
