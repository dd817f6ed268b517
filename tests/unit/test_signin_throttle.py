"""The sign-in throttle's rule (domain/signin_throttle.py), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callshift.domain import signin_throttle as thr

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def _fail(n: int, cap: int, now: datetime = T0) -> thr.Throttle | None:
    t = None
    for _ in range(n):
        t = thr.after_failure(t, "k", now, cap)
    return t


def test_backoff_doubles_after_the_free_failures_and_stops_at_the_cap():
    waits = [thr.backoff_seconds(n, 300) for n in range(1, 16)]
    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert thr.backoff_seconds(10**9, 300) == 300  # no overflow however long it goes on


def test_a_quiet_hour_forgets_the_failures():
    t = _fail(9, 300)
    later = T0 + thr.FORGET_AFTER + timedelta(seconds=1)
    assert thr.after_failure(t, "k", later, 300).failures == 1


def test_a_blocked_account_does_not_stop_a_clean_address():
    account = _fail(8, thr.ACCOUNT_CAP_SECONDS)
    assert thr.sign_in_wait(account, None, T0, known_address=True) == 0
    dirty = _fail(1, thr.ADDRESS_CAP_SECONDS)
    assert thr.sign_in_wait(account, dirty, T0, known_address=True) == 8
    assert thr.sign_in_wait(account, None, T0, known_address=False) == 8  # no address: wait
