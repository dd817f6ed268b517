"""``verify``: re-read every moved user and compare with the snapshot.

Per user: each licence of the plan on the side it should be (the target after a run, the
source after a rollback) and not on the other; the same location, extension and phone
numbers; and every setting of the snapshot (the catalogue's, numbers included) equal to it,
field by field, less what the server computes (the catalogue's read-only and computed
fields) and the ids of criteria and the like (a repair's POST makes new ones). Only the
settings the snapshot holds are read again: one the target does not expose is not asked.

A workspace is read with GET /workspaces/{id}: each licence of the plan on the side it
should be, and the same location, extension and number (``calling.webexCalling``); and its
snapshot's settings, read again at the workspace paths, compared as a user's are.

A difference in a setting the journal already names as a loss reported at repair time
(``<setting>: ...``, e.g. a custom greeting, or a write the server refused) is listed as a
*known loss*, not as a new difference. The voicemail PIN cannot be read, so it cannot be
verified: a repaired user's PIN loss was reported when it happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .catalogue import BY_NAME, comparable, comparable_items, read_settings
from .client import ApiError, Fatal, WebexClient
from .journal import Journal, Run
from .model import UserMove, workspace_calling, workspace_properties
from .plan import each
from .schedules import SCHEDULES, read_schedules
from .schedules import differences as schedule_differences
from .workspace_moves import licences_of

EXPECT = {"moved": "target", "repaired": "target", "rolled_back": "source"}


@dataclass(frozen=True)
class Difference:
    email: str
    person_id: str
    field: str
    expected: Any
    actual: Any
    known_loss: bool = False
    kind: str = "person"

    def row(self) -> dict[str, Any]:
        return asdict(self)


def diff(expected: Any, actual: Any, path: str) -> list[tuple[str, Any, Any]]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual)):
            out += diff(expected.get(key), actual.get(key), f"{path}.{key}")
        return out
    return [] if expected == actual else [(path, expected, actual)]


def _numbers(person: dict | None) -> list[tuple]:
    return sorted(
        (n.get("type"), n.get("value"), bool(n.get("primary")))
        for n in (person or {}).get("phoneNumbers") or []
    )


def _list_diff(want: list, got: list, path: str) -> list[tuple[str, Any, Any]]:
    if len(want) != len(got):
        return [(path, want, got)]
    out = []
    for i, (w, g) in enumerate(zip(want, got, strict=True)):
        out += diff(w, g, f"{path}[{i}]")
    return out


def _held(u: UserMove, side: str, held: set[str]) -> list[tuple[str, Any, Any]]:
    found: list[tuple[str, Any, Any]] = []
    for p in u.pairs:
        want, other = (p.target, p.source) if side == "target" else (p.source, p.target)
        if want not in held:
            found.append(("licenses", f"holds {want}", "missing"))
        if other in held:
            found.append(("licenses", f"no longer holds {other}", "still held"))
    return found


def compare_workspace(
    u: UserMove,
    side: str,
    workspace: dict | None,
    settings: dict[str, dict | None] | None = None,
    items: dict[str, dict] | None = None,
) -> list[Difference]:
    """A workspace against its plan: the licences, its location, extension and number, and
    its snapshot's settings."""
    found: list[tuple[str, Any, Any]] = []
    held = licences_of(workspace) if workspace is not None else None
    if workspace is None:
        found.append(("workspace", "present", None))
    elif held is None:
        found.append(("licenses", "listed in calling.webexCalling", "not said by the API"))
    else:
        found += _held(u, side, held)
        now = workspace_properties(workspace_calling(workspace) or {})
        for key in ("locationId", "extension", "phoneNumber"):
            if u.properties.get(key) != now.get(key):
                found.append((key, u.properties.get(key), now.get(key)))
    if workspace is not None and settings is not None:
        found += _settings_diff(u, settings, items or {})
    return _differences(u, found)


