"""Non-default values for every catalogued setting, made from the catalogue itself, so tests
that must see "every setting kept" cover an entry as soon as it is added."""

from __future__ import annotations

from typing import Any

from callshift import ids
from callshift.domain.settings import PERSON, WORKSPACE, Setting, put_body, settings_of
from callshift.domain.settings.writes import NUMBER_PUT_NAMES
from callshift.services.context import Ctx, HolderRef
from callshift.services.features import create_item, update_setting


def _other(s: Setting, path: str, value: Any) -> Any:
    if path in s.enums:
        return next((v for v in s.enums[path] if v != value), value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        low, high = s.ranges.get(path, (0, 10_000))
        return low if value != low else high
    if value is None:
        return "+14155550140" if "umber" in path or "destination" in path else "changed"
    return value


def _flip(s: Setting, value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in value.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict) and path not in s.enums:
            out[k] = _flip(s, v, f"{path}.")
        elif isinstance(v, list):
            continue  # lists: their own items below, or person references
        else:
            out[k] = _other(s, path, v)
    return out


def non_default_body(
    s: Setting, other_person: str, kind: str = PERSON, number: str = "+97235559931"
) -> dict[str, Any]:
    """A PUT body (in the shape ``s.write`` takes for ``kind`` of holder) that changes every
    writable field."""
    if s.write == "numbers":
        ring, field = NUMBER_PUT_NAMES[kind]
        add = {"action": "ADD", field: number, "ringPattern": "LONG_LONG"}
        return {ring: False, "phoneNumbers": [add]}
    if s.write == "msTeams":
        return {"settingName": "PRESENCE_SYNC", "value": False}
    if s.write == "accessCodes":
        return {"useCustomAccessCodes": True}
    if s.write == "featureAccess":
        return {"voicemail": "NO_ACCESS", "bargeIn": "NO_ACCESS"}
    if s.write == "monitoring":
        return {"enableCallParkNotification": True, "monitoredElements": [other_person]}
    skip = {c.field for c in s.collections}
    body = _flip(s, {k: v for k, v in put_body(s, s.default).items() if k not in skip})
    for f in s.refs:
        body[f] = [other_person]
    for name, item in s.items.items():
        if name not in s.refs and "." not in name:
            body[name] = [{k: _other(s, f"{name}.{k}", v) for k, v in item.items()}]
    return body


def _filled(c: Any, name: str, value: Any) -> Any:
    if value is not None:
        return value
    if name in c.enums:
        return next(v for v in c.enums[name] if v is not None)
    return "+14155550150" if "umber" in name else "x1"


def configure_everything(
    ctx: Ctx, ref: HolderRef, other_person_id: str, number: str = "+97235559931"
) -> None:
    """Every setting away from its default, and one item in each sub-resource list; the
    holder's alternate number is ``number``."""
    other = ids.person(other_person_id)
    kind = PERSON if hasattr(ref, "person_id") else WORKSPACE
    for s in settings_of(kind):
        if s.writable:
            update_setting(ctx, ref, s.name, non_default_body(s, other, kind, number))
        for c in s.collections:
            item = {k: v for k, v in c.item.items() if k != c.key}
            item = {k: _filled(c, k, v) for k, v in item.items()}
            if c.key != "id":
                item[c.key] = "5150"
            create_item(ctx, ref, s.name, c.name, item)
