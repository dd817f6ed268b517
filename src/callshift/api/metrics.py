"""Prometheus metrics at ``/metrics``: HTTP requests, jobs, the runner's batches.

* ``callshift_http_requests_total`` and ``callshift_http_request_duration_seconds``, by
  method, route *template* (``/v1/people/{person_id}``, not the raw path: the number of
  series stays bounded whatever ids are asked for) and status; a small pure-ASGI middleware.
* ``callshift_jobs`` by status, read from the database at each scrape (a custom collector),
  so every worker's jobs count, whichever process ran them.
* the runner's items processed and batch durations (``jobs/runner_metrics.py``), and the
  process collectors of prometheus_client.

Access: a bearer token of an admin role (full-admin or read-only-admin; read-only is
enough and is what a scraper should get). Not "open on localhost": behind a reverse proxy
on the same host every request comes from 127.0.0.1, and Prometheus sends bearer tokens
natively (``authorization: {credentials: ...}`` in a scrape config).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ..db.engine import Database
from ..domain.access import Principal, Role
from ..domain.errors import Forbidden
from ..domain.jobs import ACTIVE, FINAL, WAITING
from ..services.system import jobs_by_status
from .deps import principal

REQUESTS = Counter(
    "callshift_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "callshift_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
UNMATCHED = "unmatched"  # no route: 404s, and what the rate limiter answers first
STATUSES = (*WAITING, *ACTIVE, *FINAL)  # every status, 0 when none: series do not vanish

router = APIRouter(tags=["callshift"])


def route_template(scope) -> str:
    """The template of the route that answered (``/v1/people/{person}``), never the raw path.

    The route in the scope knows its own template; under an included router with a prefix
    (newer FastAPI keeps routers nested) that template lacks the prefix, which is then the
    literal part of the path before what the route's own pattern matches.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if not template:
        return UNMATCHED
    path, pattern = scope.get("path", ""), getattr(route, "path_regex", None)
    if pattern is None or pattern.match(path):
        return template
    for i, c in enumerate(path):
        if c == "/" and i and pattern.match(path[i:]):
            return path[:i] + template
    return template


class MetricsMiddleware:
    """Counts and times every HTTP request under the route that answered it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what an exception that escapes becomes

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = route_template(scope)
            method = scope.get("method", "")
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)


class JobsCollector(Collector):
    """Jobs by status, counted in the database when scraped."""

    def __init__(self, db: Database):
        self.db = db

    def collect(self):
        counts = jobs_by_status(self.db)
        family = GaugeMetricFamily("callshift_jobs", "Jobs by status", labels=["status"])
        for status in sorted(set(STATUSES) | set(counts)):
            family.add_metric([status], counts.get(status, 0))
        yield family
        active = GaugeMetricFamily(
            "callshift_jobs_active", "Jobs created, running or rolling back (work to do)"
        )
        active.add_metric([], sum(n for s, n in counts.items() if s in ACTIVE))
        yield active


def _scrape(app_registry: CollectorRegistry) -> bytes:
    return generate_latest(REGISTRY) + generate_latest(app_registry)


@router.get(
    "/metrics",
    summary="Prometheus metrics (a full-admin or read-only-admin token)",
    response_class=PlainTextResponse,
)
async def metrics(request: Request, who: Principal = Depends(principal)) -> Response:
    if who.role not in (Role.FULL_ADMIN, Role.READ_ONLY_ADMIN):
        raise Forbidden("metrics need a full-admin or read-only-admin token")
    body = await run_in_threadpool(_scrape, request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """The /metrics route and the app's own registry (its database's jobs)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JobsCollector(app.state.db))
    app.state.metrics_registry = registry
    app.include_router(router)


def install_middleware(app: FastAPI) -> None:
    app.add_middleware(MetricsMiddleware)
