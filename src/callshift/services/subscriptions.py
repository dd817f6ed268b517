"""Guarded cancellation (R9) and the recycle bin: list, restore, expire."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..db import holder_counts
from ..db import locations as location_rows
from ..domain.audit import EventFacts, licence_bodies
from ..domain.errors import NotFound, RestoreRefused, SubscriptionInUse
from ..domain.model import (
    PERSON,
    WORKSPACE,
    Licence,
    RecycleEntry,
    Subscription,
    SubscriptionStatus,
)
from ..domain.offers import WorkspaceTier
from ..domain.recycle import plan_restore
from .context import Ctx
from .purge import remove_from_all


def get_subscription(ctx: Ctx, store, sub_id: str) -> Subscription:
    sub = store.subscription(sub_id)
    if sub is None or sub.org_id not in ctx.principal.org_ids:
        raise NotFound(f"subscription {sub_id} not found")
    return sub


def readiness(ctx: Ctx, sub_id: str) -> dict[str, int]:
    """Users still holding each licence of the subscription (empty: ready to cancel)."""
    ctx.principal.require_admin()  # an administrator's read: a user token sees no org figures
    with ctx.db.uow(write=False) as uow:
        get_subscription(ctx, uow.store, sub_id)
        return uow.store.users_per_licence(sub_id)


@dataclass(frozen=True)
class SubscriptionUse:
    """Who is still on a subscription, in people and in licence assignments.

    ``users``: distinct people holding any of its licences; ``calling_users``: those holding
    its calling licence (R1: one each), who lose their calling profile to a forced
    cancellation; ``per_licence``: assignments per licence id; ``names``: each licence's name.
    """

    subscription_id: str
    users: int
    calling_users: int
    per_licence: dict[str, int]
    names: dict[str, str]
    retention_days: int
    workspaces: int = 0  # workspaces holding any of its licences (counted apart from users)
    pstn_locations: tuple[tuple[str, str], ...] = ()  # (id, name): their PSTN hangs on it

    @property
    def assignments(self) -> int:
        return sum(self.per_licence.values())

    @property
    def ready(self) -> bool:
        return not self.per_licence and not self.pstn_locations


def _use(ctx: Ctx, store, sub: Subscription) -> SubscriptionUse:
    per = store.users_per_licence(sub.id)
    licences = store.licences(sub.org_id)
    calling = [lid for lid in per if lid in licences and licences[lid].offer.is_calling]
    kinds = holder_counts.holders_on_subscription(store.conn, sub.id) if per else {}
    return SubscriptionUse(
        sub.id,
        kinds.get(PERSON, 0),
        holder_counts.users_holding_any(store.conn, calling),
        per,
        {lid: licences[lid].name for lid in per if lid in licences},
        ctx.retention_days,
        kinds.get(WORKSPACE, 0),
        tuple(location_rows.pstn_locations(store.conn, sub.id)),
    )


def subscription_use(ctx: Ctx, sub_id: str) -> SubscriptionUse:
    """Readiness in people: users, calling users, and assignments per licence."""
    ctx.principal.require_admin()  # an administrator's read: a user token sees no org figures
    with ctx.db.uow(write=False) as uow:
        return _use(ctx, uow.store, get_subscription(ctx, uow.store, sub_id))


def cancel_subscription(ctx: Ctx, sub_id: str, force: bool = False) -> int:
    """R9: refuse while users remain; with force, purge them into the recycle bin first.

    Returns how many users were purged.
    """
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        store = uow.store
        sub = get_subscription(ctx, store, sub_id)
        if sub.status is SubscriptionStatus.CANCELLED:
            return 0
        use = _use(ctx, store, sub)
        in_use = use.per_licence
        if use.pstn_locations:  # a location's PSTN cannot be purged: even force refuses
            raise SubscriptionInUse(
                sub_id, in_use, use.users, use.names, use.workspaces, use.pstn_locations
            )
        if in_use and not force:
            raise SubscriptionInUse(sub_id, in_use, use.users, use.names, use.workspaces)
        purged = (
            remove_from_all(
                ctx,
                store,
                sorted(in_use),
                store.licences(sub.org_id),
                "subscription.force-cancel.purge",
            )
            if in_use
            else 0
        )
        store.set_subscription_status(sub_id, SubscriptionStatus.CANCELLED)
        ctx.audit(
            store,
            sub.org_id,
            "subscription.cancelled",
            "subscription",
            sub_id,
            {"status": sub.status.value, "users": use.users, "usersPerLicence": in_use},
            {"status": "cancelled", "purgedUsers": purged, "forced": force},
        )
        uow.commit()
        return purged


def set_subscription_status(ctx: Ctx, sub_id: str, status: SubscriptionStatus) -> None:
    """Suspend or reactivate (cancellation goes through cancel_subscription)."""
    ctx.principal.require_write()
    if status is SubscriptionStatus.CANCELLED:
        raise ValueError("use cancel_subscription")
    with ctx.db.uow() as uow:
        sub = get_subscription(ctx, uow.store, sub_id)
        if sub.status is SubscriptionStatus.CANCELLED:
            raise RestoreRefused(f"subscription {sub_id} is cancelled for good")
        if sub.status is not status:
            uow.store.set_subscription_status(sub_id, status)
            ctx.audit(
                uow.store,
                sub.org_id,
                f"subscription.{status.value}",
                "subscription",
                sub_id,
                {"status": sub.status.value},
                {"status": status.value},
            )
            uow.commit()


def list_recycle_bin(
    ctx: Ctx, org_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[RecycleEntry]:
    ctx.principal.require_admin()
    org_id = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        return uow.store.recycle_entries(org_id, ctx.clock(), limit=limit, offset=offset)


def restore(
    ctx: Ctx, entry_ids: Sequence[str], licence_id: str | None = None
) -> list[RecycleEntry]:
    """Put purged profiles back as they were, PIN included; all the entries or none.

    A workspace's entry restores onto the workspace if it still exists (a forced
    cancellation's purge keeps the row), onto a licence a workspace may hold that fits its
    profile (hot desk only: no number or extension; any other: one of them). A deleted
    workspace's entry is refused, saying so: the delete took the workspace (as in Webex) and
    callshift does not recreate one; the entry stays listed, its profile readable, until it
    expires."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        store = uow.store
        restored = []
        for entry_id in entry_ids:
            entry = store.recycle_entry(entry_id)
            if entry is None or entry.org_id not in ctx.principal.org_ids:
                raise NotFound(f"recycle-bin entry {entry_id} not found")
            _restore_one(ctx, store, entry, licence_id or entry.licence_id)
            restored.append(entry)
        uow.commit()
        return restored


