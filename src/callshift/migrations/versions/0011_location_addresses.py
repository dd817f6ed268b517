"""locations carry what Webex's locations API returns; an organisation's numbers in order

``GET /v1/locations`` answers each location's postal address, time zone, email language and
phone announcement language (wxc-sdk's ``Location``, Webex's ``PostCommonLocationObject``);
they cannot be derived, so they are stored. Nullable: a location made before this revision
has none, and the API leaves out what it does not know rather than inventing it.

``GET /v1/telephony/config/numbers`` pages an organisation's profiles in owner (user id)
order. Without (org_id, user_id) the planners found the organisation's rows through
(org_id, phone_number) and sorted them all for every page: 2.5 s a page of 2000 at 100,000
users on SQLite. With it a page is a walk along the index.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = (
    ("address1", 200),
    ("address2", 200),
    ("city", 100),
    ("state", 100),
    ("postal_code", 32),
    ("country", 2),
    ("time_zone", 64),
    ("preferred_language", 16),
    ("announcement_language", 16),
)


def upgrade() -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.create_index(
        "ix_calling_profiles_org_user", "calling_profiles", ["org_id", "user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_calling_profiles_org_user", table_name="calling_profiles")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
