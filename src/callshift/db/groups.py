"""Groups (named sets of users, for group licence templates) and their members."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from . import tables as t
from .bulk_insert import insert_rows

g, gm = t.groups, t.group_members


def group(conn: Connection, group_id: str) -> Any:
    """The group's row (id, org_id, name), or None."""
    return conn.execute(select(g).where(g.c.id == group_id)).first()


def member_count(conn: Connection, group_id: str) -> int:
    return conn.execute(
        select(func.count()).select_from(gm).where(gm.c.group_id == group_id)
    ).scalar_one()


def group_ids(conn: Connection, org_id: str) -> list[str]:
    """The organisation's groups, by name."""
    return list(
        conn.execute(select(g.c.id).where(g.c.org_id == org_id).order_by(g.c.name)).scalars()
    )


def members(conn: Connection, group_id: str, limit: int, offset: int) -> list[str]:
    """A page of the group's member ids, in id order."""
    return list(
        conn.execute(
            select(gm.c.user_id)
            .where(gm.c.group_id == group_id)
            .order_by(gm.c.user_id)
            .limit(limit)
            .offset(offset)
        ).scalars()
    )


def name_taken(conn: Connection, org_id: str, name: str) -> bool:
    return (
        conn.execute(select(g.c.id).where(g.c.org_id == org_id, g.c.name == name)).first()
        is not None
    )


def insert_group(conn: Connection, group_id: str, org_id: str, name: str) -> None:
    conn.execute(g.insert().values(id=group_id, org_id=org_id, name=name))


def add_members(conn: Connection, group_id: str, user_ids: Collection[str]) -> int:
    """Those of ``user_ids`` not yet members become members; returns how many. A group may
    take many thousands at once: the rows are streamed in (bulk.insert_rows)."""
    present = set(
        conn.execute(
            select(gm.c.user_id).where(gm.c.group_id == group_id, gm.c.user_id.in_(list(user_ids)))
        ).scalars()
    )
    return insert_rows(
        conn, gm, ("group_id", "user_id"), ((group_id, u) for u in sorted(set(user_ids) - present))
    )


def remove_members(conn: Connection, group_id: str, user_ids: Sequence[str]) -> int:
    """``user_ids`` leave the group; returns how many were members."""
    if not user_ids:
        return 0
    return conn.execute(
        delete(gm).where(gm.c.group_id == group_id, gm.c.user_id.in_(list(user_ids)))
    ).rowcount


def delete_group(conn: Connection, group_id: str) -> None:
    """The group, its members and its template links."""
    conn.execute(delete(gm).where(gm.c.group_id == group_id))
    conn.execute(delete(t.template_groups).where(t.template_groups.c.group_id == group_id))
    conn.execute(delete(g).where(g.c.id == group_id))
