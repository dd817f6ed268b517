"""Reading locations (Webex's ``/locations`` and ``/telephony/config/locations``) and the
numbers of their people (``/telephony/config/numbers``). Administrators only, as in Webex."""

from __future__ import annotations

from dataclasses import replace

from ..db import locations as db
from ..db.locations import LocationInfo, NumberFilter, NumberRow
from ..domain.errors import NotFound
from .context import Ctx


def list_locations(
    ctx: Ctx,
    org_id: str | None,
    *,
    name: str | None = None,
    location_id: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[LocationInfo]:
    """One page of the organisation's locations (another organisation looks unknown)."""
    ctx.principal.require_admin()
    org = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        return db.locations(
            uow.conn,
            org,
            name=name,
            location_id=location_id,
            descending=descending,
            offset=offset,
            limit=limit,
        )


def location_details(ctx: Ctx, location_id: str, org_id: str | None = None) -> LocationInfo:
    """One location of an organisation the caller sees; any other is 404, as if absent."""
    ctx.principal.require_admin()
    wanted = ctx.principal.org(org_id) if org_id else None
    with ctx.db.uow(write=False) as uow:
        found = db.location(uow.conn, location_id)
    if (
        found is None
        or found.org_id not in ctx.principal.org_ids
        or (wanted is not None and found.org_id != wanted)
    ):
        raise NotFound("location not found")
    return found


def list_numbers(ctx: Ctx, f: NumberFilter, offset: int, limit: int) -> list[NumberRow]:
    """One page of the numbers and extensions held by the organisation's people."""
    ctx.principal.require_admin()
    f = replace(f, org_id=ctx.principal.org(f.org_id or None))
    with ctx.db.uow(write=False) as uow:
        return db.numbers(uow.conn, f, offset, limit)


def telephony_locations(
    ctx: Ctx, org_id: str | None, *, name: str | None, descending: bool, offset: int, limit: int
) -> tuple[list[LocationInfo], str]:
    """A page of locations with Webex Calling details, and the organisation's name (the
    default calling line id name of every location, as in Webex)."""
    found = list_locations(
        ctx, org_id, name=name, descending=descending, offset=offset, limit=limit
    )
    return found, _org_name(ctx, ctx.principal.org(org_id))


def telephony_location(
    ctx: Ctx, location_id: str, org_id: str | None = None
) -> tuple[LocationInfo, str]:
    """A location as Webex's telephony API shows it, with its organisation's name."""
    found = location_details(ctx, location_id, org_id)
    return found, _org_name(ctx, found.org_id)


def _org_name(ctx: Ctx, org_id: str) -> str:
    with ctx.db.uow(write=False) as uow:
        return uow.store.org_name(org_id) or ""
