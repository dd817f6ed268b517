"""A person's schedules at Webex's paths (wxc-sdk's ``person_settings.schedules``):
``/people/{id}/features/schedules``, ``/{scheduleType}/{scheduleId}`` and its ``/events``."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from ...services import schedules as svc
from ...services.context import Ctx, PersonRef
from ..deps import context
from .licenses import raw_org
from .locations import START_MAX
from .people import person_id
from .telephony import page

router = APIRouter(tags=["calling features"])
BASE = "/people/{person}/features/schedules"
ONE = BASE + "/{scheduleType}/{scheduleId}"
EVENT = ONE + "/events/{eventId}"
Kind = Literal["businessHours", "holidays"]
LIST_MAX = 1000
ORG = Query(None, max_length=400)


def _ref(person: str, org: str | None) -> PersonRef:
    return PersonRef(person_id=person_id(person), org_id=raw_org(org))


@router.get(BASE, summary="List a person's schedules (paged)")
def list_schedules(
    request: Request,
    person: str,
    ctx: Ctx = Depends(context),
    type: Kind | None = None,
    name: str | None = Query(None, max_length=80),
    orgId: str | None = ORG,
    max: int = Query(LIST_MAX, ge=1, description="more than 1000 returns 1000"),
    start: int = Query(0, ge=0, le=START_MAX),
) -> JSONResponse:
    found = svc.list_schedules(ctx, _ref(person, orgId), type, name)
    limit = min(max, LIST_MAX)
    return page(request, "schedules", found[start : start + limit + 1], start, limit)


@router.post(BASE, status_code=201, summary="Create a schedule for a person")
def create_schedule(
    person: str, body: Any = Body(...), ctx: Ctx = Depends(context), orgId: str | None = ORG
) -> dict[str, str]:
    return {"id": svc.create_schedule(ctx, _ref(person, orgId), body)}


@router.get(ONE, summary="A person's schedule with its events")
def read_schedule(
    person: str,
    scheduleType: Kind,
    scheduleId: str,
    ctx: Ctx = Depends(context),
    orgId: str | None = ORG,
) -> dict[str, Any]:
    return svc.read_schedule(ctx, _ref(person, orgId), scheduleType, scheduleId)


@router.put(
    ONE, summary="Rename a person's schedule or replace its events (the id follows the name)"
)
def update_schedule(
    person: str,
    scheduleType: Kind,
    scheduleId: str,
    body: Any = Body(...),
    ctx: Ctx = Depends(context),
    orgId: str | None = ORG,
) -> dict[str, str]:
    ref = _ref(person, orgId)
    return {"id": svc.update_schedule(ctx, ref, scheduleType, scheduleId, body)}


@router.delete(ONE, status_code=204, response_class=Response, summary="Delete a person's schedule")
def delete_schedule(
    person: str,
    scheduleType: Kind,
    scheduleId: str,
    ctx: Ctx = Depends(context),
    orgId: str | None = ORG,
) -> Response:
    svc.delete_schedule(ctx, _ref(person, orgId), scheduleType, scheduleId)
    return Response(status_code=204)


@router.post(ONE + "/events", status_code=201, summary="Add an event to a person's schedule")
def create_event(
    person: str,
    scheduleType: Kind,
    scheduleId: str,
    body: Any = Body(...),
    ctx: Ctx = Depends(context),
    orgId: str | None = ORG,
) -> dict[str, str]:
    ref = _ref(person, orgId)
    return {"id": svc.create_event(ctx, ref, scheduleType, scheduleId, body)}


@router.get(EVENT, summary="One event of a person's schedule")
def read_event(
    person: str,
    scheduleType: Kind,
    scheduleId: str,
    eventId: str,
    ctx: Ctx = Depends(context),
    orgId: str | None = ORG,
) -> dict[str, Any]:
    return svc.read_event(ctx, _ref(person, orgId), scheduleType, scheduleId, eventId)


@router.put(EVENT, summary="Change an event of a person's schedule (the id follows the name)")
def update_event(
    person: str,
    scheduleType: Kind,
    scheduleId: str,
    eventId: str,
    body: Any = Body(...),
    ctx: Ctx = Depends(context),
    orgId: str | None = ORG,
) -> dict[str, str]:
    ref = _ref(person, orgId)
    return {"id": svc.update_event(ctx, ref, scheduleType, scheduleId, eventId, body)}


@router.delete(
    EVENT, status_code=204, response_class=Response, summary="Delete an event of a schedule"
)
def delete_event(
    person: str,
    scheduleType: Kind,
    scheduleId: str,
    eventId: str,
    ctx: Ctx = Depends(context),
    orgId: str | None = ORG,
) -> Response:
    svc.delete_event(ctx, _ref(person, orgId), scheduleType, scheduleId, eventId)
    return Response(status_code=204)