def compare(
    u: UserMove,
    side: str,
    person: dict | None,
    settings: dict[str, dict | None],
    items: dict[str, dict] | None = None,
    schedules: list[dict] | None = None,
) -> list[Difference]:
    """A person against its plan and snapshot: licences, location, extension, numbers, the
    settings and (when the snapshot holds them) the schedules as read now."""
    items = items or {}
    found: list[tuple[str, Any, Any]] = []
    if person is None:
        found.append(("person", "present", None))
    else:
        found += _held(u, side, set(person.get("licenses") or []))
        before = u.snapshot.get("person") or {}
        for key in ("locationId", "extension"):
            if before.get(key) != person.get(key):
                found.append((key, before.get(key), person.get(key)))
        if _numbers(before) != _numbers(person):
            found.append(("phoneNumbers", _numbers(before), _numbers(person)))
    found += _settings_diff(u, settings, items)
    if SCHEDULES in u.snapshot:
        found += schedule_differences(u.snapshot[SCHEDULES], schedules)
    return _differences(u, found)


def _differences(u: UserMove, found: list[tuple[str, Any, Any]]) -> list[Difference]:
    """``found`` as Differences, those the journal's losses name marked as known."""
    known = [loss.split(":", 1)[0] for loss in u.losses]
    return [
        Difference(
            u.email,
            u.person_id,
            f,
            e,
            a,
            any(f == k or f.startswith(f"{k}.") for k in known),
            kind=u.kind,
        )
        for f, e, a in found
    ]


def compared(u: UserMove) -> list[str]:
    """The snapshot's settings verify reads again: the derived ones are not (an older
    journal's snapshot may hold them)."""
    snap = u.snapshot.get("settings") or {}
    return [n for n in snap if n in BY_NAME and not BY_NAME[n].derived]


def _settings_diff(
    u: UserMove, settings: dict[str, dict | None], items: dict[str, dict]
) -> list[tuple[str, Any, Any]]:
    found: list[tuple[str, Any, Any]] = []
    snap = u.snapshot.get("settings") or {}
    snap_items = u.snapshot.get("items") or {}
    for name in compared(u):
        s = BY_NAME[name]
        found += diff(comparable(s, snap[name]), comparable(s, settings.get(name)), name)
        want = comparable_items(s, snap_items.get(name) or {})
        got = comparable_items(s, items.get(name) or {})
        for coll in sorted(set(want) | set(got)):
            found += _list_diff(want.get(coll) or [], got.get(coll) or [], f"{name}.{coll}")
    return found


async def verify(
    client: WebexClient,
    journal: Journal,
    run: Run,
    workers: int = 16,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, list[Difference]]:
    """Answer (users checked, differences)."""
    users = journal.users(run.id, EXPECT)
    people = {}

    async def read_people(chunk: list[str]) -> None:
        people.update(await client.people(chunk, run.org_id))

    ids = [u.person_id for u in users if not u.is_workspace]
    await each([ids[i : i + 85] for i in range(0, len(ids), 85)], read_people, workers)
    differences: list[Difference] = []
    done = 0

    async def check(u: UserMove) -> None:
        nonlocal done
        names = compared(u)
        settings, items, _ = await read_settings(client, u.person_id, names, run.org_id, u.kind)
        if u.is_workspace:
            workspace = await _workspace(client, u, run)
            found = compare_workspace(u, EXPECT[u.state], workspace, settings, items)
        else:
            schedules = None
            if SCHEDULES in u.snapshot:
                schedules = await read_schedules(client, u.person_id, run.org_id)
            person = people.get(u.person_id)
            found = compare(u, EXPECT[u.state], person, settings, items, schedules)
        differences.extend(found)
        journal.record(
            run.id,
            u,
            "verify",
            "after",
            "different" if any(not d.known_loss for d in found) else "same",
            {"differences": [d.row() for d in found]} if found else None,
        )
        done += 1
        if progress:
            progress(done, len(users))

    await each(users, check, workers)
    return len(users), differences


async def _workspace(client: WebexClient, u: UserMove, run: Run) -> dict | None:
    try:
        return await client.workspace(u.person_id, run.org_id)
    except ApiError as e:
        if e.status == 404 and not isinstance(e, Fatal):
            return None
        raise
