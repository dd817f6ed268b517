"""`callshift move`, `callshift worker` and `callshift jobs`: bulk moves as jobs."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from enum import Enum
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..config import get_settings
from ..domain.bulk_plan import Selection
from ..domain.jobs import Job
from ..domain.model import PERSON, WORKSPACE
from ..jobs.registry import default_handlers
from ..jobs.runner import JobRunner
from ..services.bulk_move import MoveReport, start_move, validate_move
from ..services.jobs import abandon_job, get_job, job_view, list_jobs, rollback_job
from ..services.reports import job_report
from ..services.short_ids import resolve_id
from .common import (
    OFFER_CODES,
    confirm,
    console,
    domain_errors,
    fail,
    open_db,
    operator_ctx,
    org_labels,
    print_json,
    print_rows,
)

jobs_app = typer.Typer(
    help="Jobs: list, show, resume, abandon, roll back, report. A job id may be shortened to "
    "any unique prefix.",
    no_args_is_help=True,
)
JOB_ID = typer.Argument(..., help="The job's id, or a unique prefix of it")
YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation")
JSON = typer.Option(False, "--json", help="Print JSON (stable keys) instead of a table")


class Holders(str, Enum):
    """Who a bulk move takes."""

    ALL = "all"
    USERS = "users"
    WORKSPACES = "workspaces"


def job_json(job: Job) -> dict:
    """A job for scripts: the API's GET /v1/callshift/jobs/{id} body (services/jobs.job_view)."""
    return job_view(job)


def report_table(report: MoveReport) -> Table:
    sel = report.plan.selection
    people = report.users - report.workspaces
    table = Table(
        title=f"{sel.source_subscription} → {sel.target_subscription}: {people:,} users"
        + (f", {report.workspaces:,} workspaces" if report.workspaces else "")
    )
    for col in ("licence", "users", "target free", "shortfall", "blocker"):
        table.add_column(
            col, justify="right" if col in ("users", "target free", "shortfall") else "left"
        )
    for o in report.plan.offers:
        table.add_row(
            o.source.name,
            f"{o.users:,}",
            f"{o.target.free_units:,}" if o.target else "—",
            f"[red]{o.shortfall:,}[/]" if o.shortfall else "0",
            o.blocker or "",
        )
    return table


def run_with_progress(db, job_id: str) -> None:
    """Run the job in this process until it is done, with a live bar; Ctrl-C leaves it resumable."""
    ctx = operator_ctx(db)
    job = get_job(ctx, job_id)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "[green]{task.fields[moved]:,} moved[/] [yellow]{task.fields[skipped]:,} "
            "skipped[/] [red]{task.fields[failed]:,} failed[/]"
        ),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        done = lambda j: j.total - j.pending  # noqa: E731
        task = progress.add_task(
            job.status,
            total=job.total,
            completed=done(job),
            moved=job.moved,
            skipped=job.skipped,
            failed=job.failed,
        )

        def update() -> None:
            j = get_job(ctx, job_id)
            progress.update(
                task,
                completed=done(j) if j.phase == "forward" else j.rolled_back,
                description=j.status,
                moved=j.moved,
                skipped=j.skipped,
                failed=j.failed,
            )

        JobRunner(db, default_handlers(), job_id=job_id).run_until_idle(on_batch=update)
        update()


def summary(db, job_id: str) -> None:
    job = get_job(operator_ctx(db), job_id)
    table = Table(title=f"job {job.id}", title_justify="left")
    table.add_column("status")
    for col in ("total", "moved", "skipped", "failed", "pending", "rolled back"):
        table.add_column(col, justify="right")
    table.add_row(
        job.status,
        *(
            f"{n:,}"
            for n in (job.total, job.moved, job.skipped, job.failed, job.pending, job.rolled_back)
        ),
    )
    console.print(table)


def write_report(db, job_id: str, path: Path) -> int:
    """Every item's outcome to a file: CSV for a .csv name, JSON lines otherwise."""
    as_csv = path.suffix.lower() == ".csv"
    return job_report(operator_ctx(db), job_id, as_csv).write_to(path)


