"""Webex's ``availableNumbers`` lookups for a person (wxc-sdk's
``person_settings.available_numbers``): ``/telephony/config/people/{id}/{lookup}/availableNumbers``
and ``/telephony/config/people/primary/availableNumbers``, in Webex's ``AvailableNumber`` shape,
paged by ``start``/``max`` with Link next URLs as Webex's telephony lists are."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ... import ids
from ...db.locations import NumberFilter, NumberRow
from ...domain.errors import InvalidInput
from ...services.available_numbers import person_available, primary_available
from ...services.context import Ctx, PersonRef
from ..deps import context
from .licenses import raw_org
from .locations import START_MAX, location_raw
from .people import person_id
from .telephony import NUMBERS_MAX, page

router = APIRouter(tags=["telephony"])
PHONE_NUMBERS_MAX = 100  # numbers one phoneNumber filter may list
Lookup = Literal[
    "secondary", "faxMessage", "callForwarding", "callIntercept", "emergencyCallbackNumber"
]


def available_out(n: NumberRow) -> dict:
    out: dict = {"phoneNumber": n.phone_number}
    if n.extension:
        out["extension"] = n.extension
    out.update(
        state="ACTIVE",
        isMainNumber=False,  # callshift keeps no location main number
        tollFreeNumber=False,
        telephonyType="PSTN_NUMBER",
        isServiceNumber=False,
        location={"id": ids.location(n.location_id), "name": n.location_name},
        owner={
            "id": ids.person(n.user_id),
            "type": "PEOPLE",
            "firstName": n.first_name,
            "lastName": n.last_name,
        },
    )
    return out


def _numbers(value: str | None) -> tuple[str, ...]:
    """Webex's ``phoneNumber`` filter: a comma-separated list of numbers. An unencoded "+"
    arrives as a space, so each is stripped and given its "+" back if it lost it."""
    if value is None:
        return ()
    listed = [v.strip() for v in value.split(",")]
    if not all(listed) or len(listed) > PHONE_NUMBERS_MAX:
        raise InvalidInput(f"phoneNumber must list 1 to {PHONE_NUMBERS_MAX} numbers")
    out: list[str] = []
    for v in listed:
        bare = v.removeprefix("+")
        if not bare.isdigit() or len(bare) > 20:
            raise InvalidInput(f"phoneNumber: '{v[:40]}' is not a phone number")
        out.append(v if v.startswith("+") else f"+{bare}")
        out.append(bare)  # stored as given: E.164 or not
    return tuple(dict.fromkeys(out))


@router.get(
    "/telephony/config/people/primary/availableNumbers",
    summary="Numbers free to be a person's primary number (paged)",
)
def primary(
    request: Request,
    ctx: Ctx = Depends(context),
    locationId: str | None = Query(None, max_length=400),
    phoneNumber: str | None = Query(None, max_length=2000),
    licenseType: Literal[
        "VAR_STANDARD", "VAR_BASIC", "Webex Calling Professional", "Webex Calling Standard"
    ]
    | None = None,
    orgId: str | None = Query(None, max_length=400),
    max: int = Query(NUMBERS_MAX, ge=1, description="more than 2000 returns 2000"),
    start: int = Query(0, ge=0, le=START_MAX),
) -> JSONResponse:
    _numbers(phoneNumber)  # checked, though nothing is listed
    location = location_raw(locationId, InvalidInput) if locationId else None
    rows = primary_available(ctx, raw_org(orgId), location)
    items = [available_out(n) for n in rows]
    return page(request, "phoneNumbers", items, start, min(max, NUMBERS_MAX))


@router.get(
    "/telephony/config/people/{person}/{lookup}/availableNumbers",
    summary="Numbers a person's setting may choose from (paged)",
)
def for_person(
    request: Request,
    person: str,
    lookup: Lookup,
    ctx: Ctx = Depends(context),
    phoneNumber: str | None = Query(None, max_length=2000),
    ownerName: str | None = Query(None, max_length=255),
    extension: str | None = Query(None, max_length=16),
    orgId: str | None = Query(None, max_length=400),
    max: int = Query(NUMBERS_MAX, ge=1, description="more than 2000 returns 2000"),
    start: int = Query(0, ge=0, le=START_MAX),
) -> JSONResponse:
    f = NumberFilter(
        org_id="", extension=extension, owner_name=ownerName, numbers=_numbers(phoneNumber)
    )
    limit = min(max, NUMBERS_MAX)
    ref = PersonRef(person_id=person_id(person), org_id=raw_org(orgId))
    rows = person_available(ctx, ref, lookup, f, start, limit + 1)
    return page(request, "phoneNumbers", [available_out(n) for n in rows], start, limit)
