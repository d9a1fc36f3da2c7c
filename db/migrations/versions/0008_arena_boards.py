"""LMArena's boards as columnar rows: ``arena_ratings`` (one row per model) -> ``arena_boards``

One row per published board (board, category, publish date) with the models' ids and each
value as a little-endian array (int64 ids, float64 values, NaN where the source has none),
instead of one row per model: a full split of the dataset is about 5,500 boards instead of
1.2 M rows. Every stored row is converted (the downgrade converts back); a board whose rows
came from two sources cannot be one row and stops the upgrade with its key (the importers
never write one: a date is replaced whole).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:40:00
"""

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_VALUES = ("rating", "rating_lower", "rating_upper", "variance", "vote_count", "rank")


def _boards_table() -> sa.Table:
    return sa.Table(
        "arena_boards",
        sa.MetaData(),
        sa.Column("leaderboard_key", sa.String(length=60), primary_key=True),
        sa.Column("category", sa.String(length=60), primary_key=True),
        sa.Column("publish_date", sa.Date(), primary_key=True),
        sa.Column("models", sa.Integer()),
        sa.Column("model_ids", sa.LargeBinary()),
        *[sa.Column(name, sa.LargeBinary()) for name in _VALUES],
        sa.Column("source", sa.Text()),
    )


def _ratings_table() -> sa.Table:
    return sa.Table(
        "arena_ratings",
        sa.MetaData(),
        sa.Column("leaderboard_key", sa.String(length=60), primary_key=True),
        sa.Column("category", sa.String(length=60), primary_key=True),
        sa.Column("publish_date", sa.Date(), primary_key=True),
        sa.Column("model_id", sa.Integer(), primary_key=True),
        *[sa.Column(name, sa.Float()) for name in _VALUES],
        sa.Column("source", sa.Text()),
    )


def _create_ratings() -> None:
    op.create_table(
        "arena_ratings",
        sa.Column("leaderboard_key", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("publish_date", sa.Date(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=False),
        sa.Column("rating_lower", sa.Float(), nullable=True),
        sa.Column("rating_upper", sa.Float(), nullable=True),
        sa.Column("variance", sa.Float(), nullable=True),
        sa.Column("vote_count", sa.Float(), nullable=True),
        sa.Column("rank", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("leaderboard_key", "category", "publish_date", "model_id"),
    )


def _floats(values) -> bytes:
    return np.array([np.nan if v is None else v for v in values], dtype="<f8").tobytes()


def upgrade() -> None:
    op.create_table(
        "arena_boards",
        sa.Column("leaderboard_key", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("publish_date", sa.Date(), nullable=False),
        sa.Column("models", sa.Integer(), nullable=False),
        sa.Column("model_ids", sa.LargeBinary(), nullable=False),
        *[sa.Column(name, sa.LargeBinary(), nullable=False) for name in _VALUES],
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("leaderboard_key", "category", "publish_date"),
    )
    conn = op.get_bind()
    old, new = _ratings_table(), _boards_table()
    key_cols = (old.c.leaderboard_key, old.c.category, old.c.publish_date)
    query = sa.select(*key_cols, old.c.model_id, *[old.c[n] for n in _VALUES], old.c.source).order_by(
        *key_cols, old.c.model_id
    )
    batch: list[dict] = []
    board: list = []
    key = None

    def flush() -> None:
        if not board:
            return
        sources = {row[-1] for row in board}
        if len(sources) > 1:
            raise RuntimeError(
                f"arena_ratings: the board {key} has rows from {len(sources)} sources; "
                "keep one source per board before upgrading"
            )
        values = {"models": len(board), "model_ids": np.array([r[3] for r in board], dtype="<i8").tobytes()}
        for at, name in enumerate(_VALUES, start=4):
            values[name] = _floats([r[at] for r in board])
        batch.append(
            {"leaderboard_key": key[0], "category": key[1], "publish_date": key[2], "source": sources.pop(), **values}
        )
        board.clear()
        if len(batch) >= 500:
            conn.execute(new.insert(), batch)
            batch.clear()

    # Streamed: a full split is over a million rows, never held at once (psycopg buffers otherwise).
    for row in conn.execute(query.execution_options(yield_per=5000)):
        if tuple(row[:3]) != key:
            flush()
            key = tuple(row[:3])
        board.append(tuple(row))
    flush()
    if batch:
        conn.execute(new.insert(), batch)
    op.drop_table("arena_ratings")


def downgrade() -> None:
    _create_ratings()
    conn = op.get_bind()
    old, new = _ratings_table(), _boards_table()
    # The old table's foreign key: an id whose model row is gone (its cascade would have removed
    # the row) is left out rather than refused.
    known = set(conn.execute(sa.select(sa.table("models", sa.column("id")).c.id)).scalars())
    for row in conn.execute(sa.select(new).execution_options(yield_per=200)).mappings():
        ids = np.frombuffer(row["model_ids"], dtype="<i8")
        columns = {name: np.frombuffer(row[name], dtype="<f8") for name in _VALUES}
        rows = []
        for i, model_id in enumerate(ids.tolist()):
            if model_id not in known:
                continue
            item = {
                "leaderboard_key": row["leaderboard_key"],
                "category": row["category"],
                "publish_date": row["publish_date"],
                "model_id": model_id,
                "source": row["source"],
            }
            for name, values in columns.items():
                value = float(values[i])
                item[name] = None if np.isnan(value) else value
            rows.append(item)
        if rows:
            conn.execute(old.insert(), rows)
    op.drop_table("arena_boards")
