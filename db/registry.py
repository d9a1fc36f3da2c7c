"""What the database keeps of the board registry (:mod:`core.boards`): the ``leaderboards`` and
``benchmarks`` rows, and the benchmarks of dynamic boards, registered from data at import.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine, select

from core.boards import LEADERBOARDS, BenchmarkDef, LeaderboardDef, benchmark_values, leaderboard_def, task_of
from db.schema import Benchmark, Leaderboard


def ensure_registry(engine: Engine) -> None:
    """Insert or update the registered leaderboards and benchmarks (idempotent)."""
    with engine.begin() as conn:
        existing_lb = {row.key: row for row in conn.execute(select(Leaderboard.__table__))}
        existing_bm = {(row.leaderboard_key, row.key): row for row in conn.execute(select(Benchmark.__table__))}
        lb_table = Leaderboard.__table__
        bm_table = Benchmark.__table__
        for position, lb in enumerate(LEADERBOARDS):
            values = {
                "display_name": lb.display_name,
                "description": lb.description,
                "url": lb.url,
                "main_benchmark": lb.main_benchmark,
                "position": position,
            }
            current = existing_lb.get(lb.key)
            if current is None:
                conn.execute(lb_table.insert().values(key=lb.key, **values))
            elif any(getattr(current, k) != v for k, v in values.items()):
                conn.execute(lb_table.update().where(lb_table.c.key == lb.key).values(**values))
            for bpos, bm in enumerate(lb.benchmarks):
                bvalues = {
                    **benchmark_values(bm),
                    "position": bpos,
                }
                bcur = existing_bm.get((lb.key, bm.key))
                if bcur is None:
                    conn.execute(bm_table.insert().values(leaderboard_key=lb.key, key=bm.key, **bvalues))
                elif any(getattr(bcur, k) != v for k, v in bvalues.items()):
                    conn.execute(
                        bm_table.update()
                        .where(bm_table.c.leaderboard_key == lb.key, bm_table.c.key == bm.key)
                        .values(**bvalues)
                    )
        from db.arena import ensure_categories

        ensure_categories(conn)


def stored_board_def(conn, key: str) -> LeaderboardDef:
    """The board ``key`` with its benchmarks; a dynamic board's are read from the ``benchmarks`` table."""
    lb = leaderboard_def(key)
    if not lb.dynamic:
        return lb
    rows = conn.execute(
        select(Benchmark.__table__)
        .where(Benchmark.__table__.c.leaderboard_key == key)
        .order_by(Benchmark.__table__.c.position, Benchmark.__table__.c.key)
    ).all()
    benches = tuple(
        BenchmarkDef(
            r.key,
            r.display_name,
            r.task_group,
            r.description,
            scale=r.scale,
            higher_is_better=r.higher_is_better,
            min_value=r.min_value,
            max_value=r.max_value,
        )
        for r in rows
    )
    if not benches:  # nothing imported yet: the main benchmark, so that queries answer "no rows"
        benches = (BenchmarkDef(lb.main_benchmark, lb.main_benchmark, task_of(lb.main_benchmark), ""),)
    main = lb.main_benchmark if any(b.key == lb.main_benchmark for b in benches) else benches[0].key
    return replace(lb, benchmarks=benches, main_benchmark=main)


def register_benchmarks(conn, key: str, benches: list[BenchmarkDef]) -> int:
    """Insert or update benchmarks of the dynamic board ``key`` (found in data); returns how many changed."""
    table = Benchmark.__table__
    existing = {r.key: r for r in conn.execute(select(table).where(table.c.leaderboard_key == key))}
    changed = 0
    for bm in benches:
        values = benchmark_values(bm)
        current = existing.get(bm.key)
        if current is None:
            conn.execute(table.insert().values(leaderboard_key=key, key=bm.key, position=len(existing), **values))
            existing[bm.key] = bm
            changed += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            conn.execute(table.update().where(table.c.leaderboard_key == key, table.c.key == bm.key).values(**values))
            changed += 1
    return changed
