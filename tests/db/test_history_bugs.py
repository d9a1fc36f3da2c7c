"""Issue 10's two bugs in the history writes, on a real database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db import queries, writes
from db.records import BoardEntry, ModelFacts
from db.schema import Model, ModelFact, Score

V1 = "open-llm-leaderboard-v1"
D = [dt.date(2024, 1, d) for d in range(1, 6)]


def apply(engine, day, values):
    entries = [BoardEntry(facts=ModelFacts(repo_id=repo), scores={"average": v}) for repo, v in values.items()]
    with engine.begin() as conn:
        index, _, _ = writes.upsert_models(conn, [e.facts for e in entries], source=V1, as_of=day, board=True)
        writes.apply_snapshot(conn, V1, day, entries, model_index=index, run_id=None, source_file=None, sha256=None)


def scores_of(engine, repo):
    with engine.connect() as conn:
        rows = conn.execute(
            select(Score.value, Score.valid_from, Score.valid_to)
            .join(Model, Model.id == Score.model_id)
            .where(Model.repo_id == repo, Score.benchmark_key == "average")
        ).all()
    return sorted((tuple(r) for r in rows), key=lambda r: r[1])


def test_rename_onto_an_id_that_has_rows_leaves_one_history(engine):
    # Both ids listed on the same days (the board showed the repo under its old and new name).
    apply(engine, D[0], {"old-org/x": 10.0, "new-org/x": 11.0, "c/z": 1.0})
    apply(engine, D[1], {"old-org/x": 10.0, "new-org/x": 11.0, "c/z": 1.0})
    apply(engine, D[2], {"old-org/x": 10.0, "c/z": 1.0})
    with engine.begin() as conn:
        index = writes.load_model_index(conn)
        writes.rename_model(conn, "old-org/x", "new-org/x", index, "renamed on the Hub")
    # The new id's own scores win on the days both were listed; the old id's fill the rest.
    assert scores_of(engine, "new-org/x") == [(11.0, D[0], D[2]), (10.0, D[2], None)]
    apply(engine, D[3], {"new-org/x": 12.0, "c/z": 1.0})
    apply(engine, D[4], {"c/z": 1.0})
    history = scores_of(engine, "new-org/x")
    assert history == [(11.0, D[0], D[2]), (10.0, D[2], D[3]), (12.0, D[3], D[4])]
    with engine.connect() as conn:
        assert queries.board(conn, V1, D[1])["model_id"].tolist() == ["new-org/x", "c/z"]
        assert queries.board(conn, V1, None)["model_id"].tolist() == ["c/z"]


def test_the_same_fact_twice_in_one_call_is_stored_once(engine):
    apply(engine, D[0], {"a/x": 1.0})
    with engine.begin() as conn:
        model_id = writes.load_model_index(conn)["a/x"]
        rows = [(model_id, "knowledge_cutoff", "2023-04"), (model_id, "knowledge_cutoff", "2023-09")]
        writes.upsert_facts(conn, rows, source="seed", as_of=None)
        # And again, with the row stored: the later value wins, still one row.
        writes.upsert_facts(conn, [*rows, (model_id, "knowledge_cutoff", "2023-10")], source="seed", as_of=None)
    with engine.connect() as conn:
        facts = conn.execute(select(ModelFact.field, ModelFact.value).where(ModelFact.model_id == model_id)).all()
    assert [tuple(f) for f in facts] == [("knowledge_cutoff", "2023-10")]
