"""The catalogue of offers (kinds of licence) callshift knows.

Licences key on ids and subscription ids, never on names: Webex renames offers, so a
name is only what we show.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class CallingTier(IntEnum):
    """Calling user licences, ordered: moving down a tier is refused (R2)."""

    BASIC = 1
    PROFESSIONAL = 2


class WorkspaceTier(IntEnum):
    """Calling licences a workspace may hold, ordered: moving down is refused as for users.
    A hot desk only workspace has no number or extension and uses a free licence."""

    HOT_DESK = 0
    COMMON_AREA = 1
    PROFESSIONAL = 2


@dataclass(frozen=True)
class Offer:
    code: str
    name: str
    calling_tier: CallingTier | None = None  # set for calling *user* licences only
    workspace_only: bool = False
    needs_professional: bool = False  # add-ons that ride on a Professional licence
    workspace_tier: WorkspaceTier | None = None  # set for licences a workspace may hold

    @property
    def is_calling(self) -> bool:
        """A calling licence of a user or of a workspace: it carries a calling profile."""
        return self.calling_tier is not None or self.workspace_tier is not None

    def tier_for(self, workspace: bool) -> int | None:
        """The calling tier this licence gives a holder of that kind (None: not for it)."""
        return self.workspace_tier if workspace else self.calling_tier


PROFESSIONAL = Offer(
    "BCSTD",
    "Webex Calling - Professional",
    CallingTier.PROFESSIONAL,
    workspace_tier=WorkspaceTier.PROFESSIONAL,
)
BASIC = Offer("BCBASIC", "Webex Calling - Basic", CallingTier.BASIC)
WORKSPACES = Offer(
    "BCCA",
    "Webex Calling - Workspaces",
    workspace_only=True,
    workspace_tier=WorkspaceTier.COMMON_AREA,
)
HOT_DESK = Offer(
    "BCHD",
    "Webex Calling - Hot desk only",
    workspace_only=True,
    workspace_tier=WorkspaceTier.HOT_DESK,
)
MEETINGS = Offer("EE", "Webex Meetings")
MESSAGING = Offer("MS", "Advanced Messaging")
CX_ESSENTIAL = Offer("CJPESS", "Customer Experience - Essential", needs_professional=True)
ATTENDANT_CONSOLE = Offer("ATTCON", "Webex Calling - Attendant Console", needs_professional=True)

CATALOGUE: dict[str, Offer] = {
    o.code: o
    for o in (
        PROFESSIONAL,
        BASIC,
        WORKSPACES,
        HOT_DESK,
        MEETINGS,
        MESSAGING,
        CX_ESSENTIAL,
        ATTENDANT_CONSOLE,
    )
}


def offer(code: str) -> Offer:
    """The offer for a code; unknown codes are a programming error, not user input."""
    return CATALOGUE[code]
