"""`callshift account create`: admin UI accounts, the password read from standard input."""

from __future__ import annotations

import getpass
import sys

import typer

from ..domain.access import Role
from ..domain.errors import DomainError
from ..services.accounts import create_account
from .common import console, err, fail, open_db, org_ids

account_app = typer.Typer(help="Admin web UI accounts.", no_args_is_help=True)


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            fail("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@account_app.command("create")
def account_create(
    email: str = typer.Argument(..., help="Sign-in email (for --role user: the person's)"),
    role: Role = typer.Option(Role.FULL_ADMIN, help="What the account may do"),
    org: str = typer.Option(None, help="Organisation id (default: the main one)"),
    partner: str = typer.Option(None, help="Partner id, for partner-admin"),
) -> None:
    """Create an account for the admin UI; the password is read from standard input.

    Example: echo 'a long secret' | callshift account create ada@acme.example --role full-admin
    """
    db = open_db(migrate=True)
    if role in (Role.FULL_ADMIN, Role.READ_ONLY_ADMIN) and not org:
        orgs = org_ids(db)
        if not orgs:
            fail("no organisation yet: run `callshift seed` first")
        org = orgs[0]
    password = _password()
    try:
        create_account(db, email, password, role, org_id=org, partner_id=partner)
    except DomainError as e:
        fail(e.message)
    err.print(f"[green]{role.value}[/] account created")
    console.print(f"sign in at /ui/ as {email.strip().lower()}")
