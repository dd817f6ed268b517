"""users list by location: an index of each location's users; users' email index covers ids

The users list filtered by location walks users in email order and asks, per user, "is
this one in the location?". Through the primary key that question read the profile row
itself (its settings make it large: a page read per user), and a location's users were
found through (location_id, extension) and then the rows too. (location_id, user_id)
answers both from the index alone, and a location's entries lie together, so the per-user
probes stay within a small, warm part of it.

A page's ids are found before its rows (callshift.db.people_filters). On SQLite the
(org_id, email) index holds the id already (users is WITHOUT ROWID); on PostgreSQL it gets
the id as an INCLUDE column, so the walk down the email order is index-only there too
instead of a heap read per user.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_index(
        "ix_calling_profiles_location_user",
        "calling_profiles",
        ["location_id", "user_id"],
        unique=False,
    )
    if _postgresql():
        op.drop_index("ix_users_org_email", table_name="users")
        op.create_index(
            "ix_users_org_email",
            "users",
            ["org_id", "email"],
            unique=False,
            postgresql_include=["id"],
        )


def downgrade() -> None:
    if _postgresql():
        op.drop_index("ix_users_org_email", table_name="users")
        op.create_index("ix_users_org_email", "users", ["org_id", "email"], unique=False)
    op.drop_index("ix_calling_profiles_location_user", table_name="calling_profiles")
