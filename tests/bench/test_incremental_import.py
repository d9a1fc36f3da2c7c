"""A series import (row cache + apply cache) stores exactly what file-by-file imports store."""

from __future__ import annotations

import csv
import datetime as dt

from sqlalchemy import select

from bench.generate import generate
from db import writes
from db.engine import make_engine, upgrade_schema
from db.schema import Model, ModelFact, Score, Snapshot
from ingest.facts_review import review
from ingest.loader import import_files, import_one, plan_files

BOARD = "open-llm-leaderboard-v2"


def _dump(engine) -> dict:
    models = Model.__table__
    with engine.connect() as conn:
        ids = {r.id: r.repo_id for r in conn.execute(select(models.c.id, models.c.repo_id))}
        score_cols = [c for c in Score.__table__.c if c.name not in ("id", "model_id")]
        scores = sorted((ids[r[0]], *r[1:]) for r in conn.execute(select(Score.__table__.c.model_id, *score_cols)))
        model_cols = [c for c in models.c if c.name not in ("id", "hub_checked_at")]
        rows = sorted(tuple(r) for r in conn.execute(select(*model_cols)))
        facts = sorted(
            (ids[r.model_id], r.field, r.value, r.source, r.as_of) for r in conn.execute(select(ModelFact.__table__))
        )
        snaps = sorted((r.snapshot_date, r.entries, r.sha256) for r in conn.execute(select(Snapshot.__table__)))
    return {"scores": scores, "models": rows, "facts": facts, "snapshots": snaps}


def _churn(files) -> None:
    """Real-looking churn in a short series: rescores on one day, entries leaving for a day."""
    for i, path in enumerate(files):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        avg = header.index("model_average_score")
        if i == 2:
            for row in body[:6]:
                row[avg] = f"{min(100.0, float(row[avg]) + 1.5):.15g}"
        if i == 4:
            body = body[8:]
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows([header, *body])


def _fresh(path):
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    return engine


def test_series_import_equals_file_by_file_import(tmp_path, engine):
    """On every backend (PostgreSQL has no data_version: rows are read back instead)."""
    files = [p for p, _ in generate(tmp_path / "files", models=120, days=8, seed=5)]
    _churn(files)
    cached, plain = engine, _fresh(tmp_path / "plain.db")
    report = import_files(cached, BOARD, files, progress=False)
    assert [f.status for f in report.files] == ["imported"] * len(files)
    for day, path in plan_files(files, None):
        assert import_one(plain, BOARD, path, day).status == "imported"
    review(plain)  # import_files reviews sizes and licenses once at the end of a series
    a, b = _dump(cached), _dump(plain)
    assert a["scores"] == b["scores"]
    assert a["models"] == b["models"]
    assert a["facts"] == b["facts"]
    assert a["snapshots"] == b["snapshots"]
    # The series really changed over time: closed intervals exist.
    assert any(row[-1] is not None for row in a["scores"])


def test_a_write_from_another_connection_is_seen(tmp_path):
    files = [p for p, _ in generate(tmp_path / "files", models=60, days=6, seed=9)]
    _churn(files)
    plan = plan_files(files, None)
    cached, plain = _fresh(tmp_path / "cached.db"), _fresh(tmp_path / "plain.db")
    from ingest.formats import RowCache

    row_cache, apply_cache = RowCache(), writes.ApplyCache()
    for i, (day, path) in enumerate(plan):
        for engine in (cached, plain):
            if i == 2:
                # Someone else (another process) changes a model between two imports.
                other = make_engine(str(engine.url))
                with other.begin() as conn:
                    first = conn.execute(select(Model.__table__.c.id).order_by(Model.__table__.c.id)).scalar()
                    conn.execute(
                        Model.__table__.update()
                        .where(Model.__table__.c.id == first)
                        .values(architecture="Changed", board_facts_as_of=dt.date(2000, 1, 1))
                    )
                other.dispose()
        import_one(cached, BOARD, path, day, row_cache=row_cache, apply_cache=apply_cache)
        import_one(plain, BOARD, path, day)
    assert _dump(cached) == _dump(plain)
