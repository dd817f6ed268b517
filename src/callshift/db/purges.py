"""The SQL of removing licences from many users at once (a forced cancellation's purge).

A chunk of users is written in a few statements: the recycle-bin snapshots first (R7), then
the licence rows and the purged profiles deleted, the users touched, and one audit event
per user (R10). Units are given back once per licence at the end (``licences.move_units``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..domain.model import RecycleEntry
from . import batch_reads as reads
from . import tables as t
from .audit import AUDIT_COLS
from .bulk_insert import insert_rows
from .licences import remove_from_users
from .people import touch_users
from .rows import recycle_values


@dataclass
class PurgeChunk:
    """What one chunk of users loses, as the service planned it."""

    recycle: list[RecycleEntry] = field(default_factory=list)
    removed: dict[str, list[str]] = field(default_factory=dict)  # licence -> users losing it
    purged: list[str] = field(default_factory=list)  # users whose profile goes
    touched: list[str] = field(default_factory=list)  # every user of the chunk
    audit: list[tuple[Any, ...]] = field(default_factory=list)  # rows in AUDIT_COLS order


def lock_users(conn: Connection, user_ids: Sequence[str]) -> None:
    """Lock the users' rows on PostgreSQL, as ``SqlStore.user(lock=True)`` does for one
    (SQLite's single writer needs no lock)."""
    if conn.dialect.name == "postgresql":
        reads.run_in(conn, "SELECT 1 FROM users WHERE id {in} FOR UPDATE", list(user_ids))


def write_chunk(conn: Connection, chunk: PurgeChunk, now: datetime) -> None:
    rows = [recycle_values(e) for e in chunk.recycle]
    if rows:
        columns = tuple(rows[0])
        insert_rows(conn, t.recycle_bin, columns, [tuple(r.values()) for r in rows])
    for lid, uids in chunk.removed.items():
        remove_from_users(conn, lid, uids)
    reads.run_in(conn, "DELETE FROM calling_profiles WHERE user_id {in}", chunk.purged)
    touch_users(conn, chunk.touched, now)
    insert_rows(conn, t.audit_events, AUDIT_COLS, chunk.audit)
