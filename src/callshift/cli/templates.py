"""`callshift template show|set|apply`: method 3 from the terminal."""

from __future__ import annotations

import typer
from rich.table import Table

from ..config import get_settings
from ..domain.errors import NotFound
from ..services.directory import org_view
from ..services.groups import list_groups
from ..services.licences import list_licences
from ..services.previews import confirm_preview
from ..services.template_apply import preview_apply
from ..services.templates import list_templates, save_template
from .common import (
    OFFER_CODES,
    confirm,
    console,
    domain_errors,
    fail,
    offer_names,
    open_db,
    operator_ctx,
    print_json,
)
from .csv_cmd import show_reversals
from .move_cmds import run_with_progress, summary

template_app = typer.Typer(help="Licence templates (method 3).", no_args_is_help=True)
DEFAULT_OFFERS = ["BCSTD", "EE", "MS"]
DEFAULT_NAMES = offer_names(DEFAULT_OFFERS)


def _group_id(ctx, name: str | None) -> str | None:
    if name is None:
        return None
    found = [g.id for g in list_groups(ctx) if g.name == name]
    if not found:
        raise NotFound(f"no group named {name!r}")
    return found[0]


def _target(ctx, group: str | None):
    gid = _group_id(ctx, group)
    for tpl in list_templates(ctx):
        if (gid is None and tpl.type == "ORG") or (gid is not None and gid in tpl.group_ids):
            return tpl
    return None


@template_app.command("show")
@template_app.command("list")
def show(
    as_json: bool = typer.Option(False, "--json", help="Print JSON (stable keys), not a table"),
) -> None:
    """The organisation's and the groups' templates (`list` and `show` are the same)."""
    db = open_db()
    ctx = operator_ctx(db)
    lic = {l.id: l for l in list_licences(ctx)}
    locs = {l.id: l.name for l in org_view(ctx).locations}
    groups = {g.id: g.name for g in list_groups(ctx)}
    templates = list_templates(ctx)
    if as_json:
        print_json(
            [
                {
                    "id": tpl.id,
                    "orgId": tpl.org_id,
                    "name": tpl.name,
                    "type": tpl.type,
                    "groups": [{"id": g, "name": groups.get(g)} for g in tpl.group_ids],
                    "licenses": [
                        {
                            "id": l,
                            "name": lic[l].name,
                            "offerCode": lic[l].offer_code,
                            "subscriptionId": lic[l].subscription_id,
                        }
                        for l in tpl.licence_ids
                    ],
                    "locationId": tpl.location_id,
                    "location": locs.get(tpl.location_id),
                }
                for tpl in templates
            ]
        )
        return
    for tpl in templates:  # one block a template: its licences are too long for a table row
        print(f"{tpl.id}  {tpl.name} ({tpl.type})")
        if tpl.group_ids:
            print("  groups: " + ", ".join(groups.get(g, g) for g in tpl.group_ids))
        for l in tpl.licence_ids:
            print(f"  {lic[l].name} [{lic[l].subscription_id}]")
        if tpl.location_id:
            print(f"  calling users get location: {locs.get(tpl.location_id, tpl.location_id)}")


@template_app.command("set")
@domain_errors
def set_template(
    subscription: str = typer.Option(
        ..., "--subscription", "-s", help="Licences come from this subscription"
    ),
    offer: list[str] = typer.Option(
        None,
        help=f"An offer to tick (repeatable), by code: {OFFER_CODES}. Default: {DEFAULT_NAMES}",
    ),
    location: str = typer.Option(None, help="Location name for calling users"),
    group: str = typer.Option(None, help="The group's template instead of the org's"),
    name: str = typer.Option(None, help="Template name"),
) -> None:
    """Tick licences of a subscription in a template (creates or replaces it).

    Example: callshift template set --subscription Sub200001 --location "Tel Aviv HQ"
    """
    db = open_db()
    ctx = operator_ctx(db)
    codes = offer or DEFAULT_OFFERS
    lic = [
        l for l in list_licences(ctx) if l.subscription_id == subscription and l.offer_code in codes
    ]
    locs = {l.name: l.id for l in org_view(ctx).locations}
    if not lic:
        fail(f"{subscription} has none of the offers {offer_names(codes)}")
    loc = None
    if location:
        loc = locs.get(location) or fail(f"no location named {location!r}")
    elif any(l.offer.is_calling for l in lic):
        loc = (
            next(iter(sorted(locs.items())))[1]
            if len(locs) == 1
            else fail(
                "a template with calling needs --location (one of: " + ", ".join(sorted(locs)) + ")"
            )
        )
    gid = _group_id(ctx, group)
    current = _target(ctx, group)
    tpl = save_template(
        ctx,
        None,
        name or (current.name if current else group or "Organisation"),
        "GROUP" if gid else "ORG",
        [l.id for l in lic],
        [gid] if gid else [],
        loc,
        current.id if current else None,
    )
    console.print(
        f"template {tpl.name!r} ({tpl.id}) saved with "
        + ", ".join(f"{l.name} [{l.subscription_id}]" for l in lic),
        highlight=False,
    )
    console.print(
        "it applies to new users now; `callshift template apply --existing` changes existing ones"
    )


