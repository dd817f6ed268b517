"""The per-user calling features and the write-only voicemail PIN."""

from __future__ import annotations

import copy
from typing import Any

from ..domain.errors import InvalidInput, NotFound
from ..domain.model import FEATURES, CallingProfile
from .context import Ctx, PersonRef, resolve_person
from .pins import hash_pin, validate_pin


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a string or null"  # str and None: nullable text fields (destinations, greetings)


def _merge(current: dict[str, Any], patch: dict[str, Any], path: str = "") -> dict[str, Any]:
    """Webex's feature PUTs are partial: what is sent replaces, what is left out stays.

    A setting the profile already has keeps its JSON type, so a PUT (or any other caller)
    cannot store, say, ``"enabled": null`` or replace an object with null or a number
    (InvalidInput, nothing written). Only text settings may be null.
    """
    out = copy.deepcopy(current)
    for key, value in patch.items():
        if key in out and _kind(value) != _kind(out[key]):
            raise InvalidInput(f"{path}{key} must be {_kind(out[key])}")
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, f"{path}{key}.")
        else:
            out[key] = copy.deepcopy(value)
    return out


def _calling_profile(store, user) -> CallingProfile:
    profile = store.profile(user.id)
    if profile is None:
        raise NotFound(f"{user.email} has no calling licence, so no calling features")
    return profile


def read_profile(ctx: Ctx, ref: PersonRef) -> CallingProfile:
    with ctx.db.uow(write=False) as uow:
        return _calling_profile(uow.store, resolve_person(uow.store, ctx, ref))


def update_feature(ctx: Ctx, ref: PersonRef, name: str, patch: dict[str, Any]) -> dict[str, Any]:
    if name not in FEATURES:
        raise NotFound(f"no feature {name}")
    ctx.principal.require_settings_write()
    with ctx.db.uow() as uow:
        user = resolve_person(uow.store, ctx, ref, lock=True)
        profile = _calling_profile(uow.store, user)
        before = profile.features[name]
        after = _merge(before, patch)
        if after != before:
            features = copy.deepcopy(profile.features)
            features[name] = after
            uow.store.update_profile(user.id, features=features)
            ctx.audit(
                uow.store,
                user.org_id,
                f"feature.{name}.updated",
                "person",
                user.id,
                {name: before},
                {name: after},
            )
            uow.commit()
        return after


def set_voicemail_pin(ctx: Ctx, ref: PersonRef, pin: str) -> None:
    ctx.principal.require_settings_write()
    validate_pin(pin)
    hashed = hash_pin(pin)  # slow on purpose: outside the transaction
    with ctx.db.uow() as uow:
        user = resolve_person(uow.store, ctx, ref, lock=True)
        _calling_profile(uow.store, user)
        uow.store.update_profile(user.id, voicemail_pin_hash=hashed)
        # the PIN itself never reaches the audit log
        ctx.audit(
            uow.store,
            user.org_id,
            "voicemail.pin.set",
            "person",
            user.id,
            None,
            {"voicemailPin": "set"},
        )
        uow.commit()
