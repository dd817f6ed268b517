"""What every command shares: the database, the operator's principal, confirmation."""

from __future__ import annotations

import functools
import getpass
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import typer
from rich.console import Console

from ..domain.access import Principal, Role
from ..domain.offers import CATALOGUE
from ..entry import REFUSED, make_ctx, open_database, refusal
from ..services.context import Ctx
from ..services.directory import org_names
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


ALLOW_REVERSAL_HELP = (
    "Move back to a subscription left within the reversal window "
    "(CALLSHIFT_REVERSAL_WINDOW_DAYS); refused otherwise, nothing changed"
)


def reversal_gate(who: str, words: str | None, allow: bool, dry_run: bool) -> None:
    """Method 1's reversal (``Reversal.words``), in red; without --allow-reversal a real run
    stops here, before the question, with nothing changed (a dry run only shows it)."""
    if words is None:
        return
    note = "" if allow else " (refused without --allow-reversal)"
    console.print(f"[bold red]{who} {words}[/]{note}", highlight=False)
    if not allow and not dry_run:
        fail("nothing changed: pass --allow-reversal to move back, or choose another subscription")


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


def print_json(value: Any) -> None:
    """Machine-readable output: plain JSON on standard output, no colour, no wrapping."""
    sys.stdout.write(json.dumps(value, indent=2, default=str, sort_keys=False) + "\n")
    sys.stdout.flush()


def print_rows(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Aligned plain columns, one row a line, nothing cut, ellipsised or wrapped by us: ids
    stay whole at any terminal width, and each line greps and copies as one."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in [list(header), *rows]) for i in range(len(header))]
    for r in [list(header), *rows]:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        sys.stdout.write("\n")
    sys.stdout.flush()


def org_labels(ctx: Ctx) -> dict[str, str] | None:
    """Organisation names by id when the database holds more than one (a list then says
    whose each row is); None when there is only one."""
    if len(ctx.principal.org_ids) < 2:
        return None
    return org_names(ctx)


# what the offer codes the options take stand for, for their --help
OFFER_CODES = "; ".join(f"{c} = {o.name}" for c, o in CATALOGUE.items())


def offer_names(codes: Iterable[str]) -> str:
    """Offer codes as people know them: "Webex Meetings (EE)"."""
    return ", ".join(f"{CATALOGUE[c].name} ({c})" if c in CATALOGUE else c for c in codes)
