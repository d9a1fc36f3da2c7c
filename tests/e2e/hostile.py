"""A model whose name and license carry markup, put on a copy of the seeded database."""

from __future__ import annotations

# Names from strangers: an Arena-style display id and a license that both carry markup.
EVIL_ID = "evil/<img src=x onerror=alert(1)>"
EVIL_LICENSE = "<script>alert(2)</script>"


def add_evil_model(url: str) -> None:
    """Put a model with markup in its name and license at the top of the Arena board."""
    from core.boards import LMARENA
    from db import queries, writes
    from db.engine import make_engine
    from db.records import BoardEntry, ModelFacts

    eng = make_engine(url)
    with eng.begin() as conn:
        day = queries.snapshot_dates(conn, LMARENA)[-1]
        current = queries.board_entries(conn, LMARENA, day)
        names = queries.models_frame(conn, current["model_pk"].tolist()).set_index("model_pk")["repo_id"]
        benches = ["arena_score", "votes", "ci_plus", "ci_minus"]
        entries = [
            BoardEntry(
                facts=ModelFacts(repo_id=names[row.model_pk]),
                variant=row.variant,
                scores={b: float(getattr(row, b)) for b in benches if getattr(row, b) == getattr(row, b)},
            )
            for row in current.itertuples(index=False)
        ]
        evil = BoardEntry(
            facts=ModelFacts(
                repo_id=EVIL_ID,
                org="<b>evil</b>",
                license=EVIL_LICENSE,
                license_category="custom",
                params_b=1.5,
                params_source="lmarena",
            ),
            scores={"arena_score": 1600.0, "votes": 12.0},
        )
        index = writes.load_model_index(conn)
        index, _, _ = writes.upsert_models(conn, [evil.facts], source=LMARENA, as_of=day, board=True, index=index)
        writes.apply_snapshot(
            conn, LMARENA, day, [*entries, evil], model_index=index, run_id=None, source_file=None, sha256=None
        )
    eng.dispose()
