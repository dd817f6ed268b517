"""Groups: named sets of users, for group licence templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..db import groups as db
from ..domain import errors as E
from ..domain.errors import DomainError, InvalidInput, NotFound
from .context import Ctx, new_id


@dataclass(frozen=True)
class GroupView:
    """A group with its member count."""

    id: str
    org_id: str
    name: str
    members: int


class GroupNameTaken(DomainError):
    """Another group of the organisation has that name."""

    status = 409
    code = E.GROUP_NAME_TAKEN


def _group(ctx: Ctx, conn, group_id: str) -> GroupView:
    r = db.group(conn, group_id)
    if r is None or r.org_id not in ctx.principal.org_ids:
        raise NotFound(f"group {group_id} not found")
    return GroupView(r.id, r.org_id, r.name, db.member_count(conn, group_id))


def list_groups(ctx: Ctx, org_id: str | None = None) -> list[GroupView]:
    """The groups of the caller's organisation (or ``org_id``, if the caller may see it)."""
    ctx.principal.require_admin()
    org_id = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        return [_group(ctx, uow.conn, i) for i in db.group_ids(uow.conn, org_id)]


def get_group(ctx: Ctx, group_id: str) -> GroupView:
    """One group; NotFound if it is not the caller's to see."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        return _group(ctx, uow.conn, group_id)


def members(ctx: Ctx, group_id: str, limit: int = 1000, offset: int = 0) -> list[str]:
    """Ids of a group's members, a page at a time."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        _group(ctx, uow.conn, group_id)
        return db.members(uow.conn, group_id, limit, offset)


def create_group(
    ctx: Ctx, org_id: str | None, name: str, user_ids: Sequence[str] = ()
) -> GroupView:
    """A new group of the organisation, with its first members, audited."""
    ctx.principal.require_write()
    org_id = ctx.principal.org(org_id)
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("a group needs a name of 1 to 200 characters")
    with ctx.db.uow() as uow:
        if db.name_taken(uow.conn, org_id, name):
            raise GroupNameTaken(f"a group named {name!r} already exists")
        gid = new_id()
        db.insert_group(uow.conn, gid, org_id, name)
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
    return db.add_members(uow.conn, group_id, wanted)


def change_members(
    ctx: Ctx, group_id: str, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> GroupView:
    """Add and remove members (users of the group's organisation), audited."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        group = _group(ctx, uow.conn, group_id)
        added = _add(uow, group.org_id, group_id, add)
        removed = db.remove_members(uow.conn, group_id, remove)
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
    """Delete a group (its members stay users), audited."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        group = _group(ctx, uow.conn, group_id)
        db.delete_group(uow.conn, group_id)
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
