"""Reading the audit log: newest first, filtered by action, person and date, keyset-paged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ..db import audit as db
from ..db.rows import utc
from .context import Ctx

MAX_PAGE = 500


@dataclass(frozen=True)
class AuditFilter:
    """Which audit events to list: all optional, combined with AND."""

    org_id: str | None = None
    action: str | None = None  # exact, or a prefix ending in "." ("bulk-move.")
    person: str | None = None  # a person's email or id
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    """One audit event as the API, UI and CSV show it."""

    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    before: dict | None
    after: dict | None
    tracking_id: str | None


def _query(ctx: Ctx, store, f: AuditFilter, before_id: int | None, limit: int) -> db.AuditQuery:
    """The filter as a query; a person is matched by id, and by the id of the user with
    that email."""
    ids = None
    if f.person:
        ids = [f.person]
        user = store.user_by_email(f.person)
        if user:
            ids.append(user.id)
    return db.AuditQuery(
        org_id=ctx.principal.org(f.org_id),
        action=f.action,
        target_ids=tuple(ids) if ids is not None else None,
        since=f.since,
        until=f.until,
        before_id=before_id,
        limit=limit,
    )


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
        q = _query(ctx, uow.store, f, before_id, limit + 1)
        rows = [_row(r) for r in db.search(uow.conn, q)]
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def iter_audit(ctx: Ctx, f: AuditFilter, chunk: int = MAX_PAGE) -> Iterator[AuditRow]:
    """Every matching event, newest first, a page at a time (for exports)."""
    before = None
    while True:
        rows, before = list_audit(ctx, f, before, chunk)
        yield from rows
        if before is None:
            return
