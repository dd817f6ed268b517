"""Questions about the installation rather than one organisation: is the database up, and
which organisations does it hold."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from . import tables as t


def dialect_after_ping(conn: Connection) -> str:
    """The dialect's name, once a trivial query has gone through (the health check)."""
    conn.execute(text("select 1"))
    return conn.dialect.name


def organisations_by_size(conn: Connection) -> list[str]:
    """Organisations, the one with most users first (the "main" one)."""
    users = select(t.users.c.org_id, func.count().label("n")).group_by(t.users.c.org_id).subquery()
    q = (
        select(t.organisations.c.id)
        .outerjoin(users, users.c.org_id == t.organisations.c.id)
        .order_by(
            func.coalesce(users.c.n, 0).desc(), t.organisations.c.created, t.organisations.c.id
        )
    )
    return list(conn.execute(q).scalars())


def jobs_by_status(conn: Connection) -> dict[str, int]:
    """How many jobs of each status the installation holds (the metrics' jobs gauge, and the
    health check's running and queued jobs)."""
    q = select(t.jobs.c.status, func.count()).group_by(t.jobs.c.status)
    return {status: int(n) for status, n in conn.execute(q).all()}
