"""The sub-resource lists of calling settings (criteria, access codes, digit patterns, single
number reach numbers), at Webex's paths, made from the catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from ...domain.settings import SETTINGS, Collection, Setting
from ...services.context import Ctx, PersonRef
from ...services.features import create_item, delete_item, read_item, update_item
from ..deps import context
from ..feature_schemas import body_doc, item_schema
from .people import person_id

router = APIRouter(tags=["calling features"])


def _ref(person: str) -> PersonRef:
    return PersonRef(person_id=person_id(person))


def _make(s: Setting, c: Collection) -> None:
    name, coll = s.name, c.name
    base = "/" + s.path.replace("{person_id}", "{person}") + (f"/{c.path}" if c.path else "")
    op = f"{name}_{coll}"

    def create(person: str, body: Any = Body(...), ctx: Ctx = Depends(context)) -> dict[str, Any]:
        return create_item(ctx, _ref(person), name, coll, body)

    def read(person: str, item: str, ctx: Ctx = Depends(context)) -> dict[str, Any]:
        return read_item(ctx, _ref(person), name, coll, item)

    def update(
        person: str, item: str, body: Any = Body(...), ctx: Ctx = Depends(context)
    ) -> dict[str, Any]:
        return update_item(ctx, _ref(person), name, coll, item, body)

    def delete(person: str, item: str, ctx: Ctx = Depends(context)) -> Response:
        delete_item(ctx, _ref(person), name, coll, item)
        return Response(status_code=204)

    def delete_all(person: str, ctx: Ctx = Depends(context)) -> Response:
        delete_item(ctx, _ref(person), name, coll, None)
        return Response(status_code=204)

    doc = body_doc(item_schema(c))
    router.add_api_route(
        base,
        create,
        methods=["POST"],
        status_code=201,
        operation_id=f"create_{op}",
        summary=f"Add to {s.title.lower()}: {coll}",
        openapi_extra=doc,
    )
    if c.delete_all:
        router.add_api_route(
            base,
            delete_all,
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
            read,
            methods=["GET"],
            operation_id=f"read_{op}",
            summary=f"Read one of {s.title.lower()}: {coll}",
        )
        router.add_api_route(
            one,
            update,
            methods=["PUT"],
            operation_id=f"update_{op}",
            summary=f"Change one of {s.title.lower()}: {coll}",
            openapi_extra=doc,
        )
        router.add_api_route(
            one,
            delete,
            methods=["DELETE"],
            status_code=204,
            response_class=Response,
            operation_id=f"delete_{op}",
            summary=f"Remove one of {s.title.lower()}: {coll}",
        )


for _s in SETTINGS:
    for _c in _s.collections:
        _make(_s, _c)
