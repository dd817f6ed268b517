"""`callshift csv export` and `callshift csv import`: method 2 from the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from ..config import get_settings
from ..domain.users_csv import Mode
from ..services.csv_export import ExportFilter, export_users
from ..services.csv_import import ImportOptions, ImportPreview, validate_import
from ..services.csv_jobs import confirm_import, save_preview
from ..services.csv_plan import lost_text
from ..services.directory import org_view
from ..services.jobs import get_job
from ..services.reports import preview_errors_csv
from ..services.reversal_check import csv_reversals
from .common import confirm, console, domain_errors, fail, open_db, operator_ctx
from .move_cmds import run_with_progress, summary

csv_app = typer.Typer(
    help="The users CSV (method 2): export, edit, import with a preview.", no_args_is_help=True
)
SHOWN = 20


@csv_app.command("export")
@domain_errors
def export(
    output: Path = typer.Option(
        None, "--output", "-o", help="File to write (default: standard output)", dir_okay=False
    ),
    location: str = typer.Option(None, help="Only users of this location (its name)"),
    subscription: str = typer.Option(
        None, help="Only holders of a licence of this subscription, e.g. Sub100001"
    ),
) -> None:
    """Write every user as the Control Hub users CSV: fixed columns, then TRUE/FALSE per licence.

    Example: callshift csv export --output users.csv
    """
    db = open_db()
    ctx = operator_ctx(db)
    loc_id = None
    if location:
        found = [
            l.id
            for l in org_view(ctx).locations
            if location in (l.id, l.name) or l.name.lower() == location.lower()
        ]
        if not found:
            fail(f"no location named {location!r}")
        loc_id = found[0]
    chunks = export_users(ctx, ExportFilter(location_id=loc_id, subscription_id=subscription))
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    n = 0
    with output.open("w", encoding="utf-8", newline="") as f:
        for chunk in chunks:
            f.write(chunk)
            n += chunk.count("\n")
    console.print(f"{max(0, n - 1):,} users written to {output}", highlight=False)


def show(preview: ImportPreview) -> None:
    d = preview.as_dict()
    c = d["counts"]
    table = Table(
        title=f"{c['rows']:,} rows: {c['changing']:,} change, {c['unchanged']:,} "
        f"unchanged, {c['errors']:,} with errors"
    )
    for col in ("licence", "adds", "removes", "units needed", "free", "shortfall"):
        table.add_column(col, justify="left" if col == "licence" else "right")
    for l in d["licenses"]:
        table.add_row(
            l["column"],
            f"{l['adds']:,}",
            f"{l['removes']:,}",
            f"{l['unitsNeeded']:,}",
            f"{l['freeUnits']:,}",
            f"[red]{l['shortfall']:,}[/]" if l["shortfall"] else "0",
        )
    console.print(table)
    console.print(
        f"swaps {c['swaps']:,} (profiles kept), other changes {c['otherChanges']:,}, "
        f"first calling licences {c['grants']:,}, removals of calling {c['purges']:,}",
        highlight=False,
    )
    for ch in d["changes"][:SHOWN]:
        what = ", ".join([f"+ {a}" for a in ch["added"]] + [f"- {r}" for r in ch["removed"]])
        console.print(
            f"  line {ch['row']}: {ch['email']} ({ch['calling']}): {what}",
            highlight=False,
            markup=False,
        )
    for p in d["purges"][:SHOWN]:
        console.print(
            f"[bold red]data loss[/] line {p['row']}: {p['email']} would lose "
            f"{lost_text(p['lost'] or {})}" + (" (refused)" if p["refused"] else ""),
            highlight=False,
        )
    for e in d["errors"][:SHOWN]:
        console.print(
            f"[red]error[/] line {e['row']}: {e['email'] or '(no email)'}: ",
            end="",
            highlight=False,
        )
        console.print(e["message"], markup=False, highlight=False)
    if c["errors"] > SHOWN:
        console.print(
            f"... and {c['errors'] - SHOWN:,} more errors (--errors FILE writes them all)"
        )


def show_reversals(r: dict) -> None:
    """The preview's users moving back (services/reversal_check), in red, the first ten."""
    subs = ", ".join(f"{s}: {n:,}" for s, n in r["perSubscription"].items())
    console.print(
        f"[bold red]{r['users']:,} user(s) would move back to a subscription they left in the "
        f"last {r['windowDays']} days[/] ({subs})"
    )
    for x in r["sample"][:10]:
        row = f"row {x['row']}, " if "row" in x else ""
        console.print(f"  {row}{x['email']}: {x['message']}")


def write_errors(preview: ImportPreview, path: Path) -> int:
    return preview_errors_csv(preview).write_to(path)


@csv_app.command("import")
@domain_errors
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The users CSV"),
    mode: Mode = typer.Option(
        Mode.ADD, help="add: add services only (FALSE ignored); add-remove: add and remove services"
    ),
    dry_run: bool = typer.Option(False, help="Validate and preview only; change nothing"),
    allow_data_loss: bool = typer.Option(
        False, help="Allow removing calling without a replacement (profiles go to the recycle bin)"
    ),
    apply_valid_rows: bool = typer.Option(
        False, help="Apply the good rows even when others have errors"
    ),
    errors: Path = typer.Option(None, help="Write every bad row to this CSV"),
    allow_reversal: bool = typer.Option(
        False,
        help="Apply rows that move users back to a subscription they left recently "
        "(a file exported before a move); without it such a file is refused",
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation"),
) -> None:
    """Import a users CSV: validate the whole file, preview it, then apply it as a job.

    Example: callshift csv import users.csv --mode add-remove --yes
    """
    db = open_db()
    ctx = operator_ctx(db)
    options = ImportOptions(mode, allow_data_loss, apply_valid_rows, file.name, interface="cli")
    with file.open("rb") as f:
        preview = validate_import(ctx, f, options)
    try:
        show(preview)
        if errors:
            console.print(f"{write_errors(preview, errors):,} bad rows written to {errors}")
        if preview.counts["failed"] and preview.refusal:
            fail(f"nothing imported: {preview.refusal}")
        if not preview.counts["pending"]:
            console.print("nothing to change")
            return
        back, words = csv_reversals(ctx, preview.org_id, preview.chunks())
        for line in words["sentences"]:  # what happens, in words
            bad = "with no replacement" in line
            console.print(f"[bold red]{line}[/]" if bad else line, highlight=False)
        if back.users:
            show_reversals(back.as_params() or {})
            if not allow_reversal and not dry_run:
                fail(
                    f"nothing imported: {back.users:,} row(s) move users back to a subscription "
                    "they left recently; pass --allow-reversal to apply them, or fix the file"
                )
        if dry_run:
            console.print("dry run: nothing changed")
            return
        confirm(f"Apply {preview.counts['pending']:,} changes?", yes)
        job_id = save_preview(ctx, preview, batch_size=get_settings().job_batch_size)
    finally:
        preview.close()
    confirm_import(ctx, job_id, allow_reversal=allow_reversal)
    console.print(f"job {job_id} started")
    run_with_progress(db, job_id)
    summary(db, job_id)
    if get_job(ctx, job_id).failed:
        raise typer.Exit(1)
