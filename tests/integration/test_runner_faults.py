"""The job runner survives a broken batch, on SQLite and PostgreSQL.

A handler that wraps the real bulk move raises on one batch after doing its work: the
batch must roll back whole, be tried a bounded number of times with backoff while other
jobs run, then leave its job ``failed`` with the cause; resume finishes it once fixed.
The runner's clock is a fake one that only its waits move, so backoffs pass at once.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from callshift.cli import app as cli_app
from callshift.config import get_settings
from callshift.db import tables as t
from callshift.domain.bulk_plan import Selection
from callshift.jobs.bulk_move_job import BulkMove
from callshift.jobs.registry import default_handlers
from callshift.jobs.runner import JobRunner, RetryPolicy
from callshift.services.bulk_move import start_move
from callshift.services.jobs import JobStateError, get_job, job_log, resume_job, rollback_job

from ..helpers import consumed_matches_holders, execute

OLD, NEW = "Sub100001", "Sub200001"
BROKEN = 3  # the batch that raises


class Clock:
    """The runner's time: still while there is work, moved on by exactly what it waits."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.waits: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)


class Fault:
    """Which (job, phase, batch) raises, how many more times, and every try seen."""

    def __init__(self, job_id: str, batch: int, phase: str = "forward", times: float = 1e9):
        self.where = (job_id, phase, batch)
        self.times = times
        self.tries: Counter[tuple[str, str, int]] = Counter()

    def after(self, job_id: str, phase: str, batch: int) -> None:
        self.tries[(job_id, phase, batch)] += 1
        if (job_id, phase, batch) == self.where and self.times > 0:
            self.times -= 1
            raise OSError(f"the disk is full\n(while writing batch {batch})")


class FaultyMove(BulkMove):
    """The real bulk move, then the fault: what the batch wrote must be rolled back."""

    def __init__(self, fault: Fault):
        self.fault = fault

    def run_batch(self, conn, job, batch_no, now):
        result = super().run_batch(conn, job, batch_no, now)
        self.fault.after(job.id, "forward", batch_no)
        return result

    def rollback_batch(self, conn, job, batch_no, now):
        result = super().rollback_batch(conn, job, batch_no, now)
        self.fault.after(job.id, "rollback", batch_no)
        return result


def runner(db, fault: Fault | None, clock: Clock, attempts: int = 3) -> JobRunner:
    handlers = default_handlers()
    if fault:
        handlers["bulk_move"] = lambda: FaultyMove(fault)
    return JobRunner(
        db,
        handlers,
        clock=clock,
        sleep=clock.sleep,
        retry=RetryPolicy(attempts=attempts, first_delay=2.0, factor=4.0),
    )


def emails(db, org_id: str) -> list[str]:
    with db.uow(write=False) as uow:
        return list(
            uow.conn.execute(
                select(t.users.c.email).where(t.users.c.org_id == org_id).order_by(t.users.c.id)
            ).scalars()
        )


def moved_events(db) -> tuple[int, int]:
    """(events, distinct users) of bulk-move.moved: equal when nobody moved twice."""
    with db.uow(write=False) as uow:
        return tuple(
            uow.conn.execute(
                select(func.count(), func.count(t.audit_events.c.target_id.distinct())).where(
                    t.audit_events.c.action == "bulk-move.moved"
                )
            ).one()
        )


def holders_of(db, subscription: str) -> int:
    with db.uow(write=False) as uow:
        return uow.conn.execute(
            select(func.count(t.user_licences.c.user_id.distinct()))
            .join(t.licences, t.licences.c.id == t.user_licences.c.licence_id)
            .where(t.licences.c.subscription_id == subscription)
        ).scalar_one()


@pytest.fixture
def two_moves(db, demo, admin):
    """Two bulk moves of the main organisation's users, half each, in batches of 5."""
    people = emails(db, demo.main_org_id)
    half = len(people) // 2
    first = start_move(admin, Selection(OLD, NEW, emails=tuple(people[:half])), batch_size=5)
    second = start_move(admin, Selection(OLD, NEW, emails=tuple(people[half:])), batch_size=5)
    totals = get_job(admin, first).total, get_job(admin, second).total
    assert totals[0] > 5 * (BROKEN + 1) and totals[1] > 0
    return first, second