@domain_errors
def move(
    source: str = typer.Option(..., "--from", help="Source subscription, e.g. Sub100001"),
    target: str = typer.Option(..., "--to", help="Target subscription, e.g. Sub200001"),
    offer: list[str] = typer.Option(
        None,
        help=f"Only this offer (repeatable), by code: {OFFER_CODES}",
    ),
    emails: Path = typer.Option(
        None,
        exists=True,
        dir_okay=False,
        help="Only the users listed in this file, one email a line",
    ),
    dry_run: bool = typer.Option(False, help="Validate only: print the report, change nothing"),
    yes: bool = YES,
    report: Path = typer.Option(None, help="Write every user's outcome (.json lines or .csv)"),
    batch_size: int = typer.Option(None, min=1, max=100_000, help="Users per transaction"),
    allow_reversal: bool = typer.Option(
        False, help="Move users back to a subscription they left recently (refused otherwise)"
    ),
    holders: Holders = typer.Option(
        Holders.ALL,
        help="Who moves: users and workspaces (and then the locations on the source's PSTN), "
        "or only one kind",
    ),
) -> None:
    """Move every user and workspace of one subscription to another, as swaps, in batches;
    a whole move re-points the locations whose PSTN hangs on the source.

    Example: callshift move --from Sub100001 --to Sub200001 --yes --report moved.csv
    """
    db = open_db()
    ctx = operator_ctx(db)
    wanted = None
    if emails:
        wanted = tuple(
            line.strip() for line in emails.read_text(encoding="utf-8").splitlines() if line.strip()
        )
    kind = {Holders.USERS: PERSON, Holders.WORKSPACES: WORKSPACE}.get(holders)
    sel = Selection(source, target, tuple(offer) if offer else None, None, wanted, kind)
    rep = validate_move(ctx, sel)
    console.print(report_table(rep))
    for b in rep.blocked[:10]:
        console.print(f"[yellow]blocked[/] {b['email']}: {b['reason']}")
    for n in rep.not_found[:10]:
        console.print(f"[yellow]not found[/] {n}")
    if not rep.can_start:
        fail(
            "the move cannot start: "
            + ("the target is short of units" if rep.plan.short else "nobody to move")
        )
    if rep.reversals:
        console.print(
            f"[bold red]{rep.reversals['users']:,} user(s) would move back to a subscription "
            f"they left in the last {rep.reversals['windowDays']} days[/]"
            + ("" if allow_reversal else " (refused without --allow-reversal)")
        )
        if not allow_reversal and not dry_run:
            fail("nothing moved: pass --allow-reversal to move them back")
    if dry_run:
        console.print("dry run: nothing changed")
        return
    if rep.pstn_locations:
        names = ", ".join(name for _, name in rep.pstn_locations)
        console.print(f"the PSTN of {names} moves to {target} too")
    people = rep.users - rep.workspaces
    confirm(
        f"Move {people:,} users and {rep.workspaces:,} workspaces from {source} to {target}?", yes
    )
    job_id = start_move(
        ctx,
        sel,
        batch_size=batch_size or get_settings().job_batch_size,
        allow_reversal=allow_reversal,
    )
    console.print(f"job {job_id} started")
    run_with_progress(db, job_id)
    summary(db, job_id)
    if report:
        console.print(f"{write_report(db, job_id, report):,} outcomes written to {report}")
    if get_job(ctx, job_id).failed:
        raise typer.Exit(1)


def worker(
    poll: float = typer.Option(0.5, help="Seconds between looks when idle"),
    once: bool = typer.Option(False, help="Run until no work is left, then exit"),
) -> None:
    """Run jobs: any number of workers share them on PostgreSQL, none doing an item twice.

    Example: callshift worker
    """
    db = open_db()
    ttl = timedelta(hours=get_settings().preview_ttl_hours)
    runner = JobRunner(db, default_handlers(), preview_ttl=ttl)
    if once:
        runner.run_until_idle()
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    console.print(f"worker {runner.name} waiting for jobs (Ctrl-C to stop)")
    runner.run_forever(stop, poll)


@jobs_app.command("list")
def jobs_list(
    limit: int = typer.Option(20, min=1, help="How many of the newest jobs"),
    as_json: bool = JSON,
) -> None:
    """The newest jobs with their counts (whole ids: any unique prefix names a job)."""
    db = open_db()
    ctx = operator_ctx(db)
    found = list_jobs(ctx, limit)
    if as_json:
        print_json([job_json(j) for j in found])
        return
    orgs = org_labels(ctx)
    print_rows(
        ("organisation",) * bool(orgs)
        + ("id", "kind", "status", "total", "moved", "failed", "pending", "created"),
        (
            (
                *((orgs.get(j.org_id, j.org_id),) if orgs else ()),
                j.id,
                j.kind,
                j.status,
                *(f"{n:,}" for n in (j.total, j.moved, j.failed, j.pending)),
                f"{j.created_at:%Y-%m-%d %H:%M}",
            )
            for j in found
        ),
    )


@jobs_app.command("show")
@domain_errors
def jobs_show(job_id: str = JOB_ID, as_json: bool = JSON) -> None:
    """One job's status and counts."""
    db = open_db()
    ctx = operator_ctx(db)
    job_id = resolve_id(ctx, "job", job_id)
    if as_json:
        print_json(job_json(get_job(ctx, job_id)))
        return
    summary(db, job_id)


@jobs_app.command("resume")
@domain_errors
def jobs_resume(job_id: str = JOB_ID) -> None:
    """Run an unfinished job (or its rollback) to the end in this process; a job that a
    broken batch stopped is tried again (after the fault is fixed)."""
    from ..services.jobs import resume_job

    db = open_db()
    ctx = operator_ctx(db)
    job_id = resolve_id(ctx, "job", job_id)
    resume_job(ctx, job_id)
    run_with_progress(db, job_id)
    summary(db, job_id)


@jobs_app.command("abandon")
@domain_errors
def jobs_abandon(job_id: str = JOB_ID, yes: bool = YES) -> None:
    """Stop a job between batches; what is done stays done."""
    db = open_db()
    job_id = resolve_id(operator_ctx(db), "job", job_id)
    confirm(f"Abandon job {job_id}?", yes)
    abandon_job(operator_ctx(db), job_id)
    summary(db, job_id)


@jobs_app.command("rollback")
@domain_errors
def jobs_rollback(job_id: str = JOB_ID, yes: bool = YES) -> None:
    """Move every user the job moved back where they were, as swaps."""
    db = open_db()
    job_id = resolve_id(operator_ctx(db), "job", job_id)
    confirm(f"Roll back job {job_id}?", yes)
    rollback_job(operator_ctx(db), job_id)
    run_with_progress(db, job_id)
    summary(db, job_id)


@jobs_app.command("report")
@domain_errors
def jobs_report(
    job_id: str = JOB_ID, output: Path = typer.Option(..., help="A .csv or .json file")
) -> None:
    """Every item's outcome, as CSV or JSON lines."""
    db = open_db()
    job_id = resolve_id(operator_ctx(db), "job", job_id)
    console.print(f"{write_report(db, job_id, output):,} outcomes written to {output}")
