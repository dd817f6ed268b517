"""/v1/locations: list (filters name, id, orgId; paged by Link next URLs) and details, in the
shape of Webex's locations API (wxc-sdk's ``Location``). Administrators only, as in Webex."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ... import ids
from ...db.locations import LocationInfo
from ...domain.errors import InvalidInput, NotFound
from ...services.context import Ctx
from ...services.locations import list_locations, location_details
from ..deps import context
from ..paging import next_link
from .licenses import raw_org

router = APIRouter(tags=["locations"])
PAGE_MAX = 1000  # a larger max silently returns this many, as Webex's lists do
START_MAX = 2**31 - 1  # SQLite and PostgreSQL take 64-bit offsets; beyond is a 400, not a 500

ADDRESS = (
    ("address1", "address1"),
    ("address2", "address2"),
    ("city", "city"),
    ("state", "state"),
    ("postalCode", "postal_code"),
    ("country", "country"),
)


def location_out(loc: LocationInfo) -> dict:
    """Webex's location: what callshift does not know (a location made before addresses were
    stored) is left out, never sent as null."""
    out: dict = {"id": ids.location(loc.id), "name": loc.name, "orgId": ids.org(loc.org_id)}
    address = {k: getattr(loc, a) for k, a in ADDRESS if getattr(loc, a) is not None}
    if address:
        out["address"] = address
    for key, value in (
        ("timeZone", loc.time_zone),
        ("preferredLanguage", loc.preferred_language),
        ("announcementLanguage", loc.announcement_language),
    ):
        if value:
            out[key] = value
    return out


def location_raw(value: str, bad: type[Exception] = NotFound) -> str:
    try:
        return ids.decode("LOCATION", value)
    except ids.BadId:
        if bad is InvalidInput:
            raise InvalidInput(f"'{value}' is not a location id") from None
        raise NotFound("location not found") from None


@router.get("/locations", summary="List locations (paged by absolute Link next URLs)")
def list_all(
    request: Request,
    ctx: Ctx = Depends(context),
    name: str | None = Query(None, max_length=256, description="contained in the name, any case"),
    id: str | None = Query(None, max_length=400),
    orgId: str | None = Query(None, max_length=400),
    max: int = Query(100, ge=1, description="more than the page limit returns the limit"),
    start: int = Query(0, ge=0, le=START_MAX),
) -> JSONResponse:
    limit = min(max, PAGE_MAX)
    found = list_locations(
        ctx,
        raw_org(orgId),
        name=name,
        location_id=location_raw(id, InvalidInput) if id is not None else None,
        offset=start,
        limit=limit + 1,
    )
    more = len(found) > limit
    headers = {"Link": next_link(request, str(start + limit), "start")} if more else None
    return JSONResponse({"items": [location_out(l) for l in found[:limit]]}, headers=headers)


@router.get("/locations/{location_id}", summary="Location details")
def details(
    location_id: str, ctx: Ctx = Depends(context), orgId: str | None = Query(None, max_length=400)
) -> dict:
    return location_out(location_details(ctx, location_raw(location_id), raw_org(orgId)))
