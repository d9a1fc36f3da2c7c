"""Epoch AI's Benchmarking Hub: import, history, provenance and the live zip, on the real files.

The expected values are computed here, independently, with the csv module from the real files
in tests/fixtures/epoch (an unpacked copy of benchmark_data.zip, April 2026; see their
provenance notes).
"""

from __future__ import annotations

import csv
import datetime as dt
import http.server
import io
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.boards import EPOCH, TASKS, task_of
from core.config import load_settings
from db import queries
from db.schema import INGEST_RUNS, SCORE_PROVENANCE, SCORES, SNAPSHOTS
from ingest import epoch
from ingest.http import RunBudget
from tests.conftest import FIXTURES

EPOCH_DIR = FIXTURES / "epoch"
CSVS = sorted(EPOCH_DIR.glob("*.csv"))
DAY = dt.date(2026, 5, 2)


def rows_of(name: str) -> list[dict]:
    with (EPOCH_DIR / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def best_per_model(name: str, column: str, *, until: dt.date | None = None) -> dict[str, float]:
    """The file's best score per model (ids ignoring case), independently of the importer."""
    best: dict[str, float] = {}
    for row in rows_of(name):
        model = (row.get("Model version") or "").strip() or (row.get("Name") or "").strip()
        value = (row.get(column) or "").strip()
        if not model or not value:
            continue
        if until is not None:
            started = (row.get("Started at") or "").strip()
            if not started or dt.date.fromisoformat(started[:10]) > until:
                continue
        key = model.lower()
        best[key] = max(best.get(key, float("-inf")), float(value))
    return best


def board(engine, stem: str, as_of: dt.date | None = None) -> dict[str, float]:
    with engine.connect() as conn:
        frame = queries.board(conn, EPOCH, as_of, rank_by=stem)
    return {m.lower(): s for m, s in zip(frame["model_id"], frame["score"], strict=True)}


def counts(engine) -> tuple:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar()
            for t in (SCORES, SNAPSHOTS, SCORE_PROVENANCE, INGEST_RUNS)
        )


@pytest.fixture
def imported(engine):
    epoch.import_epoch(engine, [EPOCH_DIR], day=DAY)
    return engine


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("gpqa_diamond.csv", "mean_score"),
        ("math_level_5.csv", "mean_score"),
        ("mmlu_external.csv", "EM"),
        ("epoch_capabilities_index.csv", "ECI Score"),
    ],
)
def test_every_file_is_a_benchmark_whose_board_is_the_files_best_score_per_model(imported, name, column):
    expected = best_per_model(name, column)
    got = board(imported, Path(name).stem)
    assert got.keys() == expected.keys()
    for model, value in expected.items():
        assert got[model] == pytest.approx(value, rel=1e-12), model
    # and the order: the top is the best value of the file
    with imported.connect() as conn:
        top = queries.board(conn, EPOCH, rank_by=Path(name).stem, limit=1)
    assert top["score"].iloc[0] == max(expected.values())


