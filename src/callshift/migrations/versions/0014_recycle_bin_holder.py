"""a recycle-bin entry says whose profile it holds: a person's or a workspace's, and its name

A deleted workspace's row is gone, so its entry must carry what the bin shows of it; entries
made before this revision take the kind and name of their holder where it still exists, and
a deleted workspace's entry is known by its reason.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recycle_bin") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="person")
        )
        batch_op.add_column(
            sa.Column("name", sa.String(length=400), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE recycle_bin SET"
        " kind = COALESCE((SELECT u.kind FROM users u WHERE u.id = recycle_bin.user_id), kind),"
        " name = COALESCE("
        "(SELECT u.display_name FROM users u WHERE u.id = recycle_bin.user_id), name)"
    )
    op.execute("UPDATE recycle_bin SET kind = 'workspace' WHERE reason = 'workspace.deleted'")


def downgrade() -> None:
    with op.batch_alter_table("recycle_bin") as batch_op:
        batch_op.drop_column("name")
        batch_op.drop_column("kind")
