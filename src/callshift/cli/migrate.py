"""`callshift migrate`: the migration engine against any Webex-compatible API.

plan → run → verify, with status, resume and rollback; every command but status and plan
works on a run of the journal (the latest unless --run says which).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import typer
from prometheus_client import write_to_textfile
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..engine import report
from ..engine.client import METRICS, EngineError, Fatal, WebexClient
from ..engine.execute import ROLLBACK, RUN, Direction, execute
from ..engine.journal import Journal, JournalError, Run
from ..engine.pacing import Pacer
from ..engine.plan import make_plan, shortages
from ..engine.schedules import SCHEDULES
from ..engine.verify import verify as verify_run
from .common import confirm, console, err, fail

migrate_app = typer.Typer(
    help=(
        "Move users and workspaces between subscriptions on any Webex-compatible API "
        "(callshift or Webex)."
    ),
    no_args_is_help=True,
)

BASE_HELP = "API base URL, e.g. https://webexapis.com/v1 or http://127.0.0.1:8000/v1"
BaseUrl = typer.Option(None, "--base-url", envvar="CALLSHIFT_API_URL", help=BASE_HELP)
Token = typer.Option(
    None,
    "--token",
    envvar="CALLSHIFT_API_TOKEN",
    show_default=False,
    help="Bearer token of an admin (better: CALLSHIFT_API_TOKEN)",
)
JournalPath = typer.Option(
    Path("callshift-migrate.sqlite"),
    "--journal",
    envvar="CALLSHIFT_JOURNAL",
    help="The local journal (SQLite)",
)
RunId = typer.Option(None, "--run", help="Run id (default: the journal's latest)")
Reports = typer.Option(
    None,
    "--reports",
    help="Directory for CSV/JSON reports (default: <journal>-reports next to the journal)",
)
Concurrency = typer.Option(8, "--concurrency", min=1, max=256, help="Requests in flight at most")
Timeout = typer.Option(30.0, "--timeout", min=0.1, help="Seconds before a request times out")
Yes = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation")


def _journal(path: Path, create: bool = False) -> Journal:
    if not create and not path.exists():
        fail(
            f"no journal at {path}: make a plan first (`callshift migrate plan`) or pass --journal"
        )
    try:
        return Journal(path)
    except Exception as e:
        fail(f"cannot open the journal {path}: {e}")


def _reports(reports: Path | None, journal: Path) -> Path:
    return reports or journal.with_name(journal.name + "-reports")


def _client(
    base_url: str | None,
    token: str | None,
    concurrency: int,
    timeout: float,
    run: Run | None = None,
    on_event=None,
) -> WebexClient:
    if run is not None:
        if base_url and base_url.rstrip("/") != run.base_url:
            fail(f"run {run.id} was planned against {run.base_url}, not {base_url}")
        base_url = run.base_url
    if not base_url:
        fail("give --base-url (or CALLSHIFT_API_URL), e.g. https://webexapis.com/v1")
    if not token:
        fail("give --token (or CALLSHIFT_API_TOKEN): an admin's bearer token")
    return WebexClient(base_url, token, Pacer(concurrency), timeout=timeout, on_event=on_event)


def _run(coro: Coroutine) -> Any:
    try:
        return asyncio.run(coro)
    except Fatal as e:
        fail(f"the server refused the token: {e}")
    except (EngineError, JournalError) as e:
        fail(str(e))


async def _closing(client: WebexClient, coro: Coroutine) -> Any:
    try:
        return await coro
    finally:
        await client.aclose()


@migrate_app.command()
def plan(
    source: str = typer.Option(..., "--from", help="Subscription to move off, e.g. Sub100001"),
    target: str = typer.Option(..., "--to", help="Subscription to move onto, e.g. Sub200001"),
    org_id: str = typer.Option(None, "--org-id", help="Organisation (partner admins)"),
    base_url: str = BaseUrl,
    token: str = Token,
    journal: Path = JournalPath,
    reports: Path = Reports,
    concurrency: int = Concurrency,
    timeout: float = Timeout,
) -> None:
    """Read, snapshot and judge a move; write nothing to the server (the dry run).

    Example: callshift migrate plan --from Sub100001 --to Sub200001
    """
    client = _client(base_url, token, concurrency, timeout)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"reading {stage}", total=total)
            bar.update(tasks[stage], completed=done, total=total)

        result = _run(
            _closing(
                client,
                make_plan(
                    client, source, target, org_id, workers=concurrency * 2, progress=progress
                ),
            )
        )
    j = _journal(journal, create=True)
    run_id = j.create_run(
        client.base,
        org_id,
        source,
        target,
        result.summary(),
        result.users,
        "planned" if result.runnable else "blocked",
    )
    run = j.run(run_id)
    csv_path, _ = report.run_report(j, run, "plan", _reports(reports, journal))
    _print_plan(result, run)
    console.print(f"report: {csv_path} (and .json)")
    if not result.runnable:
        fail("the plan cannot run: " + "; ".join(result.blockers))
    console.print(f"next: callshift migrate run --run {run_id}")


def _print_plan(result, run: Run) -> None:
    table = Table(title=f"capacity on {result.target}")
    for col in ("licence", "free", "needed", "after", ""):
        table.add_column(col)
    for row in result.capacity:
        flag = f"[bold red]{row['short']} short[/]" if row["short"] else "[green]ok[/]"
        table.add_row(
            row["name"],
            str(row["free"]),
            str(row["needed"]),
            str(row["free"] - row["needed"]),
            flag,
        )
    console.print(table)
    movable = sum(1 for u in result.users if not u.blocker and not u.is_workspace)
    console.print(
        f"run {run.id}: {movable} users to move from {result.source} to "
        f"{result.target}; {result.already_moved} already on the target"
    )
    _print_workspaces(result)
    for change, n in sorted(result.changes.items()):
        console.print(f"  {n:>7}  {change}")
    shown = result.settings.get("snapshotted") or []
    hidden = result.settings.get("notExposed") or []
    if shown or hidden:
        # the person's schedules are read beside the catalogue's settings: said apart
        counted = [n for n in shown + hidden if n != SCHEDULES]
        read = [n for n in shown if n != SCHEDULES]
        console.print(
            f"  calling settings snapshotted: {len(read)} of {len(counted)}"
            + (", and each person's schedules" if SCHEDULES in shown else "")
        )
    if hidden:  # once per run: these are not asked again for the other users
        console.print(
            "  [yellow]not exposed by the target (404/405), not snapshotted for anyone:[/] "
            + ", ".join(hidden)
        )
    for reason, n in sorted(result.user_blockers.items()):
        console.print(f"  [yellow]{n:>7} left alone[/]: {reason}")
    notes = Counter(note for u in result.users for note in u.notes)
    for note, n in sorted(notes.items()):
        console.print(f"  {n:>7}  note: {note}")
    for blocker in result.blockers:
        console.print(f"[bold red]blocked:[/] {blocker}")


def _print_workspaces(result) -> None:
    ws = result.workspaces
    if not ws:
        return
    movable = sum(1 for u in result.users if not u.blocker and u.is_workspace)
    console.print(
        f"  and {movable} workspaces to move; {ws.get('alreadyMoved', 0)} already on the target"
    )
    if ws.get("unplannable"):
        console.print(
            f"  [bold red]{ws['unplannable']} workspaces with Webex Calling not planned:[/] "
            + ws["why"]
        )
    shown = (ws.get("settings") or {}).get("snapshotted") or []
    hidden = (ws.get("settings") or {}).get("notExposed") or []
    if movable and (shown or hidden):
        console.print(
            f"  workspaces' calling settings snapshotted: {len(shown)} of "
            f"{len(shown) + len(hidden)}"
        )
    if movable and hidden:  # once per run: not asked again for the other workspaces
        console.print(
            "  [yellow]not exposed by the target for workspaces (404/405), not snapshotted "
            "for any:[/] " + ", ".join(hidden)
        )


class Bar:
    """The Rich progress bar of run/resume/rollback, and the loud lines above it."""

    def __init__(self, total: int, title: str):
        self.counts: Counter[str] = Counter()
        self.progress = Progress(
            TextColumn(title),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TextColumn(
                "retries {task.fields[retry]} · 429s {task.fields[throttled]} · "
                "repaired {task.fields[repaired]} · failed {task.fields[failed]}"
            ),
            console=err,
        )
        self.task = self.progress.add_task(
            title, total=total, rate="", retry=0, throttled=0, repaired=0, failed=0
        )

    def event(self, kind: str, user=None, message: str = "") -> None:
        self.counts[kind] += 1
        if kind == "lost":
            self.progress.console.print(f"[bold red]REMOVED WITHOUT ADD[/] {message}")
        elif kind == "restored":
            self.progress.console.print(
                f"[bold yellow]REPAIRED[/] {user.email}: licence given back, settings written "
                f"back. NOT restored: {message}"
            )
        elif kind == "failed":
            self.progress.console.print(f"[red]failed[/] {user.email}: {message}")
        elif kind == "unfinished":
            self.progress.console.print(f"[yellow]left for resume[/] {user.email}: {message}")
        advance = 1 if kind in ("done", "repaired", "failed", "unfinished") else 0
        task = self.progress.tasks[0]
        elapsed = task.elapsed or 0
        rate = f"{(task.completed + advance) / elapsed:.1f} users/s" if elapsed > 0.5 else ""
        self.progress.update(
            self.task,
            advance=advance,
            rate=rate,
            retry=self.counts["retry"],
            throttled=self.counts["throttled"],
            repaired=self.counts["repaired"],
            failed=self.counts["failed"],
        )


def _execute(
    direction: Direction,
    base_url,
    token,
    journal: Path,
    run_id,
    reports,
    concurrency,
    timeout,
    yes: bool,
    retry_failed: bool,
    resuming: bool,
) -> None:
    j = _journal(journal)
    try:
        j.lock()
    except JournalError as e:
        fail(str(e))
    run = _run_of(j, run_id)
    if run.status == "blocked":
        fail(
            f"run {run.id} is blocked and cannot run: " + "; ".join(run.summary.get("blockers", []))
        )
    started = run.started is not None
    if direction is RUN and started and not resuming:
        fail(f"run {run.id} has already started: `callshift migrate resume --run {run.id}`")
    if direction is RUN and resuming and not started:
        fail(f"run {run.id} has not started yet: `callshift migrate run --run {run.id}`")
    states = direction.start + ((direction.failed,) if retry_failed else ())
    users = j.users(run.id, states, with_snapshot=False)
    if not users:
        console.print(
            f"run {run.id}: nobody left to {'roll back' if direction is ROLLBACK else 'move'}"
        )
        return
    verb = "roll back" if direction is ROLLBACK else ("resume moving" if resuming else "move")
    where = (
        f"{run.target} to {run.source}"
        if direction is ROLLBACK
        else f"{run.source} to {run.target}"
    )
    spaces = sum(1 for u in users if u.is_workspace)
    what = f"{len(users) - spaces} users" + (f" and {spaces} workspaces" if spaces else "")
    confirm(f"{verb} {what} from {where} on {run.base_url}?", yes)
    bar = Bar(len(users), "rolling back" if direction is ROLLBACK else "moving")
    client = _client(base_url, token, concurrency, timeout, run, on_event=bar.event)

    async def go() -> dict[str, int]:
        check = [
            u
            for u in users
            if u.state in (("planned",) if direction is RUN else ("moved", "repaired"))
        ]
        short = shortages(await client.licences(run.org_id), check, reverse=direction is ROLLBACK)
        if short:
            raise EngineError("refused before any change: " + "; ".join(short))
        return await execute(client, j, run, direction, retry_failed, concurrency * 4, bar.event)

    with bar.progress:
        counts = _run(_closing(client, go()))
    _summary(j, run, direction, counts, bar, _reports(reports, journal))
    _engine_metrics(client, _reports(reports, journal) / f"{run.id}-{direction.name}.prom")


def _engine_metrics(client: WebexClient, path: Path) -> None:
    """The engine's requests, retries and 429s: a line here, Prometheus text beside the
    reports (a textfile collector can pick it up)."""
    t = client.tally
    console.print(
        f"engine: {t.requests} requests, {t.retries} retries, {t.throttled} answered 429",
        highlight=False,
    )
    write_to_textfile(str(path), METRICS)


def _run_of(j: Journal, run_id: str | None) -> Run:
    try:
        return j.run(run_id)
    except JournalError as e:
        fail(str(e))


def _summary(
    j: Journal, run: Run, direction: Direction, counts: dict[str, int], bar: Bar, reports: Path
) -> None:
    run = j.run(run.id)
    csv_path, _ = report.run_report(
        j, run, direction.name, reports, {"requests": bar.counts, "retries": bar.counts["retry"]}
    )
    console.print(
        f"run {run.id}: {run.status}; "
        + ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))
    )
    spaces = j.counts_by_kind(run.id).get("workspace")
    if spaces:
        console.print(
            "  of which workspaces: "
            + ", ".join(f"{state} {n}" for state, n in sorted(spaces.items()))
        )
    repaired = [u for u in j.users(run.id, with_snapshot=False) if u.losses]
    if repaired:
        console.print(
            f"[bold red]{len(repaired)} users lost their calling licence to a "
            "remove-without-add and were repaired.[/] Their voicemail PIN cannot be "
            "restored through Webex's API: each must set a new one. "
            f"They are listed with every loss in {csv_path}"
        )
    console.print(f"report: {csv_path} (and .json)")
    failed = counts.get(direction.failed, 0)
    left = sum(counts.get(s, 0) for s in direction.start)
    if direction is RUN and left:
        console.print(
            f"[yellow]{left} users not finished[/]: `callshift migrate resume --run {run.id}`"
        )
    if failed or (direction is RUN and left):
        raise typer.Exit(1)


@migrate_app.command()
def run(
    base_url: str = BaseUrl,
    token: str = Token,
    journal: Path = JournalPath,
    run_id: str = RunId,
    reports: Path = Reports,
    concurrency: int = Concurrency,
    timeout: float = Timeout,
    yes: bool = Yes,
) -> None:
    """Move every user and workspace of a plan: one swap each, journalled before and after.

    Example: callshift migrate run --yes
    """
    _execute(
        RUN,
        base_url,
        token,
        journal,
        run_id,
        reports,
        concurrency,
        timeout,
        yes,
        False,
        resuming=False,
    )


@migrate_app.command()
def resume(
    base_url: str = BaseUrl,
    token: str = Token,
    journal: Path = JournalPath,
    run_id: str = RunId,
    reports: Path = Reports,
    concurrency: int = Concurrency,
    timeout: float = Timeout,
    yes: bool = Yes,
    retry_failed: bool = typer.Option(False, help="Try the failed users again too"),
) -> None:
    """Finish an interrupted run: users in flight are re-read first, nobody is repeated.

    Example: callshift migrate resume --yes
    """
    _execute(
        RUN,
        base_url,
        token,
        journal,
        run_id,
        reports,
        concurrency,
        timeout,
        yes,
        retry_failed,
        resuming=True,
    )


@migrate_app.command()
def rollback(
    base_url: str = BaseUrl,
    token: str = Token,
    journal: Path = JournalPath,
    run_id: str = RunId,
    reports: Path = Reports,
    concurrency: int = Concurrency,
    timeout: float = Timeout,
    yes: bool = Yes,
    retry_failed: bool = typer.Option(False, help="Try failed rollbacks again too"),
) -> None:
    """Move every user and workspace the run moved back to the source subscription.

    Example: callshift migrate rollback --yes
    """
    _execute(
        ROLLBACK,
        base_url,
        token,
        journal,
        run_id,
        reports,
        concurrency,
        timeout,
        yes,
        retry_failed,
        resuming=False,
    )


@migrate_app.command()
def verify(
    base_url: str = BaseUrl,
    token: str = Token,
    journal: Path = JournalPath,
    run_id: str = RunId,
    reports: Path = Reports,
    concurrency: int = Concurrency,
    timeout: float = Timeout,
) -> None:
    """Re-read every moved (or rolled back) user and workspace and compare with the snapshot.

    Example: callshift migrate verify
    """
    j = _journal(journal)
    run = _run_of(j, run_id)
    client = _client(base_url, token, concurrency, timeout, run)
    with Progress(
        TextColumn("verifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("verify", total=None)
        checked, diffs = _run(
            _closing(
                client,
                verify_run(
                    client,
                    j,
                    run,
                    workers=concurrency * 2,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                ),
            )
        )
    csv_path, _ = report.verify_report(run, checked, diffs, _reports(reports, journal))
    new = [d for d in diffs if not d.known_loss]
    known = len(diffs) - len(new)
    spaces = sum(
        n
        for state, n in j.counts_by_kind(run.id).get("workspace", {}).items()
        if state in ("moved", "repaired", "rolled_back")
    )
    checked_text = f"{checked - spaces} users" + (f" and {spaces} workspaces" if spaces else "")
    console.print(
        f"run {run.id}: {checked_text} checked, {len(new)} differences"
        + (f", {known} known losses reported at repair" if known else "")
    )
    for d in new[:20]:
        console.print(f"  [red]{d.email}[/] {d.field}: expected {d.expected!r}, found {d.actual!r}")
    console.print(f"report: {csv_path} (and .json)")
    if new:
        raise typer.Exit(1)


@migrate_app.command()
def status(
    journal: Path = JournalPath,
    run_id: str = RunId,
    all_runs: bool = typer.Option(False, "--all", help="List every run of the journal"),
) -> None:
    """What the journal says: runs, users per state, who is in flight (no server needed).

    Example: callshift migrate status
    """
    j = _journal(journal)
    if all_runs:
        for r in j.runs():
            console.print(f"{r.id}  {r.status:<20} {r.source} → {r.target}  {r.base_url}")
        return
    run = _run_of(j, run_id)
    console.print(f"run {run.id}: {run.status}, {run.source} → {run.target} on {run.base_url}")
    console.print(
        f"planned {run.created}; started {run.started or '-'}; finished {run.finished or '-'}"
    )
    table = Table()
    table.add_column("state")
    table.add_column("users", justify="right")
    for state, n in sorted(j.counts(run.id).items()):
        table.add_row(state, str(n))
    console.print(table)
    for blocker in run.summary.get("blockers", []):
        console.print(f"[bold red]blocked:[/] {blocker}")
    for u in j.users(
        run.id, ("moving", "repairing", "rolling_back", "repairing_back"), with_snapshot=False
    )[:20]:
        console.print(f"  in flight: {u.email} ({u.state}); resume re-reads it first")
