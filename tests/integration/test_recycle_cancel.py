"""R9 cancellation and the recycle bin: refuse, force, restore exactly, refuse reuse, expire."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from callshift.db import tables as t
from callshift.domain.errors import RestoreRefused, SubscriptionInUse
from callshift.domain.licensing import CallingProperties, LicenceRequest, Operation
from callshift.jobs.runner import JobRunner
from callshift.services.context import PersonRef
from callshift.services.features import set_voicemail_pin
from callshift.services.licence_change import change_licences
from callshift.services.subscriptions import (
    cancel_subscription,
    list_recycle_bin,
    readiness,
    restore,
)

from ..helpers import holder, licence, snapshot_db, state_of


def test_cancel_with_users_refuses_with_the_readiness_report(admin, demo, db):
    unchanged = snapshot_db(db)
    with pytest.raises(SubscriptionInUse) as refused:
        cancel_subscription(admin, demo.old_subscription)
    report = refused.value.users_per_licence
    assert report == readiness(admin, demo.old_subscription)
    assert report[licence(admin, demo.old_subscription, "BCSTD").id] == 48
    assert snapshot_db(db) == unchanged


def test_forced_cancel_purges_everyone_into_the_bin_and_restore_brings_them_back(admin, demo, db):
    user = holder(admin)
    set_voicemail_pin(admin, PersonRef(person_id=user.id), "4711230")
    profiles_before = {u: state_of(admin, u).profile for u in [user]}
    purged = cancel_subscription(admin, demo.old_subscription, force=True)
    assert purged == 60
    with db.uow(write=False) as uow:
        assert uow.store.subscription(demo.old_subscription).status.value == "cancelled"
        events = uow.conn.execute(
            select(func.count())
            .select_from(t.audit_events)
            .where(t.audit_events.c.action == "subscription.force-cancel.purge")
        ).scalar_one()
    assert events == 60 and state_of(admin, user).profile is None
    entries = {e.user_id: e for e in list_recycle_bin(admin, limit=1000)}
    assert len(entries) == 60
    new_pro = licence(admin, demo.new_subscription, "BCSTD")
    restore(admin, [entries[user.id].id], licence_id=new_pro.id)
    after = state_of(admin, user)
    assert after.profile == profiles_before[user]  # PIN hash included
    assert new_pro.id in after.licence_ids
    with pytest.raises(RestoreRefused, match="already restored"):
        restore(admin, [entries[user.id].id], licence_id=new_pro.id)


def test_restore_refused_when_the_number_was_reused(admin, demo, db):
    victim = holder(admin, index=0)
    profile = state_of(admin, victim).profile
    old_pro = licence(admin, demo.old_subscription, "BCSTD")
    result = change_licences(
        admin, PersonRef(person_id=victim.id), [LicenceRequest(old_pro.id, Operation.REMOVE)]
    )
    # someone without calling takes the freed extension in the same location
    other = holder(admin, index=1)
    change_licences(
        admin, PersonRef(person_id=other.id), [LicenceRequest(old_pro.id, Operation.REMOVE)]
    )
    change_licences(
        admin,
        PersonRef(person_id=other.id),
        [
            LicenceRequest(
                old_pro.id,
                Operation.ADD,
                CallingProperties(profile.location_id, None, profile.extension),
            )
        ],
        allow_reversal=True,  # calling back on the subscription just left: consented
    )
    unchanged = snapshot_db(db)
    with pytest.raises(RestoreRefused, match="extension"):
        restore(admin, [result.recycle_entry_id])
    assert snapshot_db(db) == unchanged


def test_entries_expire_after_the_retention_period(admin, demo, db):
    user = holder(admin)
    old_pro = licence(admin, demo.old_subscription, "BCSTD")
    result = change_licences(
        admin, PersonRef(person_id=user.id), [LicenceRequest(old_pro.id, Operation.REMOVE)]
    )
    later = replace(admin, clock=lambda: admin.clock() + timedelta(days=31))
    assert result.recycle_entry_id in {e.id for e in list_recycle_bin(admin)}
    assert list_recycle_bin(later) == []
    with pytest.raises(RestoreRefused, match="expired"):
        restore(later, [result.recycle_entry_id])
    assert JobRunner(db, clock=later.clock).housekeeping() == 1
    with db.uow(write=False) as uow:
        assert uow.store.recycle_entry(result.recycle_entry_id) is None
