"""Calling settings at exactly Webex's paths, one GET and PUT per catalogue entry and holder.

The routes are made from the catalogue (domain/settings): a new entry gets its routes here,
its sub-resource lists in setting_items.py, with no edit to either. A person's are at the
entry's person paths, a workspace's at the workspace paths the catalogue derives from
wxc-sdk's URL map; the same use cases answer both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from ... import ids
from ...domain.settings import PERSON, SETTINGS, WORKSPACE, WORKSPACE_SETTINGS, Setting
from ...services.context import Ctx, HolderRef, PersonRef, WorkspaceRef
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
from .workspaces import workspace_id

router = APIRouter(tags=["calling features"])


def ref(person: str) -> PersonRef:
    return PersonRef(person_id=person_id(person))


def workspace_ref(workspace: str) -> WorkspaceRef:
    return WorkspaceRef(workspace_id=workspace_id(workspace))


def route_path(path: str) -> str:
    return "/" + path.replace("{person_id}", "{holder}").replace("{workspace_id}", "{holder}")


# per kind of holder: the path parameter's name, how its id becomes a ref, the op-id suffix
HOLDERS: dict[str, tuple[str, Callable[[str], HolderRef], str]] = {
    PERSON: ("person", ref, ""),
    WORKSPACE: ("workspace", workspace_ref, "_workspace"),
}


def holder_path(path: str, kind: str) -> str:
    return route_path(path).replace("{holder}", "{" + HOLDERS[kind][0] + "}")


def _endpoint(kind: str, fn: Callable[..., Any], with_body: bool = False) -> Callable[..., Any]:
    """``fn(ctx, ref, body?)`` as a route taking the holder's id under its own name."""
    param, make_ref, _ = HOLDERS[kind]
    if with_body:

        def write(holder: str, body: Any = Body(...), ctx: Ctx = Depends(context)) -> Any:
            return fn(ctx, make_ref(holder), body)

        endpoint = write
    else:

        def read(holder: str, ctx: Ctx = Depends(context)) -> Any:
            return fn(ctx, make_ref(holder))

        endpoint = read
    return setting_items.renamed(endpoint, param)


def _make(s: Setting, kind: str) -> None:
    name, suffix = s.name, HOLDERS[kind][2]
    path, write_path = s.path_for(kind), s.write_path_for(kind)
    assert path is not None and write_path is not None
    router.add_api_route(
        holder_path(path, kind),
        _endpoint(kind, lambda ctx, r: read_setting(ctx, r, name)),
        methods=["GET"],
        summary=f"Read {s.title.lower()}" + (" of a workspace" if suffix else ""),
        operation_id=f"read_{name}{suffix}",
    )
    if s.writable:
        router.add_api_route(
            holder_path(write_path, kind),
            _endpoint(kind, lambda ctx, r, body: update_setting(ctx, r, name, body), True),
            methods=["PUT"],
            operation_id=f"update_{name}{suffix}",
            summary=f"Update {s.title.lower()}"
            + (" of a workspace" if suffix else "")
            + " (fields left out are kept)",
            openapi_extra=body_doc(put_schema(s, kind)),
        )
    for action in s.actions:
        router.add_api_route(
            holder_path(f"{path}/actions/{action}/invoke", kind),
            _endpoint(kind, _ACTIONS[(name, action)]),
            methods=["POST"],
            status_code=204,
            response_class=Response,
            response_model=None,
            operation_id=f"{action}_{name}{suffix}",
            summary=f"{action} ({s.title.lower()})",
        )


def _reset_pin(ctx: Ctx, r: HolderRef) -> Response:
    reset_voicemail_pin(ctx, r)
    return Response(status_code=204)


def _reset_access(ctx: Ctx, r: HolderRef) -> Response:
    reset_setting(ctx, r, "featureAccess")
    return Response(status_code=204)


_ACTIONS = {("voicemail", "resetPin"): _reset_pin, ("featureAccess", "reset"): _reset_access}

for _s in SETTINGS:
    _make(_s, PERSON)
for _s in WORKSPACE_SETTINGS:
    _make(_s, WORKSPACE)
router.include_router(setting_items.router)


@router.put(
    "/telephony/config/people/{person}/voicemail/passcode",
    summary="Set the voicemail PIN (6-30 digits); it can never be read back",
)
def passcode(person: str, body: Passcode, ctx: Ctx = Depends(context)) -> dict[str, Any]:
    set_voicemail_pin(ctx, ref(person), body.passcode)
    return {"personId": ids.person(person_id(person)), "passcodeSet": True}


@router.put(
    "/telephony/config/workspaces/{workspace}/voicemail/passcode",
    status_code=204,
    response_class=Response,
    summary="Set a workspace's voicemail PIN (6-30 digits); it can never be read back",
)
def workspace_passcode(workspace: str, body: Passcode, ctx: Ctx = Depends(context)) -> Response:
    set_voicemail_pin(ctx, workspace_ref(workspace), body.passcode)
    return Response(status_code=204)
