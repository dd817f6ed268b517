"""A job's items (one per user or CSV row) and batches: the statements the job handlers run.

A batch is read and written by ``(job_id, batch_no, status)``, the job_items index, not by
lists of user ids: the database drives the statement from the batch's rows, and nothing of
a batch of 5,000 users travels as parameters. These paths are benchmarked at 100,000 and
1,000,000 users (benchmarks/bulk_move.py, benchmarks/template_apply.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, literal, select, update
from sqlalchemy.engine import Connection

from . import batch_reads as reads
from . import tables as t
from .bulk_insert import insert_rows
from .rows import AnyRow

ji = t.job_items

ITEM_COLS = (
    "job_id",
    "seq",
    "batch_no",
    "user_id",
    "email",
    "status",
    "error_code",
    "message",
    "payload",
)


def batch_users(job_id: str, batch_no: int, status: str = "pending"):
    """The users of the batch's items with ``status``, as a subquery (for an ``IN``)."""
    return select(ji.c.user_id).where(
        ji.c.job_id == job_id, ji.c.batch_no == batch_no, ji.c.status == status
    )


def mark_items(conn: Connection, job_id: str, rows: list[dict]) -> None:
    """Each row's outcome on its item: ``{"_seq", "_status", "_code", "_message"}``
    (one executemany)."""
    if rows:
        conn.execute(
            update(ji)
            .where(ji.c.job_id == job_id, ji.c.seq == bindparam("_seq"))
            .values(
                status=bindparam("_status"),
                error_code=bindparam("_code"),
                message=bindparam("_message"),
            ),
            rows,
        )


def note_items(conn: Connection, job_id: str, notes: list[dict]) -> None:
    """A message on items whose status stays (a rollback that left the row):
    ``{"_seq", "_message"}``."""
    if notes:
        conn.execute(
            update(ji)
            .where(ji.c.job_id == job_id, ji.c.seq == bindparam("_seq"))
            .values(message=bindparam("_message")),
            notes,
        )


def settle_batch(conn: Connection, job_id: str, batch_no: int, status: str) -> None:
    """The batch's items still pending, every other one marked by now, get ``status``."""
    conn.execute(
        update(ji)
        .where(ji.c.job_id == job_id, ji.c.batch_no == batch_no, ji.c.status == "pending")
        .values(status=status)
    )


def settle_users(
    conn: Connection, job_id: str, batch_no: int, was: str, status: str, user_ids: list[str]
) -> None:
    """The batch's items of ``user_ids`` in status ``was`` get ``status``."""
    conn.execute(
        update(ji)
        .where(
            ji.c.job_id == job_id,
            ji.c.batch_no == batch_no,
            ji.c.status == was,
            ji.c.user_id.in_(user_ids),
        )
        .values(status=status)
    )


def settle_seqs(conn: Connection, job_id: str, seqs: Sequence[int], status: str) -> None:
    """Items by seq get ``status``; the seqs go as one array (PostgreSQL) or chunked
    ``IN`` lists (SQLite) through the driver (batch_reads.run_in)."""
    reads.run_in(
        conn,
        "UPDATE job_items SET status = {p} WHERE job_id = {p} AND seq {in}",
        seqs,
        status,
        job_id,
    )


def items_in(conn: Connection, job_id: str, batch_no: int, status: str) -> list[tuple[int, str]]:
    """(seq, user id) of the batch's items with ``status``."""
    return [
        (r.seq, r.user_id)
        for r in conn.execute(
            select(ji.c.seq, ji.c.user_id).where(
                ji.c.job_id == job_id, ji.c.batch_no == batch_no, ji.c.status == status
            )
        )
    ]


# no ORDER BY: on SQLite it makes the plan walk the job's primary key (every item of the
# job, for each batch) instead of the batch index; the caller sorts the few thousand rows
BATCH_STATE = (
    "SELECT ji.seq, ji.user_id, {item}, (SELECT {agg} FROM user_licences ul WHERE "
    "ul.user_id = ji.user_id) FROM job_items ji WHERE ji.job_id = {p} AND ji.batch_no = {p} "
    "AND ji.status = 'pending'"
)


