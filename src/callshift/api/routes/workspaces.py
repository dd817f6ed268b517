"""/v1/workspaces: list (offset paging, absolute Link), details, create, update, delete.

Webex's shapes. Unlike Webex, whose GET leaves ``calling.webexCalling`` out (a backend
limit wxc-sdk notes), callshift returns the workspace's licences, extension, number and
location there, so a script can read a workspace, change its licence and PUT it back.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ... import ids
from ...domain.errors import InvalidInput
from ...domain.model import Licence
from ...services.context import Ctx
from ...services.licences import list_licences
from ...services.workspaces import (
    WorkspaceData,
    WorkspaceView,
    create_workspace,
    delete_workspace,
    get_workspace,
    list_workspaces,
    update_workspace,
)
from ..deps import WEBEX_SHAPED_MOVES_BACK, context
from ..paging import next_link
from .licenses import raw_org
from .people import iso

router = APIRouter(tags=["workspaces"])
MAX_PAGE = 1000


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class WebexCallingIn(_In):
    licenses: list[str] | None = None
    locationId: str | None = None
    extension: str | None = Field(None, max_length=16)
    phoneNumber: str | None = Field(None, max_length=32)


class CallingIn(_In):
    type: str | None = None
    webexCalling: WebexCallingIn | None = None


class WorkspaceIn(_In):
    """A create or update body: what wxc-sdk's ``Workspace.update_or_create`` sends."""

    displayName: str | None = Field(None, max_length=400)
    locationId: str | None = None
    capacity: int | None = Field(None, ge=-1, le=100_000)
    type: Literal["notSet", "focus", "huddle", "meetingRoom", "open", "desk", "other"] | None = None
    calling: CallingIn | None = None
    hotdeskingStatus: Literal["on", "off"] | None = None
    supportedDevices: Literal["collaborationDevices", "phones"] | None = None
    notes: str | None = Field(None, max_length=2000)


def workspace_id(value: str) -> str:
    """The raw id; a malformed one becomes an id no workspace has, so the use case checks
    the caller's role first and then answers 404, as for an unknown workspace."""
    try:
        return ids.decode("PLACES", value)
    except ids.BadId:
        return ""


def _location(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return ids.decode("LOCATION", value)
    except ids.BadId:
        raise InvalidInput("locationId is not a location id") from None


def _licence(value: str) -> str:
    try:
        return ids.licence_raw(value)
    except ids.BadId:
        raise InvalidInput(f"licence {value} not recognised") from None


def _data(body: WorkspaceIn) -> WorkspaceData:
    calling = body.calling
    wxc = calling.webexCalling if calling else None
    details = {
        key: value
        for key, value in (
            ("workspace_type", body.type),
            ("capacity", body.capacity),
            ("hotdesking", body.hotdeskingStatus),
            ("supported_devices", body.supportedDevices),
            ("notes", body.notes),
        )
        if value is not None
    }
    return WorkspaceData(
        display_name=body.displayName,
        details=details,
        calling=calling.type if calling else None,
        licences=tuple(_licence(l) for l in wxc.licenses)
        if wxc and wxc.licenses is not None
        else None,
        location_id=_location((wxc.locationId if wxc else None) or body.locationId),
        extension=wxc.extension if wxc else None,
        phone_number=wxc.phoneNumber if wxc else None,
    )


def workspace_out(view: WorkspaceView, licences: dict[str, Licence]) -> dict:
    w, d, p = view.user, view.details, view.profile
    out: dict = {
        "id": ids.workspace(w.id),
        "orgId": ids.org(w.org_id),
        "displayName": w.display_name,
        "type": d.workspace_type,
        "sipAddress": w.email,
        "created": iso(w.created),
        "calendar": {"type": "none"},
        "hotdeskingStatus": d.hotdesking,
        "supportedDevices": d.supported_devices,
        "calling": {"type": "none"},
    }
    if d.capacity is not None:
        out["capacity"] = d.capacity
    if d.notes:
        out["notes"] = d.notes
    if p is not None:
        out["locationId"] = ids.location(p.location_id)
        held = [licences[l] for l in view.licence_ids if l in licences]
        wxc: dict = {
            "licenses": [ids.licence(l.org_id, l.offer_code, l.id) for l in held],
            "locationId": ids.location(p.location_id),
        }
        if p.extension:
            wxc["extension"] = p.extension
        if p.phone_number:
            wxc["phoneNumber"] = p.phone_number
        out["calling"] = {"type": "webexCalling", "webexCalling": wxc}
    return out


def _licences(ctx: Ctx, org_id: str) -> dict[str, Licence]:
    return {l.id: l for l in list_licences(ctx, org_id)}


@router.get("/workspaces", summary="List workspaces (offset paging by absolute Link next URLs)")
def list_all(
    request: Request,
    ctx: Ctx = Depends(context),
    orgId: str | None = None,
    locationId: str | None = None,
    displayName: str | None = None,
    calling: str | None = None,
    start: int = Query(0, ge=0, le=10_000_000),
    max: int = Query(100, ge=1, le=1_000_000),
) -> Response:
    org_id = ctx.principal.org(raw_org(orgId))
    limit = min(max, MAX_PAGE)
    views = list_workspaces(
        ctx,
        org_id,
        display_name=displayName,
        location_id=_location(locationId),
        calling=calling,
        start=start,
        limit=limit + 1,
    )
    licences = _licences(ctx, org_id)
    out = {"items": [workspace_out(v, licences) for v in views[:limit]]}
    headers = None
    if len(views) > limit:
        headers = {"Link": next_link(request, str(start + limit), key="start")}
    return JSONResponse(out, headers=headers)


@router.post("/workspaces", summary="Create a workspace", status_code=200)
def create(body: WorkspaceIn, ctx: Ctx = Depends(context), orgId: str | None = None) -> dict:
    view = create_workspace(ctx, raw_org(orgId), _data(body))
    return workspace_out(view, _licences(ctx, view.user.org_id))


@router.get("/workspaces/{workspace}", summary="Workspace details")
def details(workspace: str, ctx: Ctx = Depends(context)) -> dict:
    view = get_workspace(ctx, workspace_id(workspace))
    return workspace_out(view, _licences(ctx, view.user.org_id))


@router.put(
    "/workspaces/{workspace}",
    summary="Update a workspace; calling.webexCalling.licenses swaps its calling licence",
)
def update(workspace: str, body: WorkspaceIn, ctx: Ctx = Depends(context)) -> dict:
    view = update_workspace(ctx, workspace_id(workspace), _data(body), WEBEX_SHAPED_MOVES_BACK)
    return workspace_out(view, _licences(ctx, view.user.org_id))


@router.delete("/workspaces/{workspace}", status_code=204, summary="Delete a workspace")
def delete(workspace: str, ctx: Ctx = Depends(context)) -> Response:
    delete_workspace(ctx, workspace_id(workspace))
    return Response(status_code=204)
