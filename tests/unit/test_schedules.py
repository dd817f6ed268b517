"""The rules of a person's schedules (domain/schedules.py), without a server."""

from __future__ import annotations

import pytest

from callshift.domain import schedules as sched
from callshift.domain.errors import InvalidInput, NotFound
from callshift.domain.settings import BESIDE, changed_from_default, with_defaults

DAY = {"name": "d", "startDate": "2026-05-04", "endDate": "2026-05-04", "allDayEnabled": True}


def one(**event) -> list[dict]:
    made, _ = sched.create([], {"name": "S", "type": "businessHours", "events": [event]})
    return made


def test_ids_follow_names_and_are_stable():
    made, sid = sched.create([], {"name": "Office", "type": "businessHours"})
    assert sid == sched.schedule_id("Office") != sched.schedule_id("Office 2")
    assert sched.find(made, "businessHours", sid) == 0
    with pytest.raises(NotFound):
        sched.find(made, "holidays", sid)  # the same name and id, another type
    renamed, new_id = sched.update(made, "businessHours", sid, {"newName": "Office 2"})
    assert new_id == sched.schedule_id("Office 2") and renamed[0]["name"] == "Office 2"
    assert made[0]["name"] == "Office"  # the input is never changed


def test_the_same_name_is_allowed_once_per_type():
    made, _ = sched.create([], {"name": "X", "type": "businessHours"})
    made, _ = sched.create(made, {"name": "X", "type": "holidays"})
    with pytest.raises(InvalidInput, match="exists already"):
        sched.create(made, {"name": "X", "type": "holidays"})


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({**DAY, "endDate": "2026-05-03"}, "endDate must not be before"),
        ({**DAY, "startDate": "4/5/2026"}, "startDate must be a date"),
        ({**DAY, "allDayEnabled": False}, "startTime must be a time"),
        (
            {**DAY, "allDayEnabled": False, "startTime": "9:00", "endTime": "10:00"},
            "startTime must be a time",
        ),
        (
            {**DAY, "allDayEnabled": False, "startTime": "10:00", "endTime": "10:00"},
            "endTime must be after",
        ),
        ({**DAY, "recurrence": {"recurForEver": True}}, "one of recurDaily and recurWeekly"),
        (
            {
                **DAY,
                "recurrence": {"recurDaily": {"recurInterval": 1}, "recurWeekly": {"monday": True}},
            },
            "one of recurDaily and recurWeekly",
        ),
        (
            {
                **DAY,
                "recurrence": {
                    "recurForEver": True,
                    "recurEndOccurrence": 3,
                    "recurDaily": {"recurInterval": 1},
                },
            },
            "takes one of",
        ),
        ({**DAY, "recurrence": {"recurWeekly": {"monday": "yes"}}}, "monday must be a boolean"),
        ({**DAY, "recurrence": {"recurDaily": {"recurInterval": True}}}, "recurInterval"),
        ({**DAY, "name": "x" * 81}, "at most 80"),
    ],
)
def test_bad_events_are_refused(event, problem):
    with pytest.raises(InvalidInput, match=problem):
        one(**event)


def test_an_event_is_stored_in_webex_shape_without_unknown_fields():
    (s,) = one(
        **{
            **DAY,
            "allDayEnabled": False,
            "startTime": "09:00",
            "endTime": "17:30",
            "recurrence": {"recurEndDate": "2026-12-31", "recurWeekly": {"monday": True}},
            "color": "blue",
            "id": "made-up",
        }
    )
    (e,) = s["events"]
    assert e == {
        "name": "d",
        "startDate": "2026-05-04",
        "endDate": "2026-05-04",
        "allDayEnabled": False,
        "startTime": "09:00",
        "endTime": "17:30",
        "recurrence": {
            "recurEndDate": "2026-12-31",
            "recurWeekly": {"recurInterval": 1, **dict.fromkeys(sched.DAYS, False), "monday": True},
        },
    }
    assert sched.event_view(e)["id"] == sched.event_id("d")


def test_an_event_update_merges_renames_and_keeps_names_unique():
    made, sid = sched.create(
        [], {"name": "S", "type": "holidays", "events": [DAY, {**DAY, "name": "e"}]}
    )
    out, eid = sched.change_event(made, "holidays", sid, sched.event_id("d"), {"newName": "f"})
    assert eid == sched.event_id("f") and [e["name"] for e in out[0]["events"]] == ["f", "e"]
    assert out[0]["events"][0]["startDate"] == DAY["startDate"]  # the rest kept
    with pytest.raises(InvalidInput, match="two events"):
        sched.change_event(made, "holidays", sid, sched.event_id("d"), {"newName": "e"})
    gone = sched.drop_event(made, "holidays", sid, sched.event_id("e"))
    assert [e["name"] for e in gone[0]["events"]] == ["d"]


def test_schedules_are_carried_beside_the_settings_not_as_one():
    assert sched.STORE_KEY in BESIDE
    made, _ = sched.create([], {"name": "S", "type": "holidays"})
    features = {sched.STORE_KEY: {"schedules": made}, "callWaiting": {"enabled": False}}
    assert sched.STORE_KEY not in with_defaults(features)
    assert changed_from_default(features) == ["callWaiting"]
