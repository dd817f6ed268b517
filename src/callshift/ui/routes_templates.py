"""Licence templates (method 3): the org's and groups' templates, the Calling tab with scope
and "preserve licences for existing users", the preview, and the apply job."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse

from ..domain.templates import Template
from ..entry import REFUSED, refusal
from ..services.directory import org_view
from ..services.groups import list_groups
from ..services.previews import confirm_preview
from ..services.template_apply import preview_apply
from ..services.templates import get_template, list_templates, save_template
from .auth import Page, checked_form, current_page

router = APIRouter(prefix="/ui/templates")


@router.get("")
def templates(page: Page = Depends(current_page), saved: str = ""):
    groups = list_groups(page.ctx, page.org_id)
    tpls = list_templates(page.ctx, page.org_id)
    taken = {g for t in tpls for g in t.group_ids}
    return page.render(
        "templates.html",
        org=org_view(page.ctx, page.org_id),
        templates=tpls,
        groups={g.id: g for g in groups},
        free_groups=[g for g in groups if g.id not in taken],
        flash="Template saved; it applies to new users." if saved else None,
    )


@router.get("/edit")
def edit(page: Page = Depends(current_page), id: str = "", type: str = "ORG"):
    tpl = get_template(page.ctx, id) if id else None
    return page.render(
        "template_edit.html",
        org=org_view(page.ctx, page.org_id),
        tpl=tpl,
        type=tpl.type if tpl else ("GROUP" if type == "GROUP" else "ORG"),
        groups=list_groups(page.ctx, page.org_id),
    )


@router.post("/save")
def save(
    page: Page = Depends(checked_form),
    id: str = Form(""),
    name: str = Form(""),
    type: str = Form("ORG"),
    licence: list[str] = Form([]),
    group: list[str] = Form([]),
    location: str = Form(""),
    scope: str = Form("new"),
    preserve: str = Form(""),
    allow_data_loss: str = Form(""),
):
    try:
        tpl = save_template(
            page.ctx, page.org_id, name, type, licence, group, location or None, id or None
        )
        if scope != "existing":
            return RedirectResponse("/ui/templates?saved=1", 303)
        size = page.request.app.state.settings.job_batch_size
        preview = preview_apply(page.ctx, tpl.id, preserve == "yes", allow_data_loss == "yes", size)
    except REFUSED as e:  # the form again, as entered, with the reason above it
        r = refusal(e)
        assert r is not None
        entered = Template(
            id,
            page.org_id,
            name,
            "GROUP" if type == "GROUP" else "ORG",
            tuple(licence),
            tuple(group),
            location or None,
        )
        return page.render(
            "template_edit.html",
            r.status,
            org=org_view(page.ctx, page.org_id),
            tpl=entered,
            type=entered.type,
            groups=list_groups(page.ctx, page.org_id),
            form={"scope": scope, "preserve": preserve, "allow_data_loss": allow_data_loss},
            flash="; ".join(r.lines) or r.message,
            flash_kind="error",
        )
    return page.render("template_preview.html", org=org_view(page.ctx, page.org_id), p=preview)


@router.post("/apply/{job_id}")
def apply(job_id: str, page: Page = Depends(checked_form)):
    confirm_preview(page.ctx, job_id)
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)
