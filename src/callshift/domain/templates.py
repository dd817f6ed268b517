"""Licence templates (method 3): what a template may hold, which one applies, what it changes.

Precedence: a group's template wins over the organisation's. A user in several templated
groups gets the template created first (ties broken by id): adding a template to another
group later never changes what existing members resolve to, so an apply is repeatable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from . import errors as E
from .errors import LicenceChangeRefused, LicenceError
from .licensing import CallingProperties, LicenceRequest, Operation
from .model import Licence, SubscriptionStatus, UserLicensing


@dataclass(frozen=True)
class Template:
    id: str
    org_id: str
    name: str
    type: str  # ORG | GROUP
    licence_ids: tuple[str, ...]
    group_ids: tuple[str, ...] = ()
    location_id: str | None = None
    created: datetime | None = None


def check_template(
    licence_ids: Sequence[str],
    licences: Mapping[str, Licence],
    org_id: str,
    location_id: str | None,
    location_ids: Iterable[str],
) -> None:
    """At most one licence per offer, at most one calling licence, all from active subscriptions."""
    errs: list[LicenceError] = []
    chosen = []
    for lid in dict.fromkeys(licence_ids):
        lic = licences.get(lid)
        if lic is None or lic.org_id != org_id:
            errs.append(LicenceError(lid, E.LICENCE_NOT_RECOGNISED, "licence not recognised"))
        elif lic.subscription_status is not SubscriptionStatus.ACTIVE:
            errs.append(
                LicenceError(
                    lid,
                    E.SUBSCRIPTION_NOT_ACTIVE,
                    f"subscription {lic.subscription_id} is {lic.subscription_status.value}",
                )
            )
        elif lic.offer.workspace_only:
            errs.append(LicenceError(lid, E.WORKSPACE_LICENCE, f"{lic.name} is for workspaces"))
        else:
            chosen.append(lic)
    calling = [l for l in chosen if l.offer.is_calling]
    if len(calling) > 1:
        errs.append(
            LicenceError(
                calling[1].id,
                E.PROFESSIONAL_WITH_BASIC,
                "a template holds at most one calling licence",
            )
        )
    codes: dict[str, Licence] = {}
    for lic in chosen:
        if lic.offer_code in codes:
            errs.append(
                LicenceError(
                    lic.id, E.TWO_OF_ONE_OFFER, f"a template holds at most one {lic.name} licence"
                )
            )
        codes[lic.offer_code] = lic
    if calling and location_id is None:
        errs.append(
            LicenceError(
                calling[0].id,
                E.CALLING_PROPERTIES_MISSING,
                "a template with a calling licence needs a location",
            )
        )
    if location_id is not None and location_id not in set(location_ids):
        errs.append(LicenceError(None, E.LOCATION_NOT_FOUND, "location not found"))
    if errs:
        raise LicenceChangeRefused(errs)


def template_for(group_ids: Iterable[str], templates: Sequence[Template]) -> Template | None:
    """The template that applies to a user in these groups (see the module docstring)."""
    groups = set(group_ids)
    by_age = sorted(templates, key=lambda t: (t.created or datetime.min, t.id))
    for tpl in by_age:
        if tpl.type == "GROUP" and groups & set(tpl.group_ids):
            return tpl
    return next((t for t in by_age if t.type == "ORG"), None)


@dataclass(frozen=True)
class Scope:
    """Whom a template applies to, as group rules a query can filter on: the members of
    ``within`` (every user of the organisation when it is None) who belong to none of
    ``outranked_by``, the groups of the templates that win over it."""

    within: tuple[str, ...] | None
    outranked_by: tuple[str, ...]


def scope_of(template: Template, templates: Sequence[Template]) -> Scope:
    """The users ``template_for`` resolves to ``template``, as a rule on group membership."""
    by_age = sorted(templates, key=lambda t: (t.created or datetime.min, t.id))

    def groups(tpls: Iterable[Template]) -> tuple[str, ...]:
        return tuple(sorted({g for t in tpls for g in t.group_ids}))

    if template.type == "GROUP":
        older = by_age[: next(i for i, t in enumerate(by_age) if t.id == template.id)]
        return Scope(template.group_ids, groups(t for t in older if t.type == "GROUP"))
    first_org = next(t for t in by_age if t.type == "ORG")
    return Scope(
        None if first_org.id == template.id else (), groups(t for t in by_age if t.type == "GROUP")
    )


@dataclass(frozen=True)
class TemplatePlan:
    requests: tuple[LicenceRequest, ...]
    skipped: tuple[str, ...] = ()  # why parts of the template were not applied


def _slot(lic: Licence) -> str:
    return "calling" if lic.offer.is_calling else lic.offer_code


def plan_template(
    state: UserLicensing,
    template: Template,
    licences: Mapping[str, Licence],
    preserve: bool,
    new_user_properties: CallingProperties | None = None,
) -> TemplatePlan:
    """The licence requests that bring a user to the template.

    With ``preserve`` only what the user lacks is added. Without it, a licence the template
    replaces is swapped (removed and added in one request, so calling keeps its profile) and a
    licence the template lacks is removed. A first calling licence needs an extension or a
    number: for a new user it comes from ``new_user_properties``; an existing user without
    calling data (no calling licence and no calling profile) does not get the template's
    calling licence, and the reason is given. A user holding a calling licence is a calling
    user: moving to the template's calling licence is a swap, whatever profile there is.
    """
    held = {lid: licences[lid] for lid in state.licence_ids if lid in licences}
    held_slots = {_slot(l): l for l in held.values()}
    wanted = [licences[lid] for lid in template.licence_ids if lid in licences]
    wanted_slots = {_slot(l) for l in wanted}
    requests: list[LicenceRequest] = []
    skipped: list[str] = []
    for lic in wanted:
        have = held_slots.get(_slot(lic))
        if have is not None and (have.id == lic.id or preserve):
            continue
        if lic.offer.is_calling and have is None and state.profile is None:
            props = new_user_properties
            if props is None or not (props.extension or props.phone_number):
                skipped.append(f"{lic.name}: no calling data (extension or number) to give")
                continue
            props = CallingProperties(
                props.location_id or template.location_id, props.phone_number, props.extension
            )
            requests.append(LicenceRequest(lic.id, Operation.ADD, props))
            continue
        if have is not None:
            requests.append(LicenceRequest(have.id, Operation.REMOVE))
        requests.append(LicenceRequest(lic.id, Operation.ADD))
    if not preserve:
        for slot, have in sorted(held_slots.items()):
            if slot not in wanted_slots:
                requests.append(LicenceRequest(have.id, Operation.REMOVE))
    return TemplatePlan(tuple(requests), tuple(skipped))
