"""A person's schedules and available numbers, driven by the unmodified wxc-sdk (only
``RestSession.BASE`` points at the live server): ``api.person_settings.available_numbers``
and ``api.person_settings.schedules``, answers parsed into wxc-sdk's own models and checked
against the database behind them.

Runs on SQLite and PostgreSQL (the ``db`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import datetime

import pytest
from wxc_sdk.common.schedules import (
    Event,
    RecurDaily,
    Recurrence,
    Schedule,
    ScheduleType,
)
from wxc_sdk.common.selective import SelectiveFrom, SelectiveScheduleLevel
from wxc_sdk.licenses import LicenseProperties, LicenseRequest, LicenseRequestOperation
from wxc_sdk.person_settings.available_numbers import AvailableNumber
from wxc_sdk.person_settings.selective_accept import SelectiveAcceptCriteria
from wxc_sdk.person_settings.selective_forward import SelectiveForwardCriteria
from wxc_sdk.person_settings.selective_reject import SelectiveRejectCriteria
from wxc_sdk.rest import RestError

from callshift import ids
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from .live_server import seeded_server
from .test_wxc_sdk import PROFESSIONAL, by_sub, callshift_api
from .test_wxc_sdk_first_calls import profiles

USERS = 30  # on three locations of the main organisation (+ 20 people in a second one)


@pytest.fixture
def live(db):
    with seeded_server(db, users=USERS) as seeded:
        yield seeded


@pytest.fixture
def api(live):
    api = callshift_api(live.api_base, live.token)
    yield api
    api.session.close()


def test_available_numbers_are_the_people_numbers_of_the_persons_location(api, live):
    rows = profiles(live)
    person, _, _, location = next(r for r in rows if r[1])
    pid = ids.person(person)
    here = [(uid, n, ext) for uid, n, ext, loc in rows if loc == location and n]
    av = api.person_settings.available_numbers
    for lookup in (av.call_forward, av.call_intercept, av.ecbn):
        got = list(lookup(pid, max=3))  # paged through Link next URLs
        assert all(isinstance(n, AvailableNumber) for n in got)
        shown = [(ids.decode("PEOPLE", n.owner.owner_id), n.phone_number, n.extension) for n in got]
        assert shown == here
        assert {n.location.id for n in got} == {ids.location(location)}
        assert {n.owner.owner_type for n in got} == {"PEOPLE"}
    # Webex's filters: a list of numbers, the owner's name, the extension
    two = [here[0][1], here[-1][1]]
    assert {n.phone_number for n in av.call_forward(pid, phone_number=two)} == set(two)
    first = next(n for n in av.ecbn(pid) if n.owner.owner_id == ids.person(here[0][0]))
    by_name = list(av.ecbn(pid, owner_name=first.owner.last_name))
    assert first.phone_number in {n.phone_number for n in by_name}
    if here[0][2]:
        got = list(av.call_intercept(pid, extension=here[0][2]))
        assert [n.phone_number for n in got] == [here[0][1]]
    # unassigned numbers: callshift has none (every number it knows is a person's)
    assert list(av.secondary(pid)) == []
    assert list(av.fax_message(pid)) == []
    assert list(av.primary(location_id=ids.location(location))) == []


def test_available_numbers_refuse_bad_input_users_and_strangers(api, live, db):
    rows = profiles(live)
    pid = ids.person(rows[0][0])
    av = api.person_settings.available_numbers
    with pytest.raises(RestError) as bad:
        list(av.call_forward(pid, phone_number=["not-a-number"]))
    assert bad.value.response.status_code == 400
    assert "phoneNumber" in bad.value.response.json()["message"]
    with pytest.raises(RestError) as unknown:
        list(av.ecbn(ids.person("00000000-0000-0000-0000-000000000000")))
    assert unknown.value.response.status_code == 404
    with live.server.db.uow(write=False) as uow:
        email = uow.store.user(rows[0][0]).email
    user_api = callshift_api(live.api_base, create_token(db, Role.USER, user_email=email))
    try:
        with pytest.raises(RestError) as refused:
            list(user_api.person_settings.available_numbers.call_forward(pid))
    finally:
        user_api.session.close()
    assert refused.value.response.status_code == 403


# --- schedules ---------------------------------------------------------------------------


def business_hours(name: str) -> Schedule:
    """Two weekday events: every week, and every other day for ten times, all day."""
    day = datetime.date(2026, 1, 5)
    morning = Event.day_start_end(name="morning", day=day, start_time=9, end_time=12)
    off = Event(
        name="off",
        start_date=day,
        end_date=day + datetime.timedelta(days=1),
        all_day_enabled=True,
        recurrence=Recurrence(recur_end_occurrence=10, recur_daily=RecurDaily(recur_interval=2)),
    )
    return Schedule(name=name, schedule_type=ScheduleType.business_hours, events=[morning, off])


def stored_features(live, user_id: str) -> dict:
    with live.server.db.uow(write=False) as uow:
        return uow.store.profile(user_id).features


def test_schedules_round_trip_through_the_sdk(api, live):
    person = profiles(live)[0][0]
    pid = ids.person(person)
    sc = api.person_settings.schedules
    assert list(sc.list(pid)) == []
    sid = sc.create(pid, business_hours("Office"))
    hid = sc.create(
        pid,
        Schedule(
            name="Holidays 2026",
            schedule_type=ScheduleType.holidays,
            events=[
                Event(
                    name="New year",
                    start_date=datetime.date(2026, 1, 1),
                    end_date=datetime.date(2026, 1, 1),
                    all_day_enabled=True,
                )
            ],
        ),
    )
    listed = list(sc.list(pid))
    assert [(s.schedule_id, s.name, s.schedule_type) for s in listed] == [
        (sid, "Office", ScheduleType.business_hours),
        (hid, "Holidays 2026", ScheduleType.holidays),
    ]
    assert [s.name for s in sc.list(pid, schedule_type=ScheduleType.holidays)] == ["Holidays 2026"]
    assert [s.name for s in sc.list(pid, name="Office")] == ["Office"]

    office = sc.details(pid, ScheduleType.business_hours, sid)
    assert [e.name for e in office.events] == ["morning", "off"]
    morning, off = office.events
    assert (morning.start_time, morning.end_time) == (datetime.time(9), datetime.time(12))
    assert morning.recurrence.recur_weekly.monday and morning.recurrence.recur_for_ever
    assert off.recurrence.recur_daily.recur_interval == 2
    assert off.recurrence.recur_end_occurrence == 10 and off.all_day_enabled

    # events: create, details, update (a new name is a new id), delete
    lunch = Event.day_start_end(
        name="lunch", day=datetime.date(2026, 1, 6), start_time=12, end_time=13
    )
    lid = sc.event_create(pid, ScheduleType.business_hours, sid, lunch)
    got = sc.event_details(pid, ScheduleType.business_hours, sid, lid)
    assert got.name == "lunch" and got.recurrence.recur_weekly.tuesday
    got.new_name = "long lunch"
    got.end_time = datetime.time(14)
    new_lid = sc.event_update(pid, ScheduleType.business_hours, sid, got)
    assert new_lid != lid
    changed = sc.event_details(pid, ScheduleType.business_hours, sid, new_lid)
    assert changed.name == "long lunch" and changed.end_time == datetime.time(14)
    sc.event_delete(pid, ScheduleType.business_hours, sid, new_lid)
    assert [e.name for e in sc.details(pid, ScheduleType.business_hours, sid).events] == [
        "morning",
        "off",
    ]

    # the schedule renamed (its id follows the name) with one event left
    office = sc.details(pid, ScheduleType.business_hours, sid)
    office.new_name = "Office hours"
    office.events = office.events[:1]
    new_sid = sc.update(pid, office)
    assert new_sid != sid
    renamed = sc.details(pid, ScheduleType.business_hours, new_sid)
    assert renamed.name == "Office hours" and [e.name for e in renamed.events] == ["morning"]
    with pytest.raises(RestError) as gone:
        sc.details(pid, ScheduleType.business_hours, sid)
    assert gone.value.response.status_code == 404

    sc.delete_schedule(pid, ScheduleType.holidays, hid)
    assert [s.name for s in sc.list(pid)] == ["Office hours"]
    # stored in the calling profile, beside the settings
    assert [s["name"] for s in stored_features(live, person)["schedules"]["schedules"]] == [
        "Office hours"
    ]


def test_a_criterion_names_a_person_schedule_and_a_move_keeps_them(api, live):
    licences = api.licenses.list()
    old = by_sub(licences, PROFESSIONAL, live.demo.old_subscription)
    new = by_sub(licences, PROFESSIONAL, live.demo.new_subscription)
    person = next(p for p in api.people.list(calling_data=True) if old.license_id in p.licenses)
    pid = person.person_id
    sc = api.person_settings.schedules
    sid = sc.create(pid, business_hours("Office"))
    sc.create(pid, Schedule(name="Closed", schedule_type=ScheduleType.holidays))
    # selective forward's criteria name the person's schedule by name, type and level
    sf = api.person_settings.selective_forward
    cid = sf.create_criteria(
        pid,
        SelectiveForwardCriteria(
            schedule_name="Office",
            schedule_type=ScheduleType.business_hours,
            schedule_level=SelectiveScheduleLevel.people,
            calls_from=SelectiveFrom.any_phone_number,
            forward_to_phone_number="+14155550123",
            enabled=True,
        ),
    )
    crit = sf.read_criteria(pid, cid)
    assert (crit.schedule_name, crit.schedule_type, crit.schedule_level) == (
        "Office",
        ScheduleType.business_hours,
        SelectiveScheduleLevel.people,
    )
    # selective accept and reject name it the same way (the holidays one here)
    ps = api.person_settings
    named = []
    for api_, cls in (
        (ps.selective_accept, SelectiveAcceptCriteria),
        (ps.selective_reject, SelectiveRejectCriteria),
    ):
        made = api_.create_criteria(
            pid,
            cls(
                schedule_name="Closed",
                schedule_type=ScheduleType.holidays,
                schedule_level=SelectiveScheduleLevel.people,
                calls_from=SelectiveFrom.any_phone_number,
                enabled=True,
            ),
        )
        got = api_.read_criteria(pid, made)
        named.append((api_, got))
        assert (got.schedule_name, got.schedule_level) == (
            "Closed",
            SelectiveScheduleLevel.people,
        )
    before = [sc.details(pid, s.schedule_type, s.schedule_id) for s in sc.list(pid)]

    detail = api.people.details(pid, calling_data=True)
    result = api.licenses.assign_licenses_to_users(
        person_id=pid,
        licenses=[
            LicenseRequest(id=old.license_id, operation=LicenseRequestOperation.remove),
            LicenseRequest(
                id=new.license_id,
                operation=LicenseRequestOperation.add,
                properties=LicenseProperties(
                    location_id=detail.location_id, extension=detail.extension
                ),
            ),
        ],
    )
    assert new.license_id in result.licenses and old.license_id not in result.licenses
    after = [sc.details(pid, s.schedule_type, s.schedule_id) for s in sc.list(pid)]
    assert after == before and len(after) == 2
    assert sc.details(pid, ScheduleType.business_hours, sid).events == before[0].events
    assert sf.read_criteria(pid, cid) == crit
    for api_, was in named:
        assert api_.read_criteria(pid, was.id) == was


def bad(call) -> dict:
    with pytest.raises(RestError) as e:
        call()
    assert e.value.response.status_code == 400, e.value.response.text
    body = e.value.response.json()
    assert body["message"] and body["errors"][0]["description"]  # Webex's error shape
    return body


def test_bad_schedules_are_refused_and_nothing_changes(api, live):
    person = profiles(live)[1][0]
    pid = ids.person(person)
    sc = api.person_settings.schedules
    sid = sc.create(pid, business_hours("Office"))
    before = stored_features(live, person)
    url = sc._endpoint(obj_id=pid)
    one = sc._endpoint(obj_id=pid, schedule_type=ScheduleType.business_hours, schedule_id=sid)
    event = {"name": "e", "startDate": "2026-02-01", "endDate": "2026-02-01", "allDayEnabled": True}
    for body in (
        {"name": "Office", "type": "businessHours"},  # taken
        {"name": "", "type": "holidays"},
        {"name": "x", "type": "weekends"},
        {"name": "x", "type": "holidays", "events": [{**event, "startDate": "2026-02-30"}]},
        {"name": "x", "type": "holidays", "events": [event, event]},  # two named e
        {
            "name": "x",
            "type": "holidays",
            "events": [{**event, "allDayEnabled": False, "startTime": "10:00", "endTime": "9:00"}],
        },
        {
            "name": "x",
            "type": "holidays",
            "events": [
                {**event, "recurrence": {"recurYearlyByDate": {"dayOfMonth": 1, "month": "MAY"}}}
            ],
        },
        {
            "name": "x",
            "type": "holidays",
            "events": [{**event, "recurrence": {"recurForEver": True, "recurWeekly": {}}}],
        },
        {"name": "x\u202e", "type": "holidays"},
    ):
        bad(lambda body=body: api.session.rest_post(url, json=body))
    bad(lambda: api.session.rest_put(one, json={"newName": "a" * 81}))
    bad(lambda: api.session.rest_put(one, json={"events": [{"name": "no dates"}]}))
    bad(lambda: api.session.rest_post(f"{one}/events", json={**event, "endDate": "2026-01-01"}))
    bad(lambda: api.session.rest_post(f"{one}/events", json={**event, "name": "morning"}))
    eid = sc.details(pid, ScheduleType.business_hours, sid).events[0].event_id
    bad(
        lambda: api.session.rest_put(
            f"{one}/events/{eid}", json={"recurrence": {"recurDaily": {"recurInterval": 0}}}
        )
    )
    assert stored_features(live, person) == before
    with pytest.raises(RestError) as unknown:
        sc.details(pid, ScheduleType.holidays, sid)  # the id is a business hours schedule's
    assert unknown.value.response.status_code == 404


def test_a_user_manages_its_own_schedules_and_no_one_elses(live, db):
    rows = profiles(live)
    with live.server.db.uow(write=False) as uow:
        email = uow.store.user(rows[0][0]).email
    user_api = callshift_api(live.api_base, create_token(db, Role.USER, user_email=email))
    reader = callshift_api(
        live.api_base, create_token(db, Role.READ_ONLY_ADMIN, org_id=live.demo.main_org_id)
    )
    try:
        own = user_api.person_settings.schedules
        sid = own.create(ids.person(rows[0][0]), business_hours("Mine"))
        assert [s.schedule_id for s in own.list(ids.person(rows[0][0]))] == [sid]
        with pytest.raises(RestError) as other:
            list(own.list(ids.person(rows[1][0])))
        assert other.value.response.status_code == 404
        read_only = reader.person_settings.schedules
        assert [s.name for s in read_only.list(ids.person(rows[0][0]))] == ["Mine"]
        with pytest.raises(RestError) as refused:
            read_only.create(ids.person(rows[0][0]), business_hours("Not mine"))
        assert refused.value.response.status_code == 403
    finally:
        user_api.session.close()
        reader.session.close()


def test_time_zone_and_language_are_the_persons_own(api, live):
    person = profiles(live)[2][0]
    pid = ids.person(person)
    ps = api.person_settings
    unset = ps.get(pid)
    assert (unset.time_zone, unset.announcement_language) == (None, None)  # the location's
    ps.modify(pid, announcement_language="fr_ca", time_zone="America/Toronto")
    got = ps.get(pid)
    assert (got.time_zone, got.announcement_language) == ("America/Toronto", "fr_ca")
    before = stored_features(live, person)
    body = bad(lambda: ps.modify(pid, time_zone="Mars/Olympus_Mons"))
    assert "timeZone" in body["message"]
    bad(lambda: ps.modify(pid, announcement_language="klingon"))
    assert stored_features(live, person) == before
    ps.modify(pid, time_zone="Europe/Paris")  # a partial update keeps the language
    assert ps.get(pid).announcement_language == "fr_ca"
