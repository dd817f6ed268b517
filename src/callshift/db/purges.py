"""The SQL of removing licences from many users at once (a forced cancellation's purge).

A chunk of users is written in a few statements: the recycle-bin snapshots first (R7), then
the licence rows and the purged profiles deleted, the users touched, and one audit event
per user (R10). Units are given back once per licence at the end (``give_back``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..domain.model import CallingProfile
from . import batch_reads as reads
from . import tables as t
from .bulk_insert import driver_ts, insert_rows
from .rows import profile_values

RECYCLE_COLS = (
    "id",
    "org_id",
    "user_id",
    "email",
    "licence_id",
    "profile",
    "purged_at",
    "expires_at",
    "reason",
)
AUDIT_COLS = (
    "org_id",
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "tracking_id",
)


@dataclass(frozen=True)
class RecycleRow:
    id: str
    org_id: str
    user_id: str
    email: str
    licence_id: str
    profile: CallingProfile
    purged_at: datetime
    expires_at: datetime
    reason: str


@dataclass
class PurgeChunk:
    """What one chunk of users loses, as the service planned it."""

    recycle: list[RecycleRow] = field(default_factory=list)
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
    insert_rows(
        conn,
        t.recycle_bin,
        RECYCLE_COLS,
        [
            (
                r.id,
                r.org_id,
                r.user_id,
                r.email,
                r.licence_id,
                profile_values(r.profile),
                r.purged_at,
                r.expires_at,
                r.reason,
            )
            for r in chunk.recycle
        ],
    )
    for lid, uids in chunk.removed.items():
        reads.run_in(
            conn, "DELETE FROM user_licences WHERE licence_id = {p} AND user_id {in}", uids, lid
        )
    reads.run_in(conn, "DELETE FROM calling_profiles WHERE user_id {in}", chunk.purged)
    reads.run_in(
        conn,
        "UPDATE users SET last_modified = {p} WHERE id {in}",
        chunk.touched,
        driver_ts(conn, now),
    )
    insert_rows(conn, t.audit_events, AUDIT_COLS, chunk.audit)


def give_back(conn: Connection, units: Mapping[str, int]) -> None:
    """Return ``units[licence]`` units to each licence."""
    for lid, n in units.items():
        conn.execute(
            t.licences.update()
            .where(t.licences.c.id == lid)
            .values(consumed_units=t.licences.c.consumed_units - n)
        )
