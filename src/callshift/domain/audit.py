"""The before/after bodies of a licence-change audit event (R10), built in one place.

Every path that changes a user's licences (one user's edit, a purge, a restore, the CSV
and template jobs, the bulk move and the rollbacks) records the same shape, so the audit
view and the rollbacks read one format:

    before: {"licences": [...held before, sorted]}
    after:  {"licences": [...held after, sorted], "calling": ..., "recycleEntryId": ...,
             "failed": [...], "jobId": ..., "row": ...}

Keys absent from a change are left out, not written as null: events written before this
module existed look the same, and the rollbacks test a key's presence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .licensing import LicenceChange


@dataclass(frozen=True)
class EventFacts:
    """What a licence event records besides the licences: each one optional."""

    calling: str | None = None  # the calling change's value ("none", "swap", "grant", "purge")
    recycle_entry_id: str | None = None  # the purged profile's copy (R7)
    failed: tuple[str, ...] = ()  # licences of the request that could not be given
    job_id: str | None = None  # the job that made the change
    row: int | None = None  # the CSV file line the change came from
    extra_before: Mapping[str, Any] = field(default_factory=dict)
    extra_after: Mapping[str, Any] = field(default_factory=dict)


NO_FACTS = EventFacts()


def licence_bodies(
    before: Iterable[str], after: Iterable[str], facts: EventFacts = NO_FACTS
) -> tuple[dict, dict]:
    """(before, after) of a user's licence event: ``before`` and ``after`` are licence ids
    (a bulk move records only the licences it swapped)."""
    old = {"licences": sorted(before), **facts.extra_before}
    new: dict[str, Any] = {"licences": sorted(after)}
    if facts.calling is not None:
        new["calling"] = facts.calling
    if facts.recycle_entry_id:
        new["recycleEntryId"] = facts.recycle_entry_id
    new.update(facts.extra_after)
    if facts.failed:
        new["failed"] = list(facts.failed)
    if facts.job_id is not None:
        new["jobId"] = facts.job_id
    if facts.row is not None:
        new["row"] = facts.row
    return old, new


def change_bodies(
    change: LicenceChange,
    recycle_entry_id: str | None = None,
    extra_before: Mapping[str, Any] | None = None,
    extra_after: Mapping[str, Any] | None = None,
) -> tuple[dict, dict]:
    """(before, after) of a planned change: its calling change and failures recorded."""
    return licence_bodies(
        change.before,
        change.after,
        EventFacts(
            calling=change.calling.value,
            recycle_entry_id=recycle_entry_id,
            # a planned change's failures each name a licence of the request
            failed=tuple(f.licence_id for f in change.failed if f.licence_id is not None),
            extra_before=extra_before or {},
            extra_after=extra_after or {},
        ),
    )
