"""Reading organisations as Webex's ``/organizations`` shows them: administrators see theirs
(a partner administrator every organisation its partner serves)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..db import directory as db
from ..db.rows import utc
from ..domain.errors import NotFound
from .context import Ctx


@dataclass(frozen=True)
class OrgInfo:
    """An organisation as ``/v1/organizations`` shows it."""

    id: str
    name: str
    created: datetime


def list_organisations(ctx: Ctx) -> list[OrgInfo]:
    """The organisations the caller may see (administrators)."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        rows = db.organisations(uow.conn, ctx.principal.org_ids)
    return [OrgInfo(r.id, r.name, utc(r.created)) for r in rows]


def organisation(ctx: Ctx, org_id: str) -> OrgInfo:
    """One organisation the caller may see; NotFound otherwise."""
    ctx.principal.require_admin()
    if org_id not in ctx.principal.org_ids:
        raise NotFound("organisation not found")
    with ctx.db.uow(write=False) as uow:
        rows = db.organisations(uow.conn, [org_id])
    if not rows:
        raise NotFound("organisation not found")
    return OrgInfo(rows[0].id, rows[0].name, utc(rows[0].created))
