"""What every command shares: the database, the operator's principal, confirmation."""

from __future__ import annotations

import functools
import getpass
import sys

import typer
from rich.console import Console

from ..domain.access import Principal, Role
from ..entry import REFUSED, make_ctx, open_database, refusal
from ..services.context import Ctx
from ..services.system import organisations_by_size

console = Console()
err = Console(stderr=True)


def open_db(migrate: bool = True):
    """The database of the settings, its schema brought up to date unless told not to."""
    return open_database(migrate=migrate)


def org_ids(db) -> list[str]:
    """Organisations, the one with most users first (the "main" one)."""
    return organisations_by_size(db)


def operator_ctx(db) -> Ctx:
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
    return make_ctx(db, principal)


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

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except REFUSED as e:
            r = refusal(e)
            fail(("; ".join(r.lines) or r.message) if r else str(e))

    return wrapper
