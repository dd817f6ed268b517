"""Bulk subscription moves: validate (a dry run that changes nothing) and start (a job)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..db import jobs
from ..db import locations as location_rows
from ..db import selection as db
from ..domain.bulk_plan import MovePlan, MoveRefused, Selection, holder_bounds, plan_offers
from ..domain.change_summary import ChangeSummary
from ..domain.errors import NotFound
from ..domain.licensing import CallingChange, LicenceChange
from ..domain.model import PERSON, SubscriptionStatus
from ..domain.reversals import ReversalNotConfirmed
from .context import Ctx, new_id
from .previews import reversal_refusal
from .reversal_check import check_subquery, new_report, window_start

BLOCKER_SAMPLE = 100


@dataclass
class MoveReport:
    """What validate says: per licence, capacity, and who cannot move and why."""

    plan: MovePlan
    users: int = 0
    blocked: list[dict] = field(default_factory=list)  # a sample: email, reason, code
    blocked_total: int = 0
    not_found: list[str] = field(default_factory=list)
    not_on_source: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)  # domain/change_summary, in words
    reversals: dict | None = None  # users moved back (services/reversal_check)
    workspaces: int = 0  # of ``users``, the workspaces
    pstn_locations: list[tuple[str, str]] = field(default_factory=list)  # re-pointed: (id, name)

    @property
    def can_start(self) -> bool:
        return self.users > 0 and not self.plan.short

    def as_dict(self) -> dict:
        return {
            "sourceSubscriptionId": self.plan.selection.source_subscription,
            "targetSubscriptionId": self.plan.selection.target_subscription,
            "users": self.users,
            "workspaces": self.workspaces,
            "pstnLocations": [{"id": i, "name": n} for i, n in self.pstn_locations],
            "canStart": self.can_start,
            "licenses": [
                {
                    "offer": o.source.name,
                    "offerCode": o.source.offer_code,
                    "sourceLicenseId": o.source.id,
                    "targetLicenseId": o.target.id if o.target else None,
                    "users": o.users,
                    "targetFreeUnits": o.target.free_units if o.target else 0,
                    "shortfall": o.shortfall,
                    "blocker": o.blocker,
                    "errorCode": o.blocker_code,
                }
                for o in self.plan.offers
            ],
            "blockedUsers": self.blocked,
            "blockedTotal": self.blocked_total,
            "notFound": self.not_found,
            "notOnSource": self.not_on_source,
            "changeSummary": self.summary,
            "reversals": self.reversals,
        }


def _org_of(ctx: Ctx, store, sel: Selection) -> str:
    sub = store.subscription(sel.source_subscription)
    if sub is None or sub.org_id not in ctx.principal.org_ids:
        raise NotFound(f"subscription {sel.source_subscription} not found")
    return sub.org_id


def validate_move(ctx: Ctx, sel: Selection) -> MoveReport:
    """What a bulk move would do, nothing written: per offer the holders, the target's room and
    any blocker; who cannot move and why; users and workspaces; the PSTN locations it
    re-points; reversals; the change in words."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        store, conn = uow.store, uow.conn
        org_id = _org_of(ctx, store, sel)
        licences = store.licences(org_id)
        plan = plan_offers(sel, licences.values())
        source_ids = [o.source.id for o in plan.offers]
        chosen = db.selected(sel, source_ids)
        if sel.everyone:
            # every holder is selected: the unit counts are the holder counts (R3 keeps them so)
            counts = {o.source.id: o.source.consumed_units for o in plan.offers}
        else:
            counts = db.holders_per_licence(conn, source_ids, chosen)
        plan = plan_offers(sel, licences.values(), counts)
        report = MoveReport(plan, users=_how_many(store, conn, sel, org_id, plan, chosen))
        if sel.holders != PERSON:
            report.workspaces = db.workspaces_among(conn, org_id, sel, source_ids, chosen)
        report.pstn_locations = _pstn_moves(store, conn, sel)
        blocked_ids = [o.source.id for o in plan.offers if o.blocker]
        if blocked_ids:
            reasons = {o.source.id: (o.blocker, o.blocker_code) for o in plan.offers if o.blocker}
            report.blocked_total = sum(counts.get(b, 0) for b in blocked_ids)
            report.blocked = [
                {"email": email, "reason": reasons[lid][0], "errorCode": reasons[lid][1]}
                for email, lid in db.holders_sample(conn, blocked_ids, chosen, BLOCKER_SAMPLE)
            ]
        if sel.emails is not None:
            _explain_emails(conn, sel.emails, org_id, plan, chosen, report)
        report.summary = _summary(report, licences)
        report.reversals = _reversals(ctx, conn, org_id, plan, chosen, licences)
    return report


def _summary(report: MoveReport, licences) -> dict:
    """The move in words: each movable offer's holders swap it for the target's."""
    summary = ChangeSummary(licences)
    for o in report.plan.offers:
        if o.target is None or o.blocker or not o.users:
            continue
        calling = CallingChange.SWAP if o.source.offer.is_calling else CallingChange.NONE
        change = LicenceChange(
            frozenset([o.source.id]), (o.target.id,), (o.source.id,), (), calling, None, None, None
        )
        summary.add(change, o.users)
    summary.users = report.users  # a user holding several offers is one user
    return summary.as_dict()


