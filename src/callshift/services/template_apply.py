"""Applying a template to existing users: a preview first, then a resumable job.

The preview plans every user in the template's scope with the domain rules and stores the
changing users' requests as job items, in status "preview"; confirming it lets the job
runner apply them (jobs/requests_apply.py), batch by batch, re-planning each user against
the state of that moment.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select, update

from ..db import batch_reads as reads
from ..db import tables as t
from ..db.bulk import insert_rows
from ..domain.errors import DomainError, NotFound
from ..domain.licensing import CallingChange, plan_licence_change
from ..domain.model import User, UserLicensing
from ..domain.templates import Template, plan_template, template_for
from ..jobs import requests_apply  # noqa: F401  (registers the job kind)
from ..jobs import store as jobs
from ..jobs.requests_apply import encode_requests
from .context import Ctx, new_id
from .jobs import JobStateError
from .templates import _find, load_templates

SAMPLE = 100


@dataclass
class TemplatePreview:
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

    @property
    def shortfall(self) -> dict[str, int]:
        return {l: v["shortfall"] for l, v in self.per_licence.items() if v["shortfall"]}

    @property
    def can_start(self) -> bool:
        return self.changing > 0 and not self.shortfall and (self.allow_data_loss or not self.purges)


def _scope(conn, template: Template, templates: list[Template]):
    """(user id, email, licences held, has a calling profile) of every user the template
    applies to, in id order (see start_move), read raw in one statement: at 100,000 users
    building result rows is the cost."""
    groups_of: dict[str, list[str]] = defaultdict(list)
    for r in conn.execute(select(t.group_members).join(
            t.groups, t.groups.c.id == t.group_members.c.group_id)
            .where(t.groups.c.org_id == template.org_id)):
        groups_of[r.user_id].append(r.group_id)
    applies: dict[frozenset, bool] = {}  # users in the same groups share the answer
    held = reads.Holdings()
    sql = (f"SELECT u.id, u.email, (SELECT {reads.agg(conn, 'ul.licence_id')} FROM user_licences ul "
           "WHERE ul.user_id = u.id), (SELECT 1 FROM calling_profiles cp WHERE cp.user_id = u.id) "
           f"FROM users u WHERE u.org_id = {reads.mark(conn)} ORDER BY u.id")
    out = []
    for uid, email, lids, calling in reads.raw_rows(conn, sql, (template.org_id,)):
        groups = frozenset(groups_of.get(uid, ()))
        if groups not in applies:
            tpl = template_for(groups, templates)
            applies[groups] = tpl is not None and tpl.id == template.id
        if applies[groups]:
            out.append((uid, email, held[lids or ""], bool(calling)))
    return out


def _plan(state, template, licences, locations, preserve):
    plan = plan_template(state, template, licences, preserve)
    if not plan.requests:
        return plan, None, None, None
    try:
        change = plan_licence_change(state, list(plan.requests), licences, locations)
        if change.failed:
            raise DomainError(change.failed[0].description, change.failed[0].code)
    except DomainError as e:
        return plan, None, e, None
    return plan, change, None, encode_requests(list(plan.requests))


def preview_apply(ctx: Ctx, template_id: str, preserve: bool = True,
                  allow_data_loss: bool = False, batch_size: int = 5000) -> TemplatePreview:
    """Plan the template for every existing user it applies to; store the plan as a job."""
    ctx.principal.require_write()
    job_id, now = new_id(), ctx.clock()
    with ctx.db.uow() as uow:
        conn, store = uow.conn, uow.store
        template = _find(ctx, conn, template_id)
        licences = store.licences(template.org_id)
        locations = store.location_ids(template.org_id)
        scope = _scope(conn, template, load_templates(conn, template.org_id))
        preview = TemplatePreview(job_id, template, preserve, allow_data_loss, in_scope=len(scope))
        adds, removes = Counter(), Counter()
        items = []
        plans: dict[tuple, tuple] = {}
        # users alike share one plan: their items point into the job's list of distinct
        # requests instead of each carrying a copy (tens of megabytes at 100,000 users)
        distinct: dict[str, int] = {}
        refs: dict[tuple, int] = {}
        for uid, email, held, calling in scope:
            key = (held, calling)  # users alike share one plan
            if key not in plans:  # the profile is read for the first of them only
                profile = reads.lite_profiles(conn, [uid]).get(uid) if calling else None
                state = UserLicensing(User(uid, template.org_id, email), held, profile)
                plans[key] = _plan(state, template, licences, locations, preserve)
            plan, change, error, payload = plans[key]
            note = "; ".join(plan.skipped) or None
            preview.notes += bool(note)
            if not plan.requests:
                preview.unchanged += 1
                continue
            if error is not None:
                preview.failing += 1
                items.append((email, uid, "failed", error.code, error.message, None))
                continue
            purge = change.calling is CallingChange.PURGE
            preview.purges += purge
            preview.changing += 1
            adds.update(change.added)
            removes.update(change.removed)
            if key not in refs:
                refs[key] = distinct.setdefault(json.dumps(payload, separators=(",", ":")),
                                                len(distinct))
            items.append((email, uid, "pending", None, note, f'{{"plan":{refs[key]}}}'))
            if len(preview.sample) < SAMPLE:
                preview.sample.append({"email": email, "add": list(change.added),
                                       "remove": list(change.removed),
                                       "calling": change.calling.value, "note": note,
                                       "losesCallingData": purge})
        for lid in sorted(set(adds) | set(removes)):
            free = licences[lid].free_units + removes[lid]
            preview.per_licence[lid] = {"add": adds[lid], "remove": removes[lid],
                                        "free": licences[lid].free_units,
                                        "shortfall": max(0, adds[lid] - free)}
        blocked = None
        if preview.shortfall:
            blocked = "short of units: " + ", ".join(
                f"{licences[l].name} [{licences[l].subscription_id}] {n}"
                for l, n in preview.shortfall.items())
        elif preview.purges and not allow_data_loss:
            blocked = (f"{preview.purges} users would lose their calling data; "
                       "confirm with allow data loss")
        elif not preview.changing:
            blocked = "nothing to change"
        jobs.create(conn, job_id, template.org_id, "template_apply", {
            "templateId": template.id, "preserve": preserve, "allowDataLoss": allow_data_loss,
            "blocked": blocked,
            "action": "template.applied", "retentionDays": ctx.retention_days,
            "plans": [json.loads(text) for text in distinct],
            "selection": {"template": template.name, "preserve": preserve}}, ctx.principal.name, now)
        insert_rows(conn, t.job_items, ("job_id", "seq", "batch_no", "user_id", "email", "status",
                                        "error_code", "message", "payload"),
                    ((job_id, i, i // batch_size, uid, email, status, code, msg, payload)
                     for i, (email, uid, status, code, msg, payload) in enumerate(items)))
        jobs.set_total(conn, job_id)
        conn.execute(update(t.jobs).where(t.jobs.c.id == job_id)
                     .values(status="preview", failed=preview.failing))
        jobs.add_batches(conn, job_id, "forward", only_with_status="pending")
        jobs.log(conn, job_id, f"preview: {preview.changing} users change, {preview.unchanged} "
                 f"already match, {preview.failing} cannot", now)
        uow.commit()
    return preview


def confirm_preview(ctx: Ctx, job_id: str) -> None:
    """Let the runner apply a previewed job; refused when it cannot start (capacity, data loss)."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        job = jobs.get(uow.conn, job_id, lock=True)
        if job is None or job.org_id not in ctx.principal.org_ids:
            raise NotFound(f"job {job_id} not found")
        if job.status != "preview":
            raise JobStateError(f"job {job_id} is {job.status}, not a preview")
        if job.params.get("blocked"):
            raise JobStateError(f"the preview cannot be applied: {job.params['blocked']}")
        jobs.set_status(uow.conn, job_id, "created", ctx.clock())
        jobs.log(uow.conn, job_id, f"confirmed by {ctx.principal.name}", ctx.clock())
        ctx.audit(uow.store, job.org_id, f"{job.kind}.started", "job", job_id, None,
                  {"total": job.total})
        uow.commit()
