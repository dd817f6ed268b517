"""Per-user calling features in Webex's shapes, and the write-only voicemail passcode."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends

from ... import ids
from ...domain.model import FEATURES
from ...services.context import Ctx, PersonRef
from ...services.features import read_profile, set_voicemail_pin, update_feature
from ..deps import context
from ..feature_schemas import SCHEMAS
from ..schemas import Passcode
from .people import person_id

router = APIRouter(tags=["calling features"])


def _ref(person: str) -> PersonRef:
    return PersonRef(person_id=person_id(person))


def _make(name: str) -> None:
    schema = SCHEMAS[name]

    def read(person: str, ctx: Ctx = Depends(context)) -> dict[str, Any]:
        return read_profile(ctx, _ref(person)).features[name]

    def write(person: str, body: Any = Body(...), ctx: Ctx = Depends(context)) -> dict[str, Any]:
        return update_feature(ctx, _ref(person), name, body.model_dump(exclude_unset=True))

    write.__annotations__["body"] = schema  # the real class, not a postponed string

    path = f"/people/{{person}}/features/{name}"
    router.add_api_route(
        path, read, methods=["GET"], summary=f"Read {name}", operation_id=f"read_{name}"
    )
    router.add_api_route(
        path,
        write,
        methods=["PUT"],
        operation_id=f"update_{name}",
        summary=f"Update {name} (fields left out are kept)",
    )


for _name in FEATURES:
    _make(_name)


@router.get("/people/{person}/features/numbers", summary="The person's numbers")
def numbers(person: str, ctx: Ctx = Depends(context)) -> dict[str, Any]:
    p = read_profile(ctx, _ref(person))
    return {
        "distinctiveRingEnabled": p.distinctive_ring,
        "phoneNumbers": [
            {
                "primary": True,
                "directNumber": p.phone_number,
                "extension": p.extension,
                "ringPattern": "NORMAL",
            }
        ],
    }


@router.put(
    "/telephony/config/people/{person}/voicemail/passcode",
    summary="Set the voicemail PIN (6-30 digits); it can never be read back",
)
def passcode(person: str, body: Passcode, ctx: Ctx = Depends(context)) -> dict[str, Any]:
    set_voicemail_pin(ctx, _ref(person), body.passcode)
    return {"personId": ids.person(person_id(person)), "passcodeSet": True}
