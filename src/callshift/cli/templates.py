"""`callshift template show|set|apply`: method 3 from the terminal.

A template change meant for existing users too (``set --existing``) is previewed as a draft
before anything is saved, as the UI does (template_apply.preview_draft): the preview in words,
then one question for saving and applying together (previews.confirm_preview saves the draft
in the transaction that starts the apply). A dry run, a refusal or an answer of "n" discards
the preview: nothing saved, no preview left behind. ``apply`` previews a template already
saved (one changed through the API's PUT, or saved for new users only)."""

from __future__ import annotations

import typer
from rich.table import Table

from ..config import get_settings
from ..domain.errors import NotFound
from ..services.directory import org_view
from ..services.groups import list_groups
from ..services.licences import list_licences
from ..services.previews import confirm_preview, discard_preview
from ..services.template_apply import TemplatePreview, preview_apply, preview_draft
from ..services.templates import TemplateDraft, list_templates, save_template
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


PRESERVE = typer.Option(
    True,
    "--preserve/--no-preserve",
    help="--preserve (the default) only adds the template's licences; --no-preserve also "
    "swaps and removes the licences the template replaces",
)
ALLOW_DATA_LOSS = typer.Option(
    False, "--allow-data-loss", help="Confirm removals that purge calling"
)
ALLOW_REVERSAL = typer.Option(
    False,
    "--allow-reversal",
    help="Apply even when users would move back to a subscription they left recently",
)
DRY_RUN = typer.Option(False, "--dry-run", help="Preview only: nothing saved or changed")
YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation")


def _show(ctx, name: str, p: TemplatePreview, allow_data_loss: bool) -> None:
    """A template preview (saved or draft): per licence, then what happens in words, the
    users moving back, the calling data lost."""
    lic = {l.id: l for l in list_licences(ctx, p.template.org_id)}
    table = Table(
        title=f"{name}: {p.in_scope:,} users in scope, {p.changing:,} change, "
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


def _refusal(p: TemplatePreview, allow_reversal: bool) -> str | None:
    """Why the previewed apply cannot start as asked, in the CLI's flags; None if it can."""
    if not p.can_start:
        return "the template cannot be applied as it stands (see above)"
    if p.reversals and not allow_reversal:
        return (
            f"{p.reversals['users']:,} user(s) would move back to a subscription they left "
            "recently; pass --allow-reversal to apply anyway"
        )
    return None


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
    existing: bool = typer.Option(
        False,
        "--existing",
        help="Apply it to existing users too: the change is previewed before anything is "
        "saved, then saved and applied together once confirmed",
    ),
    preserve: bool = PRESERVE,
    allow_data_loss: bool = ALLOW_DATA_LOSS,
    allow_reversal: bool = ALLOW_REVERSAL,
    dry_run: bool = DRY_RUN,
    yes: bool = YES,
) -> None:
    """Tick licences of a subscription in a template (creates or replaces it). Without
    --existing it is saved for new users only; with --existing its effect on existing users
    is previewed in words first, and saving and applying are confirmed together.

    Example: callshift template set -s Sub200001 --location Haifa --existing --no-preserve
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
    draft = TemplateDraft(
        name or (current.name if current else group or "Organisation"),
        "GROUP" if gid else "ORG",
        tuple(l.id for l in lic),
        (gid,) if gid else (),
        loc,
        current.id if current else None,
    )
    ticked = ", ".join(f"{l.name} [{l.subscription_id}]" for l in lic)
    if existing:
        _set_for_existing(ctx, db, draft, preserve, allow_data_loss, allow_reversal, dry_run, yes)
        return
    if dry_run:
        console.print(f"dry run: template {draft.name!r} would hold {ticked}", highlight=False)
        console.print("nothing saved")
        return
    tpl = save_template(
        ctx,
        None,
        draft.name,
        draft.type,
        list(draft.licence_ids),
        list(draft.group_ids),
        draft.location_id,
        draft.template_id,
    )
    console.print(f"template {tpl.name!r} ({tpl.id}) saved with {ticked}", highlight=False)
    console.print(
        "it applies to new users only; `callshift template set ... --existing` previews and "
        "applies a change to existing users too"
    )


def _set_for_existing(
    ctx,
    db,
    draft: TemplateDraft,
    preserve: bool,
    allow_data_loss: bool,
    allow_reversal: bool,
    dry_run: bool,
    yes: bool,
) -> None:
    """The draft previewed (a preview job, nothing saved), then saved and applied together
    on one confirmation; the preview discarded on a dry run, a refusal or a "no"."""
    p = preview_draft(
        ctx,
        None,
        draft,
        preserve=preserve,
        allow_data_loss=allow_data_loss,
        batch_size=get_settings().job_batch_size,
    )
    _confirm_and_run(ctx, db, draft.name, p, True, allow_data_loss, allow_reversal, dry_run, yes)


def _confirm_and_run(
    ctx,
    db,
    name: str,
    p,
    saving: bool,
    allow_data_loss: bool,
    allow_reversal: bool,
    dry_run: bool,
    yes: bool,
) -> None:
    """Show the preview, then apply it as a job on one confirmation (``saving``: the draft
    is saved with it, in the same transaction). A dry run, a refusal or a "no" discards the
    preview: nothing is saved and no preview is left behind."""
    nothing = "nothing saved or applied" if saving else "nothing applied"
    confirmed = False
    try:
        _show(ctx, name, p, allow_data_loss)
        if dry_run:
            console.print(
                "dry run: nothing saved or changed" if saving else "dry run: nothing changed"
            )
            return
        if saving and p.changing == 0:  # saving is all there is to confirm (previews.NOTHING)
            confirm(f"Save {name!r}? No existing user changes.", yes)
        else:
            problem = _refusal(p, allow_reversal)
            if problem:
                fail(f"{nothing}: {problem}")
            what = f"Save {name!r} and apply it" if saving else f"Apply {name!r}"
            confirm(f"{what} to {p.changing:,} users?", yes)
        confirm_preview(ctx, p.job_id, allow_reversal=allow_reversal)
        confirmed = True
    finally:
        if not confirmed:
            discard_preview(ctx, p.job_id)
    if saving:
        console.print(f"template {name!r} saved", highlight=False)
    if p.changing or not saving:
        run_with_progress(db, p.job_id)
        summary(db, p.job_id)


@template_app.command("apply")
@domain_errors
def apply(
    group: str = typer.Option(None, help="The group's template instead of the org's"),
    existing: bool = typer.Option(
        False,
        help="Apply to existing users (the only thing to apply: new users get it automatically)",
    ),
    preserve: bool = PRESERVE,
    allow_data_loss: bool = ALLOW_DATA_LOSS,
    allow_reversal: bool = ALLOW_REVERSAL,
    dry_run: bool = DRY_RUN,
    yes: bool = YES,
) -> None:
    """Apply the saved template to existing users: preview, then a resumable job. (To change
    the template and apply it in one confirmed step: `template set ... --existing`.)

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
    _confirm_and_run(ctx, db, tpl.name, p, False, allow_data_loss, allow_reversal, dry_run, yes)
