"""The change summary (domain/change_summary) of previews whose planned changes are stored as
item payloads (the CSV import): each distinct payload read once, its users counted."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping

from ..domain.change_summary import ChangeSummary
from ..domain.licensing import CallingChange, LicenceChange
from ..domain.model import Licence


def change_of_payload(payload: Mapping) -> LicenceChange:
    """The planner's outcome as a payload records it (added, removed, calling change)."""
    return LicenceChange(
        frozenset(payload["removed"]),
        tuple(payload["added"]),
        tuple(payload["removed"]),
        (),
        CallingChange(payload["calling"]),
        None,
        None,
        None,
    )


class PayloadSummary:
    """Counts pending items by payload, then adds each distinct payload's change once."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()  # payload text (or id of a dict) -> items
        self.bodies: dict = {}

    def add_items(self, items: Iterable[tuple]) -> None:
        for it in items:
            status, payload = it[3], it[6]
            if status != "pending" or not payload:
                continue
            key = payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True)
            self.counts[key] += 1

    def summary(self, licences: Mapping[str, Licence]) -> ChangeSummary:
        out = ChangeSummary(licences)
        for text, n in self.counts.items():
            out.add(change_of_payload(json.loads(text)), n)
        return out
