"""What the job runner did, for Prometheus: items processed and how long batches take.

Process-wide counters in prometheus_client's default registry (every runner of a process
adds to them); ``/metrics`` serves them, and the jobs by status read from the database.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from ..domain.jobs import BatchResult

ITEMS = Counter(
    "callshift_job_items_processed",
    "Job items processed by this process's runners, by kind of job and outcome",
    ["kind", "outcome"],
)
BATCH_SECONDS = Histogram(
    "callshift_job_batch_duration_seconds",
    "Time to run one batch of a job (its whole transaction), by kind of job and phase",
    ["kind", "phase"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
BATCH_FAILURES = Counter(
    "callshift_job_batch_failures",
    "Batches that raised and were rolled back (tried again after a backoff)",
    ["kind"],
)


def batch_done(kind: str, phase: str, result: BatchResult, seconds: float) -> None:
    """One committed batch: its items by outcome and its duration."""
    for outcome in ("moved", "skipped", "failed", "rolled_back"):
        n = getattr(result, outcome)
        if n:
            ITEMS.labels(kind, outcome).inc(n)
    BATCH_SECONDS.labels(kind, phase).observe(seconds)


def batch_failed(kind: str) -> None:
    BATCH_FAILURES.labels(kind).inc()
