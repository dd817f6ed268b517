"""A CSV row's job-item payload as JSON text, built and read once per kind of row.

Rows of one kind (the same requests giving the same change) differ only in their line,
which the text keeps last, so the text is a cached prefix plus the line, and reading it
back decodes each prefix once.

A saved job stores less (``KindTable``): a row of a kind shared by other rows keeps
``{"kind":N,"row":R}``, and the job's parameters hold each kind's body once; a payload only
its row has (what a removal would lose, the calling properties of a first calling licence)
is stored whole. At 100,000 rows that is 2 MB of
items instead of 57 MB to write, read back in batches, and rewrite with each status.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..domain.licensing import LicenceChange, LicenceRequest

ROW = ',"row":'
KIND = '{"kind":'


def _props(r: LicenceRequest) -> dict | None:
    p = r.properties
    return p and {
        "locationId": p.location_id,
        "extension": p.extension,
        "phoneNumber": p.phone_number,
    }


class PayloadCodec:
    def __init__(self, size: int = 10_000):
        self.size = size
        self.prefixes: dict[tuple, str] = {}
        self.bodies: dict[str, dict] = {}

    def encode(
        self,
        requests: Sequence[LicenceRequest],
        change: LicenceChange,
        line: int,
        lost: dict | None = None,
    ) -> str:
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
        prefix = self.prefixes.get(key) if key else None
        if prefix is None:
            body = {
                "requests": [[r.licence_id, r.operation.value, _props(r)] for r in requests],
                "added": sorted(change.added),
                "removed": sorted(change.removed),
                "calling": change.calling.value,
                **({"lost": lost} if lost is not None else {}),
            }
            prefix = json.dumps(body, separators=(",", ":"))[:-1] + ROW
            if key and len(self.prefixes) < self.size:
                self.prefixes[key] = prefix
        return f"{prefix}{line}}}"

    def decode(self, text: str, kinds: Sequence[dict] = ()) -> tuple[dict, int]:
        """The payload without its line (shared between rows: do not change it), and the
        line; ``kinds``: the saved job's (see KindTable)."""
        if text.startswith(KIND):
            n, _, line = text[len(KIND) : -1].partition(ROW)
            return kinds[int(n)], int(line)
        prefix, _, tail = text.rpartition(ROW)
        body = self.bodies.get(prefix)
        if body is None:
            body = json.loads(prefix + "}")
            if len(self.bodies) < self.size:
                self.bodies[prefix] = body
        return body, int(tail[:-1])


class KindTable:
    """Payloads as a saved job stores them: rows of one kind share the kind's body."""

    def __init__(self, size: int = 1_000):  # the bodies go in the job's parameters
        self.size = size
        self.index: dict[str, int] = {}
        self.bodies: list[dict] = []

    def compact(self, text: str | None) -> str | None:
        if text is None:
            return None
        prefix, sep, tail = text.rpartition(ROW)
        # whole: what a removal loses and a first calling licence's properties, which differ
        # row by row (no kind to share)
        if not sep or '"lost":' in prefix or '"locationId"' in prefix:
            return text
        n = self.index.get(prefix)
        if n is None:
            if len(self.bodies) >= self.size:
                return text
            n = self.index[prefix] = len(self.bodies)
            self.bodies.append(json.loads(prefix + "}"))
        return f"{KIND}{n}{ROW}{tail}"


def expand(payload: dict, kinds: Sequence[dict]) -> dict:
    """A stored payload (parsed) with its kind's body in place of the index."""
    if "kind" in payload:
        return {**kinds[payload["kind"]], "row": payload["row"]}
    return payload
