"""The sub-resource lists of calling settings (criteria, access codes, digit patterns, single
number reach numbers), at Webex's paths for a person and for a workspace, made from the
catalogue."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from ...domain.settings import PERSON, SETTINGS, WORKSPACE, WORKSPACE_SETTINGS, Collection, Setting
from ...services.context import Ctx, HolderRef, PersonRef, WorkspaceRef
from ...services.features import create_item, delete_item, read_item, update_item
from ..deps import context
from ..feature_schemas import body_doc, item_schema
from .people import person_id
from .workspaces import workspace_id

router = APIRouter(tags=["calling features"])


def renamed(fn: Callable[..., Any], param: str) -> Callable[..., Any]:
    """``fn`` with its ``holder`` argument named ``param`` for FastAPI (the path's {person}
    or {workspace}), so one endpoint body serves both kinds of holder."""
    hints = typing.get_type_hints(fn)
    sig = inspect.signature(fn)
    params = [
        p.replace(name=param if p.name == "holder" else p.name, annotation=hints.get(p.name))
        for p in sig.parameters.values()
    ]

    @functools.wraps(fn)
    def call(**kw: Any) -> Any:
        kw["holder"] = kw.pop(param)
        return fn(**kw)

    del call.__wrapped__  # FastAPI reads the signature below, not fn's
    call.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return call


def _person(holder: str) -> HolderRef:
    return PersonRef(person_id=person_id(holder))


def _workspace(holder: str) -> HolderRef:
    return WorkspaceRef(workspace_id=workspace_id(holder))


_KINDS: dict[str, tuple[str, Callable[[str], HolderRef], str]] = {
    PERSON: ("person", _person, ""),
    WORKSPACE: ("workspace", _workspace, "_workspace"),
}


def _make(s: Setting, c: Collection, kind: str) -> None:
    name, coll = s.name, c.name
    param, make_ref, suffix = _KINDS[kind]
    path = s.path_for(kind) or ""
    base = "/" + path.replace("{person_id}", "{" + param + "}").replace(
        "{workspace_id}", "{" + param + "}"
    )
    base += f"/{c.path}" if c.path else ""
    op = f"{name}_{coll}{suffix}"

    def create(holder: str, body: Any = Body(...), ctx: Ctx = Depends(context)) -> dict[str, Any]:
        return create_item(ctx, make_ref(holder), name, coll, body)

    def read(holder: str, item: str, ctx: Ctx = Depends(context)) -> dict[str, Any]:
        return read_item(ctx, make_ref(holder), name, coll, item)

    def update(
        holder: str, item: str, body: Any = Body(...), ctx: Ctx = Depends(context)
    ) -> dict[str, Any]:
        return update_item(ctx, make_ref(holder), name, coll, item, body)

    def delete(holder: str, item: str, ctx: Ctx = Depends(context)) -> Response:
        delete_item(ctx, make_ref(holder), name, coll, item)
        return Response(status_code=204)

    def delete_all(holder: str, ctx: Ctx = Depends(context)) -> Response:
        delete_item(ctx, make_ref(holder), name, coll, None)
        return Response(status_code=204)

    doc = body_doc(item_schema(c))
    router.add_api_route(
        base,
        renamed(create, param),
        methods=["POST"],
        status_code=201,
        operation_id=f"create_{op}",
        summary=f"Add to {s.title.lower()}: {coll}",
        openapi_extra=doc,
    )
    if c.delete_all:
        router.add_api_route(
            base,
            renamed(delete_all, param),
            methods=["DELETE"],
            status_code=204,
            response_class=Response,
            operation_id=f"delete_all_{op}",
            summary=f"Remove every {coll} of {s.title.lower()}",
        )
    if c.item_routes:
        one = base + "/{item}"
        router.add_api_route(
            one,
            renamed(read, param),
            methods=["GET"],
            operation_id=f"read_{op}",
            summary=f"Read one of {s.title.lower()}: {coll}",
        )
        router.add_api_route(
            one,
            renamed(update, param),
            methods=["PUT"],
            operation_id=f"update_{op}",
            summary=f"Change one of {s.title.lower()}: {coll}",
            openapi_extra=doc,
        )
        router.add_api_route(
            one,
            renamed(delete, param),
            methods=["DELETE"],
            status_code=204,
            response_class=Response,
            operation_id=f"delete_{op}",
            summary=f"Remove one of {s.title.lower()}: {coll}",
        )


for _s in SETTINGS:
    for _c in _s.collections:
        _make(_s, _c, PERSON)
for _s in WORKSPACE_SETTINGS:
    for _c in _s.collections:
        _make(_s, _c, WORKSPACE)
