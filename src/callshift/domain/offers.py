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


@dataclass(frozen=True)
class Offer:
    code: str
    name: str
    calling_tier: CallingTier | None = None  # set for calling *user* licences only
    workspace_only: bool = False
    needs_professional: bool = False  # add-ons that ride on a Professional licence

    @property
    def is_calling(self) -> bool:
        return self.calling_tier is not None


PROFESSIONAL = Offer("BCSTD", "Webex Calling - Professional", CallingTier.PROFESSIONAL)
BASIC = Offer("BCBASIC", "Webex Calling - Basic", CallingTier.BASIC)
WORKSPACES = Offer("BCCA", "Webex Calling - Workspaces", workspace_only=True)
MEETINGS = Offer("EE", "Webex Meetings")
MESSAGING = Offer("MS", "Advanced Messaging")
CX_ESSENTIAL = Offer("CJPESS", "Customer Experience - Essential", needs_professional=True)
ATTENDANT_CONSOLE = Offer("ATTCON", "Webex Calling - Attendant Console", needs_professional=True)

CATALOGUE: dict[str, Offer] = {
    o.code: o
    for o in (PROFESSIONAL, BASIC, WORKSPACES, MEETINGS, MESSAGING, CX_ESSENTIAL, ATTENDANT_CONSOLE)
}


def offer(code: str) -> Offer:
    """The offer for a code; unknown codes are a programming error, not user input."""
    return CATALOGUE[code]
