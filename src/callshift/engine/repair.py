"""A licence removed without its replacement, given back; then the snapshot's settings.

Webex answers some swaps with 206 having removed the old licence and added nothing. For a
calling licence that purges the user's calling profile: number, extension, voicemail and
every setting. The repair:

1. gives the calling licence back at once, with the snapshot's location, phone number and
   extension (the target's licence; the source's if the target's is refused);
2. writes every setting of the snapshot back, as the catalogue says Webex takes it
   (catalogue.py): the setting's PUT less its read-only fields, the criteria and other list
   items the user lacks POSTed again, the alternate numbers and distinctive ring through
   PUT telephony/config/people/{id}/numbers; then the person's schedules (schedules.py),
   before nothing else needs them;
3. says, loudly, what it cannot bring back: the voicemail PIN (Webex has no API to read it,
   so no snapshot holds it), custom greeting audio (it cannot be read either) and any
   setting the catalogue marks as not writable.
"""

from __future__ import annotations

from typing import Any

from .catalogue import PIN_LOSS, restore_all
from .client import WebexClient
from .model import PERSON, Pair
from .schedules import SCHEDULES, write_schedules

__all__ = ["PIN_LOSS", "give_back_operations", "restore_settings"]


def give_back_operations(
    lost: list[Pair], properties: dict[str, str], use_source: bool = False
) -> list[dict[str, Any]]:
    ops = []
    for p in lost:
        op: dict[str, Any] = {"id": p.source if use_source else p.target, "operation": "add"}
        if p.calling and properties:
            op["properties"] = dict(properties)
        ops.append(op)
    return ops


async def restore_settings(
    client: WebexClient,
    person_id: str,
    snapshot: dict[str, Any],
    org_id: str | None = None,
    kind: str = PERSON,
) -> list[str]:
    """Write the snapshot's settings back (a person's or, ``kind`` WORKSPACE, a
    workspace's, at its paths); answer what could not be restored."""
    losses = await restore_all(client, person_id, snapshot, org_id, kind)
    if kind == PERSON and snapshot.get(SCHEDULES):
        losses += await write_schedules(client, person_id, snapshot[SCHEDULES], org_id)
    return losses