def _restore_one(ctx: Ctx, store, entry: RecycleEntry, licence_id: str) -> None:
    user = store.user(entry.user_id, lock=True)
    if user is None and entry.kind == WORKSPACE:
        # a deleted workspace is gone with its details (as in Webex): nothing to restore
        # onto, and callshift does not recreate one; the entry stays listed until it expires
        raise RestoreRefused(
            f"the workspace was deleted ({entry.user_id}): its calling profile has no "
            "workspace to go back to; the entry stays in the recycle bin until it expires"
        )
    if user is None:
        raise RestoreRefused(f"{entry.email} no longer exists")
    licence = store.licence(licence_id)
    if licence is None:
        raise RestoreRefused(f"licence {licence_id} no longer exists; restore onto another")
    state = store.licensing(user)
    change = plan_restore(entry, state, licence, ctx.clock())
    _check_holder_fits(user.is_workspace, licence, entry)
    p = entry.profile
    if p.phone_number and store.number_taken(user.org_id, p.phone_number, user.id):
        raise RestoreRefused(f"number {p.phone_number} was given to someone else since")
    if p.extension and store.extension_taken(p.location_id, p.extension, user.id):
        raise RestoreRefused(f"extension {p.extension} was given to someone else since")
    store.apply_licence_change(user, change, ctx.clock())
    store.mark_restored(entry.id, ctx.clock())
    ctx.audit(
        store,
        user.org_id,
        "recycle.restored",
        user.kind,
        user.id,
        *licence_bodies(state.licence_ids, change.after, EventFacts(recycle_entry_id=entry.id)),
    )


def _check_holder_fits(workspace: bool, licence: Licence, entry: RecycleEntry) -> None:
    """The holder rules of a first calling licence, for a profile put back whole: workspace
    licences are for workspaces only; a workspace takes only a workspace licence, a hot desk
    only one with no number or extension, any other with one of them."""
    offer, p = licence.offer, entry.profile
    if not workspace:
        if offer.workspace_only:
            raise RestoreRefused(f"{licence.name} is for workspaces, not people")
        return
    if offer.workspace_tier is None:
        raise RestoreRefused(f"{licence.name} is not a licence a workspace can hold")
    numbered = bool(p.extension or p.phone_number)
    if offer.workspace_tier is WorkspaceTier.HOT_DESK and numbered:
        raise RestoreRefused(
            f"{licence.name} is hot desk only, with no number or extension: the profile has "
            "them; restore onto a workspace licence"
        )
    if offer.workspace_tier is not WorkspaceTier.HOT_DESK and not numbered:
        raise RestoreRefused(
            f"the profile has no number or extension (a hot desk only workspace's): "
            f"{licence.name} needs an extension or a phone number; restore onto a hot desk "
            "only licence"
        )
