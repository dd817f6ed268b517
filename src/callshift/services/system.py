"""What is asked of the installation itself rather than of one organisation: is the database
up (the health check), and which organisations does it hold (the CLI acts for all of them)."""

from __future__ import annotations

from sqlalchemy import func, select, text

from ..db import tables as t
from ..db.engine import Database
from ..db.migrate import is_empty


def database_dialect(db: Database) -> str:
    """The database's dialect name, once a trivial query has gone through (the health check)."""
    with db.uow(write=False) as uow:
        uow.conn.execute(text("select 1"))
    return db.writer.dialect.name


def organisations_by_size(db: Database) -> list[str]:
    """Organisations, the one with most users first (the "main" one)."""
    with db.uow(write=False) as uow:
        users = (
            select(t.users.c.org_id, func.count().label("n")).group_by(t.users.c.org_id).subquery()
        )
        q = (
            select(t.organisations.c.id)
            .outerjoin(users, users.c.org_id == t.organisations.c.id)
            .order_by(
                func.coalesce(users.c.n, 0).desc(), t.organisations.c.created, t.organisations.c.id
            )
        )
        return list(uow.conn.execute(q).scalars())


def holds_no_organisation(db: Database) -> bool:
    """True for a new database: no schema yet, or no organisation (seed it first)."""
    return is_empty(db) or not organisations_by_size(db)
