"""OpenAPI request bodies of the calling-setting PUTs, derived from the catalogue.

Only documentation (and what schemathesis generates from): the bodies are checked by the
catalogue's own validation, which answers 400 in Webex's shape. Every field is optional, as
Webex's PUTs are partial.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.settings import PERSON, Collection, Setting
from ..domain.settings.writes import NUMBER_PUT_NAMES

Schema = dict[str, Any]


def _field(path: str, value: Any, s: Any) -> Schema:
    if path in getattr(s, "foreign", ()):  # ids, or objects carrying them (hot desk lines)
        ident = {"type": ["string", "null"], "maxLength": 320}
        carried = {"type": "object", "properties": {"id": ident}}
        one = {"anyOf": [ident, carried]}
        return {"type": "array", "items": one} if isinstance(value, list) else ident
    if path in s.enums:
        return {"enum": list(s.enums[path])}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        low, high = s.ranges.get(path, (None, None))
        return {"type": "integer", **({"minimum": low, "maximum": high} if low is not None else {})}
    if isinstance(value, dict):
        return _object(value, s, f"{path}.")
    if isinstance(value, list):
        if path in getattr(s, "refs", ()):
            return {"type": "array", "items": {"type": "string"}}
        item = s.items.get(path, "")
        schema = _field(path, item, s) if isinstance(item, dict) else {"type": "string"}
        return {"type": "array", "items": schema}
    return {"type": ["string", "null"], "maxLength": 320}


def _object(
    template: Mapping[str, Any], s: Any, prefix: str = "", skip: frozenset = frozenset()
) -> Schema:
    props = {
        k: _field(f"{prefix}{k}", v, s)
        for k, v in template.items()
        if f"{prefix}{k}" not in s.read_only and k not in skip
    }
    return {"type": "object", "properties": props}


def put_schema(s: Setting, kind: str = PERSON) -> Schema:
    if s.write == "numbers":
        ring, number = NUMBER_PUT_NAMES[kind]
        change = {
            "type": "object",
            "properties": {
                "primary": {"type": "boolean"},
                "action": {"enum": ["ADD", "DELETE"]},
                number: {"type": "string"},
                "extension": {"type": ["string", "null"]},
                "ringPattern": {"enum": list(s.enums["phoneNumbers.ringPattern"])},
            },
        }
        return {
            "type": "object",
            "properties": {
                ring: {"type": "boolean"},
                "phoneNumbers": {"type": "array", "items": change},
            },
        }
    if s.write == "msTeams":
        names = list(s.enums["settings.settingName"])
        props = {"settingName": {"enum": names}, "value": {"type": "boolean"}}
        return {"type": "object", "properties": props}
    if s.write == "accessCodes":
        props = {
            "useCustomAccessCodes": {"type": "boolean"},
            "deleteCodes": {"type": "array", "items": {"type": "string"}},
        }
        return {"type": "object", "properties": props}
    if s.write == "featureAccess":
        inner = s.default["userSettingsPermissions"]
        return _field("userSettingsPermissions", inner, s)
    body = _object(s.default, s, skip=frozenset(c.field for c in s.collections))
    props = body["properties"]
    body["properties"] = {s.put_names.get(k, k): v for k, v in props.items()}
    return body


def item_schema(c: Collection) -> Schema:
    return _object(c.item, _ItemSpec(c), skip=frozenset({"id"}))


class _ItemSpec:
    def __init__(self, c: Collection) -> None:
        self.enums, self.ranges, self.items = c.enums, c.ranges, c.items
        self.read_only: frozenset[str] = frozenset()


def body_doc(schema: Schema) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON request body."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
