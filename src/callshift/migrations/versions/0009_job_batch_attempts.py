"""job batches count their failed attempts

A batch whose handler raises is rolled back whole; the runner then records the attempt
in a transaction of its own (the batch's was rolled back with the work), so a bounded
number of tries survives a restart and another worker sees the same count. ``retry_at``
is the backoff: until then the batch is not claimed and runners take other jobs' batches.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_error", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_batches", schema=None) as batch_op:
        batch_op.drop_column("retry_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
