"""The calling settings the engine snapshots, compares and writes back, a person's or a
workspace's.

Everything comes from the catalogue (domain/settings): each entry's GET path for the kind of
holder, its read-only and computed fields, its sub-resource lists and how Webex takes a PUT
for it. A new entry is snapshotted, verified and repaired with no edit here. The ``derived``
entries (every field computed by the server: the lists to choose from, the enabled services)
are neither snapshotted nor verified: nothing of them is the holder's, and reading them cost
a tenth of a user's requests.

A snapshot is ``{"person": ..., "settings": {name: GET answer}, "items": {name: {list:
[full items]}}, "unread": [names]}``. ``items`` holds the criteria (and the like) whose list
in the setting's GET is only a summary: each is read at its own path.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from ..domain.settings import (
    CATALOGUE,
    PERSON,
    WORKSPACE,
    Collection,
    Setting,
    at,
    put_body,
    settings_of,
)
from ..domain.settings.writes import NUMBER_PUT_NAMES
from .client import ApiError, WebexClient

CORE = "voicemail"  # read first: a 404 there means the user has no calling at all
BY_NAME = {s.name: s for s in CATALOGUE}
Json = dict[str, Any]


def snapshot_names(kind: str = PERSON) -> tuple[str, ...]:
    """What a snapshot reads for a kind of holder: its settings less the derived ones."""
    return tuple(s.name for s in settings_of(kind) if not s.derived)


NAMES = snapshot_names(PERSON)
WORKSPACE_NAMES = snapshot_names(WORKSPACE)

PIN_LOSS = (
    "voicemail PIN: Webex's API cannot read a PIN, so it cannot be written back; "
    "the user must set a new one (or an admin sets one with "
    "PUT /telephony/config/people/{id}/voicemail/passcode)"
)
WORKSPACE_PIN_LOSS = (
    "voicemail PIN: Webex's API cannot read a PIN, so it cannot be written back; an admin "
    "sets a new one with PUT /telephony/config/workspaces/{id}/voicemail/passcode"
)


def path_of(s: Setting, holder_id: str, kind: str = PERSON) -> str:
    return at(s.path_for(kind) or "", holder_id)


def write_path_of(s: Setting, holder_id: str, kind: str = PERSON) -> str:
    return at(s.write_path_for(kind) or "", holder_id)


def list_path(s: Setting, c: Collection, holder_id: str, kind: str = PERSON) -> str:
    return path_of(s, holder_id, kind) + (f"/{c.path}" if c.path else "")


def detailed(c: Collection) -> bool:
    """Whether the setting's GET shows the list's items cut to a summary."""
    return c.item_routes and bool(c.summary)


# --- snapshot ---------------------------------------------------------------------------
async def read_items(
    client: WebexClient,
    s: Setting,
    value: Json,
    person_id: str,
    org: str | None,
    kind: str = PERSON,
) -> dict[str, list[Json]]:
    """The full items of ``s``'s summarised lists, each read at its own path."""
    out: dict[str, list[Json]] = {}
    for c in s.collections:
        summaries = value.get(c.field) or []
        if not detailed(c) or not summaries:
            continue
        base = list_path(s, c, person_id, kind)
        got = await asyncio.gather(
            *(client.read(f"{base}/{item.get(c.key)}", org) for item in summaries)
        )
        out[c.name] = [g for g in got if g is not None]
    return out


async def read_settings(
    client: WebexClient,
    person_id: str,
    names: list[str],
    org: str | None,
    kind: str = PERSON,
) -> tuple[Json, Json, list[str]]:
    """(settings, items, unread): every named setting's GET, its lists' items, the 404s."""
    got = await asyncio.gather(
        *(client.read(path_of(BY_NAME[n], person_id, kind), org) for n in names)
    )
    settings = {n: g for n, g in zip(names, got, strict=True) if g is not None}
    unread = [n for n, g in zip(names, got, strict=True) if g is None]
    found = await asyncio.gather(
        *(read_items(client, BY_NAME[n], v, person_id, org, kind) for n, v in settings.items())
    )
    items = {n: i for n, i in zip(settings, found, strict=True) if i}
    return settings, items, unread


