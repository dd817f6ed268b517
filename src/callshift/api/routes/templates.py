"""Licence templates (`/v1/organization/licenseTemplates`, Webex's shape), groups
(`/v1/groups`), and callshift's preview-then-apply to existing users."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from ... import ids
from ...domain.errors import NotFound
from ...domain.templates import Template
from ...services.context import Ctx
from ...services.groups import (
    GroupView,
    change_members,
    create_group,
    delete_group,
    get_group,
    list_groups,
    members,
)
from ...services.jobs import get_job
from ...services.previews import confirm_preview, discard_preview
from ...services.template_apply import TemplatePreview, preview_apply, preview_draft
from ...services.templates import (
    TemplateDraft,
    delete_template,
    get_template,
    list_templates,
    save_template,
)
from ...web.params import bounded
from ..deps import context
from ..schemas import Body
from .jobs import job_out
from .licenses import raw_org

router = APIRouter(tags=["callshift"])


def _licence_raw(value: str) -> str:
    try:
        return ids.licence_raw(value)
    except ids.BadId:
        return f"unknown:{value}"  # reported by the template check as "licence not recognised"


def _group_raw(value: str) -> str:
    try:
        return ids.decode("GROUP", value)
    except ids.BadId:
        raise NotFound("group not found") from None


class TemplateIn(Body):
    templateName: str = Field(min_length=1, max_length=200)
    templateType: Literal["ORG", "GROUP"] = "ORG"
    licenses: list[str] = Field(default_factory=list, max_length=50)
    groups: list[str] = Field(default_factory=list, max_length=1000)
    locationId: str | None = Field(
        default=None, max_length=400, description="callshift: where template calling users go"
    )
    orgId: str | None = Field(default=None, max_length=400)


def template_out(tpl: Template, ctx: Ctx) -> dict:
    with ctx.db.uow(write=False) as uow:
        lic = uow.store.licences(tpl.org_id)
    return {
        "id": ids.encode("LICENSE_TEMPLATE", tpl.id),
        "templateName": tpl.name,
        "templateType": tpl.type,
        "orgId": ids.org(tpl.org_id),
        "licenses": [
            ids.licence(tpl.org_id, lic[l].offer_code, l) for l in tpl.licence_ids if l in lic
        ],
        "groups": [ids.encode("GROUP", g) for g in tpl.group_ids],
        "locationId": ids.location(tpl.location_id) if tpl.location_id else None,
    }


def _template_raw(value: str) -> str:
    try:
        return ids.decode("LICENSE_TEMPLATE", value)
    except ids.BadId:
        raise NotFound("licence template not found") from None


def _save(body: TemplateIn, ctx: Ctx, template_id: str | None = None) -> dict:
    location = ids.decode("LOCATION", body.locationId) if body.locationId else None
    tpl = save_template(
        ctx,
        raw_org(body.orgId),
        body.templateName,
        body.templateType,
        [_licence_raw(l) for l in body.licenses],
        [_group_raw(g) for g in body.groups],
        location,
        template_id,
    )
    return template_out(tpl, ctx)


@router.get("/organization/licenseTemplates", summary="Licence templates of the organisation")
def templates(ctx: Ctx = Depends(context), orgId: str | None = None) -> dict:
    return {"items": [template_out(t, ctx) for t in list_templates(ctx, raw_org(orgId))]}


@router.post("/organization/licenseTemplates", summary="Create a template (ORG or GROUP)")
def create(body: TemplateIn, ctx: Ctx = Depends(context)) -> dict:
    return _save(body, ctx)


@router.get("/organization/licenseTemplates/{template_id}", summary="One template")
def one(template_id: str, ctx: Ctx = Depends(context)) -> dict:
    return template_out(get_template(ctx, _template_raw(template_id)), ctx)


@router.put(
    "/organization/licenseTemplates/{template_id}",
    summary="Replace a template (future users; apply it to change existing ones)",
)
def replace(template_id: str, body: TemplateIn, ctx: Ctx = Depends(context)) -> dict:
    return _save(body, ctx, _template_raw(template_id))


@router.delete(
    "/organization/licenseTemplates/{template_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a template",
)
def remove(template_id: str, ctx: Ctx = Depends(context)) -> Response:
    delete_template(ctx, _template_raw(template_id))
    return Response(status_code=204)


class ApplyIn(Body):
    preserveLicenses: bool = Field(True, description="keep existing licences; only add missing")
    allowDataLoss: bool = Field(False, description="confirm removals that purge calling data")


def preview_out(p: TemplatePreview, ctx: Ctx) -> dict:
    with ctx.db.uow(write=False) as uow:
        lic = uow.store.licences(p.template.org_id)
    enc = lambda l: ids.licence(p.template.org_id, lic[l].offer_code, l)  # noqa: E731
    return {
        "jobId": p.job_id,
        "template": template_out(p.template, ctx),
        "preserveLicenses": p.preserve,
        "allowDataLoss": p.allow_data_loss,
        "canStart": p.can_start,
        "usersInScope": p.in_scope,
        "changing": p.changing,
        "unchanged": p.unchanged,
        "failing": p.failing,
        "losingCallingData": p.purges,
        "withNotes": p.notes,
        # what happens, in counts and words (domain/change_summary): licence ids raw here
        "changeSummary": _summary_out(p.summary, enc),
        "reversals": p.reversals,
        "templateSaved": not p.proposed,
        "licenses": [
            {"id": enc(l), "name": lic[l].name, "subscriptionId": lic[l].subscription_id, **v}
            for l, v in p.per_licence.items()
        ],
        "sample": [
            {**s, "add": [enc(l) for l in s["add"]], "remove": [enc(l) for l in s["remove"]]}
            for s in p.sample
        ],
    }


@router.post(
    "/callshift/licenseTemplates/{template_id}/preview",
    summary="Plan the template for existing users (stored as a job in status preview)",
)
def preview(template_id: str, body: ApplyIn, request: Request, ctx: Ctx = Depends(context)) -> dict:
    p = preview_apply(
        ctx,
        _template_raw(template_id),
        body.preserveLicenses,
        body.allowDataLoss,
        request.app.state.settings.job_batch_size,
    )
    return preview_out(p, ctx)


class DraftPreviewIn(ApplyIn):
    template: TemplateIn
    templateId: str | None = Field(
        None, max_length=400, description="the template the draft replaces (none: a new one)"
    )


@router.post(
    "/callshift/licenseTemplates/draftPreview",
    summary="Plan a template as it would be saved, for existing users, without saving it: "
    "confirming the preview saves the template and starts the apply together; discarding "
    "it (POST /callshift/jobs/{id}/discard) keeps the template in force",
)
def draft_preview(body: DraftPreviewIn, request: Request, ctx: Ctx = Depends(context)) -> dict:
    t = body.template
    draft = TemplateDraft(
        t.templateName,
        t.templateType,
        tuple(_licence_raw(l) for l in t.licenses),
        tuple(_group_raw(g) for g in t.groups),
        ids.decode("LOCATION", t.locationId) if t.locationId else None,
        _template_raw(body.templateId) if body.templateId else None,
    )
    p = preview_draft(
        ctx,
        raw_org(t.orgId),
        draft,
        body.preserveLicenses,
        body.allowDataLoss,
        request.app.state.settings.job_batch_size,
    )
    return preview_out(p, ctx)


class ConfirmIn(Body):
    allowReversal: bool = Field(
        False,
        description="confirm moving users back to a subscription they left recently (the "
        "preview's `reversals`); without it such a preview is refused (409030)",
    )


@router.post(
    "/callshift/jobs/{job_id}/confirm",
    status_code=202,
    summary="Apply a previewed job (refused when capacity is short, data would be lost, or "
    "users would move back without allowReversal)",
)
def confirm(job_id: str, body: ConfirmIn | None = None, ctx: Ctx = Depends(context)) -> dict:
    confirm_preview(ctx, job_id, allow_reversal=bool(body and body.allowReversal))
    return job_out(get_job(ctx, job_id))


@router.post(
    "/callshift/jobs/{job_id}/discard",
    summary="Drop a preview unapplied (a draft template stays unsaved)",
)
def discard(job_id: str, ctx: Ctx = Depends(context)) -> dict:
    return job_out(discard_preview(ctx, job_id))


def _summary_out(summary: dict, enc) -> dict:
    if not summary:
        return {}
    return {
        **summary,
        "perLicence": [{"id": enc(lid), **v} for lid, v in summary["perLicence"].items()],
    }


class GroupIn(Body):
    displayName: str = Field(min_length=1, max_length=200)
    members: list[dict] = Field(default_factory=list, max_length=10_000)
    orgId: str | None = Field(default=None, max_length=400)


class MemberOp(Body):
    id: str = Field(max_length=400)
    operation: Literal["add", "delete"] = "add"


class GroupPatch(Body):
    members: list[MemberOp] = Field(default_factory=list, max_length=10_000)


def group_out(g: GroupView) -> dict:
    return {
        "id": ids.encode("GROUP", g.id),
        "displayName": g.name,
        "orgId": ids.org(g.org_id),
        "memberSize": g.members,
    }


def _person_raw(value: str) -> str:
    try:
        return ids.decode("PEOPLE", value)
    except ids.BadId:
        raise NotFound("person not found") from None


@router.get("/groups", summary="Groups of the organisation")
def groups(ctx: Ctx = Depends(context), orgId: str | None = None) -> dict:
    return {"groups": [group_out(g) for g in list_groups(ctx, raw_org(orgId))]}


@router.post("/groups", summary="Create a group")
def new_group(body: GroupIn, ctx: Ctx = Depends(context)) -> dict:
    wanted = [_person_raw(str(m.get("id", ""))) for m in body.members]
    return group_out(create_group(ctx, raw_org(body.orgId), body.displayName, wanted))


@router.get("/groups/{group_id}", summary="One group")
def group(group_id: str, ctx: Ctx = Depends(context)) -> dict:
    return group_out(get_group(ctx, _group_raw(group_id)))


@router.get("/groups/{group_id}/members", summary="A group's members")
def group_members(
    group_id: str,
    ctx: Ctx = Depends(context),
    count: int = bounded(500, ge=1, le=1000),
    startIndex: int = bounded(0),
) -> dict:
    uids = members(ctx, _group_raw(group_id), count, startIndex)
    return {"members": [{"id": ids.person(u)} for u in uids]}


@router.patch("/groups/{group_id}", summary="Add or remove members")
def patch_group(group_id: str, body: GroupPatch, ctx: Ctx = Depends(context)) -> dict:
    add = [_person_raw(m.id) for m in body.members if m.operation == "add"]
    drop = [_person_raw(m.id) for m in body.members if m.operation == "delete"]
    return group_out(change_members(ctx, _group_raw(group_id), add, drop))


@router.delete(
    "/groups/{group_id}", status_code=204, response_class=Response, summary="Delete a group"
)
def drop_group(group_id: str, ctx: Ctx = Depends(context)) -> Response:
    delete_group(ctx, _group_raw(group_id))
    return Response(status_code=204)
