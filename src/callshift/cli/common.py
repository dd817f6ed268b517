"""What every command shares: the database, the operator's principal, confirmation."""

from __future__ import annotations

import getpass
import sys

import typer
from rich.console import Console
from sqlalchemy import func, select

from ..config import get_settings
from ..db import tables as t
from ..db.engine import Database, connect
from ..db.migrate import upgrade
from ..domain.access import Principal, Role
from ..domain.errors import DomainError
from ..services.context import Ctx

console = Console()
err = Console(stderr=True)


def open_db(migrate: bool = True) -> Database:
    settings = get_settings()
    db = connect(settings.database_url, settings.sqlite_busy_timeout_ms)
    if migrate:
        upgrade(db)
    return db


def org_ids(db: Database) -> list[str]:
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


def operator_ctx(db: Database) -> Ctx:
    """The CLI runs with the database's own rights: a full admin of every organisation."""
    orgs = org_ids(db)
    if not orgs:
        fail("the database holds no organisation yet: run `callshift seed` first")
    principal = Principal(
        name=f"cli:{getpass.getuser()}",
        role=Role.FULL_ADMIN,
        org_id=orgs[0],
        org_ids=frozenset(orgs),
    )
    return Ctx(db=db, principal=principal, retention_days=get_settings().recycle_retention_days)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def confirm(question: str, yes: bool) -> None:
    """Ask, unless --yes; without a terminal and without --yes, refuse rather than proceed."""
    if yes:
        return
    if not sys.stdin.isatty():
        fail("no terminal to confirm on: pass --yes to proceed", 2)
    if not typer.confirm(question, default=False):
        fail("cancelled; nothing changed", 1)


def domain_errors(fn):
    """Turn a refused change into a clear message and a non-zero exit."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as e:
            details = "; ".join(f"{d.description} ({d.code})" for d in e.details) or e.message
            fail(details)

    return wrapper
