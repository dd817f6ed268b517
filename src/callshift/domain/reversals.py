"""Stale and reversing changes: a change that puts a user back on a subscription they left
recently, as re-importing a CSV exported before a move does.

Such a change is allowed (moving back is sometimes what is wanted) but never silently: every
preview (CSV, template apply, bulk move) flags it, and confirming it needs its own explicit
consent (``ReversalNotConfirmed`` otherwise). "Recently" is a window in days (the
``reversal_window_days`` setting, 30 by default).

What a user left, and when, comes from their licence audit events (R10: every change writes
one): an event whose ``before`` holds a licence of subscription S and whose ``after`` holds
none of S's left S at the event's time. A subscription whose cancellation is pending would be
the other case; the model has no such status (active, suspended, cancelled) and R4 already
refuses new licences from a suspended or cancelled one, so there is nothing more to flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from . import errors as E
from .errors import DomainError
from .model import Licence

DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class LicenceEvent:
    """One licence audit event of a user, as db/recent_moves reads it."""

    user_id: str
    at: datetime
    before: frozenset[str]
    after: frozenset[str]


Departures = dict[str, dict[str, datetime]]  # user id -> subscription left -> when, latest


def departures(events: Iterable[LicenceEvent], licences: Mapping[str, Licence]) -> Departures:
    """Which subscriptions each user left, and when they last did (see the module docstring)."""
    out: Departures = {}
    for ev in events:

        def subs(ids: frozenset[str]) -> set[str]:
            return {licences[l].subscription_id for l in ids if l in licences}

        for sub in subs(ev.before) - subs(ev.after):
            left = out.setdefault(ev.user_id, {})
            if sub not in left or left[sub] < ev.at:
                left[sub] = ev.at
    return out


@dataclass(frozen=True)
class Reversal:
    """An added licence whose subscription the user left at ``left_at``."""

    licence_id: str
    subscription_id: str
    left_at: datetime

    def words(self, now: datetime | None = None) -> str:
        when = self.left_at.date().isoformat()
        if now is not None:
            days = (now - self.left_at).days
            when += " (today)" if days < 1 else f" ({days} day{'s' if days != 1 else ''} ago)"
        return f"moves back to subscription {self.subscription_id}, which the user left on {when}"


def reversal_of(
    added: Iterable[str], left: Mapping[str, datetime] | None, licences: Mapping[str, Licence]
) -> Reversal | None:
    """The first added licence whose subscription is one the user left, if any."""
    if not left:
        return None
    for lid in added:
        lic = licences.get(lid)
        if lic is not None and lic.subscription_id in left:
            return Reversal(lid, lic.subscription_id, left[lic.subscription_id])
    return None


class ReversalNotConfirmed(DomainError):
    """A preview that moves users back was confirmed without consenting to the reversal."""

    status = 409
    code = E.REVERSAL_NOT_CONFIRMED
