"""An async client of the Webex endpoints the engine needs (SPEC §2), with the retry rules.

    EngineError
    ├── ApiError      the server answered 4xx (after 429s were waited out)
    │   └── Fatal     401 or 403: the token is wrong or may not do this; stop everything
    ├── Ambiguous     a write whose fate is unknown: timeout, dropped connection or 5xx.
    │                 The caller re-reads before deciding anything.
    └── Unavailable   a read still failing after every retry

* 429: always retried (the server did nothing), after ``Retry-After`` seconds (1 if absent,
  at most 60) plus a little jitter; the pacer slows down.
* 5xx, timeouts, dropped connections: reads and idempotent PUTs are retried with
  exponential backoff and full jitter; a PATCH is never blindly repeated (``Ambiguous``).
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Counter

from .pacing import Pacer

MAX_RETRY_AFTER = 60.0

if importlib.util.find_spec("sniffio") is None:
    # httpcore runs `import sniffio` on every request; without the package each failed import
    # searches sys.path again (about 0.5 ms, a tenth of the engine's CPU per user). A None
    # in sys.modules fails the same import at once.
    sys.modules.setdefault("sniffio", None)
USER_RETRIES: ContextVar[list[int] | None] = ContextVar("user_retries", default=None)
MAX_THROTTLES = 200  # 429s for one request before giving up on it


# The engine's own registry: a `callshift migrate` process writes it beside its reports
# (Prometheus text format, for a node exporter's textfile collector); process-wide, like Tally
# per client.
METRICS = CollectorRegistry()
REQUESTS = Counter("callshift_engine_requests", "Requests sent by the engine", registry=METRICS)
RETRIES = Counter(
    "callshift_engine_retries",
    "Requests sent again after a 5xx, a timeout or a dropped connection",
    registry=METRICS,
)
THROTTLED = Counter(
    "callshift_engine_throttled", "429 answers waited out (Retry-After)", registry=METRICS
)


class EngineError(Exception):
    pass


class ApiError(EngineError):
    def __init__(
        self,
        status: int,
        message: str,
        codes: tuple[int, ...] = (),
        body: Any = None,
        tracking_id: str | None = None,
    ):
        super().__init__(
            f"HTTP {status}: {message}"
            + (f" (codes {', '.join(map(str, codes))})" if codes else "")
        )
        self.status, self.message, self.codes, self.body = status, message, codes, body
        self.tracking_id = tracking_id

    @classmethod
    def of(cls, r: httpx.Response) -> ApiError:
        try:
            body = r.json()
        except ValueError:
            body = r.text
        message, codes = r.reason_phrase, ()
        if isinstance(body, dict):
            errs = [e for e in body.get("errors") or [] if isinstance(e, dict)]
            message = body.get("message") or (errs[0].get("description") if errs else message)
            codes = tuple(e["errorCode"] for e in errs if isinstance(e.get("errorCode"), int))
        kind = Fatal if r.status_code in (401, 403) else ApiError
        return kind(r.status_code, str(message), codes, body, r.headers.get("trackingid"))


class Fatal(ApiError):
    pass


class Ambiguous(EngineError):
    pass


class Unavailable(EngineError):
    pass


@dataclass(frozen=True)
class Reply:
    status: int
    data: Any
    next_url: str | None = None  # the Link rel="next" of a page


@dataclass
class Tally:
    """What the client went through, for the progress bar and the reports."""

    requests: int = 0
    throttled: int = 0
    retries: int = 0


class WebexClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        pacer: Pacer | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 8,
        backoff: float = 0.25,
        on_event: Callable[[str], None] | None = None,
    ):
        self.base = base_url.rstrip("/")
        self.pacer = pacer or Pacer()
        self.retries, self.backoff = retries, backoff
        self.tally = Tally()
        self.on_event = on_event or (lambda kind: None)
        self.http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=self.pacer.max + 4, max_keepalive_connections=self.pacer.max + 4
            ),
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> WebexClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    def _count(self, kind: str) -> None:
        per_user = USER_RETRIES.get()
        if per_user is not None:
            per_user[0] += 1
        self.on_event(kind)

    def url(self, path: str) -> str:
        return (
            path if path.startswith(("http://", "https://")) else f"{self.base}/{path.lstrip('/')}"
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: Any = None,
        safe: bool = True,
    ) -> Reply:
        """One call, retried as the module says; ``safe`` = may be repeated blindly."""
        failures = throttles = 0
        while True:
            problem = None
            async with self.pacer.slot():
                self.tally.requests += 1
                REQUESTS.inc()
                try:
                    r = await self.http.request(
                        method,
                        self.url(path),
                        params=params,
                        json=json,
                        headers={"TrackingID": f"CALLSHIFT_ENGINE_{uuid.uuid4()}"},
                    )
                except httpx.TransportError as e:  # timeouts, refused and dropped connections
                    problem = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
                    self.pacer.failed()
            if problem is None and r.status_code == 429:
                throttles += 1
                self.tally.throttled += 1
                THROTTLED.inc()
                self.pacer.throttled()
                self._count("throttled")
                if throttles > MAX_THROTTLES:
                    raise ApiError(429, f"still throttled after {throttles} tries")
                await asyncio.sleep(_retry_after(r) * random.uniform(1.0, 1.1))
                continue
            if problem is None and r.status_code >= 500:
                problem = f"HTTP {r.status_code}"
                self.pacer.failed()
            if problem is None:
                self.pacer.ok()
                if r.status_code >= 400:
                    raise ApiError.of(r)
                return Reply(r.status_code, _json(r), r.links.get("next", {}).get("url"))
            if not safe:
                self._count("retry")
                raise Ambiguous(f"{method} {path}: {problem}")
            failures += 1
            if failures > self.retries:
                raise Unavailable(f"{method} {path}: {problem}, {failures} times")
            self.tally.retries += 1
            RETRIES.inc()
            self._count("retry")
            await asyncio.sleep(random.uniform(0, min(8.0, self.backoff * 2**failures)))

    async def pages(self, path: str, params: dict, key: str = "items") -> AsyncIterator[list[dict]]:
        """Follow absolute ``Link: <...>; rel="next"`` URLs (they repeat every parameter)."""
        url: str | None = path
        while url:
            reply = await self.request("GET", url, params=params if url == path else None)
            items = (reply.data or {}).get(key) or []
            yield items
            url = reply.next_url if items else None  # a next link on an empty page is ignored

    # --- the endpoints -------------------------------------------------------------------
    async def licences(self, org_id: str | None = None) -> list[dict]:
        reply = await self.request("GET", "licenses", params=_org(org_id))
        return reply.data.get("items", [])

    async def licence_holders(self, licence_id: str, org_id: str | None = None) -> list[dict]:
        out: list[dict] = []
        async for items in self.pages(
            f"licenses/{licence_id}",
            {"includeAssignedTo": "user", "limit": 300, **_org(org_id)},
            key="users",
        ):
            out.extend(items)
        return out

    async def people(self, person_ids: Iterable[str], org_id: str | None = None) -> dict[str, dict]:
        """People with calling data, by id, 85 ids a request (Webex's limit)."""
        ids, out = list(person_ids), {}
        for i in range(0, len(ids), 85):
            chunk = ids[i : i + 85]
            params = {"id": ",".join(chunk), "callingData": "true", "max": 100, **_org(org_id)}
            async for items in self.pages("people", params):
                out.update({p["id"]: p for p in items})
        return out

    async def person(self, person_id: str, org_id: str | None = None) -> dict:
        reply = await self.request(
            "GET", f"people/{person_id}", params={"callingData": "true", **_org(org_id)}
        )
        return reply.data

    async def feature(self, person_id: str, name: str, org_id: str | None = None) -> dict | None:
        """A calling feature (``numbers`` included); None when the user has no calling."""
        try:
            return (
                await self.request(
                    "GET", f"people/{person_id}/features/{name}", params=_org(org_id)
                )
            ).data
        except ApiError as e:
            if e.status == 404 and not isinstance(e, Fatal):
                return None
            raise

    async def read(self, path: str, org_id: str | None = None) -> dict | None:
        """GET a path of the settings catalogue; None when the server answers 404 or 405
        (the user has no calling there, or the server does not expose the setting)."""
        try:
            return (await self.request("GET", path, params=_org(org_id))).data
        except ApiError as e:
            if e.status in (404, 405) and not isinstance(e, Fatal):
                return None
            raise

    async def write(self, method: str, path: str, body: dict, org_id: str | None = None) -> Reply:
        """PUT (idempotent, retried) or POST (never repeated blindly) a catalogued setting."""
        return await self.request(
            method, path, json=body, params=_org(org_id), safe=method == "PUT"
        )

    async def workspaces(self, org_id: str | None = None) -> list[dict]:
        """Every workspace with Webex Calling (offset paging: ``start``/``max``, Link next)."""
        out: list[dict] = []
        params = {"calling": "webexCalling", "max": 1000, **_org(org_id)}
        async for items in self.pages("workspaces", params):
            out.extend(items)
        return out

    async def workspace(self, workspace_id: str, org_id: str | None = None) -> dict:
        return (await self.request("GET", f"workspaces/{workspace_id}", params=_org(org_id))).data

    async def update_workspace(
        self, workspace_id: str, body: dict, org_id: str | None = None
    ) -> Reply:
        """PUT /workspaces/{id}: a licence swap when ``webexCalling.licenses`` changes.

        Not repeated blindly (like a PATCH of licences): a swap whose answer is lost may have
        removed the old licence; the caller re-reads the workspace and decides.
        """
        return await self.request(
            "PUT", f"workspaces/{workspace_id}", json=body, params=_org(org_id), safe=False
        )

    async def assign(
        self, person_id: str, operations: list[dict], org_id: str | None = None
    ) -> Reply:
        """PATCH /licenses/users for one user: 200, or 206 with the licences it ended with."""
        body = {
            "personId": person_id,
            "licenses": operations,
            **({"orgId": org_id} if org_id else {}),
        }
        return await self.request("PATCH", "licenses/users", json=body, safe=False)


def _org(org_id: str | None) -> dict:
    return {"orgId": org_id} if org_id else {}


def _json(r: httpx.Response) -> Any:
    if not r.content:
        return None
    try:
        return r.json()
    except ValueError:
        return None


def _retry_after(r: httpx.Response) -> float:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(r.headers.get("Retry-After", "1"))))
    except ValueError:
        return 1.0
