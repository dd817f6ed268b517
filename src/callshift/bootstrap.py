"""The composition root of the web process: connect, build the app, mount the API and the UI,
and run jobs in the background.

api/ and ui/ are peers that never import each other; this module is the one place that knows
both. ``callshift serve`` starts ``callshift.bootstrap:create_app`` by name.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from . import __version__, ui
from .api import app as api
from .config import Settings, get_settings
from .db.engine import Database
from .entry import open_database
from .jobs.registry import default_handlers
from .jobs.runner import JobRunner, start_background
from .logs import configure
from .web.headers import SecurityHeaders


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """The server runs jobs itself unless told not to (SQLite needs no other process)."""
    stop = None
    settings = app.state.settings
    if settings.run_jobs:
        ttl = timedelta(hours=settings.preview_ttl_hours)
        runner = JobRunner(app.state.db, default_handlers(), preview_ttl=ttl)
        thread, stop = start_background(app.state.db, runner=runner)
        app.state.job_runner, app.state.job_thread = runner, thread  # for /health
    yield
    if stop is not None:
        stop.set()


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """The whole web app: the API under /v1 and /health, the admin UI under /ui."""
    settings = settings or get_settings()
    configure(settings.log_level, settings.log_json)
    db = db or open_database(settings)
    app = FastAPI(
        title="callshift",
        version=__version__,
        description=api.DESCRIPTION,
        lifespan=_lifespan,
        openapi_tags=api.OPENAPI_TAGS,
    )
    app.state.settings = settings
    app.state.db = db
    api.install(app)
    ui.install(app)  # after the API: its error pages fall back to the API's handlers
    api.install_middleware(app, settings)  # so the UI's requests pass it too
    app.add_middleware(SecurityHeaders)  # outermost: every response, even a 429 or a 413
    return app
