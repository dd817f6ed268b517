"""What a setting's GET answers: the stored value with what the server computes filled in.

The catalogue says which fields are computed and from where ("user.firstName",
"profile.phoneNumber", ...); this module knows those sources. Person references are stored as
ids and shown as the people they name; criteria lists are shown cut to Webex's summary.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .. import ids
from ..domain.model import CallingProfile, Location, User
from ..domain.settings import Setting, merge, stored_default


@dataclass(frozen=True)
class Owner:
    """The person a setting belongs to, with what its computed fields are taken from."""

    user: User
    profile: CallingProfile
    location: Location | None
    people: dict[str, User]  # the people the person's settings refer to, by raw id

    @property
    def routing_prefix(self) -> str | None:
        return (self.location.routing_prefix or None) if self.location else None

    def esn(self, extension: str | None) -> str | None:
        prefix = self.routing_prefix
        return f"{prefix}{extension}" if prefix and extension else None


def computed_value(owner: Owner, source: str) -> Any:
    """The value a computed field takes from its source ("user.firstName", ...)."""
    u, p, loc = owner.user, owner.profile, owner.location
    values: dict[str, Any] = {
        "user.firstName": u.first_name or None,
        "user.lastName": u.last_name or None,
        "user.displayName": u.display_name or None,
        "user.mobileNumber": None,
        "profile.phoneNumber": p.phone_number,
        "profile.extension": p.extension,
        "profile.callerIdTypes": (["DIRECT_LINE"] if p.phone_number else []) + ["LOCATION_NUMBER"],
        "location.name": loc.name if loc else None,
        "location.number": getattr(loc, "main_number", None),
        "location.tollFree": False,
        "profile.ecbnDirectLine": {
            "phoneNumber": p.phone_number,
            "firstName": u.first_name or None,
            "lastName": u.last_name or None,
            "effectiveLevel": "DIRECT_LINE" if p.phone_number else "NONE",
            "quality": "RECOMMENDED" if p.phone_number else "INVALID",
        },
    }
    return values[source]


def person_view(owner: Owner, raw_id: str) -> dict[str, Any]:
    """A person a setting refers to (a monitored line, an assistant), as Webex shows one."""
    u = owner.people.get(raw_id)
    out: dict[str, Any] = {"id": ids.person(raw_id), "type": "PEOPLE"}
    if u is not None:
        out |= {
            "firstName": u.first_name,
            "lastName": u.last_name,
            "displayName": u.display_name,
            "email": u.email,
        }
    return out


def referenced_ids(s: Setting, value: dict[str, Any]) -> list[str]:
    """The person ids a setting's value refers to (the catalogue's ``refs`` fields)."""
    return [i for f in s.refs for i in value.get(f) or [] if isinstance(i, str)]


def _summary(c: Any, item: dict[str, Any]) -> dict[str, Any]:
    if not c.summary:
        return copy.deepcopy(item)
    out = {k: copy.deepcopy(item[k]) for k in c.summary if k in item}
    if "source" in c.summary and c.source_from:
        every = item.get(c.source_from) == "ANY_PHONE_NUMBER"
        out["source"] = "ALL_NUMBERS" if every else "SPECIFIC_NUMBERS"
    return out


def _numbers(owner: Owner, value: dict[str, Any]) -> dict[str, Any]:
    p = owner.profile
    primary = {
        "primary": True,
        "directNumber": p.phone_number,
        "extension": p.extension,
        "routingPrefix": owner.routing_prefix,
        "esn": owner.esn(p.extension),
        "ringPattern": "NORMAL",
    }
    alternates = [
        {
            **alt,
            "primary": False,
            "routingPrefix": owner.routing_prefix if alt.get("extension") else None,
            "esn": owner.esn(alt.get("extension")),
        }
        for alt in value.get("phoneNumbers") or []
    ]
    return {
        "distinctiveRingEnabled": value.get("distinctiveRingEnabled", p.distinctive_ring),
        "phoneNumbers": [primary, *alternates],
    }


def _workspace_numbers(owner: Owner, value: dict[str, Any]) -> dict[str, Any]:
    """wxc-sdk's WorkspaceNumbers: the numbers, and whose they are (workspace, location, org)."""
    u, loc = owner.user, owner.location
    return _numbers(owner, value) | {
        "workspace": {"id": ids.encode("PLACES", u.id)},
        "location": {
            "id": ids.location(loc.id) if loc else None,
            "name": loc.name if loc else None,
        },
        "organization": {"id": ids.org(u.org_id)},
    }


def view(s: Setting, owner: Owner) -> dict[str, Any]:
    """The setting as Webex's GET answers it for ``owner``."""
    value = merge(stored_default(s), owner.profile.features.get(s.name) or {})
    if s.write == "numbers":
        if owner.user.is_workspace:
            return _workspace_numbers(owner, value)
        return _numbers(owner, value)
    out = copy.deepcopy(value)
    for name, source in s.computed.items():
        if name in s.read_only or out.get(name) is None:
            out[name] = computed_value(owner, source)
    for f in s.refs:
        people = [person_view(owner, i) for i in out.get(f) or []]
        out[f] = [{"member": m} for m in people] if s.write == "monitoring" else people
    for c in s.collections:
        out[c.field] = [_summary(c, item) for item in out.get(c.field) or []]
    if s.write == "msTeams":
        out = {"personId": ids.person(owner.user.id), "orgId": ids.org(owner.user.org_id)} | out
    return out
