"""Two `callshift worker` processes on PostgreSQL share one job; nobody is moved twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from callshift.db import tables as t
from callshift.domain.bulk_plan import Selection
from callshift.seed import seed
from callshift.services.bulk_move import start_move
from callshift.services.jobs import get_job, job_log

from ..helpers import admin_of

USERS = 20_000


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_two_workers_finish_one_job_each_user_moved_once(db):
    demo = seed(db, users=USERS)
    ctx = admin_of(db, demo.main_org_id)
    job_id = start_move(ctx, Selection("Sub100001", "Sub200001"), batch_size=500)
    env = {**os.environ, "CALLSHIFT_DATABASE_URL": db.url, "CALLSHIFT_LOG_LEVEL": "ERROR"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "callshift", "worker", "--once"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for w in workers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed) == ("succeeded", USERS, 0)
    with db.uow(write=False) as uow:
        total, distinct = uow.conn.execute(
            select(func.count(), func.count(t.audit_events.c.target_id.distinct())).where(
                t.audit_events.c.action == "bulk-move.moved"
            )
        ).one()
    assert (total, distinct) == (USERS, USERS)
    names = {
        m.group(1)
        for line in job_log(ctx, job_id)
        if (m := re.search(r" batch \d+ by (\S+): \d", line.message))
    }
    assert len(names) == 2, f"both workers should have taken batches: {names}"
