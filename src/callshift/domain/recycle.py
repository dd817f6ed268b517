"""Restoring a purged calling profile from the recycle bin."""

from __future__ import annotations

from datetime import datetime

from .errors import RestoreRefused
from .licensing import CallingChange, LicenceChange
from .model import Licence, RecycleEntry, SubscriptionStatus, UserLicensing


def plan_restore(
    entry: RecycleEntry, state: UserLicensing, licence: Licence, now: datetime
) -> LicenceChange:
    """The change that puts the profile back whole, or RestoreRefused saying why not.

    Number and extension reuse need the database and are checked by the caller.
    """
    if entry.restored_at is not None:
        raise RestoreRefused(f"recycle-bin entry {entry.id} was already restored")
    if entry.expires_at <= now:
        raise RestoreRefused(f"recycle-bin entry {entry.id} expired on {entry.expires_at:%Y-%m-%d}")
    if state.user.id != entry.user_id:
        raise RestoreRefused("the entry belongs to another user")
    if state.profile is not None:
        raise RestoreRefused(f"{state.user.email} has calling again; restoring would overwrite it")
    if not licence.offer.is_calling or licence.org_id != entry.org_id:
        raise RestoreRefused(f"licence {licence.id} is not a calling licence of the organisation")
    if licence.subscription_status is not SubscriptionStatus.ACTIVE:
        raise RestoreRefused(
            f"subscription {licence.subscription_id} is "
            f"{licence.subscription_status.value}; restore onto another licence"
        )
    if licence.free_units <= 0:
        raise RestoreRefused(f"{licence.name} [{licence.subscription_id}] has no free units")
    return LicenceChange(
        state.licence_ids,
        (licence.id,),
        (),
        (),
        CallingChange.GRANT,
        None,
        licence.id,
        entry.profile,
    )
