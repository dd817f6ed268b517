"""`callshift user move`: method 1 from the terminal."""

from __future__ import annotations

import typer
from rich.table import Table

from ..domain.licensing import CallingChange
from ..services.context import PersonRef
from ..services.licence_preview import kept_parts
from ..services.user_move import MoveOutcome, move_user
from .common import (
    ALLOW_REVERSAL_HELP,
    confirm,
    console,
    domain_errors,
    open_db,
    operator_ctx,
    reversal_gate,
)

user_app = typer.Typer(help="One user's licences (method 1).", no_args_is_help=True)


def kept_summary(outcome: MoveOutcome) -> str:
    p = outcome.profile
    if outcome.change.calling is CallingChange.PURGE:
        return "[bold red]calling data will be LOST[/]"
    if p is None:
        return "no calling data to keep"
    return "calling data kept: " + ", ".join(kept_parts(p))


def _table(outcome: MoveOutcome) -> Table:
    lic = outcome.licences
    table = Table(title=f"{outcome.user.email}")
    table.add_column("licence")
    table.add_column("from")
    table.add_column("to")
    removed = {lic[r].offer_code: lic[r] for r in outcome.change.removed}
    for a in outcome.change.added:
        old = removed.pop(lic[a].offer_code, None)
        table.add_row(lic[a].name, old.subscription_id if old else "—", lic[a].subscription_id)
    for old in removed.values():
        table.add_row(old.name, old.subscription_id, "[red]removed[/]")
    for f in outcome.change.failed:
        name = lic[f.licence_id].name if f.licence_id in lic else f.licence_id
        table.add_row(name, "[red]failed[/]", f"{f.description} ({f.code})")
    return table


@user_app.command("move")
@domain_errors
def move(
    email: str = typer.Argument(..., help="The user's email"),
    to: str = typer.Option(..., "--to", help="Target subscription id, e.g. Sub200001"),
    calling_only: bool = typer.Option(False, help="Move the calling licence only"),
    dry_run: bool = typer.Option(False, help="Show what would change; change nothing"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation"),
    allow_reversal: bool = typer.Option(False, help=ALLOW_REVERSAL_HELP),
) -> None:
    """Move one user to another subscription in one step (old licence out, new in).

    Example: callshift user move ada.levi.0@acme.example.com --to Sub200001 --yes
    """
    db = open_db()
    ctx = operator_ctx(db)
    ref = PersonRef(email=email)
    preview = move_user(ctx, ref, to, calling_only, dry_run=True)
    console.print(_table(preview))
    console.print(kept_summary(preview))
    back = preview.reversal.words(ctx.clock()) if preview.reversal else None
    reversal_gate(preview.user.email, back, allow_reversal, dry_run)
    if dry_run:
        console.print("dry run: nothing changed")
        return
    confirm(f"Move {preview.user.email} to {to}?", yes)
    done = move_user(ctx, ref, to, calling_only, allow_reversal=allow_reversal)
    status = "[green]moved[/]" if not done.change.failed else "[yellow]partly moved[/]"
    console.print(f"{status}: {kept_summary(done)}")
    if done.change.failed:
        console.print(_table(done))
        raise typer.Exit(1)