@template_app.command("apply")
@domain_errors
def apply(
    group: str = typer.Option(None, help="The group's template instead of the org's"),
    existing: bool = typer.Option(
        False,
        help="Apply to existing users (the only thing to apply: new users get it automatically)",
    ),
    preserve: bool = typer.Option(
        True,
        "--preserve/--no-preserve",
        help="--preserve (the default) only adds the template's licences; --no-preserve also "
        "swaps and removes the licences the template replaces",
    ),
    allow_data_loss: bool = typer.Option(False, help="Confirm removals that purge calling"),
    allow_reversal: bool = typer.Option(
        False,
        help="Apply even when users would move back to a subscription they left recently",
    ),
    dry_run: bool = typer.Option(False, help="Preview only"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation"),
) -> None:
    """Apply a template to existing users: preview, then a resumable job.

    Example: callshift template apply --existing --no-preserve --yes
    """
    if not existing:
        console.print(
            "new users get the template when they are created; "
            "pass --existing to change existing users"
        )
        return
    db = open_db()
    ctx = operator_ctx(db)
    tpl = _target(ctx, group) or fail("no such template: `callshift template set` first")
    p = preview_apply(
        ctx,
        tpl.id,
        preserve=preserve,
        allow_data_loss=allow_data_loss,
        batch_size=get_settings().job_batch_size,
    )
    lic = {l.id: l for l in list_licences(ctx, tpl.org_id)}
    table = Table(
        title=f"{tpl.name}: {p.in_scope:,} users in scope, {p.changing:,} change, "
        f"{p.unchanged:,} already match, {p.failing:,} cannot"
    )
    for col in ("licence", "add", "remove", "free", "shortfall"):
        table.add_column(col)
    for lid, v in p.per_licence.items():
        table.add_row(
            f"{lic[lid].name} [{lic[lid].subscription_id}]",
            f"{v['add']:,}",
            f"{v['remove']:,}",
            f"{v['free']:,}",
            f"[red]{v['shortfall']:,}[/]" if v["shortfall"] else "0",
        )
    console.print(table)
    for line in p.summary.get("sentences", []):  # what happens, in words
        bad = "with no replacement" in line
        console.print(f"[bold red]{line}[/]" if bad else line, highlight=False)
    if p.reversals:
        show_reversals(p.reversals)
    if p.purges:
        console.print(
            f"[bold red]{p.purges:,} users would lose their calling data[/]"
            + ("" if allow_data_loss else " (refused without --allow-data-loss)")
        )
    if p.notes:
        console.print(f"[yellow]{p.notes:,} users have notes (e.g. no calling data to give)[/]")
    if dry_run:
        console.print("dry run: nothing changed")
        return
    if not p.can_start:
        fail("the template cannot be applied as it stands (see above)")
    if p.reversals and not allow_reversal:
        fail(
            f"nothing applied: {p.reversals['users']:,} user(s) would move back to a "
            "subscription they left recently; pass --allow-reversal to apply anyway"
        )
    confirm(f"Apply {tpl.name!r} to {p.changing:,} users?", yes)
    confirm_preview(ctx, p.job_id, allow_reversal=allow_reversal)
    run_with_progress(db, p.job_id)
    summary(db, p.job_id)
