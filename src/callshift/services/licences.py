"""Reading licences: the organisation's list and one licence's holders."""

from __future__ import annotations

from dataclasses import replace

from ..db import workspaces
from ..db.store_people import PeopleFilter
from ..domain.errors import NotFound
from ..domain.model import Licence, User
from .context import Ctx
from .paging import decode_cursor, encode_cursor


def list_licences(ctx: Ctx, org_id: str | None = None) -> list[Licence]:
    """The licences of the caller's organisation (or ``org_id``), with their units."""
    ctx.principal.require_admin()
    org_id = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        by_workspaces = workspaces.workspace_holders(uow.conn, org_id)
        return [
            replace(l, consumed_by_workspaces=by_workspaces.get(l.id, 0))
            for l in uow.store.licences(org_id).values()
        ]


def licence_holders(
    ctx: Ctx, licence_id: str, with_users: bool, cursor: str | None, limit: int
) -> tuple[Licence, list[User], str | None]:
    """A licence and a page of the users holding it (``with_users``), after ``cursor``."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        lic = uow.store.licence(licence_id)
        if lic is None or lic.org_id not in ctx.principal.org_ids:
            raise NotFound("licence not found")
        n = workspaces.workspace_holders(uow.conn, lic.org_id).get(lic.id, 0)
        lic = replace(lic, consumed_by_workspaces=n)
        if not with_users:
            return lic, [], None
        users = uow.store.people(
            PeopleFilter(lic.org_id, licence_id=licence_id), decode_cursor(cursor), limit + 1
        )
    return (
        lic,
        users[:limit],
        (encode_cursor(users[limit - 1].email) if len(users) > limit else None),
    )
