"""Stale and reversing changes: a change that puts a user back on a subscription they left
recently, as re-importing a CSV exported before a move does.

Such a change is allowed (moving back is sometimes what is wanted) but never silently: every
preview (CSV, template apply, bulk move) flags it, and confirming it needs its own explicit
consent (``ReversalNotConfirmed`` otherwise). "Recently" is a window in days (the
``reversal_window_days`` setting, 30 by default).

What a user left, and when, comes from their licence audit events (R10: every change writes
one): an event whose ``before`` holds a licence that its ``after`` does not took the user off
that licence (one offer within one subscription) at the event's time. A change that gives the
user that licence again moves them back to its subscription, for that offer: moving calling
off subscription S while Messaging stays on S is still a departure from S for calling.

A subscription whose cancellation is pending would be the other case; the model has no such
status (active, suspended, cancelled) and R4 already refuses new licences from a suspended or
cancelled one, so there is nothing more to flag.
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


Departures = dict[str, dict[str, datetime]]  # user id -> licence left -> when, latest


def departures(events: Iterable[LicenceEvent]) -> Departures:
    """Which licences each user was taken off, and when last (see the module docstring)."""
    out: Departures = {}
    for ev in events:
        for lid in ev.before - ev.after:
            left = out.setdefault(ev.user_id, {})
            if lid not in left or left[lid] < ev.at:
                left[lid] = ev.at
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
    """The first added licence the user was recently taken off, if any (``left``: their
    entry of ``departures``)."""
    if not left:
        return None
    for lid in added:
        lic = licences.get(lid)
        if lic is not None and lid in left:
            return Reversal(lid, lic.subscription_id, left[lid])
    return None


class ReversalNotConfirmed(DomainError):
    """A preview that moves users back was confirmed without consenting to the reversal."""

    status = 409
    code = E.REVERSAL_NOT_CONFIRMED
