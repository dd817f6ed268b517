"""Writes to a setting's sub-resource lists: criteria, access codes, digit patterns, SNR numbers."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import InvalidInput, NotFound
from .spec import Collection, Json, clean, item_spec, merge

MAX_ITEMS = 100  # Webex caps these lists (e.g. 12 criteria); far above any real use


def find(c: Collection, items: list[Json], key: str) -> Json:
    for item in items:
        if item.get(c.key) == key:
            return item
    raise NotFound(f"no {c.name} item {key}")


def add(c: Collection, items: list[Json], body: Any, new_id: str) -> tuple[list[Json], str]:
    """``items`` with one more, made from ``body`` (its id is ``new_id``, or its own code)."""
    fields = clean(item_spec(c), body)
    if c.key != "id":  # the item is named by a field of its own (an access code's code)
        fields[c.key] = body.get(c.key) if isinstance(body, dict) else None
        if not isinstance(fields[c.key], str) or not fields[c.key]:
            raise InvalidInput(f"{c.key} is required")
    missing = sorted(f for f in c.required if fields.get(f) in (None, ""))
    if missing:
        raise InvalidInput(f"{missing[0]} is required")
    key = fields[c.key] if c.key != "id" else new_id
    if any(i.get(c.key) == key for i in items):
        raise InvalidInput(f"{c.key} {key} exists already")
    if len(items) >= MAX_ITEMS:
        raise InvalidInput(f"at most {MAX_ITEMS} {c.name}")
    item = merge(c.item, fields)
    item[c.key] = key
    return [*copy.deepcopy(items), item], key


def change(c: Collection, items: list[Json], key: str, body: Any) -> list[Json]:
    find(c, items, key)
    patch = clean(item_spec(c), body)
    return [merge(i, patch) if i.get(c.key) == key else copy.deepcopy(i) for i in items]


def drop(c: Collection, items: list[Json], key: str) -> list[Json]:
    find(c, items, key)
    return [copy.deepcopy(i) for i in items if i.get(c.key) != key]