def test_the_board_as_of_a_day_between_runs_shows_only_what_was_run_by_then(imported):
    dates = sorted(
        {dt.date.fromisoformat(r["Started at"][:10]) for r in rows_of("gpqa_diamond.csv") if r["Started at"]}
    )
    middle = dates[len(dates) // 2]
    between = middle - dt.timedelta(days=1)
    expected = best_per_model("gpqa_diamond.csv", "mean_score", until=between)
    got = board(imported, "gpqa_diamond", between)
    assert got == pytest.approx(expected)
    later = {
        r["Model version"].lower()
        for r in rows_of("gpqa_diamond.csv")
        if r["Started at"] and dt.date.fromisoformat(r["Started at"][:10]) > between
    } - expected.keys()
    assert later and not (later & got.keys())
    # External results and the index are valid from the first snapshot that listed them.
    assert board(imported, "mmlu_external", DAY - dt.timedelta(days=1)) == {}
    assert board(imported, "mmlu_external", DAY)


def test_each_score_keeps_its_provenance(imported):
    with imported.connect() as conn:
        prov = (
            conn.execute(select(SCORE_PROVENANCE).where(SCORE_PROVENANCE.c.leaderboard_key == EPOCH)).mappings().all()
        )
    runs = {p["variant"]: p for p in prov if p["benchmark_key"] == "gpqa_diamond"}
    for row in rows_of("gpqa_diamond.csv"):
        stored = runs[row["id"]]
        assert stored["provenance"] == "measured"
        assert stored["stderr"] == pytest.approx(float(row["stderr"]))
        assert stored["log_url"] == (row["Log viewer"] or row["Logs"] or None)
        assert stored["run_date"] == (dt.date.fromisoformat(row["Started at"][:10]) if row["Started at"] else None)
    external = {p["variant"]: p for p in prov if p["benchmark_key"] == "mmlu_external"}
    for row in rows_of("mmlu_external.csv"):
        stored = external[row["id"]]
        assert stored["provenance"] == "external"
        assert (stored["source_name"], stored["source_url"]) == (row["Source"].strip(), row["Source link"].strip())


def test_reimporting_the_same_zip_changes_nothing(engine, tmp_path):
    archive = tmp_path / "benchmark_data.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in CSVS:
            handle.write(path, f"benchmark_data/{path.name}")
    first = epoch.import_epoch(engine, [archive], day=DAY)
    assert first.run_id is not None and len(first.files) == 4
    before = counts(engine)
    again = epoch.import_epoch(engine, [archive], day=DAY)
    assert again.run_id is None and counts(engine) == before
    # the folder and the zip are the same data
    assert epoch.import_epoch(engine, [EPOCH_DIR], day=DAY).run_id is None


def test_a_file_of_unknown_shape_is_refused_by_name_and_the_rest_go_in(engine, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for path in CSVS:
        shutil.copy(path, folder / path.name)
    # A real file whose header no longer says what the score is.
    text = (EPOCH_DIR / "math_level_5.csv").read_text(encoding="utf-8")
    (folder / "renamed.csv").write_text(text.replace("mean_score", "score_a", 1).replace("Started at", "t", 1))
    report = epoch.import_epoch(engine, [folder], day=DAY)
    assert len(report.failed) == 1 and report.failed[0].startswith("renamed.csv: unknown Epoch shape")
    with engine.connect() as conn:
        benches = set(queries.benchmarks(conn, EPOCH)["key"])
    assert benches == {p.stem for p in CSVS}


def test_import_cli_prints_figures_and_refuses_bad_paths(tmp_path):
    from tests.ingest.test_cli import cli, one_line_error

    db = f"sqlite:///{tmp_path / 'e.db'}"
    cli("ingest", "init", db=db, check=True)
    ok = cli(
        "ingest", "import", "epoch", str(EPOCH_DIR / "gpqa_diamond.csv"), "--as-of", "2026-05-02", db=db, check=True
    )
    assert "1 benchmark file(s), 157 rows read" in ok.stdout
    again = cli("ingest", "import", "epoch", str(EPOCH_DIR / "gpqa_diamond.csv"), "--as-of", "2026-05-02", db=db)
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert "no such file" in one_line_error(cli("ingest", "import", "epoch", str(tmp_path / "nope.zip"), db=db))
    top = cli("db", "leaderboard", "--leaderboard", "epoch", "--rank-by", "gpqa_diamond", "--format", "csv", db=db)
    header, first = top.stdout.splitlines()[:2]
    assert (
        header
        == "rank,model_id,score,params_b,license,license_category,type,params_confidence,stderr,provenance,variant,run_date,source"
    )
    best = max(rows_of("gpqa_diamond.csv"), key=lambda r: float(r["mean_score"]))
    cells = dict(zip(header.split(","), first.split(","), strict=True))
    assert cells["model_id"] == best["Model version"] and cells["stderr"] == best["stderr"]
    assert "unknown benchmark" in one_line_error(
        cli("db", "leaderboard", "--leaderboard", "epoch", "--rank-by", "nope", db=db)
    )


# --------------------------------------------------------------------------- live: a stand-in server


class _ZipServer:
    def __init__(self, body: bytes, etag: str) -> None:
        self.body, self.etag, self.seen, self.status = body, etag, [], None
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.seen.append(dict(self.headers))
                if outer.status is not None:
                    self.send_response(outer.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == outer.etag:
                    self.send_response(304)
                    self.send_header("ETag", outer.etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("ETag", outer.etag)
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/data/benchmark_data.zip"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as handle:
        for path in CSVS:
            handle.write(path, path.name)
    return buffer.getvalue()


@pytest.fixture
def zip_server():
    server = _ZipServer(_zip_bytes(), '"a1b2c3-epoch"')
    yield server
    server.close()


def _settings(url, tmp_path, db_url):
    return load_settings(
        {
            "DATABASE_URL": db_url,
            "EPOCH_DATA_URL": url,
            "SLM_CACHE_DIR": str(tmp_path / "cache"),
            "INGEST_LOCK": str(tmp_path / "lock"),
            "HUB_MAX_RETRIES": "1",
            "HUB_BACKOFF_BASE": "0.01",
        }
    )


def test_run_downloads_once_and_a_second_run_sends_the_etag_and_changes_nothing(zip_server, engine, tmp_path, db_url):
    settings = _settings(zip_server.url, tmp_path, db_url)
    status, detail = epoch.run_epoch(engine, settings, RunBudget.from_settings(settings), day=DAY)
    assert status == "succeeded" and detail["etag"] == zip_server.etag
    assert "If-None-Match" not in zip_server.seen[0]
    assert board(engine, "gpqa_diamond") == pytest.approx(best_per_model("gpqa_diamond.csv", "mean_score"))
    before = counts(engine)
    status, _ = epoch.run_epoch(engine, settings, RunBudget.from_settings(settings), day=DAY + dt.timedelta(days=1))
    assert status == "skipped"
    assert zip_server.seen[1].get("If-None-Match") == zip_server.etag
    after = counts(engine)
    assert after[:3] == before[:3] and after[3] == before[3] + 1  # one more run, recorded as skipped


def test_a_dead_server_fails_cleanly_and_changes_nothing(zip_server, imported, tmp_path, db_url):
    settings = _settings(zip_server.url, tmp_path, db_url)
    zip_server.status = 503
    before = counts(imported)
    from core.errors import HubError

    with pytest.raises(HubError, match="503"):
        epoch.run_epoch(imported, settings, RunBudget.from_settings(settings), day=DAY + dt.timedelta(days=3))
    after = counts(imported)
    assert after[:3] == before[:3]
    with imported.connect() as conn:
        last = conn.execute(select(INGEST_RUNS).order_by(INGEST_RUNS.c.id.desc())).mappings().first()
    assert last["source"] == EPOCH and last["status"] == "failed" and "503" in last["error"]


# --------------------------------------------------------------------------- pure rules


@settings(deadline=None, max_examples=60)
@given(st.text(max_size=40))
def test_every_name_maps_to_a_task_of_the_vocabulary(name):
    assert task_of(name) in TASKS


@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.booleans(), st.floats(0, 1, allow_nan=False)),
        min_size=1,
        max_size=25,
    ),
    st.integers(0, 40),
)
def test_a_snapshot_on_day_d_lists_exactly_the_rows_valid_by_d(spec, import_offset):
    base = dt.date(2025, 1, 1)
    day = base + dt.timedelta(days=import_offset)
    rows = [
        epoch.EpochRow(
            model=f"m{i}",
            variant=str(i),
            benchmark="b",
            value=v,
            provenance="measured" if is_run else "external",
            run_date=base + dt.timedelta(days=offset) if is_run else None,
        )
        for i, (offset, is_run, v) in enumerate(spec)
    ]
    plan = epoch.snapshot_plan(rows, day, {})
    assert max(plan) == day
    for snap_day, listed in plan.items():
        expect = [r for r in rows if (r.run_date if r.run_date else day) <= snap_day]
        assert listed == expect
    # the state only grows from day to day
    days = sorted(plan)
    for a, b in zip(days, days[1:], strict=False):
        assert {id(r) for r in plan[a]} <= {id(r) for r in plan[b]}


def _rewrite(src: str, dest: Path, *, rename: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """A real file with columns renamed or dropped (values untouched): shapes this copy lacks."""
    rows = rows_of(src)
    columns = [c for c in rows[0] if c not in drop]
    with dest.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([(rename or {}).get(c, c) for c in columns])
        for row in rows:
            writer.writerow([row[c] for c in columns])
    return dest


def test_an_external_file_scores_by_the_column_after_model_version(engine, tmp_path):
    path = _rewrite("mmlu_external.csv", tmp_path / "livebench_style.csv", rename={"EM": "Global average"})
    report = epoch.import_epoch(engine, [path], day=DAY)
    assert not report.failed and report.files[0].shape == "external"
    expected = best_per_model("mmlu_external.csv", "EM")
    assert board(engine, "livebench_style") == pytest.approx(expected)


def test_a_runs_file_without_run_dates_counts_from_its_first_snapshot(engine, tmp_path):
    path = _rewrite("gpqa_diamond.csv", tmp_path / "gpqa_nodates.csv", drop=("Started at",))
    epoch.import_epoch(engine, [path], day=DAY)
    assert board(engine, "gpqa_nodates", DAY - dt.timedelta(days=1)) == {}
    assert board(engine, "gpqa_nodates", DAY) == pytest.approx(best_per_model("gpqa_diamond.csv", "mean_score"))
