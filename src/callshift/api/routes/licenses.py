"""/v1/licenses: list, details with holders, and PATCH /v1/licenses/users (method 1)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from ... import ids
from ...domain import errors as E
from ...domain.errors import InvalidInput, LicenceChangeRefused, LicenceError, NotFound
from ...domain.licensing import CallingProperties, LicenceRequest, Operation
from ...domain.model import Licence
from ...services.context import Ctx, PersonRef
from ...services.licence_change import change_licences
from ...services.licences import licence_holders, list_licences
from ...web.params import bounded
from ..deps import WEBEX_SHAPED_MOVES_BACK, context
from ..paging import next_link
from ..schemas import AssignedLicenses, AssignLicenses, LicenseDetails, LicenseList

router = APIRouter(tags=["licenses"])


def licence_out(lic: Licence) -> dict:
    return {
        "id": ids.licence(lic.org_id, lic.offer_code, lic.id),
        "name": lic.name,
        "totalUnits": lic.total_units,
        "consumedUnits": lic.consumed_units,
        "consumedByUsers": lic.consumed_units - lic.consumed_by_workspaces,
        "consumedByWorkspaces": lic.consumed_by_workspaces,
        "subscriptionId": lic.subscription_id,
    }


def raw_org(org_id: str | None) -> str | None:
    if not org_id:
        return None
    try:
        return ids.decode("ORGANIZATION", org_id)
    except ids.BadId:
        raise NotFound("organisation not found") from None


@router.get(
    "/licenses",
    response_model=LicenseList,
    response_model_exclude_none=True,  # Webex leaves out siteUrl/siteType, never null
    summary="List licences",
)
def list_all(ctx: Ctx = Depends(context), orgId: str | None = None) -> dict:
    return {"items": [licence_out(l) for l in list_licences(ctx, raw_org(orgId))]}


@router.get(
    "/licenses/{license_id}",
    response_model=LicenseDetails,
    response_model_exclude_none=True,
    summary="Licence details, optionally with the users holding it (paged)",
)
def details(
    license_id: str,
    request: Request,
    response: Response,
    ctx: Ctx = Depends(context),
    includeAssignedTo: str | None = Query(None, pattern="^user$"),
    limit: int = bounded(300, ge=1),
    cursor: str | None = None,
) -> dict:
    lic, holders, next_cursor = licence_holders(
        ctx, ids.licence_raw(license_id), includeAssignedTo == "user", cursor, min(limit, 300)
    )
    out = licence_out(lic)
    if includeAssignedTo == "user":
        out["users"] = [
            {
                "id": ids.person(u.id),
                "type": "INTERNAL",
                "displayName": u.display_name,
                "email": u.email,
            }
            for u in holders
        ]
        if next_cursor:
            response.headers["Link"] = next_link(request, next_cursor)
    return out


def _licence_requests(body: AssignLicenses) -> list[LicenceRequest]:
    out, bad = [], []
    for item in body.licenses:
        try:
            raw = ids.licence_raw(item.id)
        except ids.BadId:
            bad.append(
                LicenceError(item.id, E.LICENCE_NOT_RECOGNISED, f"licence {item.id} not recognised")
            )
            continue
        props = None
        if item.properties is not None:
            p = item.properties
            loc = None
            if p.locationId:
                try:
                    loc = ids.decode("LOCATION", p.locationId)
                except ids.BadId:
                    bad.append(LicenceError(item.id, E.LOCATION_NOT_FOUND, "location not found"))
            props = CallingProperties(loc, p.phoneNumber, p.extension)
        out.append(LicenceRequest(raw, Operation(item.operation), props))
    if bad:
        raise LicenceChangeRefused(bad)
    return out


@router.patch(
    "/licenses/users",
    response_model=AssignedLicenses,
    response_model_exclude_none=True,
    responses={206: {"model": AssignedLicenses, "description": "some licences failed"}},
    summary="Add and remove licences of one user in one operation (a swap keeps calling)",
)
def assign(body: AssignLicenses, ctx: Ctx = Depends(context)) -> JSONResponse:
    if not body.email and not body.personId:
        raise InvalidInput("email or personId is required")
    if body.siteUrls:
        raise InvalidInput("siteUrls are not supported by callshift")
    if not body.licenses:
        raise InvalidInput("licenses: at least one licence is required")
    person = ids.decode("PEOPLE", body.personId) if body.personId else None
    ref = PersonRef(
        person_id=person, email=None if person else body.email, org_id=raw_org(body.orgId)
    )
    result = change_licences(ctx, ref, _licence_requests(body), WEBEX_SHAPED_MOVES_BACK)
    licences = result.licences

    def encode(raw: str) -> str:
        lic = licences[raw]
        return ids.licence(lic.org_id, lic.offer_code, raw)

    out = {
        "orgId": ids.org(result.user.org_id),
        "personId": ids.person(result.user.id),
        "email": result.user.email,
        "licenses": sorted(encode(l) for l in result.change.after),
    }
    if not result.change.failed:
        return JSONResponse(out)  # as is: the model documents it, re-validating costs
    out["errors"] = [
        {
            "id": encode(f.licence_id) if f.licence_id in licences else f.licence_id,
            "errorCode": f.code,
            "description": f.description,
        }
        for f in result.change.failed
    ]
    return JSONResponse(out, status_code=206)
