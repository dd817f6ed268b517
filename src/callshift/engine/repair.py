"""A licence removed without its replacement, given back; then the snapshot's settings.

Webex answers some swaps with 206 having removed the old licence and added nothing. For a
calling licence that purges the user's calling profile: number, extension, voicemail and
every setting. The repair:

1. gives the calling licence back at once, with the snapshot's location, phone number and
   extension (the target's licence; the source's if the target's is refused);
2. writes the snapshot's five features back (read-only fields left out), and the
   distinctive-ring setting through the numbers API;
3. says, loudly, what it cannot bring back: the voicemail PIN (Webex has no API to read it,
   so no snapshot holds it) and custom greetings (their audio cannot be read either).
"""

from __future__ import annotations

import copy
from typing import Any

from .client import ApiError, WebexClient
from .model import Pair

PIN_LOSS = (
    "voicemail PIN: Webex's API cannot read a PIN, so it cannot be written back; "
    "the user must set a new one (or an admin sets one with "
    "PUT /telephony/config/people/{id}/voicemail/passcode)"
)
READ_ONLY = {
    "voicemail": [
        ("sendBusyCalls", "greetingUploaded"),
        ("sendUnansweredCalls", "greetingUploaded"),
        ("sendUnansweredCalls", "systemMaxNumberOfRings"),
        ("voiceMessageForwardingEnabled",),
    ],
    "callForwarding": [("callForwarding", "noAnswer", "systemMaxNumberOfRings")],
}
CALLER_ID_WRITABLE = {
    "selected",
    "customNumber",
    "firstName",
    "lastName",
    "externalCallerIdNamePolicy",
    "blockInForwardCallsEnabled",
    "customExternalCallerIdName",
    "additionalExternalCallerIdDirectLineEnabled",
    "additionalExternalCallerIdCustomNumber",
    "displayName",
    "displayDetail",
    "directLineCallerIdName",
    "dialByName",
    "dialByFirstName",
    "dialByLastName",
}


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


def writable(name: str, value: dict[str, Any]) -> dict[str, Any]:
    """A feature as read, less what the API computes (echoing it back is refused or ignored)."""
    body = copy.deepcopy(value)
    if name == "callerId":
        return {k: v for k, v in body.items() if k in CALLER_ID_WRITABLE}
    for path in READ_ONLY.get(name, []):
        node = body
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return body


def greeting_losses(voicemail: dict[str, Any] | None) -> list[str]:
    out = []
    for key in ("sendBusyCalls", "sendUnansweredCalls"):
        part = (voicemail or {}).get(key) or {}
        if part.get("greetingUploaded") or part.get("greeting") == "CUSTOM":
            out.append(
                f"custom voicemail greeting ({key}): its audio cannot be read through the "
                "API, so it cannot be uploaded again"
            )
    return out


async def restore_settings(
    client: WebexClient, person_id: str, snapshot: dict[str, Any], org_id: str | None = None
) -> list[str]:
    """Write the snapshot's settings back; answer what could not be restored."""
    losses = [PIN_LOSS]
    features = snapshot.get("features") or {}
    for name, value in features.items():
        if value is None:
            continue
        try:
            await client.put_feature(person_id, name, writable(name, value), org_id)
        except ApiError as e:
            losses.append(f"{name}: not written back ({e})")
    losses += greeting_losses(features.get("voicemail"))
    want = (snapshot.get("numbers") or {}).get("distinctiveRingEnabled")
    if want is not None:
        now = await client.feature(person_id, "numbers", org_id)
        if now is not None and now.get("distinctiveRingEnabled") != want:
            try:
                await client.put_numbers(person_id, {"enableDistinctiveRingPattern": want}, org_id)
            except ApiError as e:
                losses.append(
                    f"distinctive ring ({'on' if want else 'off'}): not written back "
                    f"({e.status}: the server has no numbers API)"
                )
    return losses
