"""Everything that hangs on a subscription moves first: users, workspaces and a location's
PSTN, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from callshift.db import tables as t
from callshift.domain.bulk_plan import Selection
from callshift.domain.errors import SubscriptionInUse
from callshift.jobs.runner import JobRunner
from callshift.services.bulk_move import start_move, validate_move
from callshift.services.jobs import get_job, rollback_job
from callshift.services.subscriptions import cancel_subscription, subscription_use

from ..helpers import admin_of, consumed_matches_holders, holdings, profiles, seed_demo

OLD, NEW = "Sub100001", "Sub200001"
USERS, WORKSPACES = 200, 20


@pytest.fixture
def demo(db):
    return seed_demo(db, users=USERS, workspaces=WORKSPACES)


def _pstn(db) -> dict[str, str | None]:
    with db.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.locations.c.name, t.locations.c.pstn_subscription_id))
        return {str(name): sub for name, sub in rows}


def _kinds(db) -> dict[str, str]:
    with db.uow(write=False) as uow:
        return dict(uow.conn.execute(select(t.users.c.id, t.users.c.kind)).all())


def test_readiness_counts_workspaces_and_names_the_pstn_location(db, demo):
    ctx = admin_of(db, demo.main_org_id)
    use = subscription_use(ctx, OLD)
    assert (use.users, use.workspaces) == (USERS, WORKSPACES)
    assert [name for _, name in use.pstn_locations] == ["New York"]
    assert not use.ready
    with pytest.raises(SubscriptionInUse) as refused:
        cancel_subscription(ctx, OLD, force=True)  # a location cannot be purged
    assert "New York" in refused.value.message


def test_a_bulk_move_takes_users_workspaces_and_the_location_and_rollback_puts_all_back(db, demo):
    ctx = admin_of(db, demo.main_org_id)
    kinds = _kinds(db)
    before_profiles, before_holdings = profiles(db), holdings(db)
    report = validate_move(ctx, Selection(OLD, NEW))
    assert (report.users, report.workspaces) == (USERS + WORKSPACES, WORKSPACES)
    assert [name for _, name in report.pstn_locations] == ["New York"]

    job_id = start_move(ctx, Selection(OLD, NEW), batch_size=60)
    JobRunner(db).run_until_idle()
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed) == ("succeeded", USERS + WORKSPACES, 0)
    assert profiles(db) == before_profiles  # every profile byte for byte, workspaces' too
    assert _pstn(db)["New York"] == NEW
    use = subscription_use(ctx, OLD)
    assert (use.users, use.workspaces, use.pstn_locations, use.ready) == (0, 0, (), True)
    with db.uow(write=False) as uow:
        targets = dict(
            uow.conn.execute(
                select(t.audit_events.c.target_id, t.audit_events.c.target_type).where(
                    t.audit_events.c.tracking_id == f"job:{job_id}"
                )
            ).all()
        )
    assert {targets[u] for u, k in kinds.items() if k == "workspace"} == {"workspace"}
    assert {targets[u] for u, k in kinds.items() if k == "person" and u in targets} == {"person"}
    assert consumed_matches_holders(db)

    rollback_job(ctx, job_id)
    JobRunner(db).run_until_idle()
    assert holdings(db) == before_holdings  # the exact assignment, workspaces' too
    assert profiles(db) == before_profiles
    assert _pstn(db)["New York"] == OLD
    assert consumed_matches_holders(db)


def test_a_move_of_workspaces_only_leaves_users_and_the_location(db, demo):
    ctx = admin_of(db, demo.main_org_id)
    sel = Selection(OLD, NEW, holders="workspace")
    report = validate_move(ctx, sel)
    assert (report.users, report.workspaces, report.pstn_locations) == (
        WORKSPACES,
        WORKSPACES,
        [],
    )
    start_move(ctx, sel, batch_size=60)
    JobRunner(db).run_until_idle()
    use = subscription_use(ctx, OLD)
    assert (use.users, use.workspaces) == (USERS, 0)
    with pytest.raises(SubscriptionInUse) as refused:
        cancel_subscription(ctx, OLD)
    assert "New York" in refused.value.message
