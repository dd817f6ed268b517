"""What is asked of the installation itself rather than of one organisation: is the database
up (the health check), and which organisations does it hold (the CLI acts for all of them)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from ..db import installation
from ..db.engine import Database
from ..db.migrate import is_empty

log = logging.getLogger("callshift.health")


def database_dialect(db: Database) -> str:
    """The database's dialect name, once a trivial query has gone through (the health check)."""
    with db.uow(write=False) as uow:
        return installation.dialect_after_ping(uow.conn)


@dataclass(frozen=True)
class DatabaseCheck:
    """The health check's look at the database: up or not, how fast, and its job counts."""

    ok: bool
    dialect: str
    seconds: float
    error: str | None = None
    jobs_by_status: dict[str, int] | None = None


def check_database(db: Database) -> DatabaseCheck:
    """A trivial query, timed, then the job counts; never raises (a health check reports)."""
    started = time.perf_counter()
    try:
        with db.uow(write=False) as uow:
            dialect = installation.dialect_after_ping(uow.conn)
            took = time.perf_counter() - started
            counts = installation.jobs_by_status(uow.conn)
    except Exception as e:  # whatever the driver raises: the answer is "down", not a 500
        took = time.perf_counter() - started
        log.warning("health check: the database did not answer", exc_info=e)
        # the exception's name only: the health check is public, the message may name hosts
        dialect = db.url.split(":", 1)[0].split("+", 1)[0]
        return DatabaseCheck(False, dialect, took, type(e).__name__)
    return DatabaseCheck(True, dialect, took, None, counts)


def jobs_by_status(db: Database) -> dict[str, int]:
    """Jobs of the installation by status (read at each metrics scrape)."""
    with db.uow(write=False) as uow:
        return installation.jobs_by_status(uow.conn)


def organisations_by_size(db: Database) -> list[str]:
    """Organisations, the one with most users first (the "main" one)."""
    with db.uow(write=False) as uow:
        return installation.organisations_by_size(uow.conn)


def holds_no_organisation(db: Database) -> bool:
    """True for a new database: no schema yet, or no organisation (seed it first)."""
    return is_empty(db) or not organisations_by_size(db)
