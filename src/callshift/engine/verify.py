"""``verify``: re-read every moved user and compare with the snapshot.

Per user: each licence of the plan on the side it should be (the target after a run, the
source after a rollback) and not on the other; the same location, extension and phone
numbers; and the five features and the numbers equal to the snapshot, field by field.

A difference the journal already names as a loss reported at repair time (the distinctive
ring on a server without the numbers API, a custom greeting) is listed as a *known loss*,
not as a new difference. The voicemail PIN cannot be read, so it cannot be verified: a
repaired user's PIN loss was reported when it happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .client import WebexClient
from .journal import Journal, Run
from .model import UserMove
from .plan import FEATURES, each

EXPECT = {"moved": "target", "repaired": "target", "rolled_back": "source"}
KNOWN = {
    "distinctive ring": "numbers.distinctiveRingEnabled",
    "custom voicemail greeting (sendBusyCalls)": "voicemail.sendBusyCalls",
    "custom voicemail greeting (sendUnansweredCalls)": "voicemail.sendUnansweredCalls",
}


@dataclass(frozen=True)
class Difference:
    email: str
    person_id: str
    field: str
    expected: Any
    actual: Any
    known_loss: bool = False

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


def compare(
    u: UserMove, side: str, person: dict | None, features: dict[str, dict | None]
) -> list[Difference]:
    found: list[tuple[str, Any, Any]] = []
    if person is None:
        found.append(("person", "present", None))
    else:
        held = set(person.get("licenses") or [])
        for p in u.pairs:
            want, other = (p.target, p.source) if side == "target" else (p.source, p.target)
            if want not in held:
                found.append(("licenses", f"holds {want}", "missing"))
            if other in held:
                found.append(("licenses", f"no longer holds {other}", "still held"))
        before = u.snapshot.get("person") or {}
        for key in ("locationId", "extension"):
            if before.get(key) != person.get(key):
                found.append((key, before.get(key), person.get(key)))
        if _numbers(before) != _numbers(person):
            found.append(("phoneNumbers", _numbers(before), _numbers(person)))
    snap = u.snapshot.get("features") or {}
    for name in FEATURES:
        if name in snap:
            found += diff(snap[name], features.get(name), name)
    if "numbers" in u.snapshot:
        found += diff(u.snapshot["numbers"], features.get("numbers"), "numbers")
    known = [KNOWN[k] for k in KNOWN for loss in u.losses if loss.startswith(k)]
    return [
        Difference(u.email, u.person_id, f, e, a, any(f.startswith(k) for k in known))
        for f, e, a in found
    ]


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

    ids = [u.person_id for u in users]
    await each([ids[i : i + 85] for i in range(0, len(ids), 85)], read_people, workers)
    differences: list[Difference] = []
    done = 0

    async def check(u: UserMove) -> None:
        nonlocal done
        features: dict[str, dict | None] = {}
        names = [
            n
            for n in (*FEATURES, "numbers")
            if n in (u.snapshot.get("features") or {})
            or (n == "numbers" and "numbers" in u.snapshot)
        ]
        got = await asyncio.gather(*(client.feature(u.person_id, n, run.org_id) for n in names))
        features = dict(zip(names, got, strict=False))
        found = compare(u, EXPECT[u.state], people.get(u.person_id), features)
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
