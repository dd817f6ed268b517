"""How fast to go: an adaptive concurrency window and a request rate learned from 429s.

* Concurrency (AIMD): the window grows by one request per window's worth of answers and
  shrinks by a fifth on a 5xx, a timeout or a dropped connection (at most once per
  two ``cooldown``s), between 1 and ``max_concurrency``.
* Rate: unpaced until the first 429. Then the pace is set just under the rate the server
  accepted over the last second (a rate-limited server accepts exactly its limit), but cut
  by at most 30 % at a time and at most once per ``cooldown`` (a burst of 429s that accepts
  nothing is an outage, not a limit). It rises by 2 % a quarter second once a second has
  passed without a 429, and by 10 % after three seconds, so the pace hugs a limit from
  below instead of paying a Retry-After per burst, and recovers quickly after an outage.

The client takes a ``slot()`` per attempt and reports each outcome with ``ok``,
``throttled`` or ``failed``. A request waiting out a Retry-After holds no slot.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class Pacer:
    def __init__(
        self,
        max_concurrency: int = 8,
        clock: Callable[[], float] = time.monotonic,
        cooldown: float = 0.5,
        max_rate: float | None = None,
    ):
        self.max = max(1, max_concurrency)
        self.window = float(self.max)
        self.in_flight = 0
        self.clock = clock
        self.cooldown = cooldown
        self.max_rate = max_rate
        self.rate: float | None = max_rate  # requests a second; None: unpaced
        self._next_at = 0.0
        self._accepted: deque[float] = deque()
        self._sent: deque[float] = deque()
        self._last_cut = self._last_shrink = self._last_raise = -1e9
        self._cond = asyncio.Condition()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._cond:
            await self._cond.wait_for(lambda: self.in_flight < int(self.window))
            self.in_flight += 1
        try:
            await self._pace()
            yield
        finally:
            async with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()

    async def _pace(self) -> None:
        now = self.clock()
        self._sent.append(now)
        _trim(self._sent, now)
        if not self.rate:
            return
        at = max(now, self._next_at)
        self._next_at = max(at, now - 0.05) + 1.0 / self.rate  # catch up at most 50 ms
        if at > now:
            await asyncio.sleep(at - now)

    def ok(self) -> None:
        """The server took the request (any answer but 429)."""
        now = self.clock()
        self._accepted.append(now)
        _trim(self._accepted, now)
        self.window = min(float(self.max), self.window + 1.0 / self.window)
        calm = now - self._last_cut
        if self.rate and calm > 1.0 and now - self._last_raise >= 0.25:
            self.rate *= 1.10 if calm > 3.0 else 1.02
            if self.max_rate:
                self.rate = min(self.rate, self.max_rate)
            self._last_raise = now

    def throttled(self) -> None:
        """A 429: go a little slower than what the server has been accepting."""
        now = self.clock()
        if now - self._last_cut < self.cooldown:
            return
        self._last_cut = now
        _trim(self._accepted, now)
        _trim(self._sent, now)
        measured = len(self._accepted) * 0.95
        current = self.rate or max(len(self._sent), len(self._accepted))
        self.rate = max(1.0, min(current, max(measured, current * 0.7)))

    def failed(self) -> None:
        """A 5xx, a timeout or a dropped connection: fewer requests at once."""
        now = self.clock()
        if now - self._last_shrink < 2 * self.cooldown:
            return
        self._last_shrink = now
        self.window = max(1.0, self.window * 0.8)


def _trim(times: deque[float], now: float) -> None:
    """Keep the last second."""
    while times and times[0] < now - 1.0:
        times.popleft()
