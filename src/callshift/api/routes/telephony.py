"""/v1/telephony/config/locations and /numbers: the Webex Calling view of locations and of the
numbers the organisation's people hold, in Webex's shapes (wxc-sdk's ``TelephonyLocation`` and
``NumberListPhoneNumber``), paged by ``start``/``max`` with Link next URLs as Webex's are.

callshift knows only people's numbers: no unassigned inventory, no workspaces or features,
no toll-free, service, mobile or reserved numbers. Filters asking for those answer an empty
list, as Webex does for an organisation without them.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ... import ids
from ...db.locations import LocationInfo, NumberFilter, NumberRow
from ...domain.errors import InvalidInput
from ...services.context import Ctx
from ...services.locations import list_numbers, telephony_location, telephony_locations
from ..deps import context
from ..paging import next_link
from .licenses import raw_org
from .locations import START_MAX, location_raw

router = APIRouter(tags=["telephony"])
LOCATIONS_MAX = 1000
NUMBERS_MAX = 2000  # Webex's default and largest page of numbers
OwnerType = Literal[
    "PLACE",
    "PEOPLE",
    "VIRTUAL_LINE",
    "AUTO_ATTENDANT",
    "CALL_QUEUE",
    "PAGING_GROUP",
    "HUNT_GROUP",
    "VOICE_MESSAGING",
    "OFFICE_ANYWHERE",
    "BROADWORKS_ANYWHERE",
    "CONTACT_CENTER_LINK",
    "CONTACT_CENTER_ADAPTER",
    "ROUTE_LIST",
    "VOICEMAIL_GROUP",
    "COLLABORATE_BRIDGE",
]  # wxc-sdk's OwnerType


def calling_location_out(loc: LocationInfo, org_name: str) -> dict:
    out: dict = {
        "id": ids.location(loc.id),
        "name": loc.name,
        # Webex: "group calling line ID name. By default it will be org name"; callshift keeps
        # no location main number, so phoneNumber is left out
        "callingLineId": {"name": org_name},
        "e911SetupRequired": False,
        "enforceOutsideDialDigit": False,
    }
    if loc.routing_prefix:
        out["routingPrefix"] = loc.routing_prefix
    if loc.announcement_language:
        out["announcementLanguage"] = loc.announcement_language
    return out


def page(request: Request, items_key: str, items: list, start: int, limit: int) -> JSONResponse:
    more = len(items) > limit
    headers = {"Link": next_link(request, str(start + limit), "start")} if more else None
    return JSONResponse({items_key: items[:limit]}, headers=headers)


@router.get("/telephony/config/locations", summary="Locations with Webex Calling details (paged)")
def calling_locations(
    request: Request,
    ctx: Ctx = Depends(context),
    name: str | None = Query(None, max_length=256, description="contained in the name, any case"),
    order: Literal["asc", "desc", "name", "name-asc", "name-desc"] | None = None,
    orgId: str | None = Query(None, max_length=400),
    max: int = Query(100, ge=1, description="more than the page limit returns the limit"),
    start: int = Query(0, ge=0, le=START_MAX),
) -> JSONResponse:
    limit = min(max, LOCATIONS_MAX)
    found, org_name = telephony_locations(
        ctx,
        raw_org(orgId),
        name=name,
        descending=bool(order and order.endswith("desc")),
        offset=start,
        limit=limit + 1,
    )
    items = [calling_location_out(l, org_name) for l in found]
    return page(request, "locations", items, start, limit)


@router.get(
    "/telephony/config/locations/{location_id}", summary="A location's Webex Calling details"
)
def calling_location(
    location_id: str, ctx: Ctx = Depends(context), orgId: str | None = Query(None, max_length=400)
) -> dict:
    loc, org_name = telephony_location(ctx, location_raw(location_id), raw_org(orgId))
    return calling_location_out(loc, org_name)


def number_out(n: NumberRow) -> dict:
    out: dict = {}
    if n.phone_number:
        out.update(
            phoneNumber=n.phone_number,
            state="ACTIVE",
            phoneNumberType="PRIMARY",
            includedTelephonyTypes="PSTN_NUMBER",
        )
    if n.extension:
        out["extension"] = n.extension
        if n.routing_prefix:
            out["routingPrefix"] = n.routing_prefix
        out["esn"] = f"{n.routing_prefix}{n.extension}"
    out.update(
        mainNumber=False,
        tollFreeNumber=False,
        isServiceNumber=False,
        location={"id": ids.location(n.location_id), "name": n.location_name},
        owner={
            "id": ids.person(n.user_id),
            "type": "PEOPLE",
            "firstName": n.first_name,
            "lastName": n.last_name,
            "displayName": n.display_name,
        },
    )
    return out


def _owner_raw(value: str) -> str:
    """Webex takes the owner's id or its bare uuid."""
    try:
        return ids.decode("PEOPLE", value)
    except ids.BadId:
        return value


