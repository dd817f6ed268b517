"""callshift's own: subscriptions with their readiness, guarded cancellation, the recycle bin."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ... import ids
from ...domain.errors import SubscriptionInUse
from ...domain.model import WORKSPACE, RecycleEntry
from ...services.context import Ctx
from ...services.subscriptions import (
    cancel_subscription,
    list_recycle_bin,
    restore,
    subscription_use,
)
from ...web.params import bounded
from ..deps import context
from ..schemas import Body
from .licenses import raw_org

router = APIRouter(prefix="/callshift", tags=["callshift"])


class Restore(Body):
    entryIds: list[str]
    licenseId: str | None = None


def _encode_report(ctx: Ctx, report: dict[str, int]) -> dict[str, int]:
    with ctx.db.uow(write=False) as uow:
        out = {}
        for raw, n in report.items():
            lic = uow.store.licence(raw)
            out[ids.licence(lic.org_id, lic.offer_code, raw)] = n
        return out


@router.get(
    "/subscriptions/{sub_id}/readiness",
    summary="Users still on the subscription, in people and in assignments per licence",
    description="`users` counts people (a user with three of its licences is one user); "
    "`callingUsers` those holding its calling licence, whose calling profile a forced "
    "cancellation purges; `licenseAssignments` and `usersPerLicense` count assignments; "
    "`workspaces` the workspaces on it; `pstnLocations` the locations whose Cisco PSTN uses "
    "it (a cancellation is refused while one remains, even with force).",
)
def get_readiness(sub_id: str, ctx: Ctx = Depends(context)) -> dict:
    use = subscription_use(ctx, sub_id)
    return {
        "subscriptionId": sub_id,
        "ready": use.ready,
        "users": use.users,
        "callingUsers": use.calling_users,
        "workspaces": use.workspaces,
        "licenseAssignments": use.assignments,
        "usersPerLicense": _encode_report(ctx, use.per_licence),
        "pstnLocations": [
            {"id": ids.location(lid), "name": name} for lid, name in use.pstn_locations
        ],
    }


@router.post(
    "/subscriptions/{sub_id}/cancel",
    summary="Cancel (R9): refused while users remain unless force=true purges them",
)
def cancel(sub_id: str, ctx: Ctx = Depends(context), force: bool = False) -> dict:
    try:
        purged = cancel_subscription(ctx, sub_id, force)
    except SubscriptionInUse as refused:
        encoded = _encode_report(ctx, refused.users_per_licence)
        again = SubscriptionInUse(
            sub_id, encoded, refused.users, None, refused.workspaces, refused.pstn_locations
        )
        again.message = refused.message  # it names the licences; the body has their ids
        raise again from None
    return {"subscriptionId": sub_id, "status": "cancelled", "purgedUsers": purged}


@router.get("/recycleBin", summary="Purged calling profiles, newest first")
def recycle_bin(
    ctx: Ctx = Depends(context),
    orgId: str | None = None,
    limit: int = bounded(100, ge=1, le=1000),
    # bounded: SQLite and PostgreSQL take 64-bit offsets; a larger one was a 500
    offset: int = bounded(0),
) -> dict:
    entries = list_recycle_bin(ctx, raw_org(orgId), limit, offset)
    return {
        "items": [
            {
                "id": e.id,
                "type": e.kind,
                **_holder_id(e),
                "displayName": e.name,
                "email": e.email,
                "purgedAt": e.purged_at.isoformat(),
                "expiresAt": e.expires_at.isoformat(),
                "reason": e.reason,
                "extension": e.profile.extension,
                "phoneNumber": e.profile.phone_number,
                "locationId": ids.location(e.profile.location_id),
            }
            for e in entries
        ]
    }


def _holder_id(e: RecycleEntry) -> dict[str, str]:
    """A person's entry names its ``personId``, a workspace's its ``workspaceId``."""
    key = "workspaceId" if e.kind == WORKSPACE else "personId"
    return {key: ids.holder(e.kind, e.user_id)}


@router.post("/recycleBin/restore", summary="Restore purged profiles as they were, PIN included")
def restore_entries(body: Restore, ctx: Ctx = Depends(context)) -> dict:
    licence = ids.licence_raw(body.licenseId) if body.licenseId else None
    restored = restore(ctx, body.entryIds, licence)
    return {"restored": [ids.holder(e.kind, e.user_id) for e in restored]}
