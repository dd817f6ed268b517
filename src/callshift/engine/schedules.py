"""A person's schedules: snapshotted, compared and written back beside the catalogue's settings.

Webex addresses a schedule by type and id and nests its events under it, so schedules are
not catalogue entries (domain/schedules.py says why). The snapshot keeps each schedule whole
— name, type, events — without ids, which Webex makes from names. After a licence came back
(a 206 that removed without adding, a removal), the person's schedules are gone with the
rest of the calling profile: each one of the snapshot is POSTed again with its events, and
one that is there with other events gets them back by a PUT (Webex's update takes the list).
"""

from __future__ import annotations

from typing import Any

from .client import ApiError, WebexClient

Json = dict[str, Any]
SCHEDULES = "schedules"  # its name beside the catalogue's in a snapshot and a plan's lists


def base(person_id: str) -> str:
    return f"people/{person_id}/features/schedules"


def _whole(schedule: Json) -> Json:
    """A schedule as the snapshot keeps it: no ids (made anew from names on every read)."""
    return {
        "name": schedule.get("name"),
        "type": schedule.get("type"),
        "events": [{k: v for k, v in e.items() if k != "id"} for e in schedule.get("events") or []],
    }


def _key(schedule: Json) -> tuple[str, str]:
    return (str(schedule.get("type")), str(schedule.get("name")))


async def _listed(client: WebexClient, person_id: str, org: str | None) -> list[Json] | None:
    """The list's summaries (id, name, type); None when the target serves no schedules."""
    listed = await client.read(base(person_id), org)
    return None if listed is None else list(listed.get("schedules") or [])


async def _details(
    client: WebexClient, person_id: str, summaries: list[Json], org: str | None
) -> list[Json]:
    found = []
    for s in summaries:
        full = await client.read(f"{base(person_id)}/{s.get('type')}/{s.get('id')}", org)
        if full is not None:
            found.append(_whole(full))
    return sorted(found, key=_key)


async def read_schedules(client: WebexClient, person_id: str, org: str | None) -> list[Json] | None:
    """Every schedule of the person with its events, in (type, name) order; None when the
    target does not serve person schedules (404)."""
    summaries = await _listed(client, person_id, org)
    return None if summaries is None else await _details(client, person_id, summaries, org)


def differences(before: list[Json], after: list[Json] | None) -> list[tuple[str, Any, Any]]:
    """(field, expected, actual) for each schedule missing, added, or with other events."""
    if after is None:
        return [(SCHEDULES, before, None)] if before else []
    was, now = {_key(s): s for s in before}, {_key(s): s for s in after}
    out: list[tuple[str, Any, Any]] = [
        (f"{SCHEDULES}.{t}.{n}", "present", None) for t, n in sorted(was.keys() - now.keys())
    ]
    out += [(f"{SCHEDULES}.{t}.{n}", None, "present") for t, n in sorted(now.keys() - was.keys())]
    out += [
        (f"{SCHEDULES}.{t}.{n}.events", was[(t, n)]["events"], now[(t, n)]["events"])
        for t, n in sorted(was.keys() & now.keys())
        if was[(t, n)]["events"] != now[(t, n)]["events"]
    ]
    return out


async def write_schedules(
    client: WebexClient, person_id: str, snapshot: list[Json], org: str | None
) -> list[str]:
    """Put the snapshot's schedules back: POST each missing one, PUT the events of one that
    differs. Answers the losses: schedules the target refused or does not serve."""
    if not snapshot:
        return []
    summaries = await _listed(client, person_id, org)
    if summaries is None:
        return [f"{SCHEDULES}: the target serves none, {len(snapshot)} not written back"]
    ids = {_key(s): s.get("id") for s in summaries}
    wanted = {_key(s) for s in snapshot}
    there = {
        _key(s): s
        for s in await _details(client, person_id, [s for s in summaries if _key(s) in wanted], org)
    }
    losses = []
    for s in snapshot:
        held = there.get(_key(s))
        try:
            if held is None:
                await client.write("POST", base(person_id), s, org)
            elif held["events"] != s["events"]:
                path = f"{base(person_id)}/{s['type']}/{ids[_key(s)]}"
                await client.write("PUT", path, {"name": s["name"], "events": s["events"]}, org)
        except ApiError as e:
            losses.append(f"{SCHEDULES}.{s['type']}.{s['name']}: not written back ({e})")
    return losses
