"""SQL for jobs: create, read, claim a batch, count, log, finish; a batch's failed attempts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from ..domain.jobs import ACTIVE, FORWARD, ROLLBACK, BatchResult, Job
from . import tables as t
from .rows import AnyRow, utc


def to_job(r: Any) -> Job:
    return Job(
        id=r.id,
        org_id=r.org_id,
        kind=r.kind,
        status=r.status,
        params=r.params,
        created_by=r.created_by,
        created_at=utc(r.created_at),
        started_at=utc(r.started_at),
        finished_at=utc(r.finished_at),
        total=r.total,
        moved=r.moved,
        skipped=r.skipped,
        failed=r.failed,
        rolled_back=r.rolled_back,
        error=r.error,
    )


def get(conn: Connection, job_id: str, lock: bool = False) -> Job | None:
    q = select(t.jobs).where(t.jobs.c.id == job_id)
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    r = conn.execute(q).first()
    return to_job(r) if r is not None else None


def create(
    conn: Connection, job_id: str, org_id: str, kind: str, params: dict, actor: str, now: datetime
) -> None:
    conn.execute(
        insert(t.jobs).values(
            id=job_id,
            org_id=org_id,
            kind=kind,
            status="created",
            params=params,
            created_by=actor,
            created_at=now,
            updated_at=now,
            total=0,
            moved=0,
            skipped=0,
            failed=0,
            rolled_back=0,
        )
    )


def drop_batches(conn: Connection, job_id: str, phase: str) -> None:
    """Forget the job's batches of ``phase`` (a rollback asked again numbers them afresh)."""
    conn.execute(
        delete(t.job_batches).where(
            t.job_batches.c.job_id == job_id, t.job_batches.c.phase == phase
        )
    )


def add_batches(
    conn: Connection,
    job_id: str,
    phase: str,
    only_with_status: str | None = None,
    numbers: set[int] | None = None,
) -> int:
    """One batch row per batch number of the job's items (those with a status, if given).
    A caller that has just written the items passes their ``numbers``: no scan of them."""
    if numbers is None:
        q = select(t.job_items.c.batch_no).where(t.job_items.c.job_id == job_id)
        if only_with_status:
            q = q.where(t.job_items.c.status == only_with_status)
        numbers = set(conn.execute(q.distinct()).scalars())
    if numbers:
        conn.execute(
            insert(t.job_batches),
            [
                {"job_id": job_id, "batch_no": n, "phase": phase, "done": False}
                for n in sorted(numbers)
            ],
        )
    return len(numbers)


def runnable(conn: Connection) -> list[Job]:
    rows = conn.execute(
        select(t.jobs).where(t.jobs.c.status.in_(ACTIVE)).order_by(t.jobs.c.created_at)
    )
    return [to_job(r) for r in rows]


def claim_batch(conn: Connection, job: Job, now: datetime | None = None) -> int | None:
    """The next undone batch of the job's phase, locked for this transaction; given ``now``,
    not one that failed and waits for its retry time."""
    b = t.job_batches.c
    q = (
        select(b.batch_no)
        .where(b.job_id == job.id, b.phase == job.phase, b.done.is_(False))
        .order_by(b.batch_no)
        .limit(1)
    )
    if now is not None:
        q = q.where(or_(b.retry_at.is_(None), b.retry_at <= now))
    if conn.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return conn.execute(q).scalar()


def batches_left(conn: Connection, job: Job) -> int:
    return conn.execute(
        select(func.count())
        .select_from(t.job_batches)
        .where(
            t.job_batches.c.job_id == job.id,
            t.job_batches.c.phase == job.phase,
            t.job_batches.c.done.is_(False),
        )
    ).scalar_one()


def finish_batch(
    conn: Connection, job: Job, batch_no: int, result: BatchResult, now: datetime
) -> None:
    conn.execute(
        update(t.job_batches)
        .where(
            t.job_batches.c.job_id == job.id,
            t.job_batches.c.batch_no == batch_no,
            t.job_batches.c.phase == job.phase,
        )
        .values(done=True)
    )
    c = t.jobs.c
    values: dict[str, Any] = {
        "moved": c.moved + result.moved - result.rolled_back,
        "skipped": c.skipped + result.skipped,
        "failed": c.failed + result.failed,
        "rolled_back": c.rolled_back + result.rolled_back,
        "updated_at": now,
    }
    if job.status == "created":
        values.update(status="running", started_at=now)
    conn.execute(update(t.jobs).where(c.id == job.id).values(**values))


def set_status(
    conn: Connection,
    job_id: str,
    status: str,
    now: datetime,
    error: str | None = None,
    finished: bool = False,
) -> None:
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if error is not None:
        values["error"] = error[:2000]
    if finished:
        values["finished_at"] = now
    conn.execute(update(t.jobs).where(t.jobs.c.id == job_id).values(**values))


def log(conn: Connection, job_id: str, message: str, now: datetime, level: str = "info") -> None:
    conn.execute(
        insert(t.job_log).values(job_id=job_id, at=now, level=level, message=message[:2000])
    )


def _batch(job: Job, batch_no: int) -> tuple:
    b = t.job_batches.c
    return (b.job_id == job.id, b.phase == job.phase, b.batch_no == batch_no)


def batch_failed(conn: Connection, job: Job, batch_no: int, error: str) -> int:
    """Count a failed attempt at a batch (its own work was rolled back); the attempts so far."""
    b = t.job_batches.c
    conn.execute(
        update(t.job_batches)
        .where(*_batch(job, batch_no))
        .values(attempts=b.attempts + 1, last_error=error[:2000], retry_at=None)
    )
    return conn.execute(select(b.attempts).where(*_batch(job, batch_no))).scalar_one()


