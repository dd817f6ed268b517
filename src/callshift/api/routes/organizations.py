"""/v1/organizations: the organisations the caller administers (not paged, as in Webex) and
one of them. Administrators only; another organisation is 404, as if it did not exist."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ... import ids
from ...domain.errors import NotFound
from ...services.context import Ctx
from ...services.organisations import OrgInfo, list_organisations, organisation
from ..deps import context
from .people import iso

router = APIRouter(tags=["organizations"])


def org_out(org: OrgInfo) -> dict:
    return {"id": ids.org(org.id), "displayName": org.name, "created": iso(org.created)}


@router.get("/organizations", summary="Organisations the caller administers")
def list_all(ctx: Ctx = Depends(context)) -> dict:
    return {"items": [org_out(o) for o in list_organisations(ctx)]}


@router.get("/organizations/{org_id}", summary="Organisation details")
def details(org_id: str, ctx: Ctx = Depends(context)) -> dict:
    try:
        raw = ids.decode("ORGANIZATION", org_id)
    except ids.BadId:
        raise NotFound("organisation not found") from None
    return org_out(organisation(ctx, raw))
