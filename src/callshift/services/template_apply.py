"""Applying a template to existing users: a preview first, then a resumable job.

The preview plans every kind of user in the template's scope (same licences held, with or
without calling data: a handful at 100,000 users) with the domain rules, and stores the
changing and failing users as job items, in status "preview", set-based in SQL; the
template as previewed goes in the job's parameters. Confirming it lets the job runner
apply it (jobs/requests_apply.py), batch by batch, re-planning each user against the
state of that moment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..db import batch_reads as reads
from ..db import job_items, jobs, recent_moves
from ..db import template_scope as scope
from ..domain.change_summary import ChangeSummary, describe
from ..domain.errors import DomainError, NotFound
from ..domain.licensing import CallingChange, LicenceChange
from ..domain.model import User, UserLicensing
from ..domain.planner import Planner
from ..domain.templates import Template, TemplatePlan, plan_template, scope_of
from .context import Ctx, new_id
from .jobs import get_job
from .previews import NOTHING
from .reversal_check import check_subquery, new_report, window_start
from .templates import TemplateDraft, _find, check_draft, load_templates

SAMPLE = 100


@dataclass
class TemplatePreview:
    """A template apply as previewed: its job, the template (saved or proposed) and counts."""

    job_id: str
    template: Template
    preserve: bool
    allow_data_loss: bool
    in_scope: int = 0
    changing: int = 0
    unchanged: int = 0
    failing: int = 0
    purges: int = 0
    notes: int = 0
    per_licence: dict[str, dict[str, int]] = field(default_factory=dict)
    sample: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)  # ChangeSummary.as_dict: the changes in words
    proposed: bool = False  # a draft, saved only when the preview is confirmed
    previous: dict | None = None  # the template the draft replaces (name, licenceIds...)
    reversals: dict | None = None  # users moved back (services/reversal_check)
    status: str = "preview"

    def view_params(self) -> dict:
        """What the preview page shows, kept in the job (``preview_of_job`` reads it back)."""
        return {
            "inScope": self.in_scope,
            "changing": self.changing,
            "unchanged": self.unchanged,
            "failing": self.failing,
            "purges": self.purges,
            "notes": self.notes,
            "perLicence": self.per_licence,
            "sample": self.sample,
        }

    @property
    def shortfall(self) -> dict[str, int]:
        return {l: v["shortfall"] for l, v in self.per_licence.items() if v["shortfall"]}

    @property
    def can_start(self) -> bool:
        return (
            self.changing > 0 and not self.shortfall and (self.allow_data_loss or not self.purges)
        )


@dataclass
class _Kind:
    """Users alike (same licences held, with or without calling data) and their one plan."""

    count: int
    plan: TemplatePlan
    change: LicenceChange | None
    error: DomainError | None

    @property
    def status(self) -> str | None:  # None: the users already match the template
        return None if not self.plan.requests else "failed" if self.error else "pending"


def _plan(
    state: UserLicensing, template: Template, planner: Planner, preserve: bool
) -> tuple[TemplatePlan, LicenceChange | None, DomainError | None]:
    """A kind's template requests (plan_template) and what the planner makes of them."""
    plan = plan_template(state, template, planner.base, preserve)
    if not plan.requests:
        return plan, None, None
    try:
        change = planner.plan(state, plan.requests)
        if change.failed:
            raise DomainError(change.failed[0].description, change.failed[0].code)
    except DomainError as e:
        return plan, None, e
    return plan, change, None


def _kinds(conn, template, licences, locations, preserve) -> dict[tuple[str, int], _Kind]:
    """Every kind of user in scope, counted and planned: at 100,000 users there are a
    handful of kinds, and the plan depends on nothing else (see plan_template). A user
    holding a calling licence has calling data; for the others it is looked up, only for
    them (a probe of every user's profile cost a fifth of the snapshot)."""
    held = reads.Holdings()
    planner = Planner(licences, locations)  # one plan per kind: no units are taken here
    calling = {lid for lid, l in licences.items() if l.offer.is_calling}
    rows = scope.scope_kinds(conn)
    bare = [lids for lids, _, _, _ in rows if not held[lids] & calling]
    if bare:
        scope.mark_calling_data(conn, bare)
        rows = scope.scope_kinds(conn)
    out = {}
    for lids, has_data, n, first in rows:
        # a profile's presence is what the plan reads: the first user's stands for the rest
        profile = reads.lite_profiles(conn, [first]).get(first) if has_data else None
        state = UserLicensing(User(first, template.org_id, ""), held[lids], profile)
        out[(lids, has_data)] = _Kind(n, *_plan(state, template, planner, preserve))
    return out