@router.get("/telephony/config/numbers", summary="The people's numbers and extensions (paged)")
def numbers(
    request: Request,
    ctx: Ctx = Depends(context),
    locationId: str | None = Query(None, max_length=400),
    phoneNumber: str | None = Query(None, max_length=64),
    available: bool | None = None,
    assigned: bool | None = None,
    extension: str | None = Query(None, max_length=16),
    numberType: Literal["EXTENSION", "NUMBER"] | None = None,
    phoneNumberType: Literal["PRIMARY", "ALTERNATE", "FAX", "DNIS"] | None = None,
    state: Literal["ACTIVE", "INACTIVE"] | None = None,
    ownerType: OwnerType | None = None,
    ownerName: str | None = Query(None, max_length=255),
    ownerId: str | None = Query(None, max_length=400),
    tollFreeNumbers: bool | None = None,
    serviceNumber: bool | None = None,
    reservedNumber: bool | None = None,
    elinEnabled: bool | None = None,
    includedTelephonyTypes: Literal["PSTN_NUMBER", "MOBILE_NUMBER"] | None = None,
    orgId: str | None = Query(None, max_length=400),
    max: int = Query(NUMBERS_MAX, ge=1, description="more than 2000 returns 2000"),
    start: int = Query(0, ge=0, le=START_MAX),
) -> JSONResponse:
    if numberType == "EXTENSION" and (
        available is not None or assigned is not None or state is not None
    ):
        raise InvalidInput("numberType EXTENSION cannot be used with available, assigned or state")
    if reservedNumber is not None and (available is not None or assigned is not None):
        raise InvalidInput("reservedNumber cannot be used with available or assigned")
    # every number callshift knows is an active primary PSTN number or extension of a person
    nothing = (
        available is True
        or assigned is False
        or state == "INACTIVE"
        or (phoneNumberType is not None and phoneNumberType != "PRIMARY")
        or (ownerType is not None and ownerType != "PEOPLE")
        or includedTelephonyTypes == "MOBILE_NUMBER"
        or True in (tollFreeNumbers, serviceNumber, reservedNumber, elinEnabled)
    )
    numbers_only = numberType == "NUMBER" or bool(
        state or phoneNumberType or includedTelephonyTypes
    )
    f = NumberFilter(
        org_id=raw_org(orgId) or "",
        location_id=location_raw(locationId, InvalidInput) if locationId else None,
        # stripped: an unencoded "+" in a query string arrives as a space; contained, so the
        # number without it still matches
        phone_number=phoneNumber.strip() if phoneNumber else None,
        extension=extension,
        with_number=False if numberType == "EXTENSION" else (True if numbers_only else None),
        owner_id=_owner_raw(ownerId) if ownerId else None,
        owner_name=ownerName,
    )
    limit = min(max, NUMBERS_MAX)
    # asked for nothing callshift has: still through the use case, which checks role and org
    rows = list_numbers(ctx, f, start, 0 if nothing else limit + 1)
    return page(request, "phoneNumbers", [number_out(n) for n in rows], start, limit)
