"""Readiness and cancellation count people, with the assignments per licence beside them
(issue 17, finding 3); a rollback's confirmation counts what goes back; the jobs list leaves
previews out unless asked (finding 6). SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest

from callshift.domain.bulk_plan import Selection
from callshift.domain.errors import SubscriptionInUse
from callshift.domain.licensing import LicenceRequest, Operation
from callshift.domain.users_csv import Mode
from callshift.jobs.runner import JobRunner
from callshift.services.bulk_move import start_move
from callshift.services.context import PersonRef
from callshift.services.csv_import import ImportOptions, validate_import
from callshift.services.csv_jobs import confirm_import, discard_import, save_preview
from callshift.services.jobs import abandon_job, list_jobs, rollback_summary
from callshift.services.licence_change import change_licences
from callshift.services.subscriptions import cancel_subscription, subscription_use

from ..helpers import holder, licence, people_on


def test_readiness_counts_each_user_once_beside_the_assignments(admin, demo, db):
    use = subscription_use(admin, demo.old_subscription)
    assert use.users == demo.users == people_on(db, demo.old_subscription)
    assert use.assignments == sum(use.per_licence.values()) > use.users
    assert use.calling_users == people_on(db, demo.old_subscription, ("BCSTD", "BCBASIC"))
    pro = licence(admin, demo.old_subscription, "BCSTD")
    assert use.names[pro.id] == "Webex Calling - Professional" and not use.ready
    # one user loses one of several licences: still one user, one assignment fewer
    user = holder(admin)
    with db.uow(write=False) as uow:
        held = [l for l in uow.store.licensing(user).licence_ids if l != pro.id]
    others = [l for l in held if l in use.per_licence]
    assert others, "the seed gives a Professional user other licences of the subscription"
    remove = [LicenceRequest(others[0], Operation.REMOVE)]
    change_licences(admin, PersonRef(person_id=user.id), remove)
    after = subscription_use(admin, demo.old_subscription)
    assert after.users == use.users and after.assignments == use.assignments - 1
    with pytest.raises(SubscriptionInUse) as refused:
        cancel_subscription(admin, demo.old_subscription)
    text = refused.value.message
    people = f"still has {demo.users} user(s) on it"
    assert f"{people} ({after.assignments} licence assignment(s)" in text
    assert "Webex Calling - Professional" in text and refused.value.users == demo.users


def test_a_moved_subscription_counts_nobody_and_the_rollback_counts_what_goes_back(admin, demo, db):
    before = subscription_use(admin, demo.old_subscription)
    job_id = start_move(admin, Selection(demo.old_subscription, demo.new_subscription))
    JobRunner(db).run_until_idle()
    gone = subscription_use(admin, demo.old_subscription)
    assert gone.ready and gone.users == gone.assignments == gone.calling_users == 0
    summary = rollback_summary(admin, job_id)
    assert summary.users == demo.users
    back = {r.name: r for r in summary.returns}
    pro = back["Webex Calling - Professional"]
    old_pro = licence(admin, demo.old_subscription, "BCSTD")
    assert (pro.count, pro.from_sub, pro.to_sub) == (
        before.per_licence[old_pro.id],
        demo.new_subscription,
        demo.old_subscription,
    )
    assert sum(r.count for r in summary.returns) == before.assignments


def _csv_preview(admin, db) -> str:
    data = (
        b"User ID/Email (Required),Webex Meetings [Sub200001]\r\n"
        b"ada.levi.0@acme.example.com,TRUE\r\n"
    )
    preview = validate_import(admin, io.BytesIO(data), ImportOptions(Mode.ADD))
    try:
        return save_preview(admin, preview)
    finally:
        preview.close()


def test_the_jobs_list_leaves_previews_out_unless_asked(admin, demo, db):
    waiting = _csv_preview(admin, db)
    discarded = _csv_preview(admin, db)
    discard_import(admin, discarded)
    confirmed = _csv_preview(admin, db)
    confirm_import(admin, confirmed)
    abandon_job(admin, confirmed)  # confirmed, then abandoned before it ran: a real job
    move = start_move(admin, Selection(demo.old_subscription, demo.new_subscription))
    listed = {j.id for j in list_jobs(admin)}
    assert listed == {confirmed, move}
    everything = {j.id for j in list_jobs(admin, include_previews=True)}
    assert everything == {waiting, confirmed, move}  # a discarded preview is deleted