def batch_rows(conn: Connection, job_id: str, batch_no: int, lean: bool = False):
    """The batch's pending items in seq order, in one statement driven by job_items (no list
    of ids to send): (seq, user id, email, payload text, licences held or None for a user
    gone); ``lean``: without the email and payload (None). Users alike share one frozenset
    of licences."""
    shared = reads.Holdings()
    sql = BATCH_STATE.format(
        p=reads.mark(conn),
        agg=reads.agg(conn, "ul.licence_id"),
        item="NULL, NULL" if lean else "ji.email, CAST(ji.payload AS TEXT)",
    )
    rows = sorted(reads.raw_rows(conn, sql, (job_id, batch_no)))
    # a user holding licences exists; only those holding none are looked up (a probe of the
    # users table for every item cost a tenth of the read)
    bare = [uid for _, uid, _, _, lids in rows if not lids]
    exists = set(reads.users_by_id(conn, bare)) if bare else set()
    return [
        (seq, uid, email, text, shared[lids] if lids else frozenset() if uid in exists else None)
        for seq, uid, email, text, lids in rows
    ]


def batch_holdings(
    conn: Connection, job_id: str, batch_no: int, wanted: list[str]
) -> list[tuple[int, str, frozenset[str]]]:
    """(seq, user id, the ``wanted`` licences the user holds) for the batch's pending items,
    in seq order, in one read driven by the batch index: a row per user, users alike
    sharing one set."""
    p = reads.mark(conn)
    # SQLite: a unary + keeps the licence column out of the plan, so each user's few rows
    # are read by the key's user_id prefix instead of one probe per wanted licence
    plus = "+" if conn.dialect.name == "sqlite" else ""
    sql = (
        f"SELECT ji.seq, ji.user_id, (SELECT {reads.agg(conn, 'ul.licence_id')} "
        f"FROM user_licences ul WHERE ul.user_id = ji.user_id AND {plus}ul.licence_id IN "
        f"({', '.join([p] * len(wanted))})) FROM job_items ji WHERE ji.job_id = {p} "
        f"AND ji.batch_no = {p} AND ji.status = 'pending'"
    )
    shared = reads.Holdings()
    return sorted(
        (seq, uid, shared[lids or ""])
        for seq, uid, lids in reads.raw_rows(conn, sql, (*wanted, job_id, batch_no))
    )


def insert_items(conn: Connection, rows: Iterable[Sequence[Any]]) -> int:
    """Items as tuples in ITEM_COLS order, streamed in (COPY on PostgreSQL, a driver
    executemany on SQLite: a 1,000,000-row file's items are never a list)."""
    return insert_rows(conn, ji, ITEM_COLS, rows)


def insert_selected_users(conn: Connection, job_id: str, users, batch_size: int) -> None:
    """One pending item per user of ``users`` (a subquery of user ids), in one INSERT …
    SELECT. Seqs and batches follow user-id order: each batch rewrites a contiguous run of
    index pages, not pages all over the table, so its commit writes far less."""
    rank = func.row_number().over(order_by=t.users.c.id) - 1
    ranked = select(
        literal(job_id),
        rank,
        rank // batch_size,
        t.users.c.id,
        t.users.c.email,
        literal("pending"),
    ).where(t.users.c.id.in_(users))
    conn.execute(
        insert(ji).from_select(["job_id", "seq", "batch_no", "user_id", "email", "status"], ranked)
    )


def changes_page(conn: Connection, job_id: str, after_seq: int, limit: int) -> Sequence[AnyRow]:
    """A page of items that carry a payload (the rows a preview changes or refuses), from
    ``after_seq`` on: rows with seq, email, status, message, payload."""
    return conn.execute(
        select(ji.c.seq, ji.c.email, ji.c.status, ji.c.message, ji.c.payload)
        .where(ji.c.job_id == job_id, ji.c.seq >= after_seq, ji.c.payload.is_not(None))
        .order_by(ji.c.seq)
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class PreviewCounts:
    total: int
    skipped: int
    failed: int


def save_preview_counts(
    conn: Connection, job_id: str, counts: PreviewCounts, params: dict | None = None
) -> None:
    """A saved preview's job row: status *preview*, its counts, and (when given) its
    parameters (a CSV import's carry the kinds' bodies the items point at), once the items
    are written."""
    values: dict = {
        "status": "preview",
        "total": counts.total,
        "skipped": counts.skipped,
        "failed": counts.failed,
    }
    if params is not None:
        values["params"] = params
    conn.execute(update(t.jobs).where(t.jobs.c.id == job_id).values(**values))
