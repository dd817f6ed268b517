"""/v1/people: list (keyset paging, absolute Link), details, create, full replace, delete."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from ... import ids
from ...domain.errors import InvalidInput, NotFound
from ...domain.model import Licence
from ...services.context import Ctx, PersonRef
from ...services.identity import who_am_i
from ...services.people import (
    PeopleFilter,
    PersonData,
    PersonView,
    create_person,
    delete_person,
    get_person,
    list_people,
    replace_person,
)
from ...web.params import bounded
from ..deps import WEBEX_SHAPED_MOVES_BACK, context
from ..paging import next_link
from ..schemas import MachineIdentity, Person, PersonIn, PersonList
from .licenses import raw_org

router = APIRouter(tags=["people"])
MAX_IDS = 85


def iso(dt) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def person_out(view: PersonView, licences: Mapping[str, Licence], calling_data: bool) -> dict:
    u = view.user
    out = {
        "id": ids.person(u.id),
        "emails": [u.email],
        "displayName": u.display_name,
        "firstName": u.first_name,
        "lastName": u.last_name,
        "orgId": ids.org(u.org_id),
        "licenses": [
            ids.licence(licences[l].org_id, licences[l].offer_code, l)
            for l in view.licence_ids
            if l in licences
        ],
        "created": iso(u.created),
        "lastModified": iso(u.last_modified),
        "status": u.status,
        "type": "person",
        "invitePending": False,
        "loginEnabled": True,
        "phoneNumbers": [],
    }
    p = view.profile
    if calling_data and p is not None:
        if p.phone_number:
            out["phoneNumbers"] = [{"type": "work", "value": p.phone_number, "primary": True}]
        if p.extension:
            out["extension"] = p.extension
        out["locationId"] = ids.location(p.location_id)
    return out


def person_id(value: str) -> str:
    try:
        return ids.decode("PEOPLE", value)
    except ids.BadId:
        raise NotFound("person not found") from None


def _licences(ctx: Ctx, org_id: str) -> dict[str, Licence]:
    """The organisation's licences, to spell each licence id the Webex way."""
    with ctx.db.uow(write=False) as uow:
        return uow.store.licences(org_id)


@router.get(
    "/people",
    response_model=PersonList,
    response_model_exclude_none=True,
    summary="List people (paged by absolute Link next URLs)",
)
def list_all(
    request: Request,
    ctx: Ctx = Depends(context),
    email: str | None = None,
    displayName: str | None = None,
    id: str | None = Query(None, description="comma-separated, up to 85 ids"),
    orgId: str | None = None,
    locationId: str | None = None,
    callingData: bool = False,
    max: int = bounded(100, ge=1),
    cursor: str | None = None,
) -> dict:
    org_id = ctx.principal.org(raw_org(orgId))
    wanted, raw_ids, bad = None, None, []
    if id is not None:
        wanted = [i for i in id.split(",") if i]
        if len(wanted) > MAX_IDS:
            raise InvalidInput(f"id takes at most {MAX_IDS} ids")
        raw_ids = []
        for i in wanted:
            try:
                raw_ids.append(ids.decode("PEOPLE", i))
            except ids.BadId:
                bad.append(i)
    location = None
    if locationId:
        try:
            location = ids.decode("LOCATION", locationId)
        except ids.BadId:
            raise InvalidInput("locationId is not a location id") from None
    f = PeopleFilter(
        org_id, email=email, display_name=displayName, ids=raw_ids, location_id=location
    )
    views, next_cursor = list_people(ctx, f, cursor, max, callingData)
    licences = _licences(ctx, org_id)
    out: dict = {"items": [person_out(v, licences, callingData) for v in views]}
    if wanted is not None:
        found = {ids.person(v.user.id) for v in views}
        out["notFoundIds"] = [i for i in wanted if i not in found] if cursor is None else []
    # returned as is: the response model documents the shape, validating 100 people again
    # would cost more than reading them
    headers = {"Link": next_link(request, next_cursor)} if next_cursor else None
    return JSONResponse(out, headers=headers)


@router.get(
    "/people/me",
    response_model=Person | MachineIdentity,
    response_model_exclude_none=True,
    summary="The caller: its person, or an administrator token's own identity",
    description=(
        "A `user` token answers its person, as `GET /people/{id}` would. An administrator's "
        "token stands for no person: like a Webex service app's machine account it answers "
        "its own identity (type `bot`, the token's name, the organisation it acts in), the "
        "same for every token of that name in the organisation."
    ),
)
def me(ctx: Ctx = Depends(context), callingData: bool = False) -> JSONResponse:
    found = who_am_i(ctx)
    if isinstance(found, PersonView):
        return JSONResponse(person_out(found, _licences(ctx, found.user.org_id), callingData))
    return JSONResponse(
        {
            "id": ids.person(found.id),
            "emails": [],
            "displayName": found.name,
            "nickName": found.name,
            "orgId": ids.org(found.org_id),
            "licenses": [],
            "type": "bot",
            "invitePending": False,
            "loginEnabled": True,
        }
    )


@router.get(
    "/people/{person}",
    response_model=Person,
    response_model_exclude_none=True,
    summary="Person details",
)
def details(person: str, ctx: Ctx = Depends(context), callingData: bool = False) -> dict:
    view = get_person(ctx, PersonRef(person_id=person_id(person)))
    return JSONResponse(person_out(view, _licences(ctx, view.user.org_id), callingData))


def _data(body: PersonIn) -> PersonData:
    location = None
    if body.locationId:
        try:
            location = ids.decode("LOCATION", body.locationId)
        except ids.BadId:
            raise InvalidInput("locationId is not a location id") from None
    licences = None
    if body.licenses is not None:
        licences = []
        for l in body.licenses:
            try:
                licences.append(ids.licence_raw(l))
            except ids.BadId:
                licences.append(f"unknown:{l}")  # reported as "licence not recognised"
    work = [p.value for p in body.phoneNumbers or [] if p.type in ("work", "enterprise")]
    return PersonData(
        email=body.emails[0],
        first_name=body.firstName or "",
        last_name=body.lastName or "",
        display_name=body.displayName or "",
        licences=licences,
        location_id=location,
        extension=body.extension,
        phone_number=work[0] if work else None,
    )


@router.post(
    "/people",
    response_model=Person,
    response_model_exclude_none=True,
    summary="Create a person, with licences and calling if given",
)
def create(body: PersonIn, ctx: Ctx = Depends(context), callingData: bool = False) -> dict:
    view = create_person(ctx, raw_org(body.orgId), _data(body))
    out = person_out(view, _licences(ctx, view.user.org_id), callingData)
    if view.notes:
        out["warnings"] = list(view.notes)
    return out


@router.put(
    "/people/{person}",
    response_model=Person,
    response_model_exclude_none=True,
    summary="Replace a person: the licences given are the complete new list",
)
def replace(
    person: str,
    body: PersonIn,
    ctx: Ctx = Depends(context),
    callingData: bool = False,
) -> dict:
    ref = PersonRef(person_id=person_id(person))
    view = replace_person(ctx, ref, _data(body), WEBEX_SHAPED_MOVES_BACK)
    return person_out(view, _licences(ctx, view.user.org_id), callingData)


@router.delete(
    "/people/{person}",
    status_code=204,
    response_class=Response,
    summary="Delete a person (a calling profile goes to the recycle bin)",
)
def delete(person: str, ctx: Ctx = Depends(context)) -> Response:
    delete_person(ctx, PersonRef(person_id=person_id(person)))
    return Response(status_code=204)
