"""`callshift subscription …` (readiness, guarded cancellation) and `callshift recycle …`."""

from __future__ import annotations

import typer
from rich.table import Table

from ..domain.model import SubscriptionStatus
from ..services.directory import org_view
from ..services.short_ids import resolve_id
from ..services.subscriptions import (
    SubscriptionUse,
    cancel_subscription,
    list_recycle_bin,
    restore,
    set_subscription_status,
    subscription_use,
)
from .common import (
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

subscription_app = typer.Typer(
    help="Subscriptions: usage, readiness, cancellation.", no_args_is_help=True
)
recycle_app = typer.Typer(help="The recycle bin of purged calling profiles.", no_args_is_help=True)
SUB_ID = typer.Argument(..., help="The subscription's id, e.g. Sub100001")
YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation")
JSON = typer.Option(False, "--json", help="Print JSON (stable keys) instead of a table")


@subscription_app.command("list")
def sub_list(as_json: bool = JSON) -> None:
    """Every subscription with its status and usage per licence, by organisation."""
    db = open_db()
    ctx = operator_ctx(db)
    views = [org_view(ctx, org) for org in sorted(ctx.principal.org_ids)]
    if as_json:
        print_json(
            [
                {
                    "id": v.subscription.id,
                    "orgId": org.id,
                    "orgName": org.name,
                    "partner": v.partner,
                    "status": v.subscription.status.value,
                    "licenses": [
                        {
                            "id": lic.id,
                            "name": lic.name,
                            "offerCode": lic.offer_code,
                            "consumedUnits": lic.consumed_units,
                            "totalUnits": lic.total_units,
                        }
                        for lic in v.licences
                    ],
                }
                for org in views
                for v in org.subscriptions
            ]
        )
        return
    several = len(views) > 1  # one organisation needs no column saying which
    print_rows(
        ("organisation",) * several + ("subscription", "status", "licence", "consumed / total"),
        (
            (
                *((org.name,) * several),
                view.subscription.id,
                view.subscription.status.value,
                lic.name,
                f"{lic.consumed_units:,} / {lic.total_units:,}",
            )
            for org in views
            for view in org.subscriptions
            for lic in view.licences
        ),
    )


def _readiness_table(use: SubscriptionUse) -> Table:
    table = Table(
        title=f"{use.subscription_id} still has {use.users:,} user(s) "
        f"({use.assignments:,} licence assignment(s))"
    )
    table.add_column("licence")
    table.add_column("users holding it", justify="right")
    for lid, n in use.per_licence.items():
        table.add_row(use.names.get(lid, lid), f"{n:,}")
    return table


@subscription_app.command("readiness")
@domain_errors
def sub_readiness(sub_id: str = SUB_ID) -> None:
    """Users still on the subscription, and per licence (none: ready to cancel)."""
    use = subscription_use(operator_ctx(open_db()), sub_id)
    if use.ready:
        console.print(f"{sub_id} has no users left: ready to cancel")
        return
    console.print(_readiness_table(use))


@subscription_app.command("cancel")
@domain_errors
def sub_cancel(
    sub_id: str = SUB_ID,
    force: bool = typer.Option(False, help="Purge remaining users into the recycle bin"),
    yes: bool = YES,
) -> None:
    """Cancel a subscription: refused while users remain (move them first), unless --force.

    Example: callshift subscription cancel Sub100001
    """
    db = open_db()
    ctx = operator_ctx(db)
    use = subscription_use(ctx, sub_id)
    if not use.ready and not force:
        console.print(_readiness_table(use))
        fail(
            f"{sub_id} still has {use.users:,} user(s): move them first (callshift move), "
            "or --force to purge their calling data into the recycle bin"
        )
    if not use.ready:
        console.print(_readiness_table(use))
        console.print(
            f"[bold red]{use.users:,} user(s) lose the subscription's licences; "
            f"{use.calling_users:,} lose their calling profile, kept in the recycle bin for "
            f"{use.retention_days} days (callshift recycle restore).[/]"
        )
    confirm(f"Cancel {sub_id}?", yes)
    purged = cancel_subscription(ctx, sub_id, force)
    console.print(f"{sub_id} cancelled; {purged:,} users purged into the recycle bin")


@subscription_app.command("suspend")
@domain_errors
def sub_suspend(sub_id: str = SUB_ID) -> None:
    """Suspend: nothing new comes from it; users can still be moved off."""
    set_subscription_status(operator_ctx(open_db()), sub_id, SubscriptionStatus.SUSPENDED)
    console.print(f"{sub_id} suspended")


@subscription_app.command("activate")
@domain_errors
def sub_activate(sub_id: str = SUB_ID) -> None:
    """Reactivate a suspended subscription."""
    set_subscription_status(operator_ctx(open_db()), sub_id, SubscriptionStatus.ACTIVE)
    console.print(f"{sub_id} active")


@recycle_app.command("list")
def recycle_list(
    limit: int = typer.Option(50, min=1, help="How many entries per organisation"),
    as_json: bool = JSON,
) -> None:
    """Purged calling profiles, newest first (any unique prefix of an id names an entry)."""
    db = open_db()
    ctx = operator_ctx(db)
    orgs = sorted(ctx.principal.org_ids)
    entries = [e for org in orgs for e in list_recycle_bin(ctx, org, limit)]
    if as_json:
        print_json(
            [
                {
                    "id": e.id,
                    "orgId": e.org_id,
                    "userId": e.user_id,
                    "type": e.kind,
                    "name": e.name,
                    "email": e.email,
                    "extension": e.profile.extension,
                    "phoneNumber": e.profile.phone_number,
                    "purged": e.purged_at.isoformat(),
                    "expires": e.expires_at.isoformat(),
                    "reason": e.reason,
                }
                for e in entries
            ]
        )
        return
    names = org_labels(ctx)
    print_rows(
        ("organisation",) * bool(names)
        + ("id", "type", "name", "email", "extension", "number", "purged", "expires", "reason"),
        (
            (
                *((names.get(e.org_id, e.org_id),) if names else ()),
                e.id,
                e.kind,
                e.name,
                e.email,
                e.profile.extension or "",
                e.profile.phone_number or "",
                f"{e.purged_at:%Y-%m-%d %H:%M}",
                f"{e.expires_at:%Y-%m-%d}",
                e.reason,
            )
            for e in entries
        ),
    )


@recycle_app.command("restore")
@domain_errors
def recycle_restore(
    entry_ids: list[str] = typer.Argument(
        ..., help="Recycle bin entry ids (each may be a unique prefix)"
    ),
    yes: bool = YES,
) -> None:
    """Put purged profiles back exactly as they were, PIN included (all or none)."""
    db = open_db()
    ctx = operator_ctx(db)
    entry_ids = [resolve_id(ctx, "recycle entry", given) for given in entry_ids]
    confirm(f"Restore {len(entry_ids)} profile(s)?", yes)
    restored = restore(ctx, entry_ids)
    console.print(f"{len(restored)} profile(s) restored")
