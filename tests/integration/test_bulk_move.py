"""Bulk subscription moves as jobs, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from callshift.db import tables as t
from callshift.domain.bulk_plan import MoveRefused, Selection
from callshift.jobs.runner import JobRunner
from callshift.seed import seed
from callshift.services.bulk_move import start_move, validate_move
from callshift.services.jobs import abandon_job, get_job, rollback_job

from ..helpers import (
    admin_of,
    consumed_matches_holders,
    execute,
    holdings,
    licence,
    profiles,
    snapshot_db,
)

OLD, NEW = "Sub100001", "Sub200001"


@pytest.fixture
def big(db):
    return seed(db, users=10_000)


def test_ten_thousand_users_move_with_profiles_identical_then_roll_back(db, big):
    ctx = admin_of(db, big.main_org_id)
    before_profiles, before_holdings = profiles(db), holdings(db)
    sel = Selection(OLD, NEW)
    unchanged = snapshot_db(db)
    report = validate_move(ctx, sel)
    assert snapshot_db(db) == unchanged, "validate must change nothing"
    assert report.users == 10_000 and report.can_start
    job_id = start_move(ctx, sel, batch_size=1500)
    JobRunner(db).run_until_idle()
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed, job.skipped, job.pending) == (
        "succeeded",
        10_000,
        0,
        0,
        0,
    )
    assert profiles(db) == before_profiles
    old_ids = {licence(ctx, OLD, c).id for c in ("BCSTD", "BCBASIC", "EE", "MS")}
    main_users = {u for u, h in before_holdings.items() if h & old_ids}
    after = holdings(db)
    assert all(not (after[u] & old_ids) for u in main_users)
    assert all(len(after[u]) == len(before_holdings[u]) for u in main_users)
    assert consumed_matches_holders(db)
    with db.uow(write=False) as uow:
        moved_events = uow.conn.execute(
            select(func.count())
            .select_from(t.audit_events)
            .where(t.audit_events.c.action == "bulk-move.moved")
        ).scalar_one()
    assert moved_events == 10_000

    rollback_job(ctx, job_id)
    JobRunner(db).run_until_idle()
    assert get_job(ctx, job_id).status == "rolled_back"
    assert holdings(db) == before_holdings
    assert profiles(db) == before_profiles
    assert consumed_matches_holders(db)


def test_capacity_shortfall_refuses_and_changes_nothing(db, demo):
    ctx = admin_of(db, demo.main_org_id)
    target = licence(ctx, NEW, "BCSTD")
    execute(db, "update licences set total_units = consumed_units + 3 where id = :i", i=target.id)
    unchanged = snapshot_db(db)
    report = validate_move(ctx, Selection(OLD, NEW))
    assert not report.can_start
    short = {o.source.offer_code: o.shortfall for o in report.plan.offers}
    assert (
        short["BCSTD"]
        == report.plan.offers[
            [o.source.offer_code for o in report.plan.offers].index("BCSTD")
        ].users
        - 3
    )
    with pytest.raises(MoveRefused, match="short"):
        start_move(ctx, Selection(OLD, NEW))
    assert snapshot_db(db) == unchanged


def test_abandon_stops_between_batches(db, demo):
    ctx = admin_of(db, demo.main_org_id)
    job_id = start_move(ctx, Selection(OLD, NEW), batch_size=10)
    runner = JobRunner(db)
    runner.run_once()
    abandon_job(ctx, job_id)
    runner.run_until_idle()
    job = get_job(ctx, job_id)
    assert job.status == "abandoned" and job.moved == 10 and job.pending == job.total - 10
    assert consumed_matches_holders(db)


def test_suspended_source_moves_off_with_nothing_lost(db, demo):
    ctx = admin_of(db, demo.main_org_id)
    execute(db, "update subscriptions set status = 'suspended' where id = :s", s=OLD)
    before = profiles(db)
    job_id = start_move(
        ctx, Selection(OLD, NEW, emails=("ada.levi.0@acme.example.com", "x@y.example"))
    )
    JobRunner(db).run_until_idle()
    assert get_job(ctx, job_id).moved == 1
    assert profiles(db) == before


def test_suspended_target_is_refused(db, demo):
    ctx = admin_of(db, demo.main_org_id)
    execute(db, "update subscriptions set status = 'suspended' where id = :s", s=NEW)
    with pytest.raises(MoveRefused, match="suspended"):
        validate_move(ctx, Selection(OLD, NEW))
