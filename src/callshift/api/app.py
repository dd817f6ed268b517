"""The API's part of the web app: the Webex-compatible API under /v1, callshift's own parts,
the health check, one error body for every failure, and the middleware (faults, rate limit,
tracking id). ``callshift.bootstrap`` builds the app and calls ``install`` here."""

from __future__ import annotations

from fastapi import FastAPI

from ..config import Settings
from . import errors, faults, limits, metrics, ratelimit
from .deps import TokenCache
from .routes import (
    available_numbers,
    csv,
    features,
    health,
    jobs,
    licenses,
    locations,
    organizations,
    people,
    schedules,
    subscriptions,
    telephony,
    templates,
    tokens,
    workspaces,
)
from .tracking import TrackingMiddleware

DESCRIPTION = """
callshift moves Webex Calling users between subscriptions without losing voicemail,
PIN, numbers or settings.

* **Webex-compatible** (`/v1/licenses`, `/v1/people`, `/v1/people/{id}/features/…`,
  `/v1/telephony/config/people/{id}/voicemail/passcode`, `/v1/locations`,
  `/v1/organizations`, `/v1/telephony/config/locations`, `/v1/telephony/config/numbers`,
  `/v1/people/me`): the shapes and rules of Webex's
  own API, so Webex SDKs work by changing only the base URL.
* **callshift** (`/v1/callshift/…`): subscriptions, cancellation, the recycle bin.

Every error has the body `{"message", "errors": [{"description", "errorCode"}], "trackingId"}`
and a `trackingid` header. Error codes: see `docs/errors.md`.
"""

OPENAPI_TAGS = [
    {"name": "licenses"},
    {"name": "people"},
    {"name": "workspaces"},
    {"name": "calling features"},
    {"name": "locations"},
    {"name": "organizations"},
    {"name": "telephony"},
    {"name": "callshift"},
]


def install(app: FastAPI) -> None:
    """The error handlers, the routes under /v1 and /health; the token cache they share."""
    app.state.token_cache = TokenCache(app.state.settings.token_cache_seconds)
    errors.install(app)
    app.include_router(health.router)
    metrics.install(app)
    for module in (
        licenses,
        people,
        features,
        schedules,
        locations,
        organizations,
        telephony,
        available_numbers,
        subscriptions,
        jobs,
        templates,
        csv,
        tokens,
        workspaces,
    ):
        app.include_router(module.router, prefix="/v1")


def install_middleware(app: FastAPI, settings: Settings) -> None:
    limits.install(app, settings)  # innermost of these: a limited or faulted request reads nothing
    faults.install(app, settings)  # both off by default; the last installed is outermost
    ratelimit.install(app, settings)
    metrics.install_middleware(app)  # outside the limiter: its 429s are counted too
    app.add_middleware(TrackingMiddleware)  # outermost: even a 429 carries its tracking id
