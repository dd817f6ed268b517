"""Jobs as plain objects: a job row, what one batch did, and the statuses a job goes through
(the state diagram is in jobs/__init__.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
