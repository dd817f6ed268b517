"""Confirming a previewed job (a CSV import, a template apply): the one path from *preview*
to *created*, whatever made the preview; and dropping previews nobody confirmed.

A preview is saved with ``params["blocked"]`` when it cannot be applied (rows with errors,
capacity short, calling data lost without leave); confirming checks that and the status,
logs who confirmed, and writes one ``<kind>.started`` audit event, the kind spelt with
hyphens as every other action is (``csv-import.started``, ``template-apply.started``), its
body the CSV import's: items (``rows``), those changing, those failed, and whether data
loss was allowed.

Two things a preview may carry need more than the one confirmation:
- ``params["reversals"]``: users the change moves back to a subscription they left recently
  (services/reversal_check). Confirming applies nothing unless ``allow_reversal`` says so
  (``ReversalNotConfirmed``).
- ``params["proposedTemplate"]``: a template previewed before it was saved
  (template_apply.preview_draft). Confirming saves it, in the same transaction as the apply
  starts; refused when the template was changed by someone else since the preview.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from ..db import jobs
from ..db.engine import Database
from ..domain.errors import NotFound
from ..domain.jobs import Job
from ..domain.reversals import ReversalNotConfirmed
from .context import Ctx
from .jobs import JobStateError
from .templates import TemplateDraft, _find, write_template

NOTHING = "nothing to change"  # a preview's ``blocked`` when no user changes

log = logging.getLogger("callshift.jobs")
RECLAIM_AT = 10_000  # items deleted at once: worth giving the SQLite file its space back


def started_action(kind: str) -> str:
    """The audit action of a job kind's start: ``csv_import`` -> ``csv-import.started``."""
    return f"{kind.replace('_', '-')}.started"


def confirm_preview(
    ctx: Ctx, job_id: str, kind: str | None = None, allow_reversal: bool = False
) -> Job:
    """Let the runner apply a previewed job; refused (JobStateError) when it is not a
        preview or the preview cannot be applied. ``kind``: the job must be of that kind
        (another kind's job, like another organisation's, is not found). Returns the job as it
        was before the confirmation (status *preview*). ``allow_reversal``: the admin confirmed
    moving users back to a subscription they left recently (see the module docstring)."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        job = jobs.get(uow.conn, job_id, lock=True)
        if job is None or job.org_id not in ctx.principal.org_ids:
            raise NotFound(f"job {job_id} not found")
        if kind is not None and job.kind != kind:
            raise NotFound(f"job {job_id} not found")
        if job.status != "preview":
            raise JobStateError(f"job {job_id} is {job.status}, not a preview")
        blocked = job.params.get("blocked")
        if blocked == NOTHING and "proposedTemplate" in job.params:
            # a draft that changes no existing user: saving it is all there is to confirm
            _save_proposed(ctx, uow, job)
            now = ctx.clock()
            jobs.set_status(uow.conn, job_id, "succeeded", now, finished=True)
            jobs.log(uow.conn, job_id, "template saved; no existing user to change", now)
            uow.commit()
            return job
        if blocked:
            raise JobStateError(f"the preview cannot be applied: {blocked}")
        reversals = job.params.get("reversals")
        if reversals and not allow_reversal:
            raise ReversalNotConfirmed(reversal_refusal(reversals))
        now = ctx.clock()
        if "proposedTemplate" in job.params:
            _save_proposed(ctx, uow, job)
        jobs.set_status(uow.conn, job_id, "created", now)
        jobs.log(uow.conn, job_id, f"confirmed by {ctx.principal.name}", now)
        ctx.audit(
            uow.store,
            job.org_id,
            started_action(job.kind),
            "job",
            job_id,
            None,
            {
                "rows": job.total,
                "changing": job.pending,
                "failed": job.failed,
                "allowDataLoss": job.params.get("allowDataLoss", False),
            },
        )
        uow.commit()
    return job


def reversal_refusal(reversals: dict) -> str:
    """Why a preview moving users back to a subscription they recently left is not applied."""
    subs = ", ".join(f"{s} ({n:,})" for s, n in reversals.get("perSubscription", {}).items())
    return (
        f"{reversals['users']:,} user(s) would move back to a subscription they left in the "
        f"last {reversals.get('windowDays', 30)} days: {subs}. Nothing was applied: confirm "
        "moving them back on its own, or leave them out (a file exported before a move?)"
    )


def _save_proposed(ctx: Ctx, uow, job: Job) -> None:
    """Save the template the preview planned with (see the module docstring)."""
    draft = TemplateDraft.from_params(job.params["proposedTemplate"])
    previous = job.params.get("previousTemplate")
    if job.params.get("newTemplate"):
        draft = replace(draft, template_id=None)  # a new one, with the id the preview chose
    else:
        now = _find(ctx, uow.conn, draft.template_id or "")
        if previous and (
            list(now.licence_ids) != previous["licenceIds"] or now.name != previous["name"]
        ):
            raise JobStateError(
                "the template was changed since this preview; discard it and preview again"
            )
    write_template(ctx, uow, job.org_id, draft, new_id_=job.params["templateId"])


def discard_preview(ctx: Ctx, job_id: str, kind: str | None = None) -> Job:
    """Drop a preview unapplied: the job is deleted with its items, batches and log (SQLite
    gives the space back). A template previewed before it was saved stays unsaved: the
    template in force is the one before the preview. Returns the job as it ends,
    *abandoned*, though nothing of it is kept."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        job = jobs.get(uow.conn, job_id, lock=True)
        if job is None or job.org_id not in ctx.principal.org_ids:
            raise NotFound(f"job {job_id} not found")
        if kind is not None and job.kind != kind:
            raise NotFound(f"job {job_id} not found")
        if job.status != "preview":
            raise JobStateError(f"job {job_id} is {job.status}; only a preview is discarded")
        items = jobs.delete_job(uow.conn, job_id)
        uow.commit()
    settle_space(ctx.db, items)
    return replace(job, status="abandoned", finished_at=ctx.clock())


def settle_space(db: Database, items_deleted: int) -> None:
    """After a large delete has committed: SQLite's file shrinks and its WAL empties."""
    if items_deleted >= RECLAIM_AT:
        db.give_back_space()


def expire_previews(db: Database, created_before: datetime) -> int:
    """Delete every preview created before the time and never confirmed, with its items (one
    transaction a preview); the number deleted. The runner's housekeeping calls it."""
    dropped = items = 0
    while True:
        with db.uow() as uow:
            stale = jobs.stale_previews(uow.conn, created_before, limit=1)
            if not stale:
                break
            items += jobs.delete_job(uow.conn, stale[0])
            uow.commit()
        dropped += 1
    if dropped:
        log.info("expired previews deleted", extra={"count": dropped, "items": items})
    settle_space(db, items)
    return dropped
