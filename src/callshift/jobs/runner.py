"""The job runner: takes one batch at a time from any active job, in its own transaction."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from ..db.engine import Database
from . import store
from .model import ACTIVE, FORWARD, Job, JobHandler

log = logging.getLogger("callshift.jobs")

HANDLERS: dict[str, Callable[[], JobHandler]] = {}


def register(kind: str, factory: Callable[[], JobHandler]) -> None:
    HANDLERS[kind] = factory


def _now() -> datetime:
    return datetime.now(UTC)


class JobRunner:
    def __init__(
        self,
        db: Database,
        name: str | None = None,
        clock: Callable[[], datetime] = _now,
        job_id: str | None = None,
    ):
        from . import kinds  # noqa: F401  (registers the handlers)

        self.db = db
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.clock = clock
        self.job_id = job_id  # only this job, when set (the CLI runs the job it started)

    def run_once(self) -> bool:
        """Process one batch (or finish one job); False when there was nothing to do."""
        with self.db.uow(write=False) as uow:
            jobs = store.runnable(uow.conn)
        for job in jobs:
            if self.job_id and job.id != self.job_id:
                continue
            if self._one_batch(job) or self._finish_if_done(job):
                return True
        return False

    def run_until_idle(self, on_batch: Callable[[], None] | None = None) -> None:
        while self.run_once():
            if on_batch:
                on_batch()

    def housekeeping(self) -> int:
        """Expire recycle-bin entries past their retention (they could no longer be restored)."""
        with self.db.uow() as uow:
            n = uow.store.expire_recycle(self.clock())
            uow.commit()
        if n:
            log.info("recycle bin entries expired", extra={"count": n})
        return n

    def run_forever(
        self, stop: threading.Event, poll: float = 0.5, housekeeping_every: float = 600.0
    ) -> None:
        next_housekeeping = 0.0
        while not stop.is_set():
            if time.monotonic() >= next_housekeeping:
                try:
                    self.housekeeping()
                except Exception:
                    log.exception("housekeeping failed")
                next_housekeeping = time.monotonic() + housekeeping_every
            try:
                busy = self.run_once()
            except Exception:  # a crash in one batch must not kill the runner thread
                log.exception("job batch failed")
                busy = False
            if not busy:
                stop.wait(poll)

    def _one_batch(self, job: Job) -> bool:
        handler = HANDLERS[job.kind]()
        with self.db.uow() as uow:
            current = store.get(uow.conn, job.id)
            if current is None or current.status not in ACTIVE or current.phase != job.phase:
                return False  # abandoned or finished meanwhile
            batch = store.claim_batch(uow.conn, current)
            if batch is None:
                return False
            now = self.clock()
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
        return True

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


def start_background(db: Database, poll: float = 0.5) -> tuple[threading.Thread, threading.Event]:
    """The server's own runner thread (SQLite's only writer needs no other process)."""
    stop = threading.Event()
    runner = JobRunner(db)
    thread = threading.Thread(
        target=runner.run_forever, args=(stop, poll), name="callshift-jobs", daemon=True
    )
    thread.start()
    return thread, stop
