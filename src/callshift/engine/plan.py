"""``plan``: read, snapshot, judge. Nothing is written to the server.

1. the organisation's licences: the source and target subscription's, matched by offer;
2. who holds each source licence (and, to count them, who is already on the target);
3. each holder with calling data (85 a request), and each calling user's settings, every
   one of the catalogue's (domain/settings) that the target answers, with their criteria
   and other lists, less the derived ones (all computed by the server): the snapshot that
   verify compares with and a repair writes back. The first calling user is read first: a
   setting answered 404 or 405 for that user is one the target does not expose, reported
   once in the plan and not asked again;
4. the workspaces with Webex Calling (GET /workspaces?calling=webexCalling): each one's
   ``calling.webexCalling.licenses`` says which source licence it holds, mapped to the
   target's licence of the same offer. Webex's own GET leaves ``webexCalling`` out and its
   licence holders list users only, so against Webex no workspace can be planned: the plan
   says so loudly (with the source's ``consumedByWorkspaces``) and moves the people. Each
   planned workspace's calling settings are snapshotted at the workspace paths, as a
   user's are: the first workspace's reads say which paths the target answers (those it
   does not: reported once in the plan, not asked again);
5. blockers: for the whole plan (capacity short on the target, a subscription not found or
   not active) and per user (Professional → Basic, missing location, missing number and
   extension, calling data unreadable). A blocked plan cannot run; a blocked user is left
   alone and listed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .catalogue import CORE, NAMES, WORKSPACE_NAMES, read_settings
from .client import WebexClient
from .model import (
    WORKSPACE,
    Licence,
    Pair,
    UserMove,
    calling_properties,
    workspace_calling,
    workspace_properties,
)
from .schedules import SCHEDULES, read_schedules

T = TypeVar("T")


@dataclass
class Plan:
    source: str
    target: str
    org_id: str | None
    users: list[UserMove]
    capacity: list[dict[str, Any]]
    blockers: list[str]
    already_moved: int = 0
    user_blockers: dict[str, int] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    # the catalogue's settings the target answered, and those it does not expose
    settings: dict[str, list[str]] = field(default_factory=dict)
    # planned, alreadyMoved, unplannable (and why), the settings note
    workspaces: dict[str, Any] = field(default_factory=dict)

    @property
    def runnable(self) -> bool:
        return not self.blockers

    def summary(self) -> dict[str, Any]:
        return {
            "capacity": self.capacity,
            "blockers": self.blockers,
            "alreadyMoved": self.already_moved,
            "userBlockers": self.user_blockers,
            "changes": self.changes,
            "settings": self.settings,
            "workspaces": self.workspaces,
            "users": sum(1 for u in self.users if not u.is_workspace),
            "movable": sum(1 for u in self.users if not u.blocker),
        }


async def each(items: Iterable[T], fn: Callable[[T], Awaitable[None]], workers: int) -> None:
    """Run ``fn`` on every item, ``workers`` at a time; the first error stops the rest."""
    queue: asyncio.Queue = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker() -> None:
        while not queue.empty():
            await fn(queue.get_nowait())

    tasks = [asyncio.create_task(worker()) for _ in range(max(1, workers))]
    try:
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()


async def make_plan(
    client: WebexClient,
    source: str,
    target: str,
    org_id: str | None = None,
    workers: int = 16,
    progress: Callable[[str, int, int], None] | None = None,
) -> Plan:
    progress = progress or (lambda stage, done, total: None)
    raw = await client.licences(org_id)
    licences = [Licence.from_api(x) for x in raw]
    src = [l for l in licences if l.subscription_id == source]
    tgt = [l for l in licences if l.subscription_id == target]
    blockers = _subscription_blockers(source, target, src, tgt)
    if not src or not tgt:
        return Plan(source, target, org_id, [], [], blockers)

    holders: dict[str, dict] = {}
    held: dict[str, set[str]] = {}
    on_target: set[str] = set()

    async def read_holders(lic: Licence) -> None:
        for h in await client.licence_holders(lic.id, org_id):
            if lic in src:
                holders.setdefault(h["id"], h)
                held.setdefault(h["id"], set()).add(lic.id)
            else:
                on_target.add(h["id"])

    await each(src + tgt, read_holders, workers)
    order = sorted(holders, key=lambda pid: (holders[pid].get("email") or "", pid))
    progress("people", 0, len(order))
    people: dict[str, dict] = {}

    async def read_people(chunk: list[str]) -> None:
        people.update(await client.people(chunk, org_id))
        progress("people", len(people), len(order))

    await each([order[i : i + 85] for i in range(0, len(order), 85)], read_people, workers)

    by_id = {l.id: l for l in src}
    moves = [
        _user_move(seq, pid, holders[pid], people.get(pid), [by_id[i] for i in held[pid]], tgt)
        for seq, pid in enumerate(order)
    ]
    exposed, hidden = await probe(client, moves, org_id)
    done = 0

    async def snapshot(u: UserMove) -> None:
        nonlocal done
        if u.calling is not None and not u.blocker and "settings" not in u.snapshot:
            await snapshot_user(client, u, exposed, org_id)
        done += 1
        if done % 50 == 0 or done == len(moves):
            progress("snapshot", done, len(moves))

    await each(moves, snapshot, workers)
    spaces, workspaces = await plan_workspaces(client, org_id, raw, src, tgt, len(moves))
    if spaces:
        workspaces["settings"] = await snapshot_workspaces(client, spaces, org_id, workers)
    progress("workspaces", len(spaces), len(spaces))
    moves += spaces
    for u in moves:
        if u.blocker:
            u.state = "blocked"
    capacity = _capacity(moves, tgt, blockers)
    return Plan(
        source,
        target,
        org_id,
        moves,
        capacity,
        blockers,
        settings={"snapshotted": exposed, "notExposed": hidden},
        workspaces=workspaces,
        already_moved=len(on_target - set(holders)),  # people (workspaces: their own count)
        user_blockers=dict(Counter(u.blocker for u in moves if u.blocker)),
        changes=dict(
            Counter(
                f"{by_name(licences, p.source)} → {by_name(licences, p.target)}"
                for u in moves
                if not u.blocker
                for p in u.pairs
            )
        ),
    )


def by_name(licences: list[Licence], licence_id: str) -> str:
    lic = next((l for l in licences if l.id == licence_id), None)
    return f"{lic.name} [{lic.subscription_id}]" if lic else licence_id


def _subscription_blockers(
    source: str, target: str, src: list[Licence], tgt: list[Licence]
) -> list[str]:
    out = []
    if source == target:
        out.append("the source and the target are the same subscription")
    if not src:
        out.append(f"no licence of subscription {source} is visible to this token")
    if not tgt:
        out.append(f"no licence of subscription {target} is visible to this token")
    for l in tgt:
        if l.status and l.status.lower() != "active":
            out.append(f"the target's {l.name} is {l.status}: nothing can be added from it")
    return out


def _user_move(
    seq: int, pid: str, holder: dict, person: dict | None, held: list[Licence], tgt: list[Licence]
) -> UserMove:
    u = UserMove(
        person_id=pid,
        email=holder.get("email") or (person or {}).get("emails", [""])[0],
        pairs=[],
        seq=seq,
        snapshot={"person": person},
    )
    if person is None:
        u.blocker = "person not readable (GET /people answered without it)"
        return u
    by_offer = {l.offer: l for l in tgt}
    for lic in sorted(held, key=lambda l: l.offer):
        new = by_offer.get(lic.offer)
        tier = lic.calling_tier
        if new is None and tier is not None:
            other = next((l for l in tgt if l.calling_tier is not None), None)
            if other is not None and other.calling_tier < tier:
                u.blocker = (
                    "Professional → Basic is refused by Webex (400112): "
                    f"{target_of(tgt)} sells only {other.name}"
                )
                continue
            if other is not None:
                new = other
                u.notes.append(f"{lic.name} becomes {other.name} (an upgrade)")
        if new is None:
            u.notes.append(
                f"{lic.name} is not sold on {target_of(tgt)}: it stays on {lic.subscription_id}"
            )
            continue
        u.pairs.append(Pair(lic.id, new.id, tier is not None))
    if u.calling is not None:
        u.properties = calling_properties(person)
        if "locationId" not in u.properties:
            u.blocker = u.blocker or "missing location: the person has no locationId"
        elif "extension" not in u.properties and "phoneNumber" not in u.properties:
            u.blocker = u.blocker or "missing number: neither an extension nor a phone number"
    if not u.pairs and not u.blocker:
        u.blocker = "nothing to move: none of the user's licences is sold on the target"
    return u


async def plan_workspaces(
    client: WebexClient,
    org_id: str | None,
    raw: list[dict],
    src: list[Licence],
    tgt: list[Licence],
    seq: int,
) -> tuple[list[UserMove], dict[str, Any]]:
    """The workspaces holding a source licence, as moves numbered from ``seq``; and what
    the plan says of workspaces (see the module docstring)."""
    spaces = sorted(
        await client.workspaces(org_id), key=lambda w: (w.get("displayName") or "", w["id"])
    )
    by_id = {l.id: l for l in src}
    on_target = {l.id for l in tgt}
    moves, already, unreadable = [], 0, 0
    for ws in spaces:
        wxc = workspace_calling(ws)
        if wxc is None:
            unreadable += (ws.get("calling") or {}).get("type") == "webexCalling"
            continue
        held = [by_id[l] for l in wxc.get("licenses") or [] if l in by_id]
        if held:
            moves.append(_workspace_move(seq + len(moves), ws, wxc, held, tgt))
        elif on_target & set(wxc.get("licenses") or []):
            already += 1
    out: dict[str, Any] = {"planned": len(moves), "alreadyMoved": already}
    # Webex's GET leaves webexCalling out: count what the source says workspaces consume
    on_source = sum(int(x.get("consumedByWorkspaces") or 0) for x in raw if x["id"] in by_id)
    if unreadable or on_source > len(moves):
        out["unplannable"] = max(unreadable, on_source - len(moves))
        out["why"] = (
            "this API does not say which licence a workspace holds (GET /workspaces has no "
            "calling.webexCalling.licenses, as on Webex, and licence holders list users only): "
            "these workspaces stay on the source; move them in Control Hub before cancelling it"
        )
    return moves, out


def _workspace_move(
    seq: int, ws: dict, wxc: dict, held: list[Licence], tgt: list[Licence]
) -> UserMove:
    u = UserMove(
        person_id=ws["id"],
        email=ws.get("displayName") or ws["id"],
        pairs=[],
        seq=seq,
        snapshot={"workspace": ws},
        kind=WORKSPACE,
        properties=workspace_properties(wxc),
    )
    by_offer = {l.offer: l for l in tgt}
    for lic in sorted(held, key=lambda l: l.offer):
        new = by_offer.get(lic.offer)
        if new is None:  # a workspace keeps its kind of licence: no silent change of tier
            u.blocker = f"{lic.name} is not sold on {target_of(tgt)}"
            continue
        u.pairs.append(Pair(lic.id, new.id, True))
    if "locationId" not in u.properties:
        u.blocker = u.blocker or "missing location: the workspace has no locationId"
    return u


def target_of(tgt: list[Licence]) -> str:
    return tgt[0].subscription_id if tgt else "the target"


def _capacity(
    moves: list[UserMove], tgt: list[Licence], blockers: list[str]
) -> list[dict[str, Any]]:
    needed = Counter(p.target for u in moves if not u.blocker for p in u.pairs)
    rows = []
    for l in sorted(tgt, key=lambda l: l.name):
        row = {
            "licence": l.id,
            "name": l.name,
            "total": l.total,
            "consumed": l.consumed,
            "free": l.free,
            "needed": needed.get(l.id, 0),
        }
        row["short"] = max(0, row["needed"] - l.free)
        if row["short"]:
            blockers.append(
                f"capacity short on {l.subscription_id}: {l.name} has {l.free} free "
                f"units, {row['needed']} holders need one ({row['short']} short)"
            )
        rows.append(row)
    return rows


def shortages(licences: list[dict], users: list[UserMove], reverse: bool = False) -> list[str]:
    """Capacity checked again just before a run (or a rollback): units may have gone since."""
    by_id = {l.id: l for l in map(Licence.from_api, licences)}
    needed = Counter((p.source if reverse else p.target) for u in users for p in u.pairs)
    out = []
    for lid, n in needed.items():
        lic = by_id.get(lid)
        if lic is None:
            out.append(f"licence {lid} is no longer visible to this token")
        elif n > lic.free:
            out.append(
                f"capacity short on {lic.subscription_id}: {lic.name} has {lic.free} free "
                f"units, {n} holders need one ({n - lic.free} short)"
            )
    return out


async def snapshot_user(
    client: WebexClient, u: UserMove, names: list[str], org_id: str | None
) -> None:
    """Read ``names`` for ``u`` into its snapshot; the core setting first (404: no calling)."""
    rest = [n for n in names if n not in (CORE, SCHEDULES)]
    core, *_ = await read_settings(client, u.person_id, [CORE], org_id, u.kind)
    if CORE not in core and not u.is_workspace:
        u.blocker = "calling data unreadable (features answer 404)"
        return
    settings, items, unread = await read_settings(client, u.person_id, rest, org_id, u.kind)
    u.snapshot["settings"] = {**core, **settings}
    unread = [n for n in names if n == CORE and not core] + unread
    u.snapshot["items"] = items
    if SCHEDULES in names and not u.is_workspace:
        found = await read_schedules(client, u.person_id, org_id)
        if found is None:
            unread.append(SCHEDULES)
        else:
            u.snapshot[SCHEDULES] = found
    if unread:
        u.snapshot["unread"] = unread
        u.notes.append(f"not snapshotted (404 for this user): {', '.join(unread)}")


async def probe(
    client: WebexClient, moves: list[UserMove], org_id: str | None
) -> tuple[list[str], list[str]]:
    """(exposed, hidden): the catalogue's settings as the first calling user's reads answer.

    That user's snapshot is taken here; a setting it answers 404 or 405 for is not read for
    anyone else.
    """
    for u in moves:
        if u.calling is None or u.blocker or u.is_workspace:
            continue
        exposed, hidden = await _first_reads(client, u, [*NAMES, SCHEDULES], org_id)
        if not u.blocker:
            return exposed, hidden
    return [*NAMES, SCHEDULES], []


async def _first_reads(
    client: WebexClient, u: UserMove, names: list[str], org_id: str | None
) -> tuple[list[str], list[str]]:
    """(exposed, hidden): ``u`` snapshotted with every name; one it answers 404 or 405 for
    is one the target does not expose, not a note on ``u``."""
    await snapshot_user(client, u, names, org_id)
    hidden = u.snapshot.pop("unread", [])
    u.notes = [n for n in u.notes if not n.startswith("not snapshotted")]
    return [n for n in names if n not in hidden], hidden


async def snapshot_workspaces(
    client: WebexClient, spaces: list[UserMove], org_id: str | None, workers: int
) -> dict[str, list[str]]:
    """Each workspace's settings at the workspace paths, as users' are: the first one's reads
    say which the target answers; the others are asked those only. Answers what the plan
    says of them once: {"snapshotted": [...], "notExposed": [...]}."""
    first, *rest = [u for u in spaces if not u.blocker] or [None]
    if first is None:
        return {"snapshotted": list(WORKSPACE_NAMES), "notExposed": []}
    exposed, hidden = await _first_reads(client, first, list(WORKSPACE_NAMES), org_id)

    async def one(u: UserMove) -> None:
        await snapshot_user(client, u, exposed, org_id)

    await each(rest, one, workers)
    return {"snapshotted": exposed, "notExposed": hidden}
