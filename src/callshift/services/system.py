"""What is asked of the installation itself rather than of one organisation: is the database
up (the health check), and which organisations does it hold (the CLI acts for all of them)."""

from __future__ import annotations

from ..db import installation
from ..db.engine import Database
from ..db.migrate import is_empty


def database_dialect(db: Database) -> str:
    """The database's dialect name, once a trivial query has gone through (the health check)."""
    with db.uow(write=False) as uow:
        return installation.dialect_after_ping(uow.conn)


def organisations_by_size(db: Database) -> list[str]:
    """Organisations, the one with most users first (the "main" one)."""
    with db.uow(write=False) as uow:
        return installation.organisations_by_size(uow.conn)


def holds_no_organisation(db: Database) -> bool:
    """True for a new database: no schema yet, or no organisation (seed it first)."""
    return is_empty(db) or not organisations_by_size(db)
