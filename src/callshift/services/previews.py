"""Confirming a previewed job (a CSV import, a template apply): the one path from *preview*
to *created*, whatever made the preview; and dropping previews nobody confirmed.

A preview is saved with ``params["blocked"]`` when it cannot be applied (rows with errors,
capacity short, calling data lost without leave); confirming checks that and the status,
logs who confirmed, and writes one ``<kind>.started`` audit event, the kind spelt with
hyphens as every other action is (``csv-import.started``, ``template-apply.started``), its
body the CSV import's: items (``rows``), those changing, those failed, and whether data
loss was allowed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ..db import jobs
from ..db.engine import Database
from ..domain.errors import NotFound
from ..domain.jobs import Job
from .context import Ctx
from .jobs import JobStateError

log = logging.getLogger("callshift.jobs")
RECLAIM_AT = 10_000  # items deleted at once: worth giving the SQLite file its space back


def started_action(kind: str) -> str:
    """The audit action of a job kind's start: ``csv_import`` -> ``csv-import.started``."""
    return f"{kind.replace('_', '-')}.started"


def confirm_preview(ctx: Ctx, job_id: str, kind: str | None = None) -> Job:
    """Let the runner apply a previewed job; refused (JobStateError) when it is not a
    preview or the preview cannot be applied. ``kind``: the job must be of that kind
    (another kind's job, like another organisation's, is not found). Returns the job as it
    was before the confirmation (status *preview*)."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        job = jobs.get(uow.conn, job_id, lock=True)
        if job is None or job.org_id not in ctx.principal.org_ids:
            raise NotFound(f"job {job_id} not found")
        if kind is not None and job.kind != kind:
            raise NotFound(f"job {job_id} not found")
        if job.status != "preview":
            raise JobStateError(f"job {job_id} is {job.status}, not a preview")
        if job.params.get("blocked"):
            raise JobStateError(f"the preview cannot be applied: {job.params['blocked']}")
        now = ctx.clock()
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
