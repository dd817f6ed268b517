"""`callshift workspace list | show | move`: one workspace at a time from the terminal.

A workspace is named by its id (whole, a unique prefix, or the Webex id the API shows) or
by its exact display name. ``move`` swaps its calling licence for the target subscription's
licence of the same offer, in one step, after the same preview the admin UI's review step
shows (``services.workspaces.preview_workspace_licence``); the workspace keeps its
extension, number, location and settings.
"""

from __future__ import annotations

import typer

from .. import ids
from ..domain.errors import InvalidInput, NotFound
from ..domain.licensing import CallingChange
from ..domain.model import WORKSPACE, CallingProfile, Licence
from ..services.context import Ctx
from ..services.licence_preview import kept_parts
from ..services.licences import list_licences
from ..services.locations import list_locations
from ..services.short_ids import resolve_id
from ..services.workspaces import (
    WorkspaceData,
    WorkspaceView,
    get_workspace,
    list_workspaces,
    preview_workspace_licence,
    update_workspace,
)
from .common import (
    ALLOW_REVERSAL_HELP,
    confirm,
    console,
    domain_errors,
    fail,
    open_db,
    operator_ctx,
    print_json,
    print_rows,
    reversal_gate,
)

workspace_app = typer.Typer(
    help="One workspace's calling licence: list, show, move.", no_args_is_help=True
)
PAGE = 1000
WHO = "The workspace: its id (or a unique start of it), its Webex id, or its exact display name"


def find_workspace(ctx: Ctx, given: str) -> WorkspaceView:
    """The one workspace GIVEN names (see the module docstring); a name two workspaces
    share is refused with their ids, never guessed."""
    given = given.strip()
    try:
        return get_workspace(ctx, ids.decode("PLACES", given))
    except ids.BadId:
        pass
    try:
        return get_workspace(ctx, resolve_id(ctx, "workspace", given))
    except NotFound:
        pass
    named = [
        v
        for org in sorted(ctx.principal.org_ids)
        for v in list_workspaces(ctx, org, display_name=given, limit=11)
    ]
    if not named:
        raise NotFound(f"no workspace has the id or display name {given!r}")
    if len(named) > 1:
        raise InvalidInput(
            f"{len(named)} workspaces are named {given!r}: "
            + ", ".join(v.user.id for v in named[:10])
            + "; give the id"
        )
    return named[0]


def _all(ctx: Ctx) -> list[WorkspaceView]:
    out: list[WorkspaceView] = []
    for org in sorted(ctx.principal.org_ids):
        start = 0
        while page := list_workspaces(ctx, org, start=start, limit=PAGE):
            out.extend(page)
            start += len(page)
    return out


def _calling_licence(view: WorkspaceView, licences: dict[str, Licence]) -> Licence | None:
    return next(
        (licences[l] for l in view.licence_ids if l in licences and licences[l].offer.is_calling),
        None,
    )


def _as_dict(view: WorkspaceView, licences: dict[str, Licence], places: dict[str, str]) -> dict:
    w, d, p = view.user, view.details, view.profile
    held = [licences[l] for l in view.licence_ids if l in licences]
    return {
        "id": w.id,
        "webexId": ids.workspace(w.id),
        "orgId": w.org_id,
        "displayName": w.display_name,
        "type": d.workspace_type,
        "hotdeskingStatus": d.hotdesking,
        "supportedDevices": d.supported_devices,
        "calling": "webexCalling" if p is not None else "none",
        "licences": [
            {"id": l.id, "name": l.name, "subscriptionId": l.subscription_id} for l in held
        ],
        "location": places.get(p.location_id, p.location_id) if p else None,
        "extension": p.extension if p else None,
        "phoneNumber": p.phone_number if p else None,
    }


def _context(ctx: Ctx, views: list[WorkspaceView]):
    orgs = sorted({v.user.org_id for v in views})
    licences = {l.id: l for org in orgs for l in list_licences(ctx, org)}
    places = {loc.id: loc.name for org in orgs for loc in list_locations(ctx, org, limit=1000)}
    return licences, places


