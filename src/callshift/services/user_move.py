"""Move one user to another subscription (method 1 from the CLI and the UI)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import InvalidInput, NotFound
from ..domain.licensing import LicenceChange
from ..domain.model import CallingProfile, Licence, User
from ..domain.planner import Planner
from ..domain.reversals import Reversal
from ..domain.swaps import swap_requests
from .context import Ctx, PersonRef, resolve_person
from .licence_change import change_licences
from .reversal_check import check_one


@dataclass(frozen=True)
class MoveOutcome:
    """One user's move (method 1): the change, planned or applied."""

    user: User
    change: LicenceChange
    licences: dict[str, Licence]
    profile: CallingProfile | None
    applied: bool
    reversal: Reversal | None = None  # a dry run's: back to a subscription left lately


def move_user(
    ctx: Ctx,
    ref: PersonRef,
    target_subscription: str,
    calling_only: bool = False,
    dry_run: bool = False,
    allow_reversal: bool = False,
) -> MoveOutcome:
    """Swap the user's licences for the target subscription's; a dry run writes nothing and
    says whether the move takes the user back to a subscription they left lately, which
    ``change_licences`` refuses unless ``allow_reversal``."""
    with ctx.db.uow(write=False) as uow:
        user = resolve_person(uow.store, ctx, ref)
        licences = uow.store.licences(user.org_id)
        target = {
            l.offer_code: l for l in licences.values() if l.subscription_id == target_subscription
        }
        if not target:
            raise NotFound(f"subscription {target_subscription} not found in the organisation")
        state = uow.store.licensing(user)
        requests = swap_requests(
            [licences[i] for i in state.licence_ids], target, target_subscription, calling_only
        )
        if not requests:
            raise InvalidInput(f"{user.email} holds nothing to move to {target_subscription}")
        change = Planner(licences, uow.store.location_ids(user.org_id)).plan(state, requests)
        if dry_run:  # a real move's check is change_licences', under its lock
            reversal = check_one(uow.conn, ctx, user, change.added, licences)
            return MoveOutcome(user, change, licences, state.profile, False, reversal)
    result = change_licences(ctx, PersonRef(person_id=user.id), requests, allow_reversal)
    return MoveOutcome(user, result.change, licences, result.profile, result.change.changed)
