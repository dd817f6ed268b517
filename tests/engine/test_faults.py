"""The engine under a misbehaving server: faults, a rate limit, and kill -9 then resume.

SQLite only: these tests are about the engine and the HTTP misbehaviour, which do not
depend on the server's database; on PostgreSQL they would double the time for nothing new.
"""

from __future__ import annotations

import os
import signal
import time

from callshift import ids
from callshift.api.faults import FaultPlan
from callshift.domain.settings import with_defaults

from .conftest import (
    assert_all_on,
    assert_units_consistent,
    engine_on,
    journal_rows,
    move_events,
    out,
    profiles,
)

OLD, NEW = "Sub100001", "Sub200001"
# every kind is met in a run of 75 users (the time goes on the users: a plan reads 45
# settings each); partial, drawn once a user (its PATCH), is 0.12 so that 75 still meet it
FAULTS = (
    "burst_every=120,burst_seconds=1.2,error5xx=0.06,drop=0.04,partial=0.12,"
    "slow=0.04,slow_seconds=2.5,seed=11"
)


def test_run_under_faults_moves_everyone_exactly_once(sqlite_db, tmp_path):
    users = 75
    with engine_on(sqlite_db, tmp_path, users, test_mode=True, faults="seed=11") as engine:
        org = engine.live.demo.main_org_id
        before = profiles(sqlite_db, org)
        plan = engine("plan", "--from", OLD, "--to", NEW)  # the plan reads as verify does
        assert plan.returncode == 0, out(plan)
        faults = engine.live.server.app.state.faults
        faults.plan = FaultPlan.parse(FAULTS)  # from here on, the server misbehaves

        run = engine("run", "--yes", "--timeout", "2")
        text = run.stdout + run.stderr
        if "resume" in text:  # a user the server kept failing for every retry: left for resume
            run = engine("resume", "--yes", "--timeout", "2")
            text += run.stdout + run.stderr
        assert run.returncode == 0, out(run)

        assert_all_on(sqlite_db, org, NEW, OLD)
        assert_units_consistent(sqlite_db)
        counts = faults.counts
        for kind in (
            "bursts",
            "refused429",
            "error5xx_before",
            "error5xx_after",
            "drop_before",
            "drop_after",
            "partial",
            "slow",
        ):
            assert counts[kind] >= 1, (kind, counts)

        repaired = {
            r[0]
            for r in journal_rows(
                engine.journal, "select person_id from users where state = 'repaired'"
            )
        }
        assert repaired, "no remove-without-add was repaired"
        assert "REMOVED WITHOUT ADD" in text and "voicemail PIN" in text
        after = profiles(sqlite_db, org)
        repaired_raw = {ids.decode("PEOPLE", p) for p in repaired}
        for user, profile in before.items():
            if user in repaired_raw:  # given back with the snapshot's data; the PIN is lost
                assert after[user][:3] == profile[:3]
                # a new profile, every setting written back: reads as before (a setting the
                # old profile stored without a field added since reads that field's default)
                assert with_defaults(after[user][3]) == with_defaults(profile[3])
                assert after[user][4] is None
            else:
                assert after[user] == profile  # byte for byte, PIN hash included

        faults.plan = FaultPlan.parse("error5xx=0.05,drop=0.03,seed=12")  # reads retried
        verify = engine("verify")
        assert verify.returncode == 0, out(verify)
        assert f"{users} users checked, 0 differences" in verify.stdout, out(verify)


def test_rate_limit_answers_429_and_the_engine_keeps_under_it(sqlite_db, tmp_path):
    users, rate = 15, 40  # the plan reads 45 settings a user: 675 requests at 40 a second
    with engine_on(sqlite_db, tmp_path, users, rate_limit_per_second=rate) as engine:
        org = engine.live.demo.main_org_id
        plan = engine("plan", "--from", OLD, "--to", NEW)
        assert plan.returncode == 0, out(plan)
        run = engine("run", "--yes")
        assert run.returncode == 0, out(run)
        assert_all_on(sqlite_db, org, NEW, OLD)
        buckets = engine.live.server.app.state.rate_limit
        assert buckets.refused >= 1  # the engine met the limit, waited, and finished
        total = journal_rows(
            engine.journal, "select count(*) from steps where step = 'swap' and phase = 'before'"
        )[0][0]
        assert total == users  # a 429 is retried inside the request: no swap was repeated


