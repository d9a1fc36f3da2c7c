"""Which board snapshot's facts a model row shows: its newest listing, whatever the import order.

The row records the listing that last *changed* it (unchanged facts are not rewritten every
day), so the newest listing is read from the score history; these properties check that the
result is still the newest listing's facts for any order, across boards, with repeats.
"""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db import writes
from db.engine import make_engine, upgrade_schema
from db.records import BoardEntry, ModelFacts
from db.schema import Model

V1, V2, ARENA = "open-llm-leaderboard-v1", "open-llm-leaderboard-v2", "lmarena"
PRIORITY = {V2: 3, V1: 2, ARENA: 1}  # ties on one date: v2's facts, then v1's
BENCH = {V1: "average", V2: "average", ARENA: "arena_score"}
DAYS = [dt.date(2024, 3, d) for d in range(1, 7)]
REPOS = ["a/x", "b/y"]


def apply(engine, board: str, day: dt.date, listing: dict[str, tuple[float, str]]) -> None:
    entries = [
        BoardEntry(facts=ModelFacts(repo_id=repo, architecture=arch), scores={BENCH[board]: score})
        for repo, (score, arch) in listing.items()
    ]
    with engine.begin() as conn:
        index, _, _ = writes.upsert_models(conn, [e.facts for e in entries], source=board, as_of=day, board=True)
        writes.apply_snapshot(conn, board, day, entries, model_index=index, run_id=None, source_file=None, sha256=None)


def expected(snapshots: dict[tuple[str, dt.date], dict[str, tuple[float, str]]]) -> dict[str, str]:
    """Each repo's architecture from its newest listing: greatest (date, board priority)."""
    best: dict[str, tuple[tuple[dt.date, int], str]] = {}
    for (board, day), listing in snapshots.items():
        for repo, (_, arch) in listing.items():
            key = (day, PRIORITY[board])
            if repo not in best or key > best[repo][0]:
                best[repo] = (key, arch)
    return {repo: arch for repo, (_, arch) in best.items()}


snapshots_strategy = st.dictionaries(
    st.tuples(st.sampled_from([V1, V2, ARENA]), st.sampled_from(DAYS)),
    st.dictionaries(
        st.sampled_from(REPOS),
        st.tuples(st.sampled_from([1.0, 2.0]), st.sampled_from(["Llama", "Mistral", "Qwen2"])),
        max_size=2,
    ),
    min_size=1,
    max_size=9,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(snapshots=snapshots_strategy, order_seed=st.integers(0, 10_000), repeat=st.booleans())
def test_the_newest_listing_gives_the_facts_in_any_order(tmp_path_factory, snapshots, order_seed, repeat):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('facts') / 'f.db'}")
    upgrade_schema(engine)
    order = list(snapshots)
    random.Random(order_seed).shuffle(order)
    if repeat:  # some snapshots imported again, possibly after newer ones
        order += order[: len(order) // 2]
    for board, day in order:
        apply(engine, board, day, snapshots[(board, day)])
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Model.repo_id, Model.architecture)).all())
    engine.dispose()
    assert {repo: arch for repo, arch in stored.items() if repo in expected(snapshots)} == expected(snapshots)


def test_unchanged_facts_are_not_rewritten_but_still_win(engine):
    """Day 1-3 on v2 with the same facts, then a v1 snapshot of day 2 says otherwise: v2's day 3 wins."""
    for day in DAYS[:3]:
        apply(engine, V2, day, {"a/x": (1.0, "Llama")})
    with engine.connect() as conn:
        row = conn.execute(select(Model.board_facts_source, Model.board_facts_as_of)).one()
    # Days 2 and 3 changed nothing: the row still names the listing that set its facts.
    assert tuple(row) == (V2, DAYS[0])
    apply(engine, V1, DAYS[1], {"a/x": (1.0, "Mistral")})
    apply(engine, ARENA, DAYS[2], {"a/x": (1.0, "Qwen2")})
    with engine.connect() as conn:
        assert conn.execute(select(Model.architecture)).scalar() == "Llama"
    # A newer listing on another board does win, and the row says so.
    apply(engine, ARENA, DAYS[3], {"a/x": (1.0, "Qwen2")})
    with engine.connect() as conn:
        assert tuple(conn.execute(select(Model.architecture, Model.board_facts_source)).one()) == ("Qwen2", ARENA)


def test_an_id_and_its_alias_in_one_file_give_the_first_rows_facts(tmp_path):
    """Two ids of one model on one board: the first row's facts, with or without the series cache."""
    from ingest.formats import ParsedFile
    from ingest.loader import import_parsed

    outcomes = []
    for use_cache in (True, False):
        engine = make_engine(f"sqlite:///{tmp_path / f'alias-{use_cache}.db'}")
        upgrade_schema(engine)
        with engine.begin() as conn:
            index, _, _ = writes.upsert_models(
                conn, [ModelFacts(repo_id="a/x")], source="seed", as_of=None, board=False
            )
            writes.add_alias(conn, index["a/x"], "a/old", "renamed on the Hub")
        cache = writes.ApplyCache() if use_cache else None
        seen = []
        # Day 2, day 2 again with other content, then day 3: "a/x" always first.
        for day, sha in [(DAYS[1], "one"), (DAYS[1], "two"), (DAYS[2], "three")]:
            entries = [
                BoardEntry(facts=ModelFacts(repo_id="a/x", architecture="Qwen2"), scores={"average": 1.0}),
                BoardEntry(facts=ModelFacts(repo_id="a/old", architecture="Mistral"), scores={"average": 1.0}),
            ]
            parsed = ParsedFile(path="f.csv", format="test", leaderboard=V2, sha256=sha, rows_read=2, entries=entries)
            parsed.keys = [("a/x", ""), ("a/old", "")]
            import_parsed(engine, parsed, day, None, cache=cache)
            with engine.connect() as conn:
                seen.append(conn.execute(select(Model.architecture)).scalar())
        engine.dispose()
        outcomes.append(seen)
    assert outcomes == [["Qwen2"] * 3, ["Qwen2"] * 3]
