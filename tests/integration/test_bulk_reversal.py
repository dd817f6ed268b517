"""The bulk move's dry run says what happens in words and flags users it would take back to a
subscription they left recently; starting such a move needs allow_reversal (SQLite and
PostgreSQL)."""

from __future__ import annotations

import pytest

from callshift.domain.bulk_plan import Selection
from callshift.domain.reversals import ReversalNotConfirmed
from callshift.jobs.runner import JobRunner
from callshift.services.bulk_move import start_move, validate_move
from callshift.services.jobs import get_job

from ..helpers import snapshot_db

OLD, NEW, USERS = "Sub100001", "Sub200001", 60


def _sel(source: str, target: str) -> Selection:
    return Selection(source, target, None, None, None)


def test_moving_back_is_flagged_and_needs_its_own_confirmation(admin, db, demo):
    there = validate_move(admin, _sel(OLD, NEW))
    assert there.reversals is None
    assert there.summary["users"] == USERS and there.summary["safe"]
    assert f"{USERS} users move calling licence: calling data kept" in there.summary["sentences"]
    JobRunner(db).run_until_idle()
    job_id = start_move(admin, _sel(OLD, NEW))
    JobRunner(db).run_until_idle()
    assert get_job(admin, job_id).status == "succeeded"

    back = validate_move(admin, _sel(NEW, OLD))
    r = back.reversals
    assert r is not None and r["users"] == USERS and r["perSubscription"] == {OLD: USERS}
    assert back.as_dict()["reversals"] == r
    unchanged = snapshot_db(db)
    with pytest.raises(ReversalNotConfirmed):
        start_move(admin, _sel(NEW, OLD))
    assert snapshot_db(db) == unchanged
    job_id = start_move(admin, _sel(NEW, OLD), allow_reversal=True)
    JobRunner(db).run_until_idle()
    assert get_job(admin, job_id).status == "succeeded"
