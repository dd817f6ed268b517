"""What the engine knows of licences, offers and one user's move.

Everything keys on licence ids and subscription ids, never on names (Webex renames offers):
a licence's offer is the code inside its id, ``ciscospark://us/LICENSE/<org>:<CODE>_<id>``;
only an id that does not decode falls back to the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import ids

# calling *user* licences and their tier (moving down a tier is refused: Webex 400112)
CALLING_TIERS = {"BCSTD": 2, "BCBASIC": 1}
CALLING_NAMES = {
    "Webex Calling - Professional": 2,
    "Webex Calling - Basic": 1,
    "Webex Calling - Standard": 1,
}


def offer_code(licence_id: str, name: str = "") -> str:
    try:
        inner = ids.decode("LICENSE", licence_id)
        return inner.split(":", 1)[1].rsplit("_", 1)[0]
    except (ids.BadId, IndexError):
        return name


@dataclass(frozen=True)
class Licence:
    id: str
    name: str
    subscription_id: str
    total: int
    consumed: int
    status: str | None = None  # only when the API says (callshift and Webex do not)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Licence:
        return cls(
            id=item["id"],
            name=item.get("name", ""),
            subscription_id=item.get("subscriptionId") or "",
            total=int(item.get("totalUnits") or 0),
            consumed=int(item.get("consumedUnits") or 0),
            status=item.get("status"),
        )

    @property
    def offer(self) -> str:
        return offer_code(self.id, self.name)

    @property
    def calling_tier(self) -> int | None:
        return CALLING_TIERS.get(self.offer) or CALLING_NAMES.get(self.name)

    @property
    def free(self) -> int:
        return self.total - self.consumed


@dataclass(frozen=True)
class Pair:
    """One licence to swap: the source one out, the target one in."""

    source: str
    target: str
    calling: bool = False

    def reversed(self) -> Pair:
        return Pair(self.target, self.source, self.calling)


PERSON, WORKSPACE = "person", "workspace"


@dataclass
class UserMove:
    """One holder's part of a run: the plan, the snapshot and where the journal says it is.

    A holder is a person (``person_id`` a people id, ``email`` the address; swapped by
    PATCH /licenses/users) or a workspace (``kind`` WORKSPACE, ``person_id`` the workspace
    id, ``email`` its display name; swapped by PUT /workspaces/{id}).
    """

    person_id: str
    email: str
    pairs: list[Pair]
    properties: dict[str, str] = field(default_factory=dict)  # the calling add's
    snapshot: dict[str, Any] = field(default_factory=dict)  # person, features, numbers
    blocker: str | None = None
    notes: list[str] = field(default_factory=list)
    state: str = "planned"
    seq: int = 0
    attempts: int = 0
    retries: int = 0
    losses: list[str] = field(default_factory=list)
    error: str | None = None
    kind: str = PERSON

    @property
    def is_workspace(self) -> bool:
        return self.kind == WORKSPACE

    @property
    def calling(self) -> Pair | None:
        return next((p for p in self.pairs if p.calling), None)

    def plan_json(self) -> dict[str, Any]:
        return {
            "pairs": [[p.source, p.target, p.calling] for p in self.pairs],
            "properties": self.properties,
            "blocker": self.blocker,
            "notes": self.notes,
        }

    @staticmethod
    def pairs_from(data: dict[str, Any]) -> list[Pair]:
        return [Pair(s, t, bool(c)) for s, t, c in data["pairs"]]


def calling_properties(person: dict[str, Any]) -> dict[str, str]:
    """The properties a calling add carries: the user's own location, number and extension."""
    props = {}
    if person.get("locationId"):
        props["locationId"] = person["locationId"]
    work = [
        n
        for n in person.get("phoneNumbers") or []
        if n.get("type") in ("work", "enterprise") and str(n.get("value", "")).startswith("+")
    ]
    if work:
        props["phoneNumber"] = next((n for n in work if n.get("primary")), work[0])["value"]
    if person.get("extension"):
        props["extension"] = person["extension"]
    return props


def workspace_calling(workspace: dict[str, Any]) -> dict[str, Any] | None:
    """A workspace's ``calling.webexCalling``; None when the API leaves it out (Webex's GET
    does) or the workspace has no Webex Calling."""
    calling = workspace.get("calling") or {}
    if calling.get("type") != "webexCalling":
        return None
    wxc = calling.get("webexCalling")
    return wxc if isinstance(wxc, dict) and "licenses" in wxc else None


def workspace_properties(wxc: dict[str, Any]) -> dict[str, str]:
    """Location, extension and number of a workspace: kept by the move, given back by a repair."""
    return {k: wxc[k] for k in ("locationId", "extension", "phoneNumber") if wxc.get(k)}
