"""Every catalogued setting, and the person's schedules beside them, survive a swap, a bulk
move and its rollback byte for byte, and a purge and restore."""

from __future__ import annotations

from callshift.domain.bulk_plan import Selection
from callshift.domain.licensing import CallingProperties, LicenceRequest, Operation
from callshift.domain.settings import SETTINGS, default_settings
from callshift.jobs.runner import JobRunner
from callshift.services.bulk_move import start_move
from callshift.services.context import PersonRef
from callshift.services.features import read_setting
from callshift.services.jobs import get_job, rollback_job
from callshift.services.licence_change import change_licences
from callshift.services.licence_preview import kept_parts, lost_items
from callshift.services.schedules import create_schedule, list_schedules, read_schedule
from callshift.services.subscriptions import list_recycle_bin, restore

from ..helpers import holder, licence, state_of
from ..settings_values import configure_everything


def _views(admin, ref: PersonRef) -> dict:
    return {s.name: read_setting(admin, ref, s.name) for s in SETTINGS}


def _raw_features(db, user_id: str) -> str:
    from sqlalchemy import text

    with db.uow(write=False) as uow:
        q = text("select features from calling_profiles where user_id = :u")
        value = uow.conn.execute(q, {"u": user_id}).scalar_one()
    return value if isinstance(value, str) else repr(value)


def test_every_setting_is_changed_then_kept_by_a_swap_and_by_purge_and_restore(admin, demo, db):
    user, other = holder(admin, index=2), holder(admin, index=3)
    ref = PersonRef(person_id=user.id)
    defaults = _views(admin, ref)
    configure_everything(admin, ref, other.id)
    configured = _views(admin, ref)
    unchanged = [n for n in configured if configured[n] == defaults[n]]
    # no devices, queues or the like, or computed: the default is their one value
    assert unchanged == [s.name for s in SETTINGS if s.fixed]
    profile = state_of(admin, user).profile
    assert set(profile.features) == {s.name for s in SETTINGS} - set(unchanged)
    assert profile.changed_settings() == [n for n in default_settings() if n not in unchanged]

    # a swap: the new Professional in, the old out, in one request
    old_pro = licence(admin, demo.old_subscription, "BCSTD")
    new_pro = licence(admin, demo.new_subscription, "BCSTD")
    raw = _raw_features(db, user.id)
    props = CallingProperties(location_id=profile.location_id, extension=profile.extension)
    change_licences(
        admin,
        ref,
        [
            LicenceRequest(old_pro.id, Operation.REMOVE),
            LicenceRequest(new_pro.id, Operation.ADD, props),
        ],
    )
    assert _raw_features(db, user.id) == raw  # byte for byte
    assert _views(admin, ref) == configured

    # a purge (the calling licence removed, none added) and a restore
    change_licences(admin, ref, [LicenceRequest(new_pro.id, Operation.REMOVE)])
    assert state_of(admin, user).profile is None
    (entry,) = [e for e in list_recycle_bin(admin, limit=1000) if e.user_id == user.id]
    assert entry.profile.features == profile.features
    restore(admin, [entry.id], licence_id=old_pro.id)
    assert state_of(admin, user).profile.features == profile.features
    assert _views(admin, ref) == configured


def test_a_bulk_move_and_its_rollback_keep_every_setting_byte_for_byte(admin, demo, db):
    user, other = holder(admin, index=4), holder(admin, index=5)
    ref = PersonRef(person_id=user.id)
    configure_everything(admin, ref, other.id)
    raw, configured = _raw_features(db, user.id), _views(admin, ref)
    job_id = start_move(admin, Selection(demo.old_subscription, demo.new_subscription))
    JobRunner(db).run_until_idle()
    assert get_job(admin, job_id).status == "succeeded"
    new_pro = licence(admin, demo.new_subscription, "BCSTD")
    assert new_pro.id in state_of(admin, user).licence_ids
    assert _raw_features(db, user.id) == raw and _views(admin, ref) == configured
    rollback_job(admin, job_id)
    JobRunner(db).run_until_idle()
    assert get_job(admin, job_id).status == "rolled_back"
    assert _raw_features(db, user.id) == raw and _views(admin, ref) == configured


def _schedules(admin, ref: PersonRef) -> list[dict]:
    return [read_schedule(admin, ref, s["type"], s["id"]) for s in list_schedules(admin, ref)]


def test_schedules_are_kept_by_purge_and_restore_and_by_a_bulk_move(admin, demo, db):
    user = holder(admin, index=6)
    ref = PersonRef(person_id=user.id)
    event = {
        "name": "mornings",
        "startDate": "2026-03-02",
        "endDate": "2026-03-02",
        "startTime": "08:30",
        "endTime": "12:00",
        "recurrence": {"recurForEver": True, "recurWeekly": {"monday": True, "friday": True}},
    }
    create_schedule(admin, ref, {"name": "Office", "type": "businessHours", "events": [event]})
    create_schedule(admin, ref, {"name": "Closed", "type": "holidays"})
    kept = _schedules(admin, ref)
    assert [s["name"] for s in kept] == ["Office", "Closed"]
    profile = state_of(admin, user).profile
    # beside the settings: not counted or listed as one
    assert "schedules" not in profile.settings() and profile.changed_settings() == []
    # but named in what a swap keeps and what a removal would lose
    assert kept_parts(profile)[-1] == "2 schedules (Office, Closed)"
    assert "2 schedules (Office, Closed)" in lost_items(profile)

    old_pro = licence(admin, demo.old_subscription, "BCSTD")
    change_licences(admin, ref, [LicenceRequest(old_pro.id, Operation.REMOVE)])
    assert state_of(admin, user).profile is None
    (entry,) = [e for e in list_recycle_bin(admin, limit=1000) if e.user_id == user.id]
    assert entry.profile.features["schedules"] == profile.features["schedules"]
    restore(admin, [entry.id], licence_id=old_pro.id)
    assert _schedules(admin, ref) == kept

    raw = _raw_features(db, user.id)
    job_id = start_move(admin, Selection(demo.old_subscription, demo.new_subscription))
    JobRunner(db).run_until_idle()
    assert get_job(admin, job_id).status == "succeeded"
    assert _raw_features(db, user.id) == raw and _schedules(admin, ref) == kept