def _kind_rows(kinds: dict) -> list[tuple]:
    """The kinds that change or fail, as ``store_kinds`` keeps them."""
    return [
        (
            lids,
            calling,
            k.status,
            k.error.code if k.error else None,
            k.error.message if k.error else "; ".join(k.plan.skipped) or None,
        )
        for (lids, calling), k in kinds.items()
        if k.status
    ]


def _sample(conn, kinds: dict, licences) -> list[dict]:
    """The first changing users by id, with what changes for each."""
    out = []
    for email, lids, calling in scope.first_changing(conn, SAMPLE):
        kind = kinds[(lids, calling)]
        change = kind.change
        out.append(
            {
                "email": email,
                "add": list(change.added),
                "remove": list(change.removed),
                "calling": change.calling.value,
                "note": "; ".join(kind.plan.skipped) or None,
                "losesCallingData": change.calling is CallingChange.PURGE,
                "words": describe(change, licences),
            }
        )
    return out


def preview_apply(
    ctx: Ctx,
    template_id: str,
    preserve: bool = True,
    allow_data_loss: bool = False,
    batch_size: int = 5000,
) -> TemplatePreview:
    """Plan a saved template for every existing user it applies to; store the plan as a job."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        template = _find(ctx, uow.conn, template_id)
        templates = load_templates(uow.conn, template.org_id)
        preview = _preview(ctx, uow, template, templates, preserve, allow_data_loss, batch_size)
        uow.commit()
    return preview


def preview_draft(
    ctx: Ctx,
    org_id: str | None,
    draft: TemplateDraft,
    preserve: bool = True,
    allow_data_loss: bool = False,
    batch_size: int = 5000,
) -> TemplatePreview:
    """Plan a template as entered, before it is saved: nothing but the preview job is
    written. The draft is kept in the job's parameters (``proposedTemplate``) and saved when
    the preview is confirmed (``previews.confirm_preview``), in the same transaction as the
    apply starts; discarding the preview leaves the previous template as it was."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        org_id, before = check_draft(ctx, uow, org_id, draft)
        others = [t for t in load_templates(uow.conn, org_id) if t.id != draft.template_id]
        template = Template(
            draft.template_id or new_id(),
            org_id,
            draft.name.strip(),
            draft.type,
            tuple(dict.fromkeys(draft.licence_ids)),
            tuple(draft.group_ids),
            draft.location_id,
            before.created if before else ctx.clock(),
        )
        preview = _preview(
            ctx,
            uow,
            template,
            [*others, template],
            preserve,
            allow_data_loss,
            batch_size,
            proposed=draft,
            previous=before,
        )
        uow.commit()
    return preview


