"""Method 1 through the use case, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from callshift.domain import errors as E
from callshift.domain.errors import LicenceChangeRefused
from callshift.domain.licensing import CallingChange, LicenceRequest, Operation
from callshift.services.context import PersonRef
from callshift.services.licence_change import change_licences
from callshift.services.user_move import move_user

from ..helpers import admin_of, execute, holder, licence, state_of


def test_swap_keeps_profile_and_moves_units(admin, demo):
    user = holder(admin)
    before = state_of(admin, user)
    old, new = (
        licence(admin, demo.old_subscription, "BCSTD"),
        licence(admin, demo.new_subscription, "BCSTD"),
    )
    result = change_licences(
        admin,
        PersonRef(person_id=user.id),
        [LicenceRequest(old.id, Operation.REMOVE), LicenceRequest(new.id, Operation.ADD)],
    )
    assert result.change.calling is CallingChange.SWAP
    after = state_of(admin, user)
    assert after.profile == before.profile
    assert new.id in after.licence_ids and old.id not in after.licence_ids
    assert licence(admin, demo.old_subscription, "BCSTD").consumed_units == old.consumed_units - 1
    assert licence(admin, demo.new_subscription, "BCSTD").consumed_units == new.consumed_units + 1
    with admin.db.uow(write=False) as uow:
        assert uow.store.audit_count() == 1


def test_move_user_moves_every_offer(admin, demo):
    user = holder(admin)
    before = state_of(admin, user)
    out = move_user(admin, PersonRef(email=user.email), demo.new_subscription)
    after = state_of(admin, user)
    assert out.applied and after.profile == before.profile
    with admin.db.uow(write=False) as uow:
        subs = {uow.store.licence(l).subscription_id for l in after.licence_ids}
    assert subs == {demo.new_subscription}


def test_removal_purges_into_recycle_bin(admin, demo):
    user = holder(admin)
    before = state_of(admin, user)
    old = licence(admin, demo.old_subscription, "BCSTD")
    result = change_licences(
        admin, PersonRef(person_id=user.id), [LicenceRequest(old.id, Operation.REMOVE)]
    )
    assert result.change.calling is CallingChange.PURGE and result.recycle_entry_id
    assert state_of(admin, user).profile is None
    with admin.db.uow(write=False) as uow:
        assert uow.store.recycle_entry(result.recycle_entry_id).profile == before.profile


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_race_for_the_last_unit(db, demo):
    """Two requests racing for one free unit on PostgreSQL: one wins, one gets the capacity
    error."""
    ctx = admin_of(db, demo.main_org_id)
    target = licence(ctx, demo.new_subscription, "EE")
    execute(db, "update licences set total_units = consumed_units + 1 where id = :id", id=target.id)
    with db.uow(write=False) as uow:
        rows = (
            uow.conn.execute(
                text(
                    "select u.id from users u where u.org_id = :o and not exists "
                    "(select 1 from user_licences ul join licences l on l.id = ul.licence_id "
                    "where ul.user_id = u.id and l.offer_code = 'EE') "
                    "order by u.email limit 2"
                ),
                {"o": demo.main_org_id},
            )
            .scalars()
            .all()
        )
    assert len(rows) == 2
    barrier = threading.Barrier(2)
    results: list = []

    def attempt(uid):
        barrier.wait()
        try:
            change_licences(ctx, PersonRef(person_id=uid), [LicenceRequest(target.id)])
            results.append("ok")
        except LicenceChangeRefused as e:
            results.append(e.code)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in rows]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results, key=str) == sorted(["ok", E.NO_FREE_UNITS], key=str)
    after = licence(ctx, demo.new_subscription, "EE")
    assert after.consumed_units == after.total_units
