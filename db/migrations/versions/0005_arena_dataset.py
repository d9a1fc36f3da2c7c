"""LMArena's leaderboard dataset: per-category ratings, and board names -> Hub repo ids

``arena_ratings`` keeps every row of ``lmarena-ai/leaderboard-dataset`` as published (a model
in one category on one publish date, with the Arena's own rank, interval and vote count);
``board_aliases`` maps a board's display names to Hub repo ids (``data/aliases/*.csv``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_aliases",
        sa.Column("leaderboard_key", sa.String(length=60), nullable=False),
        sa.Column("name_lower", sa.String(length=400), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("hub_id", sa.String(length=400), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("leaderboard_key", "name_lower"),
    )
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


def downgrade() -> None:
    op.drop_table("arena_ratings")
    op.drop_table("board_aliases")
