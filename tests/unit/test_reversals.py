"""Reversals in the domain: which licences a user was taken off, and when a change gives one
back (domain/reversals.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callshift.domain.reversals import LicenceEvent, departures, reversal_of

from .test_licensing_rules import LICENCES, NEW, OLD, lic

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PRO_OLD, PRO_NEW, MS_OLD = lic(OLD, "BCSTD"), lic(NEW, "BCSTD"), lic(OLD, "MS")


def ev(at: datetime, before, after, user: str = "u1") -> LicenceEvent:
    return LicenceEvent(user, at, frozenset(before), frozenset(after))


def test_a_swap_away_is_a_departure_even_when_another_licence_stays():
    left = departures([ev(T0, {PRO_OLD, MS_OLD}, {PRO_NEW, MS_OLD})])
    assert left == {"u1": {PRO_OLD: T0}}
    rev = reversal_of([PRO_OLD], left["u1"], LICENCES)
    assert rev is not None and (rev.subscription_id, rev.left_at) == (OLD, T0)
    assert rev.words(T0 + timedelta(days=3)) == (
        f"moves back to subscription {OLD}, which the user left on 2026-11-01 (3 days ago)"
    )


def test_the_latest_departure_counts_and_additions_are_not_departures():
    later = T0 + timedelta(days=5)
    left = departures(
        [
            ev(T0, {PRO_OLD}, {PRO_NEW}),
            ev(T0 + timedelta(days=1), {PRO_NEW}, {PRO_OLD}),
            ev(later, {PRO_OLD}, {PRO_NEW}),
            ev(later, set(), {MS_OLD}, user="u2"),
        ]
    )
    assert left == {"u1": {PRO_OLD: later, PRO_NEW: T0 + timedelta(days=1)}}


def test_no_reversal_for_another_licence_or_nothing_left():
    left = departures([ev(T0, {MS_OLD}, set())])["u1"]
    assert reversal_of([PRO_OLD], left, LICENCES) is None
    assert reversal_of([PRO_OLD], None, LICENCES) is None
    assert reversal_of(["unknown"], {"unknown": T0}, LICENCES) is None
