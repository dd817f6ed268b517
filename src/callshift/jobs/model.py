"""Job rows as plain objects, and the handler interface each kind of job implements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import Connection

FORWARD, ROLLBACK = "forward", "rollback"
ACTIVE = ("created", "running", "rolling_back")
FINAL = ("succeeded", "failed", "abandoned", "rolled_back")
WAITING = ("preview",)  # saved, not runnable until confirmed (CSV import, template apply)


@dataclass(frozen=True)
class Job:
    id: str
    org_id: str
    kind: str
    status: str
    params: dict[str, Any]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    total: int
    moved: int
    skipped: int
    failed: int
    rolled_back: int
    error: str | None

    @property
    def pending(self) -> int:
        return max(0, self.total - self.moved - self.skipped - self.failed - self.rolled_back)

    @property
    def phase(self) -> str:
        return ROLLBACK if self.status == "rolling_back" else FORWARD


@dataclass(frozen=True)
class BatchResult:
    moved: int = 0
    skipped: int = 0
    failed: int = 0
    rolled_back: int = 0


class JobHandler(Protocol):
    """One kind of job. Both methods run inside the batch's transaction and must not commit."""

    def run_batch(
        self, conn: Connection, job: Job, batch_no: int, now: datetime
    ) -> BatchResult: ...

    def rollback_batch(
        self, conn: Connection, job: Job, batch_no: int, now: datetime
    ) -> BatchResult: ...
