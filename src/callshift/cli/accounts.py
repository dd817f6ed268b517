"""`callshift account create` (admin UI accounts, the password read from standard input) and
`callshift token create | list | revoke` (API tokens)."""

from __future__ import annotations

import getpass
import re
import sys
from dataclasses import asdict
from datetime import timedelta

import typer

from ..config import get_settings
from ..domain.access import Role
from ..domain.errors import DomainError
from ..services.accounts import create_account
from ..services.context import utcnow
from ..services.tokens import issue_token, list_tokens, revoke_token
from .common import (
    console,
    domain_errors,
    err,
    fail,
    open_db,
    operator_ctx,
    org_ids,
    print_json,
    print_rows,
)

account_app = typer.Typer(help="Admin web UI accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)


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


DURATION = re.compile(r"^\s*(\d+)\s*([dhm]?)\s*$")
UNITS = {"d": "days", "": "days", "h": "hours", "m": "minutes"}


def _lifetime(text: str | None) -> timedelta:
    """``90d``, ``12h``, ``30m`` or a number of days; default CALLSHIFT_TOKEN_LIFETIME_DAYS."""
    if text is None:
        return timedelta(days=get_settings().token_lifetime_days)
    m = DURATION.match(text.lower())
    if not m or int(m.group(1)) < 1 or int(m.group(1)) > 3650 * 24 * 60:
        fail(f"--expires-in {text!r}: give a positive number of days, or e.g. 12h, 30m, 90d")
    return timedelta(**{UNITS[m.group(2)]: int(m.group(1))})


@token_app.command("create")
def token_create(
    role: Role = typer.Option(Role.FULL_ADMIN, help="What the token may do"),
    org: str = typer.Option(None, help="Organisation id (default: the main one)"),
    partner: str = typer.Option(None, help="Partner id, for partner-admin"),
    email: str = typer.Option(None, help="The person, for a user token"),
    name: str = typer.Option("", help="A label for the audit log"),
    expires_in: str = typer.Option(
        None, help="Lifetime: days, or 12h / 30m / 90d (default CALLSHIFT_TOKEN_LIFETIME_DAYS)"
    ),
) -> None:
    """Issue an API token; the token alone is printed on the last line (shown once).

    Example: TOKEN=$(callshift token create --role full-admin --expires-in 30d | tail -n1)
    """
    lifetime = _lifetime(expires_in)
    db = open_db(migrate=True)
    if role in (Role.FULL_ADMIN, Role.READ_ONLY_ADMIN) and not org:
        orgs = org_ids(db)
        if not orgs:
            fail("no organisation yet: run `callshift seed` first")
        org = orgs[0]
    try:
        issued = issue_token(
            db,
            role,
            org_id=org,
            partner_id=partner,
            user_email=email,
            name=name,
            lifetime=lifetime,
            actor=f"cli:{getpass.getuser()}",
        )
    except DomainError as e:
        fail(e.message)
    err.print(
        f"[green]{role.value}[/] token {issued.id} for {org or partner or email}, "
        f"expires {issued.expires_at:%Y-%m-%d %H:%M} UTC (shown once):"
    )
    print(issued.secret)


def _when(at) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at else "never"


@token_app.command("list")
@domain_errors
def token_list(
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON (stable keys) instead of a table"
    ),
) -> None:
    """Every API token: id, name, role, organisation (or partner), created, expires, revoked;
    never a secret. Any unique prefix of an id (4 characters or more) names a token.

    Example: callshift token list
    """
    db = open_db(migrate=True)
    now = utcnow()
    found = list_tokens(operator_ctx(db), everything=True)
    if as_json:
        print_json([{**asdict(t), "expired": t.expired(now)} for t in found])
        return
    print_rows(
        ("id", "name", "role", "org/partner", "created", "expires", "revoked"),
        (
            (
                t.id,
                t.name,
                t.role,
                t.org_id or t.partner_id or "",
                _when(t.created),
                _when(t.expires_at) + (" (expired)" if t.expired(now) else ""),
                _when(t.revoked_at) if t.revoked else "no",
            )
            for t in found
        ),
    )


@token_app.command("revoke")
@domain_errors
def token_revoke(
    token_id: str = typer.Argument(..., help="The token's id, or a unique prefix of it"),
) -> None:
    """Revoke an API token: every server refuses it within a second.

    Example: callshift token revoke 3f2a9c
    """
    db = open_db(migrate=True)
    t = revoke_token(operator_ctx(db), token_id, everything=True)
    console.print(f"token {t.id} ({t.name}) revoked at {_when(t.revoked_at)} UTC")
