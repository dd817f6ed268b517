"""workspaces hold licences as people do; locations may use a subscription's PSTN

A workspace is a row of ``users`` with ``kind = 'workspace'``: it holds licences in
``user_licences`` and a calling profile in ``calling_profiles`` exactly as a person does,
so every set-based path (bulk move, readiness, the cancellation guard, the recycle bin,
rollback) covers it without a second copy of its SQL. The users CSV, the people API and
templates keep to persons; their email index leads with the kind so a page of people is
still read from the index alone. What only a workspace has (type,
capacity, hot desking) is in ``workspace_details``. A location using Cisco's PSTN names
the subscription it hangs on.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="person"),
    )
    # people pages walk the persons of an organisation in email order, from the index alone
    op.drop_index("ix_users_org_email", table_name="users")
    op.create_index(
        "ix_users_org_email",
        "users",
        ["org_id", "kind", "email"],
        unique=False,
        postgresql_include=["id"],
    )
    # "did anything move lately?" before reading a whole selection's events (reversals)
    op.create_index("ix_audit_events_org_at", "audit_events", ["org_id", "at"], unique=False)
    op.create_table(
        "workspace_details",
        sa.Column(
            "user_id",
            sa.String(length=64),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("workspace_type", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("hotdesking", sa.String(length=8), nullable=False),
        sa.Column("supported_devices", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
    )
    # a plain ADD COLUMN (REFERENCES inline on SQLite): rebuilding locations would have to
    # drop a table every calling profile refers to
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE locations ADD COLUMN pstn_subscription_id VARCHAR(64) "
            "REFERENCES subscriptions (id)"
        )
    else:
        op.add_column("locations", sa.Column("pstn_subscription_id", sa.String(length=64)))
        op.create_foreign_key(None, "locations", "subscriptions", ["pstn_subscription_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("locations") as batch_op:
        batch_op.drop_column("pstn_subscription_id")
    op.drop_table("workspace_details")
    op.drop_index("ix_audit_events_org_at", table_name="audit_events")
    op.drop_index("ix_users_org_email", table_name="users")
    op.create_index(
        "ix_users_org_email", "users", ["org_id", "email"], unique=False, postgresql_include=["id"]
    )
    op.drop_column("users", "kind")
