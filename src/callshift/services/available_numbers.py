"""The numbers a person's settings may choose from (Webex's ``availableNumbers`` lookups).

Webex answers each lookup from the organisation's number inventory, filtered as its reference
says: the *unassigned* numbers (primary, secondary, fax message) or the numbers *assigned to
an owning entity* in the person's location (call forwarding, call intercept, emergency
callback). callshift's inventory is the numbers its people hold (what
``/telephony/config/numbers`` lists), so the unassigned lookups are always empty and the
assigned ones list the people's numbers of the person's location, owner shown.
"""

from __future__ import annotations

from dataclasses import replace

from ..db import locations as db
from ..db.locations import NumberFilter, NumberRow
from ..domain.errors import InvalidInput, NotFound
from .context import Ctx, PersonRef, resolve_person

# Webex's lookups per person, by the path segment before /availableNumbers
UNASSIGNED = frozenset({"secondary", "faxMessage"})
ASSIGNED = frozenset({"callForwarding", "callIntercept", "emergencyCallbackNumber"})
LOOKUPS = tuple(sorted(UNASSIGNED | ASSIGNED))


def person_available(
    ctx: Ctx, ref: PersonRef, lookup: str, f: NumberFilter, offset: int, limit: int
) -> list[NumberRow]:
    """One page of the numbers ``lookup`` offers the person (an administrator's read, as in
    Webex: a user token is refused, another organisation's person looks unknown)."""
    ctx.principal.require_admin()
    if lookup not in LOOKUPS:
        raise NotFound(f"no available numbers for {lookup}")
    with ctx.db.uow(write=False) as uow:
        user = resolve_person(uow.store, ctx, ref)
        profile = uow.store.profile(user.id)
        if profile is None:
            raise NotFound(f"{user.email} has no calling licence, so no available numbers")
        if lookup in UNASSIGNED or limit == 0:
            return []  # no number of callshift's is unassigned
        # numbers only (an extension alone is no PSTN number), in the person's location
        mine = replace(f, org_id=user.org_id, location_id=profile.location_id, with_number=True)
        return db.numbers(uow.conn, mine, offset, limit)


def primary_available(ctx: Ctx, org_id: str | None, location_id: str | None) -> list[NumberRow]:
    """Numbers free to be a person's primary number: the unassigned ones, of which callshift
    has none. The location named must still be one of the organisation's."""
    ctx.principal.require_admin()
    org = ctx.principal.org(org_id)
    if location_id is not None:
        with ctx.db.uow(write=False) as uow:
            found = db.location(uow.conn, location_id)
        if found is None or found.org_id != org:
            raise InvalidInput("locationId is not a location of this organisation")
    return []
