"""The sign-in throttle's rule: exponential backoff after a few wrong passwords, bounded.

Failures are counted per key (an account's email, a client address). The first
``FREE_FAILURES`` cost nothing; from then on each failure blocks the key for twice as long
as the one before (1 s, 2 s, 4 s, ...) up to a cap, so a guesser is slowed to a few guesses
an hour while a lockout never outlasts the cap. A key quiet for ``FORGET_AFTER`` starts
again from zero; a successful sign-in clears the account's and the address's counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_FAILURES = 5
FORGET_AFTER = timedelta(hours=1)
ACCOUNT_CAP_SECONDS = 300  # the longest an attacker can lock a real account out
ADDRESS_CAP_SECONDS = 900


@dataclass(frozen=True)
class Throttle:
    key: str
    failures: int
    last_failure: datetime
    blocked_until: datetime | None


def account_key(email: str) -> str:
    return f"account:{email}"


def address_key(address: str) -> str:
    return f"address:{address}"


def backoff_seconds(failures: int, cap: int) -> int:
    """How long a key is blocked after its ``failures``-th failure (0: not blocked)."""
    if failures < FREE_FAILURES:
        return 0
    return min(cap, 2 ** min(failures - FREE_FAILURES, 30))


def wait_seconds(t: Throttle | None, now: datetime) -> int:
    """Whole seconds (at least 1) until the key may try again; 0 when it may now."""
    if t is None or t.blocked_until is None or t.blocked_until <= now:
        return 0
    return max(1, math.ceil((t.blocked_until - now).total_seconds()))


def after_failure(t: Throttle | None, key: str, now: datetime, cap: int) -> Throttle:
    """The key's state after one more wrong password."""
    fresh = t is None or now - t.last_failure > FORGET_AFTER
    failures = 1 if fresh or t is None else t.failures + 1
    blocked = backoff_seconds(failures, cap)
    return Throttle(key, failures, now, now + timedelta(seconds=blocked) if blocked else None)


def sign_in_wait(
    account: Throttle | None, address: Throttle | None, now: datetime, known_address: bool
) -> int:
    """Seconds a sign-in must wait (0: check its password). A blocked address waits. A
    blocked account makes wait only addresses that failed recently (or an unknown one):
    from a clean address its owner still signs in, so a lockout cannot be imposed on them."""
    wait = wait_seconds(address, now)
    if wait:
        return wait
    clean = known_address and (address is None or now - address.last_failure > FORGET_AFTER)
    return 0 if clean else wait_seconds(account, now)
