"""A CSV row's job-item payload: its requests and change as JSON text, made once per kind.

The payload holds no line: an item's line is its ``seq`` + 1, and the audit events take
it from there (``with_row``). Rows of one kind (the same requests giving the same change)
therefore share one text, made by ``json.dumps`` once per kind and decoded once per kind.

A saved job stores less (``KindTable``): a row of a kind shared by other rows keeps
``{"kind":N}``, and the job's parameters hold each kind's body once; a payload only its
row has (what a removal would lose, the calling properties of a first calling licence) is
stored whole. At 100,000 rows that is about 1 MB of items instead of 57 MB to write, read
back in batches, and rewrite with each status.

Payloads saved before the line was dropped (``{"kind":N,"row":R}``, or a whole body with
``"row"``) are still read: ``decode`` and ``kind_key`` take both shapes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..domain.licensing import LicenceChange, LicenceRequest

OLD_ROW = '"row":'  # in payloads saved before the line was dropped
PACKED = (",", ":")


def _props(r: LicenceRequest) -> dict | None:
    p = r.properties
    return (
        None
        if p is None
        else {
            "locationId": p.location_id,
            "extension": p.extension,
            "phoneNumber": p.phone_number,
        }
    )


def dumps(body: dict) -> str:
    """Compact JSON, as every payload is stored."""
    return json.dumps(body, separators=PACKED)


class PayloadCodec:
    """The payload text of each planned row, made once per distinct (requests, change):
    most rows of a file share a handful of texts."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self.texts: dict[tuple, str] = {}
        self.bodies: dict[str, dict] = {}

    def encode(
        self,
        requests: Sequence[LicenceRequest],
        change: LicenceChange,
        lost: dict | None = None,
    ) -> str:
        """The payload text; rows of one kind (no ``lost``) get the same str object."""
        key = (
            None
            if lost is not None
            else (
                tuple((r.licence_id, r.operation, r.properties) for r in requests),
                change.added,
                change.removed,
                change.calling,
            )
        )
        text = self.texts.get(key) if key else None
        if text is None:
            body = {
                "requests": [[r.licence_id, r.operation.value, _props(r)] for r in requests],
                "added": sorted(change.added),
                "removed": sorted(change.removed),
                "calling": change.calling.value,
                **({"lost": lost} if lost is not None else {}),
            }
            text = dumps(body)
            if key and len(self.texts) < self.size:
                self.texts[key] = text
        return text

    def decode(self, text: str, kinds: Sequence[dict] = ()) -> dict:
        """The payload's body (shared between rows: do not change it); ``kinds``: the saved
        job's (see KindTable). An old payload's ``"row"`` is left out."""
        body = self.bodies.get(text)
        if body is None:
            payload = json.loads(text)
            old = payload.pop("row", None) is not None
            body = kinds[payload["kind"]] if "kind" in payload else payload
            if not old and len(self.bodies) < self.size:  # old texts differ row by row
                self.bodies[text] = body
        return body

    def kind_key(self, text: str) -> str:
        """What the items of one kind share: the text itself, or for an old payload its
        body without the line, as JSON again."""
        if OLD_ROW not in text:
            return text
        payload = json.loads(text)
        payload.pop("row", None)
        return dumps(payload)


class KindTable:
    """Payloads as a saved job stores them: rows of one kind share the kind's body."""

    def __init__(self, size: int = 1_000):  # the bodies go in the job's parameters
        self.size = size
        self.index: dict[str, str] = {}  # payload text -> what the item stores
        self.bodies: list[dict] = []

    def compact(self, text: str | None) -> str | None:
        if text is None:
            return None
        stored = self.index.get(text)
        if stored is not None:
            return stored
        # whole: what a removal loses and a first calling licence's properties, which differ
        # row by row (no kind to share)
        if '"lost":' in text or '"locationId"' in text or len(self.bodies) >= self.size:
            return text
        stored = self.index[text] = dumps({"kind": len(self.bodies)})
        self.bodies.append(json.loads(text))
        return stored


def expand(payload: dict, kinds: Sequence[dict]) -> dict:
    """A stored payload (parsed) with its kind's body in place of the index."""
    if "kind" in payload:
        return kinds[payload["kind"]]
    return payload
