"""score provenance: where each score of the hub-evals and epoch boards comes from

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 07:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "score_provenance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leaderboard_key", sa.String(length=60), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=300), nullable=False),
        sa.Column("benchmark_key", sa.String(length=60), nullable=False),
        sa.Column("provenance", sa.String(length=20), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("stderr", sa.Float(), nullable=True),
        sa.Column("log_url", sa.Text(), nullable=True),
        sa.Column("run_date", sa.Date(), nullable=True),
        sa.Column("task_id", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["leaderboard_key"], ["leaderboards.key"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("leaderboard_key", "model_id", "variant", "benchmark_key"),
    )
    with op.batch_alter_table("score_provenance", schema=None) as batch_op:
        batch_op.create_index("ix_score_provenance_model", ["model_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("score_provenance", schema=None) as batch_op:
        batch_op.drop_index("ix_score_provenance_model")
    op.drop_table("score_provenance")
