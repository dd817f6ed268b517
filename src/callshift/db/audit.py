"""Audit events (R10): written alike for many users in one statement, read back by the
rollbacks, searched by the audit view.

Bodies are dicts (domain/audit.py builds them) serialised here by ``json``, or completed
by the database's own JSON functions: nothing is spliced from pieces of text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from . import batch_reads as reads
from . import tables as t
from .bulk_insert import driver_ts, insert_alike, insert_rows
from .rows import AnyRow

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
ae = t.audit_events


@dataclass(frozen=True)
class AlikeEvents:
    """What the events of one change made by many users share: all but the user (and,
    for a CSV row, the file line)."""

    org_id: str
    at: datetime
    actor: str
    action: str
    before: dict
    after: dict
    tracking_id: str | None


def _compact(body: dict) -> str:
    return json.dumps(body, separators=(",", ":"))


def insert_alike_events(conn: Connection, ev: AlikeEvents, user_ids: Sequence[str]) -> None:
    """One event per user, the same ``before`` and ``after`` for all: one INSERT … SELECT
    over a JSON array of the ids on SQLite, a COPY on PostgreSQL (bulk.insert_alike); a
    workspace's event names its target a workspace (one insert per kind of holder)."""
    workspaces = _workspaces_among(conn, ev.org_id, user_ids)
    people = [uid for uid in user_ids if uid not in workspaces] if workspaces else user_ids
    for target_type, ids in (("person", people), ("workspace", sorted(workspaces))):
        if not ids:
            continue
        insert_alike(
            conn,
            ae,
            {
                "org_id": ev.org_id,
                "at": driver_ts(conn, ev.at),
                "actor": ev.actor,
                "action": ev.action,
                "target_type": target_type,
                "before": _compact(ev.before),
                "after": _compact(ev.after),
                "tracking_id": ev.tracking_id,
            },
            "target_id",
            ids,
        )


def _workspaces_among(conn: Connection, org_id: str, user_ids: Sequence[str]) -> set[str]:
    """The workspaces among ``user_ids``: read only if the organisation has any (one probe
    of the users index), then by the users' key (raw SQL, chunked)."""
    has = conn.execute(
        select(t.users.c.id)
        .where(t.users.c.org_id == org_id, t.users.c.kind == "workspace")
        .limit(1)
    ).first()
    if has is None or not user_ids:
        return set()
    return reads.workspace_ids(conn, list(user_ids))


def insert_row_events(conn: Connection, ev: AlikeEvents, rows: Sequence[tuple[int, str]]) -> None:
    """One event per (file line, user id): ``after`` plus ``"row": line``. SQLite adds the
    line with ``json_set`` in one INSERT … SELECT over a JSON object ``{user id: line}``
    (json_each gives both: no row of parameters per event); PostgreSQL copies the rows in,
    each ``after`` serialised by ``json``."""
    if not rows:
        return
    tracking = ev.tracking_id
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"INSERT INTO audit_events ({', '.join(AUDIT_COLS)}) SELECT ?, ?, ?, ?, 'person', "
            "key, ?, json_set(?, '$.row', value), ? FROM json_each(?)",
            (
                ev.org_id,
                driver_ts(conn, ev.at),
                ev.actor,
                ev.action,
                _compact(ev.before),
                _compact(ev.after),
                tracking,
                json.dumps({uid: line for line, uid in rows}),
            ),
        )
        return
    before = _compact(ev.before)
    insert_rows(
        conn,
        ae,
        AUDIT_COLS,
        (
            (
                ev.org_id,
                ev.at,
                ev.actor,
                ev.action,
                "person",
                uid,
                before,
                _compact({**ev.after, "row": line}),
                tracking,
            )
            for line, uid in rows
        ),
    )


def job_events(
    conn: Connection, tracking_id: str, action: str, user_ids
) -> dict[str, tuple[dict | None, dict | None]]:
    """user id -> (before, after) of the ``action`` events a job (``tracking_id``) wrote for
    ``user_ids`` (a list, or a subquery of ids): what its rollback undoes."""
    return {
        r.target_id: (r.before, r.after)
        for r in conn.execute(
            select(ae.c.target_id, ae.c.before, ae.c.after).where(
                ae.c.target_id.in_(user_ids),
                ae.c.action == action,
                ae.c.tracking_id == tracking_id,
            )
        )
    }


@dataclass(frozen=True)
class AuditQuery:
    """One page of an organisation's events, newest first."""

    org_id: str
    action: str | None = None  # exact, or a prefix ending in "." ("bulk-move.")
    target_ids: tuple[str, ...] | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # keyset: events older than this one
    limit: int = 50


def search(conn: Connection, q: AuditQuery) -> Sequence[AnyRow]:
    """The page's rows (every column), by id descending: the (org_id, id) index serves the
    order and the keyset, so a page costs the same at the millionth event as at the first."""
    a = ae.c
    stmt = select(ae).where(a.org_id == q.org_id)
    if q.action:
        stmt = stmt.where(
            a.action.startswith(q.action) if q.action.endswith(".") else a.action == q.action
        )
    if q.target_ids is not None:
        stmt = stmt.where(a.target_id.in_(list(q.target_ids)))
    if q.since:
        stmt = stmt.where(a.at >= q.since)
    if q.until:
        stmt = stmt.where(a.at < q.until)
    if q.before_id is not None:
        stmt = stmt.where(a.id < q.before_id)
    return conn.execute(stmt.order_by(a.id.desc()).limit(q.limit)).all()
