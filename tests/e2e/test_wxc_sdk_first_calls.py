"""The first calls of a Webex admin script, made by the unmodified wxc-sdk against callshift.

Same set-up as test_wxc_sdk.py (only ``RestSession.BASE`` points at the live server): who am I,
which organisations, which locations, their calling details, and the numbers in use. Every
answer must parse into wxc-sdk's own models and agree with the database behind it.

Runs on SQLite and PostgreSQL (the ``db`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import pytest
from wxc_sdk.common import OwnerType
from wxc_sdk.locations import Location
from wxc_sdk.organizations import Organization
from wxc_sdk.people import Person
from wxc_sdk.telephony import NumberListPhoneNumber, NumberType
from wxc_sdk.telephony.location import TelephonyLocation

from callshift import ids
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from .live_server import seeded_server
from .test_wxc_sdk import callshift_api

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


def profiles(live) -> list[tuple[str, str | None, str | None, str]]:
    """(user id, number, extension, location id) of the main organisation's calling people."""
    with live.server.db.uow(write=False) as uow:
        return [
            tuple(r)
            for r in uow.conn.exec_driver_sql(
                "select user_id, phone_number, extension, location_id from calling_profiles "
                "where org_id = ? order by user_id"
                if live.server.db.is_sqlite
                else "select user_id, phone_number, extension, location_id from calling_profiles "
                "where org_id = %s order by user_id",
                (live.demo.main_org_id,),
            )
        ]


def test_me_orgs_and_locations_parse_into_the_sdk_models(api, live):
    me = api.people.me()
    assert isinstance(me, Person)
    assert me.org_id == ids.org(live.demo.main_org_id)  # what scripts read me() for

    orgs = api.organizations.list()
    assert [type(o) for o in orgs] == [Organization]
    assert orgs[0].org_id == me.org_id and orgs[0].display_name == "Acme Telecom Customers"
    assert api.organizations.details(orgs[0].org_id) == orgs[0]

    locations = list(api.locations.list())
    assert {l.name for l in locations} == {"Tel Aviv HQ", "Haifa", "New York"}
    assert all(isinstance(l, Location) and l.org_id == me.org_id for l in locations)
    ny = next(l for l in locations if l.name == "New York")
    assert ny.address.city == "New York" and ny.address.country == "US"
    assert ny.time_zone == "America/New_York"
    assert api.locations.details(ny.location_id) == ny
    assert [l.location_id for l in api.locations.list(name="york")] == [ny.location_id]
    assert api.locations.by_name("Haifa").name == "Haifa"

    calling = list(api.telephony.location.list())
    assert all(isinstance(l, TelephonyLocation) for l in calling)
    assert {l.location_id: l.routing_prefix for l in calling} == {
        next(x.location_id for x in locations if x.name == n): p
        for n, p in (("Tel Aviv HQ", "1"), ("Haifa", "2"), ("New York", "3"))
    }
    assert api.telephony.location.details(ny.location_id).routing_prefix == "3"


def test_me_of_a_user_token_is_that_person(live, db):
    person = profiles(live)[0][0]
    with live.server.db.uow(write=False) as uow:
        email = uow.store.user(person).email
    api = callshift_api(live.api_base, create_token(db, Role.USER, user_email=email))
    try:
        me = api.people.me()
    finally:
        api.session.close()
    assert me.person_id == ids.person(person) and me.emails == [email]


def test_phone_numbers_page_and_filter_into_the_sdk_model(api, live):
    rows = profiles(live)
    # several pages of 7 followed through the Link next URLs
    numbers = list(api.telephony.phone_numbers(max=7))
    assert all(isinstance(n, NumberListPhoneNumber) for n in numbers)
    assert [
        (ids.decode("PEOPLE", n.owner.owner_id), n.phone_number, n.extension) for n in numbers
    ] == [(uid, number, ext) for uid, number, ext, _ in rows]
    assert {n.owner.owner_type for n in numbers} == {OwnerType.people}
    with_number = next(n for n in numbers if n.phone_number)
    assert with_number.esn == with_number.routing_prefix + with_number.extension

    one_location = rows[0][3]
    here = list(api.telephony.phone_numbers(location_id=ids.location(one_location)))
    assert len(here) == sum(1 for r in rows if r[3] == one_location)
    assert {n.location.id for n in here} == {ids.location(one_location)}

    only_ext = list(api.telephony.phone_numbers(number_type=NumberType.extension))
    assert len(only_ext) == sum(1 for r in rows if r[1] is None)
    assert all(n.phone_number is None for n in only_ext)

    found = list(api.telephony.phone_numbers(phone_number=with_number.phone_number))
    assert [n.owner.owner_id for n in found] == [with_number.owner.owner_id]
    assert list(api.telephony.phone_numbers(available=True)) == []  # no unassigned inventory
    assert list(api.telephony.phone_numbers(owner_type=OwnerType.place)) == []
