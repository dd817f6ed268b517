"""The API's part of the web app: the Webex-compatible API under /v1, callshift's own parts,
the health check, one error body for every failure, and the middleware (faults, rate limit,
tracking id). ``callshift.bootstrap`` builds the app and calls ``install`` here."""

from __future__ import annotations

from fastapi import FastAPI

from ..config import Settings
from . import errors, faults, ratelimit
from .deps import TokenCache
from .routes import (
    csv,
    features,
    health,
    jobs,
    licenses,
    people,
    subscriptions,
    templates,
    workspaces,
)
from .tracking import TrackingMiddleware

DESCRIPTION = """
callshift moves Webex Calling users between subscriptions without losing voicemail,
PIN, numbers or settings.

* **Webex-compatible** (`/v1/licenses`, `/v1/people`, `/v1/people/{id}/features/…`,
  `/v1/telephony/config/people/{id}/voicemail/passcode`): the shapes and rules of Webex's
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
    {"name": "callshift"},
]


def install(app: FastAPI) -> None:
    """The error handlers, the routes under /v1 and /health; the token cache they share."""
    app.state.token_cache = TokenCache()
    errors.install(app)
    app.include_router(health.router)
    for module in (licenses, people, features, subscriptions, jobs, templates, csv, workspaces):
        app.include_router(module.router, prefix="/v1")


def install_middleware(app: FastAPI, settings: Settings) -> None:
    faults.install(app, settings)  # both off by default; the last installed is outermost
    ratelimit.install(app, settings)
    app.add_middleware(TrackingMiddleware)  # outermost: even a 429 carries its tracking id
