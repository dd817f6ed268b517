"""What the entrypoints share, so that api/, ui/ and cli/ never import one another.

The API, the admin UI and the CLI are peers over the services. Each needs the database opened
from the settings, a use-case context for its caller (a token, a session, the operator), and
to know what a refused change means to that caller; those live here, once. The web app itself
is put together in ``bootstrap.py``, which the CLI must not import: it imports api/ and ui/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import Settings, get_settings
from .db.engine import Database, connect
from .db.migrate import upgrade
from .db.store import CapacityRace
from .domain import errors as E
from .domain.access import Principal
from .domain.errors import DomainError
from .ids import BadId
from .logs import tracking_id
from .services.context import Ctx


def open_database(settings: Settings | None = None, migrate: bool = False) -> Database:
    """The database of the settings; ``migrate`` brings its schema up to date first."""
    settings = settings or get_settings()
    db = connect(settings.database_url, settings.sqlite_busy_timeout_ms)
    if migrate:
        upgrade(db)
    return db


def make_ctx(db: Database, principal: Principal, settings: Settings | None = None) -> Ctx:
    """The one way a caller becomes a use-case context, tagged with the request's tracking id
    when there is one (the CLI has none)."""
    settings = settings or get_settings()
    return Ctx(
        db=db,
        principal=principal,
        tracking_id=tracking_id.get(),
        retention_days=settings.recycle_retention_days,
        reversal_window_days=settings.reversal_window_days,
        csv_max_rows=settings.csv_max_rows,
    )


def request_ctx(request: Any, principal: Principal) -> Ctx:
    """The context of a web request: the app's database and settings (set by bootstrap)."""
    state = request.app.state
    return make_ctx(state.db, principal, state.settings)


@dataclass(frozen=True)
class Refusal:
    """A refused request as every entrypoint reports it: an HTTP status, a message, and the
    detailed reasons with their error codes (docs/errors.md), none when the message says all."""

    status: int
    message: str
    details: tuple[tuple[str, int | None], ...]
    users_per_licence: dict | None = None  # R9: why a subscription cannot be cancelled

    @property
    def lines(self) -> list[str]:
        """The reasons as text, each with its code: for a page or a terminal."""
        return [f"{d} ({c})" for d, c in self.details]


def refusal(exc: Exception) -> Refusal | None:
    """What a refused change means to the caller; None for an exception that is a bug."""
    if isinstance(exc, DomainError):
        details = tuple((e.description, e.code) for e in exc.details)
        return Refusal(exc.status, exc.message, details, getattr(exc, "users_per_licence", None))
    if isinstance(exc, CapacityRace):  # a unit taken between the check and the write
        text = "the licence has no free units"
        return Refusal(400, text, ((text, E.NO_FREE_UNITS),))
    if isinstance(exc, BadId):
        return Refusal(404, str(exc), ())
    return None


REFUSED = (DomainError, CapacityRace, BadId)  # the exceptions ``refusal`` describes