def _reversals(ctx: Ctx, conn, org_id: str, plan: MovePlan, chosen, licences) -> dict | None:
    """Selected users the move takes back to a target licence they recently left."""
    since = window_start(ctx)
    if since is None:
        return None
    mapping = plan.mapping
    report = new_report(ctx)
    check_subquery(
        conn,
        org_id,
        since,
        chosen,
        lambda held: [mapping[l] for l in held if mapping.get(l)],
        licences,
        report,
    )
    return report.as_params()


def _how_many(store, conn, sel: Selection, org_id: str, plan: MovePlan, chosen) -> int:
    """Distinct users the selection takes. Every holder taken: bounded by the units
    (``holder_bounds``) and by the organisation's users (a licence is held only within its
    organisation, R4); when the bounds meet, as when everyone holds one of the licences,
    that is the number, without counting a million users' licences one by one."""
    if sel.everyone:
        least, most = holder_bounds(plan.offers)
        if least < most:
            most = min(most, store.count_holders(org_id))
        if least == most:
            return least
    return db.count(conn, chosen)


def _pstn_moves(store, conn, sel: Selection) -> list[tuple[str, str]]:
    """The locations whose PSTN a move of the whole subscription re-points to the target:
    only to an active subscription with calling licences, as Control Hub requires (a
    narrower move leaves them, and the cancellation guard names them)."""
    if not sel.everyone:
        return []
    target = store.subscription(sel.target_subscription)
    if target is None or target.status is not SubscriptionStatus.ACTIVE:
        return []
    calling = any(
        l.subscription_id == target.id and l.offer.is_calling
        for l in store.licences(target.org_id).values()
    )
    return location_rows.pstn_locations(conn, sel.source_subscription) if calling else []


def _explain_emails(
    conn, emails: tuple[str, ...], org_id: str, plan: MovePlan, chosen, report: MoveReport
) -> None:
    wanted = {e.strip().lower() for e in emails}
    found = db.ids_by_email(conn, org_id, wanted)
    report.not_found = sorted(wanted - found.keys())
    taken = db.chosen_ids(conn, chosen)
    targets = {o.target.id for o in plan.offers if o.target}
    for email in sorted(found):
        if found[email] in taken:
            continue
        on_target = db.holds_any(conn, found[email], targets)
        report.not_on_source.append(
            {
                "email": email,
                "reason": "already on the target subscription"
                if on_target
                else "holds no licence of the source subscription",
            }
        )


def start_move(
    ctx: Ctx,
    sel: Selection,
    batch_size: int = 5000,
    allow_shortfall: bool = False,
    allow_reversal: bool = False,
) -> str:
    """Create the job (refused when capacity is short, unless allowed, or when it takes users
    back to a subscription they left recently, unless ``allow_reversal``); returns its id."""
    ctx.principal.require_write()
    report = validate_move(ctx, sel)
    if report.users == 0:
        raise MoveRefused("nobody to move: no user of the selection holds a source licence")
    if report.reversals and not allow_reversal:
        raise ReversalNotConfirmed(reversal_refusal(report.reversals))
    if report.plan.short and not allow_shortfall:
        needs = []
        for o in report.plan.short:
            assert o.target is not None  # a shortfall is counted against a target licence
            needs.append(f"{o.source.name}: {o.users} needed, {o.target.free_units} free")
        short = ", ".join(needs)
        raise MoveRefused(f"the target subscription is short of units ({short}); nothing started")
    job_id = new_id()
    now = ctx.clock()
    selection = {
        "source": sel.source_subscription,
        "target": sel.target_subscription,
        "offers": list(sel.offer_codes) if sel.offer_codes else None,
        "locationId": sel.location_id,
        "emails": len(sel.emails) if sel.emails is not None else None,
        "holders": sel.holders,
    }
    params = {
        "selection": selection,
        "mapping": report.plan.mapping,
        "batchSize": batch_size,
        # re-pointed now (a location is one row, not a batch of users); a rollback puts back
        "pstnLocations": [lid for lid, _ in report.pstn_locations],
    }
    with ctx.db.uow() as uow:
        conn = uow.conn
        org_id = _org_of(ctx, uow.store, sel)
        jobs.create(conn, job_id, org_id, "bulk_move", params, ctx.principal.name, now)
        chosen = db.selected(sel, list(report.plan.mapping))
        db.insert_items(conn, job_id, chosen, batch_size)
        total = jobs.set_total(conn, job_id)
        jobs.add_batches(conn, job_id, "forward")
        if report.pstn_locations:
            moved = [lid for lid, _ in report.pstn_locations]
            location_rows.repoint_pstn(conn, moved, sel.target_subscription)
            ctx.audit(
                uow.store,
                org_id,
                "location.pstn-moved",
                "job",
                job_id,
                {"subscriptionId": sel.source_subscription, "locations": moved},
                {"subscriptionId": sel.target_subscription, "locations": moved},
            )
        jobs.log(
            conn,
            job_id,
            f"created: {total} users from {sel.source_subscription} to {sel.target_subscription}",
            now,
        )
        ctx.audit(
            uow.store,
            org_id,
            "bulk-move.started",
            "job",
            job_id,
            None,
            {"users": total, **selection},
        )
        uow.commit()
    return job_id
