"""A CSV row's job-item payload as JSON text, built and read once per kind of row.

Rows of one kind (the same requests giving the same change) differ only in their line,
which the text keeps last, so the text is a cached prefix plus the line, and reading it
back decodes each prefix once. The text is what the JSON column stores and returns, so
``import_view`` and the job routes read it as ordinary JSON.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

from ..domain.licensing import LicenceChange, LicenceRequest

ROW = ',"row":'


def _props(r: LicenceRequest) -> dict | None:
    p = r.properties
    return p and {"locationId": p.location_id, "extension": p.extension, "phoneNumber": p.phone_number}


class PayloadCodec:
    def __init__(self, size: int = 10_000):
        self.size = size
        self.prefixes: dict[tuple, str] = {}
        self.bodies: dict[str, dict] = {}

    def encode(self, requests: Sequence[LicenceRequest], change: LicenceChange, line: int,
               lost: dict | None = None) -> str:
        key = None if lost is not None else (
            tuple((r.licence_id, r.operation, r.properties) for r in requests),
            change.added, change.removed, change.calling)
        prefix = self.prefixes.get(key) if key else None
        if prefix is None:
            body = {"requests": [[r.licence_id, r.operation.value, _props(r)] for r in requests],
                    "added": sorted(change.added), "removed": sorted(change.removed),
                    "calling": change.calling.value, **({"lost": lost} if lost is not None else {})}
            prefix = json.dumps(body, separators=(",", ":"))[:-1] + ROW
            if key and len(self.prefixes) < self.size:
                self.prefixes[key] = prefix
        return f"{prefix}{line}}}"

    def decode(self, text: str) -> tuple[dict, int]:
        """The payload without its line (shared between rows: do not change it), and the line."""
        prefix, _, tail = text.rpartition(ROW)
        body = self.bodies.get(prefix)
        if body is None:
            body = json.loads(prefix + "}")
            if len(self.bodies) < self.size:
                self.bodies[prefix] = body
        return body, int(tail[:-1])