# --- compare ----------------------------------------------------------------------------
def _drop(value: Any, gone: frozenset[str], prefix: str = "") -> Any:
    if isinstance(value, dict):
        return {
            k: _drop(v, gone, f"{prefix}{k}.")
            for k, v in value.items()
            if f"{prefix}{k}" not in gone
        }
    if isinstance(value, list):
        return [_drop(v, gone, prefix) for v in value]
    return value


def _no_ids(c: Collection, items: list[Any]) -> list[Any]:
    """A list's items without their server-made ids (a repair's POST makes new ones)."""
    if c.key != "id":
        return list(items)
    return [{k: v for k, v in i.items() if k != "id"} if isinstance(i, dict) else i for i in items]


def comparable(s: Setting, value: Json | None) -> Json | None:
    """What verify compares: the GET less what the server computes, lists without ids."""
    if value is None:
        return None
    out = _drop(value, s.read_only | frozenset(s.computed))
    for c in s.collections:
        if isinstance(out.get(c.field), list):
            out[c.field] = _no_ids(c, out[c.field])
    return out


def comparable_items(s: Setting, items: dict[str, list[Json]]) -> dict[str, list[Json]]:
    by = {c.name: c for c in s.collections}
    return {name: _no_ids(by[name], got) for name, got in items.items() if name in by}


# --- write back -------------------------------------------------------------------------
def audio_losses(s: Setting, value: Json) -> list[str]:
    """Custom audio the snapshot names: Webex's API cannot read it, so nothing can upload it."""
    if not s.lost:
        return []
    found: list[str] = []

    def walk(v: Any, path: str) -> None:
        if isinstance(v, dict):
            if v.get("greeting") == "CUSTOM" or v.get("greetingUploaded"):
                found.append(f"{path}.greeting" if path else "greeting")
            for k, sub in v.items():
                walk(sub, f"{path}.{k}" if path else k)

    walk(value, "")
    return [
        f"{s.name}.{where}: custom greeting audio cannot be read through the API, so it "
        "cannot be uploaded again"
        for where in dict.fromkeys(found)
    ]


def _ids(people: list[Any]) -> list[str]:
    out = []
    for p in people:
        if isinstance(p, dict):
            inner = next((v for v in p.values() if isinstance(v, dict) and "id" in v), p)
            if inner.get("id"):
                out.append(inner["id"])
        elif isinstance(p, str):
            out.append(p)
    return out


def put_bodies(s: Setting, value: Json) -> list[Json]:
    """The PUTs at ``s.write_path`` that write ``value`` back, in the shape Webex takes."""
    if s.write == "monitoring":
        return [
            {
                "enableCallParkNotification": bool(value.get("callParkNotificationEnabled")),
                "monitoredElements": _ids(value.get("monitoredElements") or []),
            }
        ]
    if s.write == "msTeams":  # one setting at a time; only what is set on the person
        return [
            {"settingName": i["settingName"], "value": i["value"]}
            for i in value.get("settings") or []
            if i.get("level") == "PEOPLE"
        ]
    if s.write == "featureAccess":  # the org's defaults need no write
        if value.get("userOrgSettingsPermissionEnabled", True):
            return []
        return [copy.deepcopy(value.get("userSettingsPermissions") or {})]
    if s.write == "accessCodes":
        return [{"useCustomAccessCodes": bool(value.get("useCustomAccessCodes"))}]
    body = put_body(s, value)
    for f in s.refs:  # people shown as objects are written as their ids
        if isinstance(body.get(f), list):
            body[f] = _ids(body[f])
    return [body]


