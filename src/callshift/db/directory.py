"""Names an administrator sees: partners and organisations."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from . import tables as t


def partner_names(conn: Connection) -> dict[str, str]:
    """Every partner's name, by id (a handful of rows)."""
    return dict(conn.execute(select(t.partners.c.id, t.partners.c.name)).all())


def org_names(conn: Connection, org_ids: Collection[str]) -> dict[str, str]:
    """The organisations' names by id, in name order."""
    o = t.organisations.c
    return dict(
        conn.execute(select(o.id, o.name).where(o.id.in_(sorted(org_ids))).order_by(o.name)).all()
    )


def organisations(conn: Connection, org_ids: Collection[str]) -> list[Any]:
    """The organisations' rows (id, name, created), by name then id."""
    o = t.organisations.c
    q = select(o.id, o.name, o.created).where(o.id.in_(sorted(org_ids))).order_by(o.name, o.id)
    return list(conn.execute(q).all())