def retry_batch_at(conn: Connection, job: Job, batch_no: int, at: datetime) -> None:
    """The batch is not claimed before ``at`` (its backoff)."""
    conn.execute(update(t.job_batches).where(*_batch(job, batch_no)).values(retry_at=at))


def next_retry(conn: Connection, after: datetime, job_id: str | None = None) -> datetime | None:
    """When the first batch of an active job that waits out a failure may be tried again."""
    b, j = t.job_batches.c, t.jobs.c
    phase = case((j.status == "rolling_back", ROLLBACK), else_=FORWARD)
    q = (
        select(func.min(b.retry_at))
        .select_from(t.job_batches.join(t.jobs, j.id == b.job_id))
        .where(j.status.in_(ACTIVE), b.phase == phase, b.done.is_(False), b.retry_at > after)
    )
    if job_id is not None:
        q = q.where(j.id == job_id)
    return utc(conn.execute(q).scalar())


def undone_phases(conn: Connection, job_id: str) -> set[str]:
    """The phases (forward, rollback) with batches still to do."""
    b = t.job_batches.c
    q = select(b.phase).where(b.job_id == job_id, b.done.is_(False)).distinct()
    return set(conn.execute(q).scalars())


def reset_attempts(conn: Connection, job_id: str, phase: str) -> None:
    """Undone batches of the phase start again from their first attempt, at once."""
    b = t.job_batches.c
    conn.execute(
        update(t.job_batches)
        .where(b.job_id == job_id, b.phase == phase, b.done.is_(False))
        .values(attempts=0, last_error=None, retry_at=None)
    )


def reopen(conn: Connection, job_id: str, status: str, now: datetime) -> None:
    """A finished job active again: its error and finish time cleared."""
    conn.execute(
        update(t.jobs)
        .where(t.jobs.c.id == job_id)
        .values(status=status, error=None, finished_at=None, updated_at=now)
    )


def set_total(conn: Connection, job_id: str) -> int:
    total = conn.execute(
        select(func.count()).select_from(t.job_items).where(t.job_items.c.job_id == job_id)
    ).scalar_one()
    conn.execute(update(t.jobs).where(t.jobs.c.id == job_id).values(total=total))
    return total


def items(
    conn: Connection, job_id: str, status: str | None = None, after_seq: int = -1, limit: int = 1000
) -> Sequence[AnyRow]:
    q = select(t.job_items).where(t.job_items.c.job_id == job_id, t.job_items.c.seq > after_seq)
    if status:
        q = q.where(t.job_items.c.status == status)
    return conn.execute(q.order_by(t.job_items.c.seq).limit(limit)).all()


def report_items(
    conn: Connection, job_id: str, after_seq: int = -1, limit: int = 1000
) -> Sequence[AnyRow]:
    """A page of a job's items in order, each with its holder's ``kind`` and
    ``display_name`` (None for a holder deleted since): the job report's rows."""
    ji, u = t.job_items.c, t.users.c
    q = (
        select(
            ji.seq,
            ji.user_id,
            ji.email,
            ji.status,
            ji.error_code,
            ji.message,
            u.kind,
            u.display_name,
        )
        .select_from(t.job_items.outerjoin(t.users, u.id == ji.user_id))
        .where(ji.job_id == job_id, ji.seq > after_seq)
        .order_by(ji.seq)
        .limit(limit)
    )
    return conn.execute(q).all()


def log_lines(conn: Connection, job_id: str, limit: int = 500) -> Sequence[AnyRow]:
    return conn.execute(
        select(t.job_log)
        .where(t.job_log.c.job_id == job_id)
        .order_by(t.job_log.c.id.desc())
        .limit(limit)
    ).all()[::-1]


# services/previews.confirm_preview logs this when a preview becomes a job: a job of a
# previewed kind abandoned without it is a discarded preview
CONFIRMED_LOG = "confirmed by "
PREVIEWED_KINDS = ("csv_import", "template_apply")  # saved as a preview, then confirmed


def list_jobs(
    conn: Connection, org_ids, limit: int = 50, include_previews: bool = True
) -> list[Job]:
    """Newest first. Without ``include_previews``: no job still a preview, and no preview
    discarded without being confirmed (it never ran)."""
    j = t.jobs.c
    q = select(t.jobs).where(j.org_id.in_(list(org_ids)))
    if not include_previews:
        confirmed = (
            select(t.job_log.c.id)
            .where(t.job_log.c.job_id == j.id, t.job_log.c.message.startswith(CONFIRMED_LOG))
            .exists()
        )
        discarded = (j.status == "abandoned") & j.started_at.is_(None) & ~confirmed
        q = q.where(j.status != "preview", ~(discarded & j.kind.in_(PREVIEWED_KINDS)))
    rows = conn.execute(q.order_by(j.created_at.desc()).limit(limit))
    return [to_job(r) for r in rows]


def stale_previews(conn: Connection, created_before: datetime, limit: int = 100) -> list[str]:
    """Ids of previews (never confirmed) created before the time, oldest first; on
    PostgreSQL locked, skipping one a confirmation holds."""
    j = t.jobs.c
    q = (
        select(j.id)
        .where(j.status == "preview", j.created_at < created_before)
        .order_by(j.created_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return list(conn.execute(q).scalars())


def delete_job(conn: Connection, job_id: str) -> int:
    """A job and all of it (items, batches, log); how many items went."""
    items = conn.execute(delete(t.job_items).where(t.job_items.c.job_id == job_id)).rowcount
    conn.execute(delete(t.job_batches).where(t.job_batches.c.job_id == job_id))
    conn.execute(delete(t.job_log).where(t.job_log.c.job_id == job_id))
    conn.execute(delete(t.jobs).where(t.jobs.c.id == job_id))
    return items
