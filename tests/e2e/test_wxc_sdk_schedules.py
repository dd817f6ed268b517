"""A person's schedules and available numbers, driven by the unmodified wxc-sdk (only
``RestSession.BASE`` points at the live server): ``api.person_settings.available_numbers``
and ``api.person_settings.schedules``, answers parsed into wxc-sdk's own models and checked
against the database behind them.

Runs on SQLite and PostgreSQL (the ``db`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import pytest
from wxc_sdk.person_settings.available_numbers import AvailableNumber
from wxc_sdk.rest import RestError

from callshift import ids
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from .live_server import seeded_server
from .test_wxc_sdk import callshift_api
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
