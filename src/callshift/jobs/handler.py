"""The interface each type of job implements; the runner calls it inside a batch's
transaction (jobs/runner.py), and jobs/registry.py names the implementations."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import Connection

from ..domain.jobs import BatchResult, Job


class JobHandler(Protocol):
    """One kind of job. Both methods run inside the batch's transaction and must not commit."""

    def run_batch(
        self, conn: Connection, job: Job, batch_no: int, now: datetime
    ) -> BatchResult: ...

    def rollback_batch(
        self, conn: Connection, job: Job, batch_no: int, now: datetime
    ) -> BatchResult: ...
