"""Ids by their first characters: what lets a person type `jobs show 3f2a` for a whole uuid."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from ..domain.model import WORKSPACE
from . import tables as t

# the objects a person names by id, and the column that scopes each to an organisation
PREFIXABLE = {
    "job": t.jobs,
    "template": t.licence_templates,
    "recycle entry": t.recycle_bin,
    "token": t.api_tokens,
    "workspace": t.users,
}
# kinds kept in a table shared with another kind, and the users.kind that tells them apart
HOLDER_KIND = {"workspace": WORKSPACE}


def _like_escaped(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def ids_starting_with(
    conn: Connection, kind: str, prefix: str, org_ids: Iterable[str], limit: int = 10
) -> list[str]:
    """Up to ``limit`` ids of KIND that start with PREFIX, within the organisations (tokens
    of a partner or of nobody's organisation included), in id order."""
    table = PREFIXABLE[kind]
    in_orgs = table.c.org_id.in_(list(org_ids))
    scope = or_(in_orgs, table.c.org_id.is_(None)) if kind == "token" else in_orgs
    q = (
        select(table.c.id)
        .where(table.c.id.like(_like_escaped(prefix) + "%", escape="\\"), scope)
        .order_by(table.c.id)
        .limit(limit)
    )
    if kind in HOLDER_KIND:
        q = q.where(table.c.kind == HOLDER_KIND[kind])
    return list(conn.execute(q).scalars())
