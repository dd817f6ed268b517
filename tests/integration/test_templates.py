"""Method 3: licence templates for future and existing users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from callshift.db import tables as t
from callshift.domain.errors import LicenceChangeRefused
from callshift.jobs.runner import JobRunner
from callshift.services.groups import create_group
from callshift.services.jobs import JobStateError, get_job, rollback_job
from callshift.services.people import PersonData, create_person
from callshift.services.previews import confirm_preview
from callshift.services.template_apply import preview_apply
from callshift.services.templates import save_template

from ..helpers import admin_of, execute, holdings, licence, profiles, snapshot_db, state_of

OLD, NEW = "Sub100001", "Sub200001"


def location(ctx) -> str:
    with ctx.db.uow(write=False) as uow:
        return sorted(uow.store.location_ids(ctx.principal.org_id))[0]


def new_template(ctx, codes=("BCSTD", "MS", "EE"), sub=NEW, **kw):
    return save_template(
        ctx,
        None,
        "Everyone",
        kw.pop("type_", "ORG"),
        [licence(ctx, sub, c).id for c in codes],
        location_id=location(ctx),
        **kw,
    )


def run(ctx, preview):
    confirm_preview(ctx, preview.job_id)
    JobRunner(ctx.db).run_until_idle()
    return get_job(ctx, preview.job_id)


def test_without_preserve_every_calling_user_swaps_to_the_new_subscription(admin, db, demo):
    tpl = new_template(admin, codes=("BCSTD", "BCBASIC") and ("BCSTD", "MS", "EE"))
    before = profiles(db)
    unchanged = snapshot_db(db)
    preview = preview_apply(admin, tpl.id, preserve=False)
    assert preview.in_scope == 60 and preview.changing == 60 and preview.purges == 0
    job = run(admin, preview)
    assert (job.status, job.moved, job.failed) == ("succeeded", 60, 0)
    assert profiles(db) == before
    new_ids = {licence(admin, NEW, c).id for c in ("BCSTD", "MS", "EE")}
    with db.uow(write=False) as uow:
        held = (
            uow.conn.execute(
                select(t.user_licences.c.licence_id)
                .join(t.users, t.users.c.id == t.user_licences.c.user_id)
                .where(t.users.c.org_id == demo.main_org_id)
            )
            .scalars()
            .all()
        )
    assert set(held) == new_ids and len(held) == 180
    assert licence(admin, NEW, "BCSTD").consumed_units == 60
    assert licence(admin, OLD, "BCSTD").consumed_units == 0
    rollback_job(admin, preview.job_id)
    JobRunner(db).run_until_idle()
    assert get_job(admin, preview.job_id).status == "rolled_back"
    restored = snapshot_db(db)
    assert restored["user_licences"] == unchanged["user_licences"]
    assert restored["calling_profiles"] == unchanged["calling_profiles"]
    assert restored["licences"] == unchanged["licences"]


def test_preserve_adds_only_what_is_missing(admin, db, demo):
    tpl = new_template(admin, codes=("BCSTD", "EE"))
    preview = preview_apply(admin, tpl.id, preserve=True)
    # everyone keeps calling and Messaging; only users without Meetings get the new Meetings
    assert preview.changing == sum(1 for i in range(60) if i % 4 == 0)
    job = run(admin, preview)
    assert job.moved == preview.changing
    assert licence(admin, OLD, "BCSTD").consumed_units == 48


def test_group_template_wins_over_the_organisation(admin, db, demo):
    org_tpl = new_template(admin, codes=("BCSTD", "MS", "EE"))
    with db.uow(write=False) as uow:
        members = (
            uow.conn.execute(
                select(t.users.c.id)
                .where(t.users.c.org_id == demo.main_org_id)
                .order_by(t.users.c.email)
                .limit(5)
            )
            .scalars()
            .all()
        )
    group = create_group(admin, None, "Sales", members)
    grp_tpl = save_template(
        admin, None, "Sales", "GROUP", [licence(admin, NEW, "MS").id], group_ids=[group.id]
    )
    assert preview_apply(admin, org_tpl.id).in_scope == 55
    assert preview_apply(admin, grp_tpl.id).in_scope == 5


def test_short_capacity_and_data_loss_are_refused_before_anything_changes(admin, db, demo):
    tpl = new_template(admin, codes=("MS",))
    execute(
        db, "update licences set total_units = 10 where id = :i", i=licence(admin, NEW, "MS").id
    )
    unchanged = snapshot_db(db)
    short = preview_apply(admin, tpl.id, preserve=False)
    assert short.shortfall and short.purges == 60
    with pytest.raises(JobStateError, match="short of units"):
        confirm_preview(admin, short.job_id)
    execute(
        db, "update licences set total_units = 1000 where id = :i", i=licence(admin, NEW, "MS").id
    )
    lossy = preview_apply(admin, tpl.id, preserve=False)
    with pytest.raises(JobStateError, match="lose their calling data"):
        confirm_preview(admin, lossy.job_id)
    after = snapshot_db(db)
    for table in ("user_licences", "calling_profiles", "recycle_bin"):
        assert after[table] == unchanged[table]


def test_template_validation(admin, demo):
    with pytest.raises(LicenceChangeRefused, match="at most one calling"):
        new_template(admin, codes=("BCSTD", "BCBASIC"))
    execute(admin.db, "update subscriptions set status = 'suspended' where id = :s", s=NEW)
    with pytest.raises(LicenceChangeRefused, match="suspended"):
        new_template(admin)


def test_future_user_gets_the_template_or_a_reason(admin, db, demo):
    new_template(admin)
    with_calling = create_person(
        admin, None, PersonData(email="new.one@acme.example.com", extension="7001")
    )
    assert set(with_calling.licence_ids) == {
        licence(admin, NEW, c).id for c in ("BCSTD", "MS", "EE")
    }
    assert with_calling.profile.extension == "7001"
    without = create_person(admin, None, PersonData(email="new.two@acme.example.com"))
    assert set(without.licence_ids) == {licence(admin, NEW, c).id for c in ("MS", "EE")}
    assert without.notes and "no calling data" in without.notes[0]


def test_method_three_on_ten_thousand_users(db):
    from callshift.seed import seed

    demo = seed(db, users=10_000)
    ctx = admin_of(db, demo.main_org_id)
    tpl = new_template(ctx, codes=("BCSTD", "MS", "EE"))
    before = profiles(db)
    units_before = {c: licence(ctx, NEW, c).consumed_units for c in ("BCSTD", "MS", "EE")}
    preview = preview_apply(ctx, tpl.id, preserve=False, batch_size=2000)
    assert preview.changing == 10_000 and preview.can_start
    job = run(ctx, preview)
    assert (job.status, job.moved, job.failed) == ("succeeded", 10_000, 0)
    assert profiles(db) == before
    assert licence(ctx, NEW, "BCSTD").consumed_units == units_before["BCSTD"] + 10_000
    assert licence(ctx, NEW, "MS").consumed_units == units_before["MS"] + 10_000
    assert licence(ctx, NEW, "EE").consumed_units == units_before["EE"] + 10_000
    for code in ("BCSTD", "BCBASIC", "MS", "EE"):
        assert licence(ctx, OLD, code).consumed_units == 0


def test_existing_users_without_calling_data_get_the_rest_and_the_reason(admin, db, demo):
    bare = create_person(admin, None, PersonData(email="no.calling@acme.example.com"))
    assert not bare.licence_ids and bare.profile is None
    tpl = new_template(admin, codes=("BCSTD", "MS", "EE"))
    preview = preview_apply(admin, tpl.id, preserve=True)
    assert preview.notes == 1 and preview.in_scope == 61
    job = run(admin, preview)
    assert job.status == "succeeded" and job.failed == 0
    after = state_of(admin, bare.user)
    assert set(after.licence_ids) == {licence(admin, NEW, c).id for c in ("MS", "EE")}
    assert after.profile is None
    with db.uow(write=False) as uow:
        note = uow.conn.execute(
            select(t.job_items.c.message).where(
                t.job_items.c.job_id == preview.job_id, t.job_items.c.user_id == bare.user.id
            )
        ).scalar()
    assert "no calling data" in note


def test_units_taken_since_the_preview_fail_the_users_left_without_one(admin, db, demo):
    """The job plans each kind of user once, but units run out user by user: those served
    before the last unit move, the rest keep every licence they had (R8)."""
    tpl = new_template(admin, codes=("BCSTD", "MS", "EE"))
    preview = preview_apply(admin, tpl.id, preserve=False)
    pro = licence(admin, NEW, "BCSTD")
    execute(
        db,
        "update licences set total_units = :n where id = :i",
        n=pro.consumed_units + 25,
        i=pro.id,
    )  # another admin took the rest meanwhile
    before = holdings(db)
    job = run(admin, preview)
    assert (job.status, job.moved, job.failed) == ("failed", 25, 35)  # failed: some items did
    assert licence(admin, NEW, "BCSTD").consumed_units == pro.consumed_units + 25
    with db.uow(write=False) as uow:
        items = uow.conn.execute(
            select(t.job_items.c.user_id, t.job_items.c.status, t.job_items.c.error_code).where(
                t.job_items.c.job_id == preview.job_id
            )
        ).all()
    held = holdings(db)
    failed = [uid for uid, status, code in items if status == "failed"]
    assert len(failed) == 35 and {code for _, s, code in items if s == "failed"} == {400501}
    assert all(held[uid] == before[uid] for uid in failed)


def test_a_job_previewed_by_an_earlier_version_still_runs_from_its_stored_requests(admin, db, demo):
    """Earlier versions stored each item's requests (an index into the job's distinct plans)
    instead of the template: such a job, confirmed before an upgrade, must still apply."""
    tpl = new_template(admin, codes=("BCSTD", "EE"))
    preview = preview_apply(admin, tpl.id, preserve=True)  # one kind: Meetings added
    meetings = licence(admin, NEW, "EE").id
    with db.uow() as uow:
        job = uow.conn.execute(
            select(t.jobs.c.params).where(t.jobs.c.id == preview.job_id)
        ).scalar()
        params = {k: v for k, v in job.items() if k != "template"}
        params["plans"] = [[{"id": meetings, "op": "add", "props": None}]]
        uow.conn.execute(t.jobs.update().where(t.jobs.c.id == preview.job_id).values(params=params))
        uow.conn.execute(
            t.job_items.update()
            .where(t.job_items.c.job_id == preview.job_id)
            .values(payload={"plan": 0})
        )
        uow.commit()
    job = run(admin, preview)
    assert (job.status, job.moved, job.failed) == ("succeeded", preview.changing, 0)
    assert licence(admin, NEW, "EE").consumed_units == preview.changing


def test_a_user_with_a_calling_profile_but_no_calling_licence_is_not_told_no_calling_data(
    admin, db, demo
):
    """Calling data is looked up only for users holding no calling licence: such a user
    who still has a profile counts as having calling data, in the preview and in the job."""
    tpl = new_template(admin, codes=("BCSTD", "MS", "EE"))
    pro = licence(admin, OLD, "BCSTD")
    with db.uow(write=False) as uow:
        uid = uow.conn.execute(
            select(t.user_licences.c.user_id).where(t.user_licences.c.licence_id == pro.id).limit(1)
        ).scalar()
    execute(db, "delete from user_licences where user_id = :u and licence_id = :l", u=uid, l=pro.id)
    execute(db, "update licences set consumed_units = consumed_units - 1 where id = :l", l=pro.id)
    before = profiles(db)
    preview = preview_apply(admin, tpl.id, preserve=True)
    # the template's calling licence would be a first one, and it carries no number
    assert (preview.failing, preview.notes) == (1, 0)
    job = run(admin, preview)
    with db.uow(write=False) as uow:
        item = uow.conn.execute(
            select(t.job_items.c.status, t.job_items.c.message).where(
                t.job_items.c.job_id == preview.job_id, t.job_items.c.user_id == uid
            )
        ).one()
    assert job.failed == 1 and item.status == "failed"
    assert "extension or a phone number" in item.message
    assert profiles(db)[uid] == before[uid]