def test_kill_9_then_resume_repeats_and_skips_nobody(sqlite_db, tmp_path):
    users = 60  # the plan reads 45 settings a user: 120 took over 90 s at a load of 5-6
    with engine_on(sqlite_db, tmp_path, users, test_mode=True, faults="seed=5") as engine:
        org = engine.live.demo.main_org_id
        before = profiles(sqlite_db, org)
        plan = engine("plan", "--from", OLD, "--to", NEW, "--concurrency", "16")
        assert plan.returncode == 0, out(plan)
        # every request 6-30 ms slower and two at a time: the run lasts seconds, so it can be
        # killed (set after the plan: its snapshot is 44 reads a user)
        faults = engine.live.server.app.state.faults
        faults.plan = FaultPlan.parse("slow=1,slow_seconds=0.03,seed=5")

        in_flight = 0
        for command, fraction in (("run", 0.25), ("resume", 0.6)):
            proc = engine.start(command, "--yes", "--concurrency", "2")
            deadline = time.monotonic() + 60
            moved = 0
            while moved < fraction * users:
                assert proc.poll() is None, (
                    f"{command} ended before it could be killed:\n{proc.stdout.read()}"
                )
                assert time.monotonic() < deadline, "the run made no progress"
                time.sleep(0.02)
                moved = journal_rows(
                    engine.journal, "select count(*) from users where state = 'moved'"
                )[0][0]
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            proc.stdout.close()
            in_flight += journal_rows(
                engine.journal, "select count(*) from users where state = 'moving'"
            )[0][0]
        assert in_flight >= 1, "no user was in flight when the engine was killed"

        final = engine("resume", "--yes")
        assert final.returncode == 0, out(final)
        assert_all_on(sqlite_db, org, NEW, OLD)
        assert_units_consistent(sqlite_db)
        assert profiles(sqlite_db, org) == before
        events = move_events(sqlite_db, org)
        assert len(events) == users and set(events.values()) == {1}  # nobody moved twice

        states = dict(
            journal_rows(engine.journal, "select state, count(*) from users group by state")
        )
        assert states == {"moved": users}
        finals = journal_rows(
            engine.journal,
            "select person_id, count(*) from steps where "
            "step = 'user' and phase = 'after' group by person_id",
        )
        assert len(finals) == users and {n for _, n in finals} == {1}


def test_rollback_after_kill_9_takes_back_the_users_in_flight(sqlite_db, tmp_path):
    users, kill_at = 60, 25
    with engine_on(sqlite_db, tmp_path, users, test_mode=True, faults="seed=6") as engine:
        org = engine.live.demo.main_org_id
        before = profiles(sqlite_db, org)
        assert engine("plan", "--from", OLD, "--to", NEW, "--concurrency", "16").returncode == 0
        faults = engine.live.server.app.state.faults
        faults.plan = FaultPlan.parse("slow=1,slow_seconds=0.03,seed=6")
        proc = engine.start("run", "--yes", "--concurrency", "2")
        deadline = time.monotonic() + 60
        while (
            journal_rows(engine.journal, "select count(*) from users where state = 'moved'")[0][0]
            < kill_at
        ):
            assert proc.poll() is None and time.monotonic() < deadline, "the run ended too soon"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()

        back = engine("rollback", "--yes")
        assert back.returncode == 0, out(back)
        assert_all_on(sqlite_db, org, OLD, NEW)
        assert_units_consistent(sqlite_db)
        assert profiles(sqlite_db, org) == before
        assert set(move_events(sqlite_db, org).values()) <= {2}  # there and back, or never moved
        states = dict(
            journal_rows(engine.journal, "select state, count(*) from users group by state")
        )
        assert set(states) <= {"rolled_back", "planned"} and states["rolled_back"] >= kill_at