def _preview(
    ctx: Ctx,
    uow,
    template: Template,
    templates: list[Template],
    preserve: bool,
    allow_data_loss: bool,
    batch_size: int,
    proposed: TemplateDraft | None = None,
    previous: Template | None = None,
) -> TemplatePreview:
    """The preview of ``template`` (saved or a draft) among ``templates``, written as a job in
    the caller's unit of work."""
    job_id, now = new_id(), ctx.clock()
    conn, store = uow.conn, uow.store
    licences = store.licences(template.org_id)
    locations = store.location_ids(template.org_id)
    within = scope_of(template, templates)
    scope.snapshot_scope(conn, template.org_id, within.within, within.outranked_by)
    kinds = _kinds(conn, template, licences, locations, preserve)
    summary = ChangeSummary(licences)
    preview = TemplatePreview(
        job_id,
        template,
        preserve,
        allow_data_loss,
        in_scope=sum(k.count for k in kinds.values()),
        proposed=proposed is not None,
    )
    adds: Counter[str] = Counter()  # licence -> users it is given to
    removes: Counter[str] = Counter()  # licence -> users it is taken from
    for kind in kinds.values():
        preview.notes += kind.count if kind.plan.skipped else 0
        if kind.status is None:
            preview.unchanged += kind.count
        elif kind.status == "failed":
            preview.failing += kind.count
        else:
            change = kind.change
            assert change is not None  # a pending kind is planned (_plan)
            preview.changing += kind.count
            preview.purges += kind.count if change.calling is CallingChange.PURGE else 0
            summary.add(change, kind.count)
            for lid in change.added:
                adds[lid] += kind.count
            for lid in change.removed:
                removes[lid] += kind.count
    for lid in sorted(set(adds) | set(removes)):
        free = licences[lid].free_units + removes[lid]
        preview.per_licence[lid] = {
            "add": adds[lid],
            "remove": removes[lid],
            "free": licences[lid].free_units,
            "shortfall": max(0, adds[lid] - free),
        }
    blocked = None
    if preview.shortfall:
        blocked = "short of units: " + ", ".join(
            f"{licences[l].name} [{licences[l].subscription_id}] {n}"
            for l, n in preview.shortfall.items()
        )
    elif preview.purges and not allow_data_loss:
        blocked = (
            f"{preview.purges} users would lose their calling data; confirm with allow data loss"
        )
    elif not preview.changing:
        blocked = NOTHING
    params = {
        "templateId": template.id,
        "preserve": preserve,
        "allowDataLoss": allow_data_loss,
        "blocked": blocked,
        "action": "template.applied",
        "retentionDays": ctx.retention_days,
        # what the job plans each user with: the template as previewed, not as it may be
        # edited before the job runs
        "template": {
            "licenceIds": list(template.licence_ids),
            "locationId": template.location_id,
            "name": template.name,
        },
        "selection": {"template": template.name, "preserve": preserve},
        "summary": summary.as_dict(),
    }
    preview.summary = summary.as_dict()
    if proposed is not None:  # saved only when the preview is confirmed
        params["proposedTemplate"] = {**proposed.as_params(), "templateId": template.id}
        params["newTemplate"] = proposed.template_id is None
        preview.previous = params["previousTemplate"] = (
            {
                "name": previous.name,
                "licenceIds": list(previous.licence_ids),
                "groupIds": list(previous.group_ids),
                "locationId": previous.location_id,
            }
            if previous
            else None
        )
    jobs.create(conn, job_id, template.org_id, "template_apply", params, ctx.principal.name, now)
    scope.store_kinds(conn, _kind_rows(kinds))
    scope.store_items(conn, job_id, batch_size)
    preview.sample = _sample(conn, kinds, licences)
    scope.drop_scope(conn)
    preview.reversals = _reversals(ctx, conn, job_id, template.org_id, kinds, licences)
    if preview.reversals:
        params["reversals"] = preview.reversals
    params["summary"], params["view"] = preview.summary, preview.view_params()
    # the items: who changes or cannot
    job_items.save_preview_counts(
        conn,
        job_id,
        job_items.PreviewCounts(
            total=preview.changing + preview.failing, skipped=0, failed=preview.failing
        ),
        params,
    )
    jobs.add_batches(conn, job_id, "forward", only_with_status="pending")
    jobs.log(
        conn,
        job_id,
        f"preview: {preview.changing} users change, {preview.unchanged} "
        f"already match, {preview.failing} cannot",
        now,
    )
    return preview


def _reversals(ctx: Ctx, conn, job_id: str, org_id: str, kinds: dict, licences) -> dict | None:
    """The pending users the template moves back to a subscription they left recently."""
    since = window_start(ctx)
    if since is None:
        return None
    added_for = {
        lids: k.change.added for (lids, _), k in kinds.items() if k.status == "pending" and k.change
    }
    if not any(added_for.values()):
        return None
    held = reads.Holdings()
    by_held = {held[lids]: added for lids, added in added_for.items()}
    report = new_report(ctx)
    check_subquery(
        conn,
        org_id,
        since,
        recent_moves.pending_users(job_id),
        lambda h: by_held.get(h, ()),
        licences,
        report,
    )
    return report.as_params()


def preview_of_job(ctx: Ctx, job_id: str) -> TemplatePreview:
    """A template preview as it was saved (``view_params``), for its page."""
    job = get_job(ctx, job_id)
    if job.kind != "template_apply" or "view" not in job.params:
        raise NotFound(f"template preview {job_id} not found")
    p = job.params
    draft = p.get("proposedTemplate")
    snap = p["template"]
    template = Template(
        p["templateId"],
        job.org_id,
        snap["name"],
        draft["type"] if draft else "ORG",
        tuple(snap["licenceIds"]),
        tuple(draft["groupIds"]) if draft else (),
        snap["locationId"],
    )
    v = p["view"]
    return TemplatePreview(
        job.id,
        template,
        p["preserve"],
        p.get("allowDataLoss", False),
        in_scope=v["inScope"],
        changing=v["changing"],
        unchanged=v["unchanged"],
        failing=v["failing"],
        purges=v["purges"],
        notes=v["notes"],
        per_licence=v["perLicence"],
        sample=v["sample"],
        summary=p.get("summary", {}),
        proposed=draft is not None,
        previous=p.get("previousTemplate"),
        reversals=p.get("reversals"),
        status=job.status,
    )
