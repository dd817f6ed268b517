"""What a licence change means: rules R1-R8 as one pure function.

``plan_licence_change`` takes a user's licences and calling profile, the requested adds
and removes, and the organisation's licences; it returns a ``LicenceChange`` that says
exactly what to write, or raises ``LicenceChangeRefused`` when the request as a whole
breaks a rule. Per-licence failures (no free units, subscription not active) leave the
rest of the request to succeed, except that a remove and the add that replaces it
stand or fall together (R8), so a swap never leaves a user without calling.

``restoring`` is for rollbacks only: putting a user back on the tier they had before a job
(Basic, after a template gave them Professional) is not the downgrade R2 refuses.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from . import errors as E
from .errors import LicenceChangeRefused, LicenceError
from .model import CallingProfile, Licence, SubscriptionStatus, UserLicensing
from .offers import CallingTier, WorkspaceTier

EXTENSION = re.compile(r"^[0-9]{2,10}$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class Operation(str, Enum):
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True)
class CallingProperties:
    location_id: str | None = None
    phone_number: str | None = None
    extension: str | None = None


@dataclass(frozen=True)
class LicenceRequest:
    licence_id: str
    operation: Operation = Operation.ADD
    properties: CallingProperties | None = None


class CallingChange(str, Enum):
    NONE = "none"
    GRANT = "grant"  # first calling licence: a new profile
    SWAP = "swap"  # one calling licence for another: the profile is untouched (R6)
    PURGE = "purge"  # calling removed without replacement: the profile goes (R7)


@dataclass(frozen=True)
class LicenceChange:
    before: frozenset[str]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    failed: tuple[LicenceError, ...]
    calling: CallingChange
    calling_removed: str | None
    calling_added: str | None
    profile_after: CallingProfile | None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    @property
    def partial(self) -> bool:
        return bool(self.failed)

    @property
    def after(self) -> frozenset[str]:
        return (self.before - set(self.removed)) | set(self.added)


def normalise_number(value: str | None) -> str | None:
    """E.164 with its '+'; a spreadsheet often strips the '+', so digits alone get it back."""
    if value is None:
        return None
    value = value.strip().replace(" ", "").replace("-", "")
    if value and value[0].isdigit():
        value = "+" + value
    return value or None


def _slot(lic: Licence) -> str:
    """Licences that exclude each other: one calling user licence, one of each other offer."""
    return "calling" if lic.offer.is_calling else lic.offer_code


def plan_licence_change(
    state: UserLicensing,
    requests: Sequence[LicenceRequest],
    licences: Mapping[str, Licence],
    location_ids: Collection[str],
    *,
    restoring: bool = False,
) -> LicenceChange:
    """What ``requests`` (adds and removes) would change for the user in ``state``.

    In order, each refusing the whole request with ``LicenceChangeRefused``:
    - every licence named once, and one of the user's organisation;
    - no workspace-only licence on a person;
    - the licences the user would end with are coherent (``_structure_errors``): one
      calling user licence at most and one of each other offer (R1), add-ons only beside
      their base, no Professional-to-Basic downgrade (R2) unless ``restoring`` a rollback;
    - properties sent with a calling swap agree with the current profile (R6); a first
      calling licence names a location and a well-formed extension or number (R5).
    Then, per licence, without refusing the rest (R8's 206): an add from a subscription
    that is not active (R4) or with no free unit (R3) fails, and the remove it was to
    replace fails with it, so a swap never leaves a user without calling (R8); add-ons
    left without their base are dropped. If nothing is left to do, the failures refuse.

    The change says what to write (``added``, ``removed``), what failed, and what happens
    to calling data: SWAP (the profile kept byte for byte, R6), PURGE (a calling licence
    removed without replacement: the profile goes to the recycle bin, R7), GRANT (a new
    profile, ``profile_after``) or NONE. Whether the extension or number is free (R5's
    uniqueness) needs the database: services check it. Pure; callers plan through
    ``domain.planner.Planner``, which memoises this function per kind of holder.
    """
    held = state.licence_ids
    org_id = state.user.org_id
    refusals: list[LicenceError] = []

    seen: set[str] = set()
    for r in requests:
        lic = licences.get(r.licence_id)
        if r.licence_id in seen:
            refusals.append(
                LicenceError(
                    r.licence_id, E.LICENCE_REPEATED, "the licence appears twice in the request"
                )
            )
        elif lic is None or lic.org_id != org_id:
            refusals.append(
                LicenceError(r.licence_id, E.LICENCE_NOT_RECOGNISED, "licence not recognised")
            )
        seen.add(r.licence_id)
    if refusals:
        raise LicenceChangeRefused(refusals)

    adds = [r for r in requests if r.operation is Operation.ADD and r.licence_id not in held]
    removes = [
        r.licence_id for r in requests if r.operation is Operation.REMOVE and r.licence_id in held
    ]
    workspace = state.user.is_workspace
    refusals += _holder_errors(adds, licences, workspace)
    if refusals:
        raise LicenceChangeRefused(refusals)

    intended = (held - set(removes)) | {r.licence_id for r in adds}
    refusals += _structure_errors(intended, held, removes, adds, licences, restoring, workspace)
    grant = swapped = None
    calling_add = next((r for r in adds if licences[r.licence_id].offer.is_calling), None)
    if calling_add is not None and not refusals:
        current_calling = _calling_of(held, licences)
        if current_calling is not None and current_calling in removes:
            if workspace:
                swapped, errs = _workspace_swap(
                    licences[current_calling], calling_add, licences, state.profile
                )
                refusals += errs
            else:
                refusals += _swap_property_errors(calling_add, state.profile)
        elif current_calling is None:
            hot_desk = workspace and _is_hot_desk(licences[calling_add.licence_id])
            grant, errs = _grant_profile(calling_add, location_ids, hot_desk)
            refusals += errs
    if refusals:
        raise LicenceChangeRefused(refusals)

    failed: list[LicenceError] = []
    failed_by_slot: dict[str, LicenceError] = {}
    ok_adds = []
    for r in adds:
        lic = licences[r.licence_id]
        if lic.subscription_status is not SubscriptionStatus.ACTIVE:
            refused = LicenceError(
                lic.id,
                E.SUBSCRIPTION_NOT_ACTIVE,
                f"subscription {lic.subscription_id} is {lic.subscription_status.value}",
            )
        elif lic.free_units <= 0:
            refused = LicenceError(
                lic.id, E.NO_FREE_UNITS, f"{lic.name} [{lic.subscription_id}] has no free units"
            )
        else:
            ok_adds.append(r.licence_id)
            continue
        failed.append(refused)
        failed_by_slot[_slot(lic)] = refused
    ok_removes = []
    for lid in removes:
        cause = failed_by_slot.get(_slot(licences[lid]))
        if cause is not None:  # R8: the remove half of a failed swap is not applied
            failed.append(
                LicenceError(
                    lid, cause.code, "not removed: the licence replacing it could not be added"
                )
            )
        else:
            ok_removes.append(lid)
    ok_adds = _drop_orphan_addons(held, ok_adds, ok_removes, licences, failed)

    if failed and not ok_adds and not ok_removes:
        raise LicenceChangeRefused(failed)

    calling_removed = next((l for l in ok_removes if licences[l].offer.is_calling), None)
    calling_added = next((l for l in ok_adds if licences[l].offer.is_calling), None)
    if calling_removed and calling_added:
        calling, profile = CallingChange.SWAP, swapped or state.profile
    elif calling_removed:
        calling, profile = CallingChange.PURGE, None
    elif calling_added:
        calling, profile = CallingChange.GRANT, grant
    else:
        calling, profile = CallingChange.NONE, state.profile
    return LicenceChange(
        held,
        tuple(ok_adds),
        tuple(ok_removes),
        tuple(failed),
        calling,
        calling_removed,
        calling_added,
        profile,
    )


def _calling_of(ids: Collection[str], licences: Mapping[str, Licence]) -> str | None:
    return next((i for i in ids if i in licences and licences[i].offer.is_calling), None)


def _holder_errors(
    adds: Sequence[LicenceRequest], licences: Mapping[str, Licence], workspace: bool
) -> list[LicenceError]:
    """Workspace licences are not for people; a workspace holds only a calling licence
    made for workspaces."""
    errs = []
    for r in adds:
        lic = licences[r.licence_id]
        if not workspace and lic.offer.workspace_only:
            errs.append(
                LicenceError(
                    lic.id, E.WORKSPACE_LICENCE, f"{lic.name} is for workspaces, not people"
                )
            )
        elif workspace and lic.offer.workspace_tier is None:
            errs.append(
                LicenceError(
                    lic.id,
                    E.PERSON_LICENCE_ON_WORKSPACE,
                    f"{lic.name} is not a licence a workspace can hold",
                )
            )
    return errs


def _is_hot_desk(lic: Licence) -> bool:
    return lic.offer.workspace_tier is WorkspaceTier.HOT_DESK


def _workspace_swap(
    old: Licence,
    add: LicenceRequest,
    licences: Mapping[str, Licence],
    profile: CallingProfile | None,
) -> tuple[CallingProfile | None, list[LicenceError]]:
    """A workspace's swap keeps its profile (R6) but for one case: a hot desk only
    workspace has no number or extension, so moving it up takes one from the request."""
    new = licences[add.licence_id]
    if not _is_hot_desk(old) or _is_hot_desk(new):
        return None, _swap_property_errors(add, profile)
    # (the planner passes the profile only when the request carries properties: a hot
    # desk only workspace has no number either way, so the check needs none)
    p = add.properties or CallingProperties()
    extension = (p.extension or "").strip() or None
    number = normalise_number(p.phone_number)
    if not extension and not number:
        return None, [
            LicenceError(
                new.id,
                E.HOT_DESK_NUMBER,
                f"a hot desk only workspace has no number: {new.name} needs an extension or "
                "a phone number",
            )
        ]
    errs = _number_errors(new.id, extension, number)
    if profile is not None and p.location_id and p.location_id != profile.location_id:
        errs += _swap_property_errors(add, profile)
    if errs or profile is None:
        return None, errs
    return replace(profile, extension=extension, phone_number=number), []


def _number_errors(licence_id: str, extension: str | None, number: str | None):
    errs = []
    if extension and not EXTENSION.match(extension):
        errs.append(
            LicenceError(licence_id, E.INVALID_PROPERTIES, "an extension is 2 to 10 digits")
        )
    if number and not E164.match(number):
        errs.append(
            LicenceError(
                licence_id,
                E.INVALID_PROPERTIES,
                "a phone number is E.164: '+' then 7 to 15 digits",
            )
        )
    return errs


def _structure_errors(
    intended, held, removes, adds, licences, restoring: bool = False, workspace: bool = False
) -> list[LicenceError]:
    errs: list[LicenceError] = []
    # held licences first, then the added ones, each by id: an error names the licence being
    # added (``[-1]``), the same one on every run (``intended`` is a set)
    added = {r.licence_id for r in adds}
    known = sorted(
        (licences[i] for i in intended if i in licences), key=lambda l: (l.id in added, l.id)
    )
    calling = [l for l in known if l.offer.is_calling]
    if len(calling) > 1:
        codes = Counter(l.offer_code for l in calling)
        if max(codes.values()) > 1:
            errs.append(
                LicenceError(calling[-1].id, E.TWO_OF_ONE_OFFER, f"two {calling[0].name} licences")
            )
        else:
            errs.append(
                LicenceError(
                    calling[-1].id,
                    E.PROFESSIONAL_WITH_BASIC,
                    "a user holds at most one calling licence: Professional and Basic together",
                )
            )
    others = Counter(l.offer_code for l in known if not l.offer.is_calling)
    for code, n in others.items():
        if n > 1:
            lic = [l for l in known if l.offer_code == code][-1]
            errs.append(LicenceError(lic.id, E.TWO_OF_ONE_OFFER, f"two {lic.name} licences"))
    removed_calling = [licences[i] for i in removes if licences[i].offer.is_calling]
    added_calling = [
        licences[r.licence_id] for r in adds if licences[r.licence_id].offer.is_calling
    ]
    if (
        removed_calling
        and added_calling
        and not restoring
        and _tier(removed_calling[0], workspace) > _tier(added_calling[0], workspace)
    ):
        down, to = removed_calling[0], added_calling[0]
        errs.append(
            LicenceError(
                to.id,
                E.WORKSPACE_DOWNGRADE if workspace else E.PROFESSIONAL_TO_BASIC,
                f"changing {down.offer.name} to {to.offer.name} is refused"
                if workspace
                else "changing Professional to Basic is refused",
            )
        )
    tier = calling[0].offer.calling_tier if len(calling) == 1 else None
    for lic in known:
        if lic.offer.needs_professional and tier is not CallingTier.PROFESSIONAL and not errs:
            errs.append(_addon_error(lic, tier))
    return errs


def _tier(lic: Licence, workspace: bool) -> int:
    tier = lic.offer.tier_for(workspace)
    return -1 if tier is None else int(tier)


def _addon_error(lic: Licence, tier: CallingTier | None) -> LicenceError:
    if tier is CallingTier.BASIC:
        code = (
            E.BASIC_WITH_ATTENDANT_CONSOLE
            if lic.offer_code == "ATTCON"
            else E.BASIC_WITH_CX_ESSENTIAL
        )
        return LicenceError(lic.id, code, f"{lic.name} cannot go with Basic calling")
    return LicenceError(
        lic.id, E.ADDON_NEEDS_PROFESSIONAL, f"{lic.name} needs a Professional licence"
    )


def _swap_property_errors(
    add: LicenceRequest, profile: CallingProfile | None
) -> list[LicenceError]:
    """R6: a swap keeps the profile, so properties sent with the add must match it."""
    p = add.properties
    if p is None or profile is None:
        return []
    wrong = []
    if p.location_id and p.location_id != profile.location_id:
        wrong.append("location")
    if p.extension and p.extension != profile.extension:
        wrong.append("extension")
    if p.phone_number and normalise_number(p.phone_number) != profile.phone_number:
        wrong.append("phone number")
    if not wrong:
        return []
    return [
        LicenceError(
            add.licence_id,
            E.PROFILE_MISMATCH,
            f"a licence swap keeps the calling profile; the {', '.join(wrong)} sent "
            "differs from the user's (changing it is not a licence operation)",
        )
    ]


def _grant_profile(add: LicenceRequest, location_ids: Collection[str], hot_desk: bool = False):
    p = add.properties or CallingProperties()
    number = normalise_number(p.phone_number)
    extension = (p.extension or "").strip() or None
    if hot_desk and (extension or number):
        return None, [
            LicenceError(
                add.licence_id,
                E.HOT_DESK_NUMBER,
                "a hot desk only workspace has no number or extension",
            )
        ]
    if not extension and not number and not hot_desk:
        return None, [
            LicenceError(
                add.licence_id,
                E.CALLING_PROPERTIES_MISSING,
                "a first calling licence needs an extension or a phone number",
            )
        ]
    location = p.location_id
    if location is None and len(location_ids) == 1:
        location = next(iter(location_ids))
    if location is None:
        return None, [
            LicenceError(
                add.licence_id,
                E.CALLING_PROPERTIES_MISSING,
                "a first calling licence needs a locationId",
            )
        ]
    errs = []
    if location not in location_ids:
        errs.append(LicenceError(add.licence_id, E.LOCATION_NOT_FOUND, "location not found"))
    errs += _number_errors(add.licence_id, extension, number)
    if errs:
        return None, errs
    return CallingProfile(location_id=location, extension=extension, phone_number=number), []


def _drop_orphan_addons(held, ok_adds, ok_removes, licences, failed) -> list[str]:
    """An add-on whose Professional licence failed to arrive fails with it."""
    after = (held - set(ok_removes)) | set(ok_adds)
    tier = next(
        (licences[i].offer.calling_tier for i in after if licences[i].offer.is_calling), None
    )
    kept = []
    for lid in ok_adds:
        lic = licences[lid]
        if lic.offer.needs_professional and tier is not CallingTier.PROFESSIONAL:
            failed.append(_addon_error(lic, tier))
        else:
            kept.append(lid)
    return kept
