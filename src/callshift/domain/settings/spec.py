"""The shape of a catalogued calling setting, and the checks every write goes through.

A setting's default doubles as its field spec: each field's type is the type of its default
(bool, int, object, list; None or a string is nullable text), narrowed by ``enums`` and
``ranges``. Lists carry their item template in ``items``. Pure data and pure functions, so
routes, storage, the UI and the engine all read the same entry.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from ..errors import InvalidInput
from ..text import strings_problem

TEXT_MAX = 320
ENUM_SHOWN = 40  # allowed values an error message names
Json = dict[str, Any]
PERSON, WORKSPACE = "person", "workspace"  # the kinds of holder a setting belongs to


def at(path: str, holder_id: str) -> str:
    """A catalogue path with its holder's id in place of {person_id} / {workspace_id}."""
    return path.replace("{person_id}", holder_id).replace("{workspace_id}", holder_id)


@dataclass(frozen=True)
class Collection:
    """A list of items with its own routes (criteria, access codes, digit patterns, SNR numbers).

    The items live in the setting's stored value under ``field``; Webex serves them at
    ``{setting path}/{path}`` (POST creates) and ``{setting path}/{path}/{id}`` (GET, PUT,
    DELETE) when ``item_routes``. The setting's own GET lists each item cut to ``summary``.
    """

    name: str
    path: str  # after the setting's path; "" when the setting's own path takes the POST
    field: str
    item: Mapping[str, Any]  # a new item's defaults, and its field spec
    key: str = "id"
    id_prefix: str = "CRITERIA"
    summary: tuple[str, ...] = ()  # empty: the whole item
    enums: Mapping[str, tuple[str | None, ...]] = _field(default_factory=dict)
    ranges: Mapping[str, tuple[int, int]] = _field(default_factory=dict)
    items: Mapping[str, Any] = _field(default_factory=dict)
    required: frozenset[str] = frozenset()
    item_routes: bool = True
    delete_all: bool = False
    source_from: str | None = None  # summary "source" derived from this callsFrom-like field


@dataclass(frozen=True)
class Setting:
    """One person setting as Webex serves it.

    ``default`` is what GET answers for a new user, except the ``computed`` fields: they hold
    None here and are filled on read from the person, their location and numbers.
    ``writable`` is False only if Webex's API cannot write the setting at all; parts it cannot
    write (the PIN, greeting audio) are named in ``lost``.
    """

    name: str  # key in the profile's features JSON, as Webex names it
    title: str
    group: str
    path: str  # after /v1/, with {person_id}
    default: Mapping[str, Any]
    read_only: frozenset[str] = frozenset()  # dotted paths the server computes
    writable: bool = True
    enums: Mapping[str, tuple[str | None, ...]] = _field(default_factory=dict)
    ranges: Mapping[str, tuple[int, int]] = _field(default_factory=dict)
    items: Mapping[str, Any] = _field(default_factory=dict)  # list field -> item template
    refs: frozenset[str] = frozenset()  # list fields of person ids (PUT ids, GET people)
    # field -> where the server takes it from: always for read-only fields, else while unset
    computed: Mapping[str, str] = _field(default_factory=dict)
    collections: tuple[Collection, ...] = ()
    put_path: str | None = None  # when Webex writes it at another path
    write: str = "merge"  # how a PUT body applies; "merge" is Webex's partial update
    actions: tuple[str, ...] = ()  # POST {path}/actions/{action}/invoke
    lost: tuple[str, ...] = ()  # parts Webex's API cannot write back (reported as losses)
    # field as GET shows it -> the name Webex's PUT gives it ("assistants" -> "assistantIds")
    put_names: Mapping[str, str] = _field(default_factory=dict)
    # fields naming objects callshift does not have (call queues, hunt groups, device lines),
    # by what they would name: GET shows none, a PUT may clear them, any id is refused
    foreign: Mapping[str, str] = _field(default_factory=dict)
    people: bool = True  # False: a workspace-only setting (no person path)
    # filled in from wxc-sdk's URL map (workspaces.py), never by hand: None when workspaces
    # lack the setting; paths with {workspace_id}
    workspace_path: str | None = None
    workspace_put_path: str | None = None

    @property
    def write_path(self) -> str:
        return self.put_path or self.path

    def path_for(self, kind: str) -> str | None:
        """Where Webex serves the setting for a ``kind`` ("person", "workspace") of holder;
        None when that kind has no such setting."""
        if kind == WORKSPACE:
            return self.workspace_path
        return self.path if self.people else None

    def write_path_for(self, kind: str) -> str | None:
        if kind == WORKSPACE:
            return self.workspace_put_path or self.workspace_path
        return self.write_path if self.people else None

    @property
    def fixed(self) -> bool:
        """No value but the default can be stored in callshift: every field is computed,
        names objects callshift lacks, or has a single allowed value."""
        return not self.collections and all(
            k in self.read_only
            or k in self.computed
            or k in self.foreign
            or len(self.enums.get(k, ())) == 1
            for k in self.default
        )

    @property
    def derived(self) -> bool:
        """Nothing of it is the person's to write: every field is computed by the server (the
        enabled services, the lists to choose from). Not a loss when it cannot be written back."""
        return not self.writable and all(
            k in self.read_only or k in self.computed for k in self.default
        )

    def collection(self, name: str) -> Collection:
        for c in self.collections:
            if c.name == name:
                return c
        raise InvalidInput(f"{self.name} has no {name}")


