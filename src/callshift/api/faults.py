"""Fault injection: the misbehaviour of a busy Webex, on demand, for the migration engine's tests.

Off by default and refused unless ``CALLSHIFT_TEST_MODE=true`` (the settings fail at start-up
otherwise). ``CALLSHIFT_FAULTS`` is a comma-separated list of ``key=value``:

    burst429=P        chance that a request opens a burst of 429s: every /v1 request is
                      refused, with a whole-second Retry-After, for burst_seconds (1.5)
    burst_every=N     also open a burst at every Nth /v1 request outside bursts (0: never),
                      for tests that must see one
    error5xx=P        chance of a 500, 502 or 503: half of them before the request is
                      handled, half after it (the change is made, the answer lost)
    drop=P            chance that the connection drops (headers sent, body never): half
                      before the request is handled, half after it
    partial=P         chance that a PATCH /v1/licenses/users that removes and adds is handled
                      with its removes only, answered 206 as Webex sometimes does: the
                      calling licence is removed (the profile purged) and nothing added
    purge_workspace=P chance that a PUT /v1/workspaces/{id} naming calling licences is
                      handled as ``calling.type none`` (the calling licence removed, the
                      profile purged, nothing added) and answered 503: a swap failed half-way
    slow=P            chance of a delay of up to slow_seconds (1.0) before handling
    seed=N            random seed, for repeatable runs
    hide=A+B          answer 404 to every request whose path ends with /A or /B, as a server
                      that does not expose those settings (e.g. hide=callBridge+musicOnHold)

Each request draws at most one of burst429, error5xx, drop, partial and purge_workspace,
and independently may be slow. The remove-without-add goes through the real use case (the
removes are handled by the application itself), so what a client must repair is really lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, fields

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from .ratelimit import reject

EXCLUSIVE = ("burst429", "error5xx", "drop", "partial", "purge_workspace")


@dataclass(frozen=True)
class FaultPlan:
    burst429: float = 0.0
    burst_seconds: float = 1.5
    burst_every: int = 0
    error5xx: float = 0.0
    drop: float = 0.0
    partial: float = 0.0
    purge_workspace: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 1.0
    seed: int | None = None
    hide: str = ""

    @property
    def hidden(self) -> tuple[str, ...]:
        return tuple(f"/{h}" for h in self.hide.split("+") if h)

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        known = {f.name for f in fields(cls)}
        values: dict = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or key not in known:
                raise ValueError(
                    f"CALLSHIFT_FAULTS: '{item}' is not one of {', '.join(sorted(known))}"
                )
            if key == "hide":
                values[key] = value.strip()
                continue
            try:
                values[key] = int(value) if key in ("seed", "burst_every") else float(value)
            except ValueError:
                raise ValueError(f"CALLSHIFT_FAULTS: {key} needs a number, not '{value}'") from None
        plan = cls(**values)
        chances = [getattr(plan, k) for k in (*EXCLUSIVE, "slow")]
        if any(not 0 <= p <= 1 for p in chances) or sum(getattr(plan, k) for k in EXCLUSIVE) > 1:
            raise ValueError(
                "CALLSHIFT_FAULTS: chances are between 0 and 1, and "
                "burst429 + error5xx + drop + partial + purge_workspace is at most 1"
            )
        if plan.burst_seconds <= 0 or plan.slow_seconds < 0 or plan.burst_every < 0:
            raise ValueError(
                "CALLSHIFT_FAULTS: burst_seconds > 0, slow_seconds >= 0, burst_every >= 0"
            )
        return plan


class FaultInjector:
    """The dice and the tally (``counts``, for tests) of one application."""

    def __init__(self, plan: FaultPlan, clock=time.monotonic):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.clock = clock
        self.burst_until = 0.0
        self.counts: Counter[str] = Counter()
        self.seen = 0

    def draw(self) -> str | None:
        now = self.clock()
        if now < self.burst_until:
            return "burst429"
        self.seen += 1  # requests outside bursts
        if self.plan.burst_every and self.seen % self.plan.burst_every == 0:
            self.burst_until = now + self.plan.burst_seconds
            self.counts["bursts"] += 1
            return "burst429"
        roll, edge = self.rng.random(), 0.0
        for kind in EXCLUSIVE:
            edge += getattr(self.plan, kind)
            if roll < edge:
                if kind == "burst429":
                    self.burst_until = now + self.plan.burst_seconds
                    self.counts["bursts"] += 1
                return kind
        return None

    def delay(self) -> float:
        if self.plan.slow and self.rng.random() < self.plan.slow:
            self.counts["slow"] += 1
            return self.rng.uniform(0.2, 1.0) * self.plan.slow_seconds
        return 0.0

    def after(self) -> bool:
        """Whether a 5xx or a drop comes after the request was handled."""
        return self.rng.random() < 0.5


class Faults:
    """ASGI middleware in front of every /v1 request."""

    def __init__(self, app: ASGIApp, injector: FaultInjector):
        self.app = app
        self.f = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        if self.f.plan.hide and scope["path"].endswith(self.f.plan.hidden):
            self.f.counts["hidden"] += 1
            await reject(scope, 404, "not found (hidden by a fault)")(scope, receive, send)
            return
        kind = self.f.draw()
        pause = self.f.delay()
        if pause:
            await asyncio.sleep(pause)
        if kind == "burst429":
            self.f.counts["refused429"] += 1
            retry = max(1, int(self.f.burst_until - self.f.clock() + 0.999))
            await reject(
                scope, 429, "too many requests (injected fault)", {"Retry-After": str(retry)}
            )(scope, receive, send)
        elif kind == "error5xx":
            status = self.f.rng.choice((500, 502, 503))
            if self.f.after():
                self.f.counts["error5xx_after"] += 1
                await self._handled(scope, receive)
            else:
                self.f.counts["error5xx_before"] += 1
            await reject(scope, status, "injected server error")(scope, receive, send)
        elif kind == "drop":
            if self.f.after():
                self.f.counts["drop_after"] += 1
                await self._handled(scope, receive)
            else:
                self.f.counts["drop_before"] += 1
            await _drop(send)
        elif (
            kind == "partial"
            and scope["method"] == "PATCH"
            and scope["path"] == "/v1/licenses/users"
        ):
            await self._removes_only(scope, receive, send)
        elif (
            kind == "purge_workspace"
            and scope["method"] == "PUT"
            and scope["path"].startswith("/v1/workspaces/")
        ):
            await self._purged(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _handled(self, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
        """Let the application handle the request; keep its answer from the client."""
        start: Message = {}
        body: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        return start, b"".join(body)

    async def _removes_only(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        try:
            data = json.loads(body)
            ops = [o for o in data["licenses"] if isinstance(o, dict)]
        except (ValueError, TypeError, KeyError):
            ops, data = [], None
        removes = [o for o in ops if o.get("operation") == "remove"]
        if not removes or len(removes) == len(ops):  # nothing to leave out: handle as sent
            await self.app(scope, _replay(body, receive), send)
            return
        self.f.counts["partial"] += 1
        new = json.dumps({**data, "licenses": removes}).encode()
        start, out = await self._handled(_with_length(scope, len(new)), _replay(new, receive))
        if start.get("status") == 200:  # as Webex: 206 and the licences after, no reasons
            start = {
                **start,
                "status": 206,
                "headers": [h for h in start["headers"] if h[0] != b"content-length"]
                + [(b"content-length", str(len(out)).encode())],
            }
        await send(start)
        await send({"type": "http.response.body", "body": out})

    async def _purged(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        try:
            data = json.loads(body)
            named = bool(data["calling"]["webexCalling"]["licenses"])
        except (ValueError, TypeError, KeyError):
            named = False
        if not named:  # not a licence change: handled as sent
            await self.app(scope, _replay(body, receive), send)
            return
        self.f.counts["purge_workspace"] += 1
        new = json.dumps({**data, "calling": {"type": "none"}}).encode()
        await self._handled(_with_length(scope, len(new)), _replay(new, receive))
        await reject(scope, 503, "injected server error")(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [h for h in scope["headers"] if h[0] != b"content-length"]
    return {**scope, "headers": headers + [(b"content-length", str(length).encode())]}


async def _drop(send: Send) -> None:
    """Headers, then nothing: returning without the body makes uvicorn close the connection."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
        }
    )


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


def install(app, settings: Settings) -> None:
    """Put fault injection in front of the application when the (test-mode) settings ask."""
    app.state.faults = None
    if not settings.faults.strip():
        return
    if not settings.test_mode:  # the settings refuse this too; never rely on one guard alone
        raise RuntimeError("fault injection is refused unless CALLSHIFT_TEST_MODE=true")
    injector = FaultInjector(FaultPlan.parse(settings.faults))
    app.state.faults = injector
    app.add_middleware(Faults, injector=injector)
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
