"""model configs and quantised builds (for "will it run on my device?")

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_configs",
        sa.Column("repo_id_lower", sa.String(length=400), nullable=False),
        sa.Column("repo_id", sa.String(length=400), nullable=False),
        sa.Column("config_sha", sa.String(length=64), nullable=True),
        sa.Column("layers", sa.Integer(), nullable=True),
        sa.Column("heads", sa.Integer(), nullable=True),
        sa.Column("kv_heads", sa.Integer(), nullable=True),
        sa.Column("head_dim", sa.Integer(), nullable=True),
        sa.Column("hidden_size", sa.Integer(), nullable=True),
        sa.Column("max_context", sa.Integer(), nullable=True),
        sa.Column("sliding_window", sa.Integer(), nullable=True),
        sa.Column("dtype", sa.String(length=40), nullable=True),
        sa.Column("model_type", sa.String(length=100), nullable=True),
        sa.Column("derived", sa.JSON(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("repo_id_lower"),
    )
    op.create_table(
        "model_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_repo_lower", sa.String(length=400), nullable=False),
        sa.Column("build_repo_id", sa.String(length=400), nullable=False),
        sa.Column("file_name", sa.String(length=400), server_default="", nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("bits", sa.Float(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("gguf_total", sa.BigInteger(), nullable=True),
        sa.Column("gguf_architecture", sa.String(length=100), nullable=True),
        sa.Column("gguf_context_length", sa.Integer(), nullable=True),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("base_repo_lower", "build_repo_id", "file_name"),
    )
    with op.batch_alter_table("model_builds", schema=None) as batch_op:
        batch_op.create_index("ix_model_builds_base_repo_lower", ["base_repo_lower"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_builds", schema=None) as batch_op:
        batch_op.drop_index("ix_model_builds_base_repo_lower")
    op.drop_table("model_builds")
    op.drop_table("model_configs")
