"""What an administrator looks at: an organisation's locations, subscriptions and licences."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..db import directory as db
from ..domain.model import Licence, Location, Subscription
from .context import Ctx


@dataclass(frozen=True)
class SubscriptionView:
    """A subscription with its partner's name and its licences."""

    subscription: Subscription
    partner: str
    licences: list[Licence] = field(default_factory=list)


@dataclass(frozen=True)
class OrgView:
    """An organisation as the admin sees it: locations and subscriptions."""

    id: str
    name: str
    locations: list[Location]
    subscriptions: list[SubscriptionView]

    @property
    def licences(self) -> dict[str, Licence]:
        return {l.id: l for s in self.subscriptions for l in s.licences}

    def location_name(self, location_id: str | None) -> str:
        return next((l.name for l in self.locations if l.id == location_id), location_id or "")


def org_view(ctx: Ctx, org_id: str | None = None) -> OrgView:
    """The organisation as the admin UI shows it (another organisation looks unknown)."""
    ctx.principal.require_admin()
    org_id = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        store = uow.store
        partners = db.partner_names(uow.conn)
        licences = list(store.licences(org_id).values())
        subs = [
            SubscriptionView(
                s,
                partners.get(s.partner_id, s.partner_id),
                [l for l in licences if l.subscription_id == s.id],
            )
            for s in store.subscriptions(org_id)
        ]
        return OrgView(org_id, store.org_name(org_id) or org_id, store.locations(org_id), subs)


def org_names(ctx: Ctx) -> dict[str, str]:
    """The organisations the caller may see, by id (a partner admin sees several)."""
    with ctx.db.uow(write=False) as uow:
        return db.org_names(uow.conn, ctx.principal.org_ids)
