"""The FastAPI application: the Webex-compatible API under /v1, plus callshift's own parts."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from .. import __version__
from ..config import Settings, get_settings
from ..db.engine import Database, connect
from ..logs import configure
from . import errors
from .deps import TokenCache
from .tracking import TrackingMiddleware

log = logging.getLogger("callshift.api")

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


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """The server runs jobs itself unless told not to (SQLite needs no other process)."""
    stop = None
    if app.state.settings.run_jobs:
        from ..jobs.runner import start_background

        _thread, stop = start_background(app.state.db)
    yield
    if stop is not None:
        stop.set()


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure(settings.log_level, settings.log_json)
    db = db or connect(settings.database_url, settings.sqlite_busy_timeout_ms)
    app = FastAPI(
        title="callshift",
        version=__version__,
        description=DESCRIPTION,
        lifespan=_lifespan,
        openapi_tags=[
            {"name": "licenses"},
            {"name": "people"},
            {"name": "calling features"},
            {"name": "callshift"},
        ],
    )
    app.state.settings = settings
    app.state.db = db
    app.state.token_cache = TokenCache()
    errors.install(app)

    @app.get("/health", tags=["callshift"], summary="Liveness and database check")
    def health() -> dict:
        with db.uow(write=False) as uow:
            uow.conn.execute(text("select 1"))
        return {"status": "ok", "version": __version__, "database": db.writer.dialect.name}

    from .routes import csv, features, jobs, licenses, people, subscriptions, templates

    for module in (licenses, people, features, subscriptions, jobs, templates, csv):
        app.include_router(module.router, prefix="/v1")
    from .. import ui
    from . import faults, ratelimit

    ui.install(app)  # the admin web UI under /ui
    faults.install(app, settings)  # both off by default; the last installed is outermost
    ratelimit.install(app, settings)
    app.add_middleware(TrackingMiddleware)  # outermost: even a 429 carries its tracking id
    return app
