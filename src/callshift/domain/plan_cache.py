"""Planning many users' licence changes: the rules once per kind of user, running units.

Rows or items that differ only in who they are get the same plan; unit counts run as the
plans are taken, so the next user sees what this one took or freed. Used by the CSV
import's validate and its job's rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from .errors import LicenceChangeRefused, LicenceError
from .licensing import LicenceChange, LicenceRequest, plan_licence_change
from .model import Licence, UserLicensing


class PlanCache:
    """``plan_licence_change`` once per kind of row, not once per row.

    Rows that differ only in who they are (same organisation, same licences held, the same
    requests without properties, each licence to add with or without a free unit, as
    before) get the same answer, so the rules run once per kind. A cached plan carries no
    profile (``profile_after`` is None): only a grant needs one, and a grant always sends
    properties, so it is never cached.
    """

    def __init__(self, size: int = 10_000):
        self.size = size
        self.plans: dict[tuple, LicenceChange | list[LicenceError]] = {}

    def plan(
        self,
        state: UserLicensing,
        pairs: tuple[tuple[str, str], ...],
        build: Callable[[], Sequence[LicenceRequest]],
        licences: Mapping[str, Licence],
        location_ids,
        cacheable: bool = True,
    ) -> LicenceChange:
        """``pairs`` are the requests as (licence id, "add"|"remove"); ``build`` makes them."""
        if not cacheable:
            return plan_licence_change(state, build(), licences, location_ids)
        held = state.licence_ids
        room = tuple(
            licences[l].free_units > 0 if l in licences else None
            for l, op in pairs
            if op == "add" and l not in held
        )
        key = (state.user.org_id, held, pairs, room)
        hit = self.plans.get(key)
        if hit is None:
            try:
                hit = replace(
                    plan_licence_change(state, build(), licences, location_ids), profile_after=None
                )
            except LicenceChangeRefused as refused:
                hit = refused.errors
            if len(self.plans) < self.size:
                self.plans[key] = hit
        if isinstance(hit, list):
            raise LicenceChangeRefused(hit)
        return hit


def take_units(licences: dict[str, Licence], added: Sequence[str], removed: Sequence[str]) -> None:
    """Running unit counts: the next row sees what this one took or freed."""
    for lid, n in [(a, 1) for a in added] + [(r, -1) for r in removed]:
        l = licences[lid]
        licences[lid] = Licence(
            l.id,
            l.org_id,
            l.subscription_id,
            l.offer_code,
            l.total_units,
            l.consumed_units + n,
            l.subscription_status,
        )
