"""Jobs seen from outside: status, items, errors, log, abandon, rollback, resume."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..db import holder_counts, jobs
from ..db import locations as location_rows
from ..db.rows import AnyRow
from ..domain import errors as E
from ..domain.errors import DomainError, NotFound
from ..domain.jobs import ACTIVE, FORWARD, ROLLBACK, Job
from .context import Ctx


class JobStateError(DomainError):
    """The job is not in a state that allows the request (e.g. rolling back a running job)."""

    status = 409
    code = E.JOB_STATE_CONFLICT


def _job(ctx: Ctx, conn, job_id: str, lock: bool = False) -> Job:
    job = jobs.get(conn, job_id, lock=lock)
    if job is None or job.org_id not in ctx.principal.org_ids:
        raise NotFound(f"job {job_id} not found")
    return job


def get_job(ctx: Ctx, job_id: str) -> Job:
    """A job the caller may see (administrators); NotFound otherwise."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        return _job(ctx, uow.conn, job_id)


def list_jobs(ctx: Ctx, limit: int = 50, include_previews: bool = False) -> list[Job]:
    """Newest first; previews (and previews discarded unconfirmed) only when asked for:
    they are not work done or to do."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        return jobs.list_jobs(uow.conn, ctx.principal.org_ids, limit, include_previews)


@dataclass(frozen=True)
class LicenceReturn:
    """``count`` users' ``name`` licence of ``from_sub`` goes back to ``to_sub``'s."""

    count: int
    name: str
    from_sub: str
    to_sub: str


@dataclass(frozen=True)
class RollbackSummary:
    """What a rollback would do, for its confirmation: the users it moves back and, for a
    bulk move, the licences per subscription."""

    job: Job
    users: int
    returns: list[LicenceReturn]


def rollback_summary(ctx: Ctx, job_id: str) -> RollbackSummary:
    """What a rollback would give back, per licence: the confirmation page's figures."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        job = _job(ctx, uow.conn, job_id)
        mapping: dict[str, str] = job.params.get("mapping") or {}
        returns = []
        if mapping:
            licences = uow.store.licences(job.org_id)
            held = holder_counts.moved_holders_per_licence(uow.conn, job_id, mapping.values())
            for old, new in mapping.items():
                if held.get(new) and old in licences and new in licences:
                    returns.append(
                        LicenceReturn(
                            held[new],
                            licences[new].name,
                            licences[new].subscription_id,
                            licences[old].subscription_id,
                        )
                    )
        return RollbackSummary(job, job.moved, returns)


def job_items(
    ctx: Ctx, job_id: str, status: str | None = None, after_seq: int = -1, limit: int = 1000
) -> Sequence[AnyRow]:
    """A page of a job's items (one per user), optionally of one status, after ``after_seq``."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        _job(ctx, uow.conn, job_id)
        return jobs.items(uow.conn, job_id, status, after_seq, limit)


def job_log(ctx: Ctx, job_id: str) -> Sequence[AnyRow]:
    """A job's log lines, oldest first."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        _job(ctx, uow.conn, job_id)
        return jobs.log_lines(uow.conn, job_id)


def abandon_job(ctx: Ctx, job_id: str) -> Job:
    """Stop a job between batches: what is done stays done (roll it back to undo it)."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        job = _job(ctx, uow.conn, job_id, lock=True)
        if job.status not in ("created", "running"):
            raise JobStateError(
                f"job {job_id} is {job.status}; only a created or running job can be abandoned"
            )
        now = ctx.clock()
        jobs.set_status(uow.conn, job_id, "abandoned", now, finished=True)
        jobs.log(uow.conn, job_id, f"abandoned by {ctx.principal.name}", now)
        ctx.audit(
            uow.store,
            job.org_id,
            "job.abandoned",
            "job",
            job_id,
            {"status": job.status},
            {"status": "abandoned"},
        )
        uow.commit()
    return get_job(ctx, job_id)


def rollback_job(ctx: Ctx, job_id: str) -> Job:
    """Move every moved user back, as a swap, batch by batch like the job itself."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        job = _job(ctx, uow.conn, job_id, lock=True)
        if job.status in ACTIVE or job.status == "rolled_back":
            raise JobStateError(
                f"job {job_id} is {job.status}; abandon it first, or it is already rolled back"
            )
        now = ctx.clock()
        jobs.drop_batches(uow.conn, job_id, "rollback")
        jobs.add_batches(uow.conn, job_id, "rollback", only_with_status="moved")
        jobs.set_status(uow.conn, job_id, "rolling_back", now)
        jobs.log(uow.conn, job_id, f"rollback requested by {ctx.principal.name}", now)
        located = job.params.get("pstnLocations") or []
        if located:  # a bulk move re-pointed their PSTN to its target: back to the source
            source = job.params["selection"]["source"]
            location_rows.repoint_pstn(uow.conn, located, source)
            jobs.log(uow.conn, job_id, f"PSTN of {len(located)} location(s) back to {source}", now)
        ctx.audit(
            uow.store,
            job.org_id,
            "job.rollback",
            "job",
            job_id,
            {"status": job.status},
            {"status": "rolling_back"},
        )
        uow.commit()
    return get_job(ctx, job_id)


def resume_job(ctx: Ctx, job_id: str) -> Job:
    """Make a job runnable again after the fault that broke one of its batches is fixed.

    A job still active needs nothing (a runner, or ``callshift jobs resume``, goes on with
    it). A job that ended ``failed`` because a batch raised on every try goes back to where
    it was (running, created, or rolling back) with those batches' tries counted afresh.
    A job that failed because items failed has no batch left: there is nothing to resume.
    """
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        job = _job(ctx, uow.conn, job_id, lock=True)
        if job.status in ACTIVE:
            return job
        phases = jobs.undone_phases(uow.conn, job_id) if job.status == "failed" else set()
        if not phases:
            why = (
                f"it ended with {job.failed:,} failed items and every batch done; "
                "a new job can retry those items"
                if job.status == "failed"
                else "only a running job, or one a batch's fault stopped, can be resumed"
            )
            raise JobStateError(f"job {job_id} is {job.status}: {why}")
        phase = ROLLBACK if ROLLBACK in phases else FORWARD
        status = (
            "rolling_back" if phase == ROLLBACK else ("running" if job.started_at else "created")
        )
        now = ctx.clock()
        jobs.reset_attempts(uow.conn, job_id, phase)
        jobs.reopen(uow.conn, job_id, status, now)
        jobs.log(uow.conn, job_id, f"resumed by {ctx.principal.name} (was: {job.error})", now)
        ctx.audit(
            uow.store,
            job.org_id,
            "job.resumed",
            "job",
            job_id,
            {"status": job.status, "error": job.error},
            {"status": status},
        )
        uow.commit()
    return get_job(ctx, job_id)


def job_view(job: Job) -> dict:
    """A job as the API's ``GET /v1/callshift/jobs/{id}`` and the CLI's ``--json`` show it:
    one shape for both, stable keys."""
    return {
        "id": job.id,
        "orgId": job.org_id,
        "kind": job.kind,
        "status": job.status,
        "createdBy": job.created_by,
        "created": job.created_at.isoformat(),
        "started": job.started_at.isoformat() if job.started_at else None,
        "finished": job.finished_at.isoformat() if job.finished_at else None,
        "counts": {
            "total": job.total,
            "moved": job.moved,
            "skipped": job.skipped,
            "failed": job.failed,
            "pending": job.pending,
            "rolledBack": job.rolled_back,
        },
        "selection": job.params.get("selection"),
        "error": job.error,
    }
