"""job items: an index of failed items instead of one of every status

The (job_id, status, seq) index cost every item two index writes (created pending, then
moved) for one use: listing a job's failed items. Worse, SQLite chose it for "this
batch's pending items", walking every pending item of the job for each batch. A partial
index holds only the failed items, which are the ones listed by status.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FAILED = sa.text("status = 'failed'")


def upgrade() -> None:
    with op.batch_alter_table("job_items", schema=None) as batch_op:
        batch_op.drop_index("ix_job_items_status")
    op.create_index(
        "ix_job_items_failed",
        "job_items",
        ["job_id", "seq"],
        unique=False,
        sqlite_where=FAILED,
        postgresql_where=FAILED,
    )


def downgrade() -> None:
    op.drop_index("ix_job_items_failed", table_name="job_items")
    with op.batch_alter_table("job_items", schema=None) as batch_op:
        batch_op.create_index("ix_job_items_status", ["job_id", "status", "seq"], unique=False)
