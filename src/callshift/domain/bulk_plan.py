"""A bulk subscription move, planned per offer: which licence goes where, and what blocks.

Each source licence maps to the target subscription's licence of the same offer, so the
move is a swap per user (R6) and can never give anyone two licences of one kind (R1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import errors as E
from .errors import DomainError
from .model import Licence, SubscriptionStatus
from .offers import CallingTier


@dataclass(frozen=True)
class Selection:
    """Who moves: holders of the source subscription's licences, optionally narrowed."""

    source_subscription: str
    target_subscription: str
    offer_codes: tuple[str, ...] | None = None
    location_id: str | None = None
    emails: tuple[str, ...] | None = None
    holders: str | None = None  # "person" or "workspace" only; None: both

    @property
    def everyone(self) -> bool:
        """Every holder of the source licences moves: the subscription is left empty."""
        return self.location_id is None and self.emails is None and self.holders is None


@dataclass(frozen=True)
class OfferPlan:
    source: Licence
    target: Licence | None
    users: int = 0  # holders of the source licence within the selection
    blocker_code: int | None = None  # set when holders of this licence cannot move
    blocker: str | None = None

    @property
    def shortfall(self) -> int:
        if self.target is None or self.blocker:
            return 0
        return max(0, self.users - self.target.free_units)


@dataclass(frozen=True)
class MovePlan:
    selection: Selection
    offers: list[OfferPlan] = field(default_factory=list)

    @property
    def mapping(self) -> dict[str, str]:
        """Source licence id -> target licence id, for the offers that can move."""
        return {o.source.id: o.target.id for o in self.offers if o.target and not o.blocker}

    @property
    def short(self) -> list[OfferPlan]:
        return [o for o in self.offers if o.shortfall]


class MoveRefused(DomainError):
    status = 409
    code = E.MOVE_REFUSED


def plan_offers(
    selection: Selection, licences: Iterable[Licence], holders: Mapping[str, int] | None = None
) -> MovePlan:
    """Map every selected source licence to its target; refuse a move that cannot start."""
    src, dst = selection.source_subscription, selection.target_subscription
    if src == dst:
        raise MoveRefused("source and target are the same subscription")
    licences = list(licences)
    source = [
        l
        for l in licences
        if l.subscription_id == src
        and (selection.offer_codes is None or l.offer_code in selection.offer_codes)
    ]
    target = {l.offer_code: l for l in licences if l.subscription_id == dst}
    if not any(l.subscription_id == src for l in licences):
        raise MoveRefused(f"subscription {src} not found in the organisation")
    if not target:
        raise MoveRefused(f"subscription {dst} not found in the organisation")
    status = next(iter(target.values())).subscription_status
    if status is not SubscriptionStatus.ACTIVE:
        raise MoveRefused(
            f"the target subscription {dst} is {status.value}: nothing new can come from it (R4)"
        )
    holders = holders or {}
    offers = []
    for lic in sorted(source, key=lambda l: l.offer_code):
        new = target.get(lic.offer_code)
        code = blocker = None
        if (
            new is None
            and lic.offer.calling_tier is CallingTier.PROFESSIONAL
            and any(t.offer.calling_tier is CallingTier.BASIC for t in target.values())
        ):
            code, blocker = (
                E.PROFESSIONAL_TO_BASIC,
                (
                    f"{dst} sells Basic calling but not Professional: "
                    "Professional → Basic is refused"
                ),
            )
        elif new is None:
            code, blocker = E.LICENCE_NOT_RECOGNISED, f"{dst} has no {lic.name} licence"
        offers.append(OfferPlan(lic, new, holders.get(lic.id, 0), code, blocker))
    return MovePlan(selection, offers)


def holder_bounds(offers: Iterable[OfferPlan]) -> tuple[int, int]:
    """Least and most distinct users who can hold the offers' source licences, from units
    alone: a licence's consumed units are its holders (R3); nobody holds two calling user
    licences (R1), so those add up; the holders of the biggest licence are all counted; and
    nobody counts twice within one licence. When the two meet, that is the exact number."""
    units = [o.source.consumed_units for o in offers]
    calling = sum(o.source.consumed_units for o in offers if o.source.offer.is_calling)
    return max([calling, *units], default=0), sum(units)
