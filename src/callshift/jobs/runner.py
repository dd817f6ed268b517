"""The job runner: takes one batch at a time from any active job, in its own transaction.

A batch that raises is rolled back whole, so nothing of it is half-written. Its attempt is
then counted in a small transaction of its own (the count must survive the rollback, a
restart and other workers) and the batch waits out a backoff, during which the runner
takes other batches, of this job and of others: one broken batch starves nobody. After
``RetryPolicy.attempts`` tries the job ends ``failed``, its ``error`` and log naming the
batch and the cause; ``services.jobs.resume_job`` makes it runnable again once fixed.

``CapacityRace`` is not a fault: the batch rolls back and the exception goes up unchanged,
to be tried again on fresh counts, as before.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..db import jobs as store
from ..db.engine import Database
from ..db.store import CapacityRace
from ..domain.jobs import ACTIVE, FORWARD, Job
from ..services import kept_uploads
from ..services.previews import expire_previews
from . import runner_metrics
from .handler import JobHandler

log = logging.getLogger("callshift.jobs")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """How often a batch that raises is tried, and how long it waits between tries."""

    attempts: int = 3
    first_delay: float = 2.0  # seconds between the first try and the second
    factor: float = 4.0  # each later wait is this many times the one before

    def delay(self, failed: int) -> timedelta:
        """The wait after the ``failed``-th failed attempt."""
        return timedelta(seconds=self.first_delay * self.factor ** (failed - 1))


def cause(batch: str, error: BaseException) -> str:
    """One line naming the batch and the exception: what ``job.error`` and the log say."""
    message = " ".join(str(error).split())[:500]
    return f"{batch}: {type(error).__name__}" + (f": {message}" if message else "")


class JobRunner:
    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Callable[[], JobHandler]] | None = None,
        name: str | None = None,
        clock: Callable[[], datetime] = _now,
        job_id: str | None = None,
        retry: RetryPolicy = RetryPolicy(),  # frozen: one shared default is safe
        sleep: Callable[[float], None] = time.sleep,
        preview_ttl: timedelta = timedelta(hours=24),  # CALLSHIFT_PREVIEW_TTL_HOURS
    ):
        if handlers is None:
            from .registry import default_handlers  # the handlers import much; only when needed

            handlers = default_handlers()
        self.db = db
        self.handlers = dict(handlers)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.clock = clock
        self.job_id = job_id  # only this job, when set (the CLI runs the job it started)
        self.retry = retry
        self.sleep = sleep  # run_until_idle's wait for a batch's retry time (tests advance a clock)
        self.preview_ttl = preview_ttl
        self._unknown: set[str] = set()  # jobs of kinds this runner has no handler for, warned of
        self.last_tick: datetime | None = None  # when run_forever last looked for work (/health)

    def run_once(self) -> bool:
        """Process one batch (or finish one job); False when there was nothing to do now."""
        with self.db.uow(write=False) as uow:
            jobs = store.runnable(uow.conn)
        for job in jobs:
            if self.job_id and job.id != self.job_id:
                continue
            if job.kind not in self.handlers:
                self._warn_unknown(job)
                continue
            if self._one_batch(job) or self._finish_if_done(job):
                return True
        return False

    def run_until_idle(self, on_batch: Callable[[], None] | None = None) -> None:
        """Run until no batch is left, waiting out the backoff of batches that failed: every
        job this runner takes ends finished (succeeded, failed, ...) or left to others."""
        while True:
            if self.run_once():
                if on_batch:
                    on_batch()
                continue
            now = self.clock()
            with self.db.uow(write=False) as uow:
                wake = store.next_retry(uow.conn, now, self.job_id)
            if wake is None:
                return
            self.sleep((wake - now).total_seconds())

    def housekeeping(self) -> int:
        """Expire recycle-bin entries past their retention (they could no longer be restored),
        delete previews older than ``preview_ttl`` that nobody confirmed, with their items,
        and remove uploaded CSV files kept for a form nobody sent again (past their hour).
        Returns the recycle-bin entries expired."""
        now = self.clock()
        with self.db.uow() as uow:
            n = uow.store.expire_recycle(now)
            uow.commit()
        if n:
            log.info("recycle bin entries expired", extra={"count": n})
        expire_previews(self.db, now - self.preview_ttl)
        files = kept_uploads.sweep(now=now.timestamp())
        if files:
            log.info("abandoned uploads removed", extra={"count": files})
        return n

    def run_forever(
        self, stop: threading.Event, poll: float = 0.5, housekeeping_every: float = 600.0
    ) -> None:
        next_housekeeping = 0.0
        while not stop.is_set():
            self.last_tick = _now()
            if time.monotonic() >= next_housekeeping:
                try:
                    self.housekeeping()
                except Exception:
                    log.exception("housekeeping failed")
                next_housekeeping = time.monotonic() + housekeeping_every
            try:
                busy = self.run_once()
            except Exception:  # e.g. the database gone: the runner thread must outlive it
                log.exception("job runner failed")
                busy = False
            if not busy:
                stop.wait(poll)

    def _one_batch(self, job: Job) -> bool:
        batch: int | None = None
        started = time.perf_counter()
        try:
            with self.db.uow() as uow:
                current = store.get(uow.conn, job.id)
                if current is None or current.status not in ACTIVE or current.phase != job.phase:
                    return False  # abandoned or finished meanwhile
                now = self.clock()
                batch = store.claim_batch(uow.conn, current, now)
                if batch is None:
                    return False
                handler = self.handlers[job.kind]()
                if current.phase == FORWARD:
                    result = handler.run_batch(uow.conn, current, batch, now)
                else:
                    result = handler.rollback_batch(uow.conn, current, batch, now)
                store.finish_batch(uow.conn, current, batch, result, now)
                store.log(
                    uow.conn,
                    current.id,
                    f"{current.phase} batch {batch} by {self.name}: "
                    f"{result.moved} moved, {result.skipped} skipped, {result.failed} failed, "
                    f"{result.rolled_back} rolled back",
                    now,
                )
                uow.commit()
            runner_metrics.batch_done(
                job.kind, current.phase, result, time.perf_counter() - started
            )
        except CapacityRace:
            raise
        except Exception as e:
            if batch is None:  # no batch was taken: nothing of a job's to count against
                raise
            self._batch_failed(job, batch, e)
        return True

    def _batch_failed(self, job: Job, batch: int, error: Exception) -> None:
        """Count the attempt (the batch's own transaction is rolled back); after the last
        one, the job ends failed."""
        what = cause(f"{job.phase} batch {batch}", error)
        runner_metrics.batch_failed(job.kind)
        log.warning(
            "job batch failed",
            exc_info=error,
            extra={"jobId": job.id, "batch": batch, "runner": self.name},
        )
        with self.db.uow() as uow:
            now = self.clock()
            # the batch row before the job's, as a batch's own transaction takes them
            failed = store.batch_failed(uow.conn, job, batch, what)
            current = store.get(uow.conn, job.id, lock=True)
            last = failed >= self.retry.attempts
            if current is None or current.status not in ACTIVE or current.phase != job.phase:
                last = False  # abandoned or finished meanwhile: only the try is counted
            elif last:
                error_text = f"{what} (failed {failed} times)"
                store.set_status(uow.conn, job.id, "failed", now, error=error_text, finished=True)
                store.log(uow.conn, job.id, f"failed: {error_text}", now, level="error")
            else:
                retry_at = now + self.retry.delay(failed)
                store.retry_batch_at(uow.conn, job, batch, retry_at)
                store.log(
                    uow.conn,
                    job.id,
                    f"{what} (attempt {failed} of {self.retry.attempts}, by {self.name}); "
                    f"tried again from {retry_at:%Y-%m-%d %H:%M:%S} UTC",
                    now,
                    level="warning",
                )
            uow.commit()
        if last:
            log.error("job failed", extra={"jobId": job.id, "batch": batch, "error": what})

    def _warn_unknown(self, job: Job) -> None:
        if job.id not in self._unknown:
            self._unknown.add(job.id)
            log.warning(
                "no handler for this kind of job; left to other runners",
                extra={"jobId": job.id, "kind": job.kind},
            )

    def _finish_if_done(self, job: Job) -> bool:
        with self.db.uow() as uow:
            current = store.get(uow.conn, job.id, lock=True)
            if (
                current is None
                or current.status not in ACTIVE
                or current.phase != job.phase
                or store.batches_left(uow.conn, current)
            ):
                return False
            now = self.clock()
            if current.phase == FORWARD:
                status = "failed" if current.failed else "succeeded"
            else:
                status = "rolled_back"
            store.set_status(uow.conn, current.id, status, now, finished=True)
            store.log(
                uow.conn,
                current.id,
                f"{status}: {current.moved} moved, {current.skipped} "
                f"skipped, {current.failed} failed, {current.rolled_back} rolled back",
                now,
            )
            uow.commit()
        log.info("job finished", extra={"jobId": job.id, "status": status})
        return True


def start_background(
    db: Database,
    handlers: Mapping[str, Callable[[], JobHandler]] | None = None,
    poll: float = 0.5,
    runner: JobRunner | None = None,
) -> tuple[threading.Thread, threading.Event]:
    """The server's own runner thread (SQLite's only writer needs no other process); pass
    ``runner`` to keep a hand on it (the health check reads its ``last_tick``)."""
    stop = threading.Event()
    runner = runner or JobRunner(db, handlers)
    thread = threading.Thread(
        target=runner.run_forever, args=(stop, poll), name="callshift-jobs", daemon=True
    )
    thread.start()
    return thread, stop
