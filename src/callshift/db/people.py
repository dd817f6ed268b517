"""Users' last-modified time, stamped by the jobs that change many users at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Connection

from . import batch_reads as reads
from . import tables as t
from .bulk_insert import driver_ts
from .job_items import batch_users


def touch_batch(conn: Connection, job_id: str, batch_no: int, now: datetime) -> None:
    """The batch's pending users modified at ``now``: one statement driven by the batch's
    items (no list of ids to send)."""
    conn.execute(
        update(t.users)
        .where(t.users.c.id.in_(batch_users(job_id, batch_no)))
        .values(last_modified=now)
    )


def touch_users(conn: Connection, user_ids: Sequence[str], now: datetime) -> None:
    """``user_ids`` modified at ``now`` (chunked IN lists through the driver)."""
    reads.run_in(
        conn,
        "UPDATE users SET last_modified = {p} WHERE id {in}",
        user_ids,
        driver_ts(conn, now),
    )
