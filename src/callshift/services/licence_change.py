"""Method 1: change one user's licences (add, remove, swap) under rules R1-R10."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from ..db.store import CapacityRace, SqlStore
from ..domain import errors as E
from ..domain.audit import change_bodies
from ..domain.errors import LicenceChangeRefused, LicenceError, ProfileConflict
from ..domain.licensing import CallingChange, LicenceChange, LicenceRequest, Operation
from ..domain.model import CallingProfile, Licence, RecycleEntry, User, UserLicensing
from ..domain.planner import Planner
from .context import ChangeCtx, Ctx, PersonRef, new_id, resolve_person
from .reversal_check import refuse_unless_allowed


@dataclass(frozen=True)
class LicenceResult:
    """A licence change as written: the user, the change, the profile after, and the
    recycle-bin entry when it purged."""

    user: User
    change: LicenceChange
    profile: CallingProfile | None
    licences: Mapping[str, Licence]
    recycle_entry_id: str | None = None


def change_licences(
    ctx: Ctx, ref: PersonRef, requests: Sequence[LicenceRequest], allow_reversal: bool = False
) -> LicenceResult:
    """Apply one licence request to one user, all or nothing except per-licence failures (206).
    A change giving the user back a licence they were taken off within the reversal window
    is refused (``ReversalNotConfirmed``, nothing written) unless ``allow_reversal``: the
    API, the UI and the CLI ask for that consent alike."""
    ctx.principal.require_write()
    for attempt in (1, 2):
        with ctx.db.uow() as uow:
            user = resolve_person(uow.store, ctx, ref, lock=True)
            state = uow.store.licensing(user)
            licences = uow.store.licences(user.org_id)
            change = Planner(licences, uow.store.location_ids(user.org_id)).plan(state, requests)
            if not change.changed:
                return LicenceResult(user, change, state.profile, licences)
            refuse_unless_allowed(uow.conn, ctx, user, change.added, licences, allow_reversal)
            try:
                entry = write_change(ctx, uow.store, state, change, licences, "licences.changed")
            except CapacityRace as race:
                if attempt == 2:
                    raise LicenceChangeRefused(
                        [LicenceError(str(race), E.NO_FREE_UNITS, "the licence has no free units")]
                    ) from None
                continue  # re-plan on fresh counts: the lost add becomes a per-licence failure
            uow.commit()
            return LicenceResult(user, change, change.profile_after, licences, entry)
    raise AssertionError("unreachable")


class ProfileChecks(Protocol):
    """What R5's check asks of a store: whether an extension or number is someone else's."""

    def extension_taken(
        self, location_id: str, extension: str, user_id: str | None = None
    ) -> bool: ...

    def number_taken(self, org_id: str, number: str, user_id: str | None = None) -> bool: ...


def check_profile_free(store: ProfileChecks, user: User, profile: CallingProfile) -> None:
    """R5: extensions are unique per location and numbers per organisation."""
    if profile.extension and store.extension_taken(profile.location_id, profile.extension, user.id):
        raise ProfileConflict(
            f"extension {profile.extension} is already used in the location", E.EXTENSION_TAKEN
        )
    if profile.phone_number and store.number_taken(user.org_id, profile.phone_number, user.id):
        raise ProfileConflict(
            f"phone number {profile.phone_number} is already used", E.NUMBER_TAKEN
        )


def write_change(
    ctx: ChangeCtx,
    store: SqlStore,
    state: UserLicensing,
    change: LicenceChange,
    licences: Mapping[str, Licence],
    action: str,
    extra_before: dict | None = None,
    extra_after: dict | None = None,
) -> str | None:
    """Write a planned change, snapshot a purge to the recycle bin, and audit it once."""
    user = state.user
    if change.calling is CallingChange.GRANT:
        assert change.profile_after is not None  # the planner grants with a profile
        check_profile_free(store, user, change.profile_after)
    entry_id = None
    if change.calling is CallingChange.PURGE:
        entry_id = snapshot(ctx, store, user, state.profile, change.calling_removed, reason=action)
    store.apply_licence_change(user, change, ctx.clock())
    numbered = _numbers_given(state.profile, change)
    if numbered is not None:  # a hot desk only workspace moving up takes a number
        check_profile_free(store, user, numbered)
        store.update_profile(
            user.id, extension=numbered.extension, phone_number=numbered.phone_number
        )
    before, after = change_bodies(change, entry_id, extra_before, extra_after)
    ctx.audit(store, user.org_id, action, user.kind, user.id, before, after)
    return entry_id


def _numbers_given(before: CallingProfile | None, change: LicenceChange) -> CallingProfile | None:
    """The profile after a swap that gives it a number or extension, else None."""
    after = change.profile_after
    if change.calling is not CallingChange.SWAP or before is None or after is None:
        return None
    same = (after.extension, after.phone_number) == (before.extension, before.phone_number)
    return None if same else after


def snapshot(
    ctx: ChangeCtx,
    store: SqlStore,
    user: User,
    profile: CallingProfile | None,
    licence_id: str | None,
    reason: str,
) -> str | None:
    """R7: nothing is purged without a restorable copy."""
    if profile is None:
        return None
    now = ctx.clock()
    entry = RecycleEntry(
        id=new_id(),
        org_id=user.org_id,
        user_id=user.id,
        email=user.email,
        licence_id=licence_id or "",
        profile=profile,
        purged_at=now,
        expires_at=now + timedelta(days=ctx.retention_days),
        reason=reason,
        kind=user.kind,
        name=user.display_name,
    )
    store.add_recycle(entry)
    return entry.id


def delete_holder(
    ctx: ChangeCtx, store: SqlStore, user: User, reason: str
) -> tuple[frozenset[str], str | None]:
    """Delete a person or a workspace as Webex does: every licence removed first, so a
    calling profile is snapshotted to the recycle bin (R7). Returns the licences it held and
    the recycle entry's id (None without a profile); the caller audits."""
    state = store.licensing(user)
    licences = store.licences(user.org_id)
    calling = next((l for l in state.licence_ids if licences[l].offer.is_calling), None)
    entry_id = snapshot(ctx, store, user, state.profile, calling, reason)
    change = Planner(licences, ()).plan(
        state, [LicenceRequest(l, Operation.REMOVE) for l in state.licence_ids]
    )
    store.apply_licence_change(user, change, ctx.clock())
    store.delete_user(user.id)
    return state.licence_ids, entry_id