def test_a_broken_batch_fails_its_job_others_finish_and_resume_completes_it(db, admin, two_moves):
    first, second = two_moves
    fault, clock = Fault(first, BROKEN), Clock()
    seen: list[tuple[str, str]] = []

    runner(db, fault, clock).run_until_idle(
        on_batch=lambda: seen.append((get_job(admin, first).status, get_job(admin, second).status))
    )

    job = get_job(admin, first)
    assert job.status == "failed" and job.finished_at is not None
    assert job.error.startswith(f"forward batch {BROKEN}: OSError: the disk is full")
    assert "\n" not in job.error and "failed 3 times" in job.error
    assert fault.tries[(first, "forward", BROKEN)] == 3
    assert job.pending == 5 and job.moved == job.total - 5, "only the broken batch is left"
    lines = [(line.level, line.message) for line in job_log(admin, first)]
    assert ("error", f"failed: {job.error}") in lines
    retries = [m for level, m in lines if level == "warning"]
    assert len(retries) == 2 and all(f"forward batch {BROKEN}: OSError" in m for m in retries)
    assert clock.waits == [2.0, 8.0], "backoff grows, and only the runner's clock waited"

    other = get_job(admin, second)
    assert (other.status, other.moved, other.pending) == ("succeeded", other.total, 0)
    assert ("running", "succeeded") in seen, "the second job finished while the first waited"
    # the broken batch's work was rolled back every time: its users were never moved
    assert moved_events(db) == (job.moved + other.moved,) * 2
    assert consumed_matches_holders(db)

    resumed = resume_job(admin, first)
    assert (resumed.status, resumed.error, resumed.finished_at) == ("running", None, None)
    assert job_log(admin, first)[-1].message.startswith("resumed by test")
    runner(db, None, clock).run_until_idle()

    job = get_job(admin, first)
    assert (job.status, job.moved, job.failed, job.pending, job.error) == (
        "succeeded",
        job.total,
        0,
        0,
        None,
    )
    assert moved_events(db) == (job.total + other.total,) * 2, "every user moved exactly once"
    assert holders_of(db, OLD) == 0
    assert consumed_matches_holders(db)


@pytest.mark.parametrize("attempts", [1, 5])
def test_the_tries_are_bounded_and_back_off(db, admin, two_moves, attempts):
    first, _ = two_moves
    fault, clock = Fault(first, BROKEN), Clock()
    runner(db, fault, clock, attempts=attempts).run_until_idle()
    assert fault.tries[(first, "forward", BROKEN)] == attempts
    assert clock.waits == [2.0 * 4**n for n in range(attempts - 1)]
    job = get_job(admin, first)
    assert job.status == "failed" and f"failed {attempts} times" in job.error
    with db.uow(write=False) as uow:
        batch = uow.conn.execute(
            select(t.job_batches).where(
                t.job_batches.c.job_id == first, t.job_batches.c.batch_no == BROKEN
            )
        ).one()
    assert (batch.done, batch.attempts, batch.retry_at) == (False, attempts, None)
    assert batch.last_error.startswith(f"forward batch {BROKEN}: OSError")


def test_a_batch_that_fails_once_then_succeeds_completes_the_job(db, admin, two_moves):
    first, second = two_moves
    fault, clock = Fault(first, BROKEN, times=1), Clock()
    runner(db, fault, clock).run_until_idle()
    assert fault.tries[(first, "forward", BROKEN)] == 2
    for job_id in (first, second):
        job = get_job(admin, job_id)
        assert (job.status, job.moved, job.error) == ("succeeded", job.total, None)
    assert clock.waits == [2.0]
    assert moved_events(db)[0] == moved_events(db)[1] == holders_of(db, NEW)
    assert holders_of(db, OLD) == 0


def test_a_broken_rollback_fails_then_resumes_as_a_rollback(db, admin, two_moves):
    first, _ = two_moves
    clock = Clock()
    runner(db, None, clock).run_until_idle()
    rollback_job(admin, first)
    fault = Fault(first, 1, phase="rollback")
    runner(db, fault, clock).run_until_idle()
    job = get_job(admin, first)
    assert job.status == "failed" and job.error.startswith("rollback batch 1: OSError")

    assert resume_job(admin, first).status == "rolling_back"
    runner(db, None, clock).run_until_idle()
    assert get_job(admin, first).status == "rolled_back"
    assert consumed_matches_holders(db)


def test_only_a_job_a_fault_stopped_can_be_resumed(db, admin, two_moves):
    first, _ = two_moves
    assert resume_job(admin, first).status == "created", "an active job is left as it is"
    runner(db, None, Clock()).run_until_idle()
    with pytest.raises(JobStateError, match="is succeeded: only a running job"):
        resume_job(admin, first)


def test_a_job_whose_items_failed_is_not_resumable(db, admin, demo):
    execute(
        db, "UPDATE licences SET total_units = consumed_units WHERE subscription_id = :s", s=NEW
    )
    job_id = start_move(admin, Selection(OLD, NEW), batch_size=20, allow_shortfall=True)
    runner(db, None, Clock()).run_until_idle()
    job = get_job(admin, job_id)
    assert (job.status, job.error, job.failed) == ("failed", None, job.total)
    with pytest.raises(JobStateError, match="failed items and every batch done"):
        resume_job(admin, job_id)


def test_jobs_resume_on_the_command_line(db, admin, two_moves, monkeypatch):
    first, _ = two_moves
    runner(db, Fault(first, BROKEN), Clock(), attempts=1).run_until_idle()
    assert get_job(admin, first).status == "failed"
    monkeypatch.setenv("CALLSHIFT_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(cli_app, ["jobs", "resume", first])
        assert done.exit_code == 0, done.output
        again = CliRunner().invoke(cli_app, ["jobs", "resume", first])
    finally:
        get_settings.cache_clear()
    assert get_job(admin, first).status == "succeeded"
    assert again.exit_code != 0 and re.search(r"succeeded", again.output)
