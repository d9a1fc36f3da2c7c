"""index scores by (board, valid_to, valid_from)

The board "as of" a day over every benchmark, and the open intervals an import reads, were
found through (board, valid_from), which grows with the history; this index makes both a
range on valid_to.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 16:20:00
"""

from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index("ix_scores_board_to", ["leaderboard_key", "valid_to", "valid_from"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index("ix_scores_board_to")
