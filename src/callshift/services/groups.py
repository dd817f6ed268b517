"""Groups: named sets of users, for group licence templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from ..db import tables as t
from ..db.bulk import insert_rows
from ..domain import errors as E
from ..domain.errors import DomainError, InvalidInput, NotFound
from .context import Ctx, new_id


@dataclass(frozen=True)
class GroupView:
    id: str
    org_id: str
    name: str
    members: int


class GroupNameTaken(DomainError):
    status = 409
    code = E.GROUP_NAME_TAKEN


def _group(ctx: Ctx, conn, group_id: str) -> GroupView:
    r = conn.execute(select(t.groups).where(t.groups.c.id == group_id)).first()
    if r is None or r.org_id not in ctx.principal.org_ids:
        raise NotFound(f"group {group_id} not found")
    n = conn.execute(
        select(func.count())
        .select_from(t.group_members)
        .where(t.group_members.c.group_id == group_id)
    ).scalar_one()
    return GroupView(r.id, r.org_id, r.name, n)


def list_groups(ctx: Ctx, org_id: str | None = None) -> list[GroupView]:
    ctx.principal.require_admin()
    org_id = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        ids = (
            uow.conn.execute(
                select(t.groups.c.id).where(t.groups.c.org_id == org_id).order_by(t.groups.c.name)
            )
            .scalars()
            .all()
        )
        return [_group(ctx, uow.conn, i) for i in ids]


def get_group(ctx: Ctx, group_id: str) -> GroupView:
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        return _group(ctx, uow.conn, group_id)


def members(ctx: Ctx, group_id: str, limit: int = 1000, offset: int = 0) -> list[str]:
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        _group(ctx, uow.conn, group_id)
        return list(
            uow.conn.execute(
                select(t.group_members.c.user_id)
                .where(t.group_members.c.group_id == group_id)
                .order_by(t.group_members.c.user_id)
                .limit(limit)
                .offset(offset)
            ).scalars()
        )


def create_group(
    ctx: Ctx, org_id: str | None, name: str, user_ids: Sequence[str] = ()
) -> GroupView:
    ctx.principal.require_write()
    org_id = ctx.principal.org(org_id)
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("a group needs a name of 1 to 200 characters")
    with ctx.db.uow() as uow:
        if uow.conn.execute(
            select(t.groups.c.id).where(t.groups.c.org_id == org_id, t.groups.c.name == name)
        ).first():
            raise GroupNameTaken(f"a group named {name!r} already exists")
        gid = new_id()
        uow.conn.execute(t.groups.insert().values(id=gid, org_id=org_id, name=name))
        _add(uow, org_id, gid, user_ids)
        ctx.audit(
            uow.store,
            org_id,
            "group.created",
            "group",
            gid,
            None,
            {"name": name, "members": len(set(user_ids))},
        )
        uow.commit()
    return get_group(ctx, gid)


def _add(uow, org_id: str, group_id: str, user_ids: Sequence[str]) -> int:
    wanted = set(user_ids)
    if not wanted:
        return 0
    found = uow.store.existing_user_ids(org_id, list(wanted))
    if found != wanted:  # foreign users look exactly like unknown ones
        raise NotFound(f"{len(wanted - found)} of the members were not found")
    present = set(
        uow.conn.execute(
            select(t.group_members.c.user_id).where(
                t.group_members.c.group_id == group_id, t.group_members.c.user_id.in_(list(wanted))
            )
        ).scalars()
    )
    return insert_rows(
        uow.conn,
        t.group_members,
        ("group_id", "user_id"),
        ((group_id, u) for u in sorted(wanted - present)),
    )


def change_members(
    ctx: Ctx, group_id: str, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> GroupView:
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        group = _group(ctx, uow.conn, group_id)
        added = _add(uow, group.org_id, group_id, add)
        removed = (
            uow.conn.execute(
                delete(t.group_members).where(
                    t.group_members.c.group_id == group_id,
                    t.group_members.c.user_id.in_(list(remove)),
                )
            ).rowcount
            if remove
            else 0
        )
        if added or removed:
            ctx.audit(
                uow.store,
                group.org_id,
                "group.members.changed",
                "group",
                group_id,
                None,
                {"added": added, "removed": removed},
            )
            uow.commit()
    return get_group(ctx, group_id)


def delete_group(ctx: Ctx, group_id: str) -> None:
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        group = _group(ctx, uow.conn, group_id)
        uow.conn.execute(delete(t.group_members).where(t.group_members.c.group_id == group_id))
        uow.conn.execute(delete(t.template_groups).where(t.template_groups.c.group_id == group_id))
        uow.conn.execute(delete(t.groups).where(t.groups.c.id == group_id))
        ctx.audit(
            uow.store,
            group.org_id,
            "group.deleted",
            "group",
            group_id,
            {"name": group.name, "members": group.members},
            None,
        )
        uow.commit()
