"""Workspaces in the admin UI: the list, one workspace, and its calling licence changed
through the same review step as a user's (what is kept, or why it is refused)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse

from ..domain.licensing import CallingChange
from ..domain.model import SubscriptionStatus
from ..domain.settings import WORKSPACE
from ..entry import REFUSED
from ..services.directory import org_view
from ..services.licence_preview import kept_parts
from ..services.workspaces import (
    WorkspaceData,
    get_workspace,
    list_workspaces,
    preview_workspace_licence,
    update_workspace,
)
from ..web.params import bounded
from .auth import Page, checked_form, current_page
from .refusals import on_form
from .routes_users import setting_groups

router = APIRouter(prefix="/ui/workspaces")
PAGE = 100


def _choices(page: Page, org_id: str):
    """The calling licences a workspace may move to: of active subscriptions, made for
    workspaces (Workspaces, Professional, Hot desk only)."""
    org = org_view(page.ctx, org_id)
    return org, [
        l
        for view in org.subscriptions
        if view.subscription.status is SubscriptionStatus.ACTIVE
        for l in view.licences
        if l.offer.workspace_tier is not None
    ]


@router.get("")
def workspaces(page: Page = Depends(current_page), start: int = bounded(0)):
    rows = list_workspaces(page.ctx, page.org_id, start=start, limit=PAGE + 1)
    org = org_view(page.ctx, page.org_id)
    names = {l.id: l for v in org.subscriptions for l in v.licences}
    return page.render(
        "workspaces.html",
        org=org,
        rows=rows[:PAGE],
        names=names,
        start=start,
        more=len(rows) > PAGE,
        page_size=PAGE,
    )


@router.get("/{workspace_id}")
def workspace(workspace_id: str, page: Page = Depends(current_page), saved: str = ""):
    view = get_workspace(page.ctx, workspace_id)
    org, choices = _choices(page, view.user.org_id)
    return page.render(
        "workspace.html",
        org=org,
        w=view,
        choices=choices,
        flash="Licence changed: calling data kept." if saved else None,
        setting_groups=setting_groups(view.profile, WORKSPACE),
    )


def _data(licence: str, extension: str, number: str) -> WorkspaceData:
    return WorkspaceData(
        licences=(licence,),
        extension=extension.strip() or None,
        phone_number=number.strip() or None,
    )


def _review(page: Page, p, form: dict, status: int = 200, flash: str | None = None):
    """The review step's page, and the page a refused Save shows again."""
    profile = p.view.profile
    swap = p.change is not None and p.change.calling is CallingChange.SWAP
    return page.render(
        "workspace_review.html",
        status,
        org=org_view(page.ctx, p.view.user.org_id),
        p=p,
        kept=kept_parts(p.change.profile_after or profile, WORKSPACE) if swap and profile else None,
        form=form,
        back=p.reversal.words(page.ctx.clock()) if p.reversal else None,
        flash=flash,
        flash_kind="error" if flash else None,
    )


@router.get("/{workspace_id}/review")
def review(
    workspace_id: str,
    page: Page = Depends(current_page),
    licence: str = Query(""),
    extension: str = Query("", max_length=16),
    number: str = Query("", max_length=32),
):
    p = preview_workspace_licence(page.ctx, workspace_id, _data(licence, extension, number))
    return _review(page, p, {"licence": licence, "extension": extension, "number": number})


@router.post("/{workspace_id}/save")
def save(
    workspace_id: str,
    page: Page = Depends(checked_form),
    licence: str = Form(""),
    extension: str = Form(""),
    number: str = Form(""),
    allow_reversal: str = Form(""),
):
    data = _data(licence, extension, number)
    allow = allow_reversal == "yes"
    if not allow:
        p = preview_workspace_licence(page.ctx, workspace_id, data)
        if p.reversal is not None:
            form = {"licence": licence, "extension": extension, "number": number}
            flash = (
                f"Nothing was saved: tick the box to move {p.view.user.display_name} back to "
                f"{p.reversal.subscription_id}, or choose another licence."
            )
            return _review(page, p, form, 400, flash)
    try:
        update_workspace(page.ctx, workspace_id, data, allow)
    except REFUSED as e:  # changed since the review
        status, flash = on_form(e, "saved")
        form = {"licence": licence, "extension": extension, "number": number}
        again = preview_workspace_licence(page.ctx, workspace_id, data)
        return _review(page, again, form, status, flash)
    return RedirectResponse(f"/ui/workspaces/{workspace_id}?saved=1", 303)