@workspace_app.command("list")
@domain_errors
def list_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
) -> None:
    """Every workspace, by display name: its calling licence, extension and number.

    Example: callshift workspace list --json
    """
    ctx = operator_ctx(open_db())
    views = _all(ctx)
    licences, places = _context(ctx, views)
    rows = [_as_dict(v, licences, places) for v in views]
    if as_json:
        print_json(rows)
        return
    print_rows(
        ("id", "display name", "calling licence", "subscription", "extension", "number"),
        [
            (
                r["id"],
                r["displayName"],
                lic.name if (lic := _calling_licence(v, licences)) else "none",
                lic.subscription_id if lic else "",
                r["extension"] or "",
                r["phoneNumber"] or "",
            )
            for r, v in zip(rows, views, strict=True)
        ],
    )


@workspace_app.command("show")
@domain_errors
def show(
    workspace: str = typer.Argument(..., help=WHO),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text"),
) -> None:
    """One workspace: its details, licences and calling data.

    Example: callshift workspace show "Lobby 0"
    """
    ctx = operator_ctx(open_db())
    view = find_workspace(ctx, workspace)
    licences, places = _context(ctx, [view])
    out = _as_dict(view, licences, places)
    if as_json:
        print_json(out)
        return
    held = "; ".join(f"{l['name']} ({l['subscriptionId']})" for l in out["licences"]) or "none"
    print_rows(
        ("field", "value"),
        [(k, held if k == "licences" else "" if v is None else v) for k, v in out.items()],
    )


@workspace_app.command("move")
@domain_errors
def move(
    workspace: str = typer.Argument(..., help=WHO),
    to: str = typer.Option(..., "--to", help="Target subscription id, e.g. Sub200001"),
    extension: str = typer.Option(
        None, help="An extension to give it (a hot desk only workspace moving up needs one)"
    ),
    number: str = typer.Option(None, help="A phone number (E.164) to give it"),
    dry_run: bool = typer.Option(False, help="Show what would change; change nothing"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation"),
    allow_reversal: bool = typer.Option(False, help=ALLOW_REVERSAL_HELP),
) -> None:
    """Move one workspace's calling licence to another subscription's licence of the same
    offer, in one step: extension, number, location and settings kept.

    Example: callshift workspace move "Lobby 0" --to Sub200001 --yes
    """
    ctx = operator_ctx(open_db())
    view = find_workspace(ctx, workspace)
    licences = {l.id: l for l in list_licences(ctx, view.user.org_id)}
    current = _calling_licence(view, licences)
    if current is None:
        fail(f"workspace {view.user.display_name!r} has no calling licence to move")
        return
    target = next(
        (
            l
            for l in licences.values()
            if l.subscription_id == to and l.offer_code == current.offer_code
        ),
        None,
    )
    if target is None:
        fail(f"subscription {to} has no {current.name} licence for this workspace's organisation")
        return
    data = WorkspaceData(
        calling="webexCalling", licences=(target.id,), extension=extension, phone_number=number
    )
    preview = preview_workspace_licence(ctx, view.user.id, data)
    name = view.user.display_name
    if preview.change is None or preview.refused:
        fail(f"cannot move {name!r}: " + "; ".join(preview.refused))
        return
    if not preview.change.changed:
        console.print(f"{name!r} already holds {target.name} on {to}: nothing to do")
        return
    console.print(
        f"{name!r}: {current.name} {current.subscription_id} → {target.subscription_id}",
        highlight=False,
    )
    lost = preview.change.calling is CallingChange.PURGE
    console.print(_kept(lost, preview.change.profile_after or view.profile), highlight=False)
    back = preview.reversal.words(ctx.clock()) if preview.reversal else None
    reversal_gate(repr(name), back, allow_reversal, dry_run)
    if dry_run:
        console.print("dry run: nothing changed")
        return
    confirm(f"Move {name!r} to {to}?", yes)
    done = update_workspace(ctx, view.user.id, data, allow_reversal)
    console.print(f"[green]moved[/]: {_kept(False, done.profile)}")


def _kept(lost: bool, profile: CallingProfile | None) -> str:
    if lost:
        return "[bold red]calling data will be LOST[/]"
    if profile is None:
        return "no calling data to keep"
    return "calling data kept: " + ", ".join(kept_parts(profile, WORKSPACE))
