"""kill -9 in the middle of a move of 50,000 users and 1,000 workspaces (SQLite; 20,000 and
1,000 on PostgreSQL), several times; the job still ends right: nobody, person or workspace,
with no calling licence or two."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from callshift.db import tables as t
from callshift.domain.bulk_plan import Selection
from callshift.jobs.runner import JobRunner
from callshift.seed import seed
from callshift.services.bulk_move import start_move
from callshift.services.jobs import get_job

from ..helpers import admin_of, licence, profiles

# PostgreSQL's half is the slower (a server round trip a statement) and asserts the same
# property: at 20,000 users it still has 21 batches of 1,000, so the four kills land mid-job
USERS = {"sqlite": 50_000, "postgres": 20_000}
WORKSPACES = 1_000


@pytest.mark.timeout(600)  # 51,000 holders moved on SQLite, under load
def test_kill_nine_at_random_points_then_finish(db):
    users = USERS["sqlite" if db.is_sqlite else "postgres"]
    holders = users + WORKSPACES
    demo = seed(db, users=users, workspaces=WORKSPACES)
    ctx = admin_of(db, demo.main_org_id)
    before = profiles(db)
    job_id = start_move(ctx, Selection("Sub100001", "Sub200001"), batch_size=1000)
    env = {**os.environ, "CALLSHIFT_DATABASE_URL": db.url, "CALLSHIFT_LOG_LEVEL": "ERROR"}
    rng = random.Random(20261125)
    progress = []
    for _ in range(4):
        moved = get_job(ctx, job_id).moved
        proc = subprocess.Popen(
            [sys.executable, "-m", "callshift", "jobs", "resume", job_id],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while get_job(ctx, job_id).moved == moved and time.monotonic() < deadline:
            time.sleep(0.05)  # wait for the first batch of this run, however slow the machine
        time.sleep(rng.uniform(0.0, 0.4))  # then kill at a random point between batches' work
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        progress.append(get_job(ctx, job_id).moved)
    assert any(0 < p < holders for p in progress), f"no kill landed mid-job: {progress}"
    assert len(set(progress)) > 1, f"the runs made no progress: {progress}"
    JobRunner(db).run_until_idle()

    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed, job.skipped) == ("succeeded", holders, 0, 0)
    codes = ("BCSTD", "BCBASIC", "BCCA", "BCHD")  # users' and workspaces' calling licences
    new_calling = {licence(ctx, "Sub200001", c).id for c in codes}
    calling_ids = new_calling | {licence(ctx, "Sub100001", c).id for c in codes}
    with db.uow(write=False) as uow:
        c = uow.conn
        rows = c.execute(
            select(t.user_licences.c.user_id, t.user_licences.c.licence_id)
            .join(t.users, t.users.c.id == t.user_licences.c.user_id)
            .where(
                t.users.c.org_id == demo.main_org_id, t.user_licences.c.licence_id.in_(calling_ids)
            )
        ).all()
        events = c.execute(
            select(func.count(), func.count(t.audit_events.c.target_id.distinct())).where(
                t.audit_events.c.action == "bulk-move.moved"
            )
        ).one()
        for lic in c.execute(select(t.licences)):
            held = c.execute(
                select(func.count())
                .select_from(t.user_licences)
                .where(t.user_licences.c.licence_id == lic.id)
            ).scalar_one()
            assert lic.consumed_units == held
    per_user: dict[str, list[str]] = {}
    for uid, lid in rows:
        per_user.setdefault(uid, []).append(lid)
    assert len(per_user) == holders
    assert all(len(v) == 1 and v[0] in new_calling for v in per_user.values())
    assert profiles(db) == before
    assert tuple(events) == (holders, holders)
