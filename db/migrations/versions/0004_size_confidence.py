"""size confidence and inherited licenses on models

Every parameter count gets a confidence (exact, corrected, board-decimal, floor, name,
doubtful: see db/facts.py) and a note saying why; a repo that states no license shows its
base model's, marked as inherited. All nullable: rows written before this migration get
their values from the next size review (``python -m ingest review`` or any import).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 08:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params_confidence", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("params_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("license_inherited", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("license_inherited_from", sa.String(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_column("license_inherited_from")
        batch_op.drop_column("license_inherited")
        batch_op.drop_column("params_note")
        batch_op.drop_column("params_confidence")
