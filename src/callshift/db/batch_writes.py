"""What a job batch that re-plans its users reads and marks beyond the grouped writes:
the licences it counts units on (locked), the items it applied, and for a rollback the
items a batch moved and the audit events that say what each move changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..domain.model import Licence
from . import batch_reads as reads
from . import tables as t
from .store import SqlStore


def locked_licences(conn: Connection, org_id: str) -> dict[str, Licence]:
    """The organisation's licences with fresh unit counts, locked first on PostgreSQL (a
    count read before the lock could be another job's stale one)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(t.licences.c.id).where(t.licences.c.org_id == org_id).with_for_update())
    return SqlStore(conn).licences(org_id)


def mark_items(conn: Connection, job_id: str, seqs: Sequence[int], status: str) -> None:
    """The job's items ``seqs`` get ``status``."""
    reads.run_in(
        conn,
        "UPDATE job_items SET status = {p} WHERE job_id = {p} AND seq {in}",
        list(seqs),
        status,
        job_id,
    )


def items_with_status(
    conn: Connection, job_id: str, batch_no: int, status: str
) -> list[tuple[int, str]]:
    """(seq, user id) of the batch's items in ``status``."""
    ji = t.job_items
    rows = conn.execute(
        select(ji.c.seq, ji.c.user_id).where(
            ji.c.job_id == job_id, ji.c.batch_no == batch_no, ji.c.status == status
        )
    )
    return [(seq, uid) for seq, uid in rows]


def job_events(
    conn: Connection, job_id: str, action: str, user_ids: Sequence[str]
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """User id -> (before, after) of the job's audit event ``action`` on that user."""
    ae = t.audit_events
    rows = conn.execute(
        select(ae.c.target_id, ae.c.before, ae.c.after).where(
            ae.c.target_id.in_(list(user_ids)),
            ae.c.action == action,
            ae.c.tracking_id == f"job:{job_id}",
        )
    )
    return {r.target_id: (r.before or {}, r.after or {}) for r in rows}
