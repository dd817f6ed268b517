"""callshift: serve, seed, demo, token, user move, db."""

from __future__ import annotations

import secrets
import time

import typer
from rich.table import Table

from ..config import get_settings
from ..domain.access import Role
from ..services.accounts import create_account
from ..services.system import holds_no_organisation
from ..services.tokens import issue_token, revoke_token
from .accounts import account_app, token_app
from .common import console, err, fail, open_db, operator_ctx, org_ids
from .csv_cmd import csv_app
from .migrate import migrate_app
from .move_cmds import jobs_app, move, worker
from .subscriptions import recycle_app, subscription_app
from .templates import template_app
from .users import user_app
from .workspaces import workspace_app

app = typer.Typer(
    help="callshift: move Webex Calling users between subscriptions, losing nothing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(workspace_app, name="workspace")
app.add_typer(migrate_app, name="migrate")
app.add_typer(jobs_app, name="jobs")
app.add_typer(subscription_app, name="subscription")
app.add_typer(recycle_app, name="recycle")
app.add_typer(csv_app, name="csv")
app.add_typer(template_app, name="template")
app.add_typer(account_app, name="account")
app.command()(move)
app.command()(worker)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration (the server and the CLI also do this on start)."""
    open_db(migrate=True)
    console.print("database schema is up to date")


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to bind (default CALLSHIFT_HOST)"),
    port: int = typer.Option(None, help="Port (default CALLSHIFT_PORT)"),
    workers: int = typer.Option(1, help="Worker processes (PostgreSQL only)"),
) -> None:
    """Serve the API (/v1), its docs (/docs), the admin UI (/ui/), /health and /metrics.

    Example: callshift serve --port 8000
    """
    import uvicorn

    settings = get_settings()
    db = open_db(migrate=True)
    if workers > 1 and db.is_sqlite:
        fail("SQLite has one writer: run several workers on PostgreSQL only")
    db.dispose()
    uvicorn.run(
        "callshift.bootstrap:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="warning",
    )


@app.command()
def seed(
    users: int = typer.Option(5000, min=1, max=5_000_000, help="Users in the main organisation"),
    rng_seed: int = typer.Option(42, help="Random seed, for repeatable data"),
    workspaces: int = typer.Option(
        None, min=0, help="Webex Calling workspaces beside the users (default: 5 % of them)"
    ),
) -> None:
    """Fill an empty database with the demo: two partners, two subscriptions, N users, their
    workspaces (one in five hot desk only) and a location on the old subscription's PSTN.

    Example: callshift seed --users 1000000
    """
    db = open_db(migrate=True)
    if not holds_no_organisation(db):
        fail(
            "the database already holds organisations; seed needs an empty one "
            "(point CALLSHIFT_DATABASE_URL at a new file or database)"
        )
    _seed(db, users, rng_seed, workspaces)


def _seed(db, users: int, rng_seed: int = 42, workspaces: int | None = None):
    from rich.progress import Progress

    from ..seed import seed as run_seed

    started = time.perf_counter()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("seeding users", total=users + 20)
        summary = run_seed(
            db,
            users,
            rng_seed,
            progress=lambda n: progress.update(task, completed=n),
            workspaces=users // 20 if workspaces is None else workspaces,
        )
    took = time.perf_counter() - started
    table = Table(title=f"seeded in {took:.1f} s")
    table.add_column("what")
    table.add_column("value")
    table.add_row("main organisation", summary.main_org_id)
    table.add_row("users", f"{summary.users:,}")
    table.add_row("workspaces", f"{summary.workspaces:,}")
    table.add_row("old subscription (Old Partner Ltd)", summary.old_subscription)
    table.add_row("new subscription (New Partner Inc)", summary.new_subscription)
    table.add_row("second organisation", summary.other_org_id)
    console.print(table)
    return summary


def demo_admin(db) -> tuple[str, str]:
    """A full-admin UI account of this database's main organisation, with a fresh random
    password: (email, password). Each run makes its own (only a hash is stored, so an old
    one's password cannot be shown again)."""
    email = f"demo-admin-{secrets.token_hex(3)}@callshift.example"
    password = secrets.token_urlsafe(12)
    create_account(db, email, password, Role.FULL_ADMIN, org_id=org_ids(db)[0])
    return email, password


@app.command()
def demo(
    users: int = typer.Option(5000, min=1, help="Users to seed when the database is empty"),
    host: str = typer.Option("127.0.0.1", help="Address to bind"),
    port: int = typer.Option(8000, help="Port to serve on"),
) -> None:
    """Seed an empty database if needed, make a demo admin (UI sign-in) and an API token,
    print them, and serve.

    Example: callshift demo
    """
    import uvicorn

    db = open_db(migrate=True)
    if holds_no_organisation(db):
        _seed(db, users)
    demo_token = issue_token(
        db, Role.FULL_ADMIN, org_id=org_ids(db)[0], name="demo", actor="cli:demo"
    )
    secret = demo_token.secret
    email, password = demo_admin(db)
    url = f"http://{host}:{port}"
    # plain print, one fact a line: nothing wrapped, so every line copies and parses whole
    lines = [
        "",
        f"callshift is at {url}",
        f"  admin UI:  {url}/ui/",
        f"  email:     {email}",
        f"  password:  {password}",
        f"  API docs:  {url}/docs",
        "full-admin API token (shown once):",
        secret,
        "try:",
        f"curl -H 'Authorization: Bearer {secret}' {url}/v1/licenses",
        "",
    ]
    print("\n".join(lines), flush=True)
    try:
        uvicorn.run(
            "callshift.bootstrap:create_app",
            factory=True,
            host=host,
            port=port,
            log_level="warning",
        )
    finally:  # the demo's token lives as long as the demo
        revoke_token(operator_ctx(db), demo_token.id)
        db.dispose()
