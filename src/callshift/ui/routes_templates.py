"""Licence templates (method 3): the org's and groups' templates, the Calling tab with scope
and "preserve licences for existing users", the preview, and the apply job.

A change for existing users is previewed before anything is saved: the preview job keeps the
template as entered (services/template_apply.preview_draft), "Save and apply" saves it and
starts the apply together, "Discard" leaves the previous template in force, and "Change"
reopens the form as it was entered (scope and preserve included)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse

from ..entry import REFUSED, refusal
from ..services.directory import org_view
from ..services.groups import list_groups
from ..services.jobs import get_job
from ..services.previews import confirm_preview, discard_preview
from ..services.template_apply import preview_draft, preview_of_job
from ..services.templates import TemplateDraft, get_template, list_templates, save_template
from .auth import Page, checked_form, current_page
from .refusals import move_back_box, on_form

router = APIRouter(prefix="/ui/templates")
KIND = "template_apply"


@router.get("")
def templates(page: Page = Depends(current_page), saved: str = "", discarded: str = ""):
    groups = list_groups(page.ctx, page.org_id)
    tpls = list_templates(page.ctx, page.org_id)
    taken = {g for t in tpls for g in t.group_ids}
    flash = None
    if saved:
        flash = "Template saved; it applies to new users."
    elif discarded:
        flash = "Preview discarded; the template was not changed."
    return page.render(
        "templates.html",
        org=org_view(page.ctx, page.org_id),
        templates=tpls,
        groups={g.id: g for g in groups},
        free_groups=[g for g in groups if g.id not in taken],
        flash=flash,
    )


@dataclass(frozen=True)
class FormValues:
    """What the edit form shows: a saved template, or a draft coming back from its preview."""

    id: str
    name: str
    licence_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    location_id: str | None
    scope: str = "new"
    preserve: bool = True
    allow_data_loss: bool = False


@router.get("/edit")
def edit(page: Page = Depends(current_page), id: str = "", type: str = "ORG", job: str = ""):
    values = None
    if job:  # "Change" from a preview: the draft, its scope and preserve choices
        params = get_job(page.ctx, job).params
        d = params.get("proposedTemplate")
        if d is not None:
            values = FormValues(
                "" if params.get("newTemplate") else d["templateId"],
                d["name"],
                tuple(d["licenceIds"]),
                tuple(d["groupIds"]),
                d["locationId"],
                "existing",
                bool(params.get("preserve")),
                bool(params.get("allowDataLoss")),
            )
            type = d["type"]
    if values is None and id:
        tpl = get_template(page.ctx, id)
        values = FormValues(tpl.id, tpl.name, tpl.licence_ids, tpl.group_ids, tpl.location_id)
        type = tpl.type
    return page.render(
        "template_edit.html",
        org=org_view(page.ctx, page.org_id),
        tpl=values,
        type="GROUP" if type == "GROUP" else "ORG",
        groups=list_groups(page.ctx, page.org_id),
        replaces=job if values is not None and values.scope == "existing" else "",
    )


@router.post("/save")
def save(
    page: Page = Depends(checked_form),
    id: str = Form(""),
    name: str = Form(""),
    type: str = Form("ORG"),
    licence: list[str] = Form([]),
    calling: str = Form(""),
    group: list[str] = Form([]),
    location: str = Form(""),
    scope: str = Form("new"),
    preserve: str = Form(""),
    allow_data_loss: str = Form(""),
    replaces: str = Form(""),
):
    licences = [*licence, *([calling] if calling else [])]  # one calling licence: a radio
    try:
        if replaces:  # the preview this form changes: superseded, whatever comes next
            discard_preview(page.ctx, replaces, KIND)
        if scope != "existing":
            save_template(
                page.ctx, page.org_id, name, type, licences, group, location or None, id or None
            )
            return RedirectResponse("/ui/templates?saved=1", 303)
        draft = TemplateDraft(
            name, type, tuple(licences), tuple(group), location or None, id or None
        )
        size = page.request.app.state.settings.job_batch_size
        preview = preview_draft(
            page.ctx, page.org_id, draft, preserve == "yes", allow_data_loss == "yes", size
        )
    except REFUSED as e:  # the form again, as entered, with the reason above it
        r = refusal(e)
        assert r is not None
        entered = FormValues(
            id,
            name,
            tuple(licences),
            tuple(group),
            location or None,
            scope,
            preserve == "yes",
            allow_data_loss == "yes",
        )
        return page.render(
            "template_edit.html",
            r.status,
            org=org_view(page.ctx, page.org_id),
            tpl=entered,
            type="GROUP" if type == "GROUP" else "ORG",
            groups=list_groups(page.ctx, page.org_id),
            replaces="",
            flash="; ".join(r.lines) or r.message,
            flash_kind="error",
        )
    return RedirectResponse(f"/ui/templates/preview/{preview.job_id}", 303)


def _preview_page(page: Page, job_id: str, status: int = 200, flash: str | None = None):
    """The preview, and the page a refused Apply or Discard shows again."""
    p = preview_of_job(page.ctx, job_id)
    if p.status != "preview":
        return RedirectResponse(f"/ui/jobs/{job_id}", 303)
    org = org_view(page.ctx, page.org_id)
    kind = "error" if flash else None
    return page.render("template_preview.html", status, org=org, p=p, flash=flash, flash_kind=kind)


@router.get("/preview/{job_id}")
def preview(job_id: str, page: Page = Depends(current_page)):
    return _preview_page(page, job_id)


@router.post("/apply/{job_id}")
def apply(job_id: str, page: Page = Depends(checked_form), allow_reversal: str = Form("")):
    try:
        confirm_preview(page.ctx, job_id, KIND, allow_reversal=allow_reversal == "yes")
    except REFUSED as e:  # the preview again (the draft still unsaved), the reason above it

        def box() -> str:  # read only for a reversal refusal
            return move_back_box((preview_of_job(page.ctx, job_id).reversals or {}).get("users", 0))

        status, flash = on_form(e, "saved or applied", box, "Change the template, or Discard")
        return _preview_page(page, job_id, status, flash)
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)


@router.post("/discard/{job_id}")
def discard(job_id: str, page: Page = Depends(checked_form)):
    try:
        discard_preview(page.ctx, job_id, KIND)
    except REFUSED as e:
        status, flash = on_form(e, "discarded")
        return _preview_page(page, job_id, status, flash)
    return RedirectResponse("/ui/templates?discarded=1", 303)