def numbers_body(snapshot: Json, now: Json | None, kind: str = PERSON) -> tuple[Json, list[str]]:
    """PUT telephony/config/{people,workspaces}/{id}/numbers: the snapshot's alternates the
    holder lacks, under the names that kind's PUT takes."""
    ring_field, number_field = NUMBER_PUT_NAMES[kind]
    have = {n.get("directNumber") for n in (now or {}).get("phoneNumbers") or []}
    adds, losses = [], []
    for n in snapshot.get("phoneNumbers") or []:
        if n.get("primary") or n.get("directNumber") in have:
            continue
        if not n.get("directNumber"):
            losses.append(f"numbers: the alternate extension {n.get('extension')} has no number")
            continue
        adds.append(
            {
                "action": "ADD",
                number_field: n["directNumber"],
                **({"extension": n["extension"]} if n.get("extension") else {}),
                "ringPattern": n.get("ringPattern") or "NORMAL",
            }
        )
    body: Json = {}
    ring = snapshot.get("distinctiveRingEnabled")
    if ring is not None and ring != (now or {}).get("distinctiveRingEnabled"):
        body[ring_field] = ring
    if adds:
        body["phoneNumbers"] = adds
    return body, losses


def _post_body(c: Collection, item: Json) -> Json:
    return {k: copy.deepcopy(v) for k, v in item.items() if not (c.key == "id" and k == "id")}


async def _write_lists(
    client: WebexClient,
    s: Setting,
    value: Json,
    items: Json,
    pid: str,
    org: str | None,
    kind: str = PERSON,
) -> None:
    """POST the snapshot's list items the user lacks (idempotent: a resume adds no twins)."""
    wanted = {
        c.name: (items.get(c.name) if detailed(c) else value.get(c.field)) or []
        for c in s.collections
    }
    if not any(wanted.values()):
        return
    now = await client.read(path_of(s, pid, kind), org) or {}
    now_items = await read_items(client, s, now, pid, org, kind)
    for c in s.collections:
        have = _no_ids(c, (now_items.get(c.name) if detailed(c) else now.get(c.field)) or [])
        for item in wanted[c.name]:
            (bare,) = _no_ids(c, [item])
            if bare in have:
                continue
            await client.write("POST", list_path(s, c, pid, kind), _post_body(c, item), org)
            have.append(bare)


async def write_setting(
    client: WebexClient,
    s: Setting,
    value: Json,
    items: Json,
    pid: str,
    org: str | None,
    kind: str = PERSON,
) -> list[str]:
    """Write one setting of the snapshot back; answer what could not be."""
    if s.write == "numbers":
        now = await client.read(path_of(s, pid, kind), org)
        body, losses = numbers_body(value, now, kind)
        if body:
            await client.write("PUT", write_path_of(s, pid, kind), body, org)
        return losses
    bodies = put_bodies(s, value)
    derived = [k for k in s.computed if k not in s.read_only]
    if derived and bodies:
        # a field the server fills in while it is unset (caller ID's names): written only if
        # the snapshot's value is not what the server shows now, so it is not pinned
        now = await client.read(path_of(s, pid, kind), org) or {}
        for k in derived:
            if k in bodies[0] and now.get(k) == value.get(k):
                del bodies[0][k]
    for body in bodies:
        await client.write("PUT", write_path_of(s, pid, kind), body, org)
    await _write_lists(client, s, value, items, pid, org, kind)
    return []


async def restore_all(
    client: WebexClient,
    person_id: str,
    snapshot: Json,
    org: str | None = None,
    kind: str = PERSON,
) -> list[str]:
    """Every setting of the snapshot written back; the losses, one line each."""
    settings = snapshot.get("settings") or {}
    items = snapshot.get("items") or {}
    losses = [WORKSPACE_PIN_LOSS if kind == WORKSPACE else PIN_LOSS]

    async def one(s: Setting) -> list[str]:
        value = settings[s.name]
        if s.derived:  # computed by the server: nothing of the person's to lose
            return []
        if not s.writable:
            return [f"{s.name}: Webex's API cannot write it, so it cannot be written back"]
        try:
            got = await write_setting(
                client, s, value, items.get(s.name) or {}, person_id, org, kind
            )
        except ApiError as e:
            return [f"{s.name}: not written back ({e})"]
        return got + audio_losses(s, value)

    names = [s for s in settings_of(kind) if isinstance(settings.get(s.name), dict)]
    for found in await asyncio.gather(*(one(s) for s in names)):
        losses += found
    return losses
