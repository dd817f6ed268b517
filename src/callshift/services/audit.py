"""Reading the audit log: newest first, filtered by action, person and date, keyset-paged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..db import tables as t
from ..db.rows import utc
from .context import Ctx

MAX_PAGE = 500


@dataclass(frozen=True)
class AuditFilter:
    org_id: str | None = None
    action: str | None = None  # exact, or a prefix ending in "." ("bulk-move.")
    person: str | None = None  # a person's email or id
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    before: dict | None
    after: dict | None
    tracking_id: str | None


def _query(ctx: Ctx, conn, f: AuditFilter):
    a = t.audit_events.c
    q = select(t.audit_events).where(a.org_id == ctx.principal.org(f.org_id))
    if f.action:
        q = q.where(
            a.action.startswith(f.action) if f.action.endswith(".") else a.action == f.action
        )
    if f.person:
        ids = [f.person]
        uid = conn.execute(
            select(t.users.c.id).where(t.users.c.email == f.person.strip().lower())
        ).scalar()
        if uid:
            ids.append(uid)
        q = q.where(a.target_id.in_(ids))
    if f.since:
        q = q.where(a.at >= f.since)
    if f.until:
        q = q.where(a.at < f.until)
    return q


def _row(r) -> AuditRow:
    return AuditRow(
        r.id,
        utc(r.at),
        r.actor,
        r.action,
        r.target_type,
        r.target_id,
        r.before,
        r.after,
        r.tracking_id,
    )


def list_audit(
    ctx: Ctx, f: AuditFilter, before_id: int | None = None, limit: int = 50
) -> tuple[list[AuditRow], int | None]:
    """One page, newest first, and the id to continue before (None on the last page)."""
    ctx.principal.require_admin()
    limit = max(1, min(limit, MAX_PAGE))
    with ctx.db.uow(write=False) as uow:
        q = _query(ctx, uow.conn, f)
        if before_id is not None:
            q = q.where(t.audit_events.c.id < before_id)
        rows = [
            _row(r)
            for r in uow.conn.execute(q.order_by(t.audit_events.c.id.desc()).limit(limit + 1))
        ]
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def iter_audit(ctx: Ctx, f: AuditFilter, chunk: int = MAX_PAGE) -> Iterator[AuditRow]:
    """Every matching event, newest first, a page at a time (for exports)."""
    before = None
    while True:
        rows, before = list_audit(ctx, f, before, chunk)
        yield from rows
        if before is None:
            return
