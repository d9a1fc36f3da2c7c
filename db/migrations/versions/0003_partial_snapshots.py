"""partial snapshots: snapshots.is_partial and the rows a partial snapshot lists

A snapshot whose entry count falls far below its neighbours' (db.history.partial_flags) is
partial: entries absent from it are carried, not closed. ``partial_rows`` keeps the
(model id, variant) rows such a snapshot lists, so that it can be planned again when a later
import changes its flag. Existing rows start as full; the next import of a board (or
``ingest init``) sets the flags and repairs the history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 07:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_partial", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("partial_rows", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.drop_column("partial_rows")
        batch_op.drop_column("is_partial")
