"""sign-in throttles: wrong-password counts per account and per client address

One row per key ("account:EMAIL" or "address:IP"): the failures in the current run, the
last one, and until when the key is refused (exponential backoff, bounded; see
domain/signin_throttle.py). Kept in the database so that every server process and a
restart see the same counts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_throttles",
        sa.Column("key", sa.String(length=400), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("signin_throttles")
