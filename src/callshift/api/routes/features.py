"""Per-person calling settings at exactly Webex's paths, one GET and PUT per catalogue entry.

The routes are made from the catalogue (domain/settings): a new entry gets its routes here,
its sub-resource lists in setting_items.py, with no edit to either.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from ... import ids
from ...domain.settings import SETTINGS, Setting
from ...services.context import Ctx, PersonRef
from ...services.features import (
    read_setting,
    reset_setting,
    reset_voicemail_pin,
    set_voicemail_pin,
    update_setting,
)
from ..deps import context
from ..feature_schemas import body_doc, put_schema
from ..schemas import Passcode
from . import setting_items
from .people import person_id

router = APIRouter(tags=["calling features"])


def ref(person: str) -> PersonRef:
    return PersonRef(person_id=person_id(person))


def route_path(path: str) -> str:
    return "/" + path.replace("{person_id}", "{person}")


def _make(s: Setting) -> None:
    name = s.name

    def read(person: str, ctx: Ctx = Depends(context)) -> dict[str, Any]:
        return read_setting(ctx, ref(person), name)

    def write(person: str, body: Any = Body(...), ctx: Ctx = Depends(context)) -> dict[str, Any]:
        return update_setting(ctx, ref(person), name, body)

    router.add_api_route(
        route_path(s.path),
        read,
        methods=["GET"],
        summary=f"Read {s.title.lower()}",
        operation_id=f"read_{name}",
    )
    if s.writable:
        router.add_api_route(
            route_path(s.write_path),
            write,
            methods=["PUT"],
            operation_id=f"update_{name}",
            summary=f"Update {s.title.lower()} (fields left out are kept)",
            openapi_extra=body_doc(put_schema(s)),
        )
    for action in s.actions:
        router.add_api_route(
            route_path(f"{s.path}/actions/{action}/invoke"),
            _ACTIONS[(name, action)],
            methods=["POST"],
            status_code=204,
            response_class=Response,
            operation_id=f"{action}_{name}",
            summary=f"{action} ({s.title.lower()})",
        )


def _reset_pin(person: str, ctx: Ctx = Depends(context)) -> Response:
    reset_voicemail_pin(ctx, ref(person))
    return Response(status_code=204)


def _reset_access(person: str, ctx: Ctx = Depends(context)) -> Response:
    reset_setting(ctx, ref(person), "featureAccess")
    return Response(status_code=204)


_ACTIONS = {("voicemail", "resetPin"): _reset_pin, ("featureAccess", "reset"): _reset_access}

for _s in SETTINGS:
    _make(_s)
router.include_router(setting_items.router)


@router.put(
    "/telephony/config/people/{person}/voicemail/passcode",
    summary="Set the voicemail PIN (6-30 digits); it can never be read back",
)
def passcode(person: str, body: Passcode, ctx: Ctx = Depends(context)) -> dict[str, Any]:
    set_voicemail_pin(ctx, ref(person), body.passcode)
    return {"personId": ids.person(person_id(person)), "passcodeSet": True}
