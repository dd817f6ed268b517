"""A per-token rate limit on /v1, answered as Webex answers it: 429 with a whole-second
``Retry-After``.

Each bearer token has a token bucket: ``rate`` requests a second, ``burst`` at once (one
second's worth by default). A request that finds the bucket empty is refused before it
reaches the application, so it changes nothing and costs the bucket nothing; its
``Retry-After`` is the whole number of seconds (at least 1) until the bucket holds a
request again. Requests without a token share one bucket. ``/health`` and the docs are not
limited.

Off by default (``CALLSHIFT_RATE_LIMIT_PER_SECOND=0``). The buckets live in the process:
with several uvicorn workers each worker limits on its own.
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import Settings
from ..logs import tracking_id
from .errors import error_response

MAX_BUCKETS = 100_000


def reject(
    scope: Scope, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The canonical error body for a request refused before the application saw it."""
    tid = tracking_id.get() or Headers(scope=scope).get("trackingid") or f"CALLSHIFT_{uuid.uuid4()}"
    token = tracking_id.set(tid)
    try:
        return error_response(status, message, headers=headers)
    finally:
        tracking_id.reset(token)


def token_key(scope: Scope) -> bytes:
    """The bucket of a request: a digest of its Authorization header (secrets are not kept)."""
    auth = Headers(scope=scope).get("authorization", "")
    return hashlib.blake2b(auth.encode(), digest_size=16).digest()


class TokenBuckets:
    """``rate`` per second and ``burst`` at once, per key. ``take`` answers the seconds to
    wait, 0 when the request may go (and then it is counted)."""

    def __init__(self, rate: float, burst: int = 0, clock: Callable[[], float] = time.monotonic):
        if rate <= 0:
            raise ValueError("a rate limit needs a positive rate")
        self.rate = rate
        self.burst = float(burst or max(1, math.ceil(rate)))
        self.clock = clock
        self._buckets: dict[bytes, tuple[float, float]] = {}
        self.refused = 0

    def take(self, key: bytes) -> float:
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._store(key, tokens - 1.0, now)
            return 0.0
        self._store(key, tokens, now)
        return (1.0 - tokens) / self.rate

    def _store(self, key: bytes, tokens: float, now: float) -> None:
        if key not in self._buckets and len(self._buckets) >= MAX_BUCKETS:
            full_after = self.burst / self.rate  # an idle bucket is full again: forget it
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}
        self._buckets[key] = (tokens, now)


class RateLimit:
    """ASGI middleware: the buckets in front of every /v1 request."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets):
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(token_key(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        self.buckets.refused += 1
        retry = max(1, math.ceil(wait))
        response = reject(
            scope,
            429,
            f"too many requests: at most {self.buckets.rate:g} a second "
            f"per token; retry after {retry} s",
            {"Retry-After": str(retry)},
        )
        await response(scope, receive, send)


def install(app, settings: Settings) -> None:
    """Put the limit in front of the application when the settings ask for one."""
    app.state.rate_limit = None
    if settings.rate_limit_per_second > 0:
        buckets = TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)
        app.state.rate_limit = buckets  # for tests and diagnostics: .refused
        app.add_middleware(RateLimit, buckets=buckets)
