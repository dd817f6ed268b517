"""job items stored by batch

A job takes its items a batch at a time and marks each batch's items done with one
UPDATE. A CSV import's items are written in file order, but its batches are ranges of
user ids (for the users' sake), so in a table kept in (job_id, seq) order a batch's items
lay all over it and each batch's commit rewrote pages across the whole job (about 2 s of
a 100,000-row import). With (job_id, batch_no, seq) as the primary key, and on SQLite the
table stored in that key, a batch's items are neighbours. The (job_id, seq) order the
item lists page through stays, as a unique index; the old batch index is the key's prefix.

batch_no never changes once an item is written, so it can be part of the key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _rekey(columns: list[str], without_rowid: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    kwargs = (
        {"recreate": "always", "table_kwargs": {"sqlite_with_rowid": not without_rowid}}
        if sqlite
        else {}
    )
    with op.batch_alter_table("job_items", **kwargs) as batch_op:
        batch_op.drop_constraint("pk_job_items", type_="primary")
        batch_op.create_primary_key("pk_job_items", columns)


def upgrade() -> None:
    op.drop_index("ix_job_items_batch", table_name="job_items")
    _rekey(["job_id", "batch_no", "seq"], without_rowid=True)
    op.create_index("ux_job_items_seq", "job_items", ["job_id", "seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_job_items_seq", table_name="job_items")
    _rekey(["job_id", "seq"], without_rowid=False)
    op.create_index("ix_job_items_batch", "job_items", ["job_id", "batch_no"], unique=False)