def _kind(template: Any) -> str:
    if isinstance(template, bool):
        return "a boolean"
    if isinstance(template, int):
        return "an integer"
    if isinstance(template, dict):
        return "an object"
    if isinstance(template, list):
        return "a list"
    return "a string or null"


def _matches(value: Any, template: Any) -> bool:
    if isinstance(template, bool):
        return isinstance(value, bool)
    if isinstance(template, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(template, dict):
        return isinstance(value, dict)
    if isinstance(template, list):
        return isinstance(value, list)
    return value is None or isinstance(value, str)


@dataclass(frozen=True)
class Spec:
    """What validation needs of a setting or a collection item."""

    template: Mapping[str, Any]
    enums: Mapping[str, tuple[str | None, ...]]
    ranges: Mapping[str, tuple[int, int]]
    items: Mapping[str, Any]
    read_only: frozenset[str]
    refs: frozenset[str] = frozenset()
    put_names: Mapping[str, str] = _field(default_factory=dict)
    foreign: Mapping[str, str] = _field(default_factory=dict)


def spec_of(s: Setting) -> Spec:
    return Spec(s.default, s.enums, s.ranges, s.items, s.read_only, s.refs, s.put_names, s.foreign)


def item_spec(c: Collection) -> Spec:
    return Spec(c.item, c.enums, c.ranges, c.items, frozenset({c.key}))


def _check_scalar(spec: Spec, path: str, value: Any, template: Any) -> None:
    if path in spec.enums:
        allowed = spec.enums[path]
        if value not in allowed:
            named = [str(a) for a in allowed if a is not None]
            shown = ", ".join(named)
            if len(named) > ENUM_SHOWN:  # time zones: the API description lists them all
                raise InvalidInput(f"{path} must be one of its {len(named)} allowed values")
            raise InvalidInput(
                f"{path} must be one of {shown}" if shown else f"{path} must be null"
            )
        return
    if not _matches(value, template):
        raise InvalidInput(f"{path} must be {_kind(template)}")
    if path in spec.ranges and isinstance(value, int):
        low, high = spec.ranges[path]
        if not low <= value <= high:
            raise InvalidInput(f"{path} must be between {low} and {high}")
    if isinstance(value, str) and len(value) > TEXT_MAX:
        raise InvalidInput(f"{path} must be at most {TEXT_MAX} characters")


def _clean_item(spec: Spec, path: str, value: Any, template: Any) -> Any:
    if path in spec.refs:  # a person: their id, or an object carrying it
        ident = value.get("id") if isinstance(value, dict) else value
        if not isinstance(ident, str) or not ident:
            raise InvalidInput(f"{path} must list ids")
        return ident
    if isinstance(template, dict):
        if not isinstance(value, dict):
            raise InvalidInput(f"{path} must list objects")
        return _clean(spec, template, value, f"{path}.")
    _check_scalar(spec, path, value, template)
    return value


def _ids_in(value: Any) -> list[Any]:
    """The ids a field names: one id, an object carrying one, or a list of either."""
    listed = value if isinstance(value, list) else [value]
    return [_id_of(v) if isinstance(v, dict) else v for v in listed]


def _id_of(shown: Mapping[str, Any]) -> Any:
    """An object's id, or that of the object it wraps (monitoring's {"member": {...}})."""
    if "id" in shown:
        return shown["id"]
    inner = next((v for v in shown.values() if isinstance(v, dict) and "id" in v), {})
    return inner.get("id")


def _check_foreign(spec: Spec, path: str, value: Any) -> None:
    named = [i for i in _ids_in(value) if i not in (None, "")]
    if named:
        shown = spec.put_names.get(path, path)  # as the client sent it
        raise InvalidInput(f"{shown}: {str(named[0])[:80]} is not {spec.foreign[path]}")


def _clean(spec: Spec, template: Mapping[str, Any], patch: Mapping[str, Any], prefix: str) -> Json:
    out: Json = {}
    for key, value in patch.items():
        path = f"{prefix}{key}"
        if path in spec.foreign and key in template:
            _check_foreign(spec, path, value)
            continue  # cleared: callshift has none to name, so it reads as its default
        if path in spec.read_only or key not in template:
            continue  # computed by the server, or not Webex's: dropped, never stored
        t = template[key]
        if isinstance(t, dict) and path not in spec.enums:
            if not isinstance(value, dict):
                raise InvalidInput(f"{path} must be an object")
            out[key] = _clean(spec, t, value, f"{path}.")
        elif isinstance(t, list):
            if value is None and path in spec.refs:
                value = []  # Webex clears a list of people with null
            if not isinstance(value, list):
                raise InvalidInput(f"{path} must be a list")
            item = spec.items.get(path, "")
            out[key] = [_clean_item(spec, path, v, item) for v in value]
        else:
            _check_scalar(spec, path, value, t)
            out[key] = value
    return out


def clean(spec: Spec, patch: Any) -> Json:
    """The patch as it may be stored: type-checked, read-only and unknown fields dropped.

    Raises InvalidInput naming the first bad field; nothing is written then.
    """
    if not isinstance(patch, dict):
        raise InvalidInput("the body must be a JSON object")
    problem = strings_problem(patch)  # text at the boundary, as every other body
    if problem:
        raise InvalidInput(problem)
    # Webex's PUT names a field otherwise than its GET ("assistantIds"): either is taken
    shown_as: dict[str, str] = {put: shown for shown, put in spec.put_names.items()}
    renamed = {shown_as.get(str(k), str(k)): v for k, v in patch.items()}
    return _clean(spec, spec.template, renamed, "")


def merge(current: Mapping[str, Any], patch: Mapping[str, Any]) -> Json:
    """Webex's PUTs are partial: what is sent replaces, what is left out stays; lists replace."""
    out = copy.deepcopy(dict(current))
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _drop(value: Any, read_only: frozenset[str], prefix: str) -> Any:
    if isinstance(value, dict):
        return {
            k: _drop(v, read_only, f"{prefix}{k}.")
            for k, v in value.items()
            if f"{prefix}{k}" not in read_only
        }
    if isinstance(value, list):
        return [_drop(v, read_only, prefix) for v in value]
    return copy.deepcopy(value)


def put_body(s: Setting, value: Mapping[str, Any]) -> Json:
    """What a client PUTs to write ``value`` back: the value minus its read-only fields, the
    people and foreign objects it names as their ids, under the names Webex's PUT takes."""
    dropped = s.read_only | frozenset(c.field for c in s.collections)
    body = _drop(dict(value), dropped, "")
    for f in s.refs | frozenset(s.foreign):
        if f not in body:
            continue
        named = [i for i in _ids_in(body[f]) if i not in (None, "")]
        if isinstance(body[f], list):
            body[f] = named
        elif named:
            body[f] = named[0]
        else:
            del body[f]  # none named: the default, nothing to write
    return {s.put_names.get(k, k): v for k, v in body.items()}


def stored_default(s: Setting) -> Json:
    """What a new user's profile stores for the setting (computed fields are filled on read)."""
    return {
        k: copy.deepcopy(v)
        for k, v in s.default.items()
        if not (k in s.computed and k in s.read_only)
    }
