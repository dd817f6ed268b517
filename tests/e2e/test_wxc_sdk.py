"""The `wxc_sdk` package, used as an ordinary Webex client, against callshift's real server.

Only the base URL changes. wxc_sdk has no constructor argument for it: every URL is built by
``RestSession.ep()`` from the class variable ``RestSession.BASE`` ("base URL for all Webex
API requests", ``https://webexapis.com/v1``), and ``WebexSimpleApi(session=...)`` is the
documented way to hand the API a session of one's own. So we subclass ``RestSession`` with
``BASE`` pointing at callshift and pass an instance as ``session``: nothing is monkeypatched,
no other SDK instance in the process is affected, and every child API (licenses, people,
person_settings...) builds its URLs from that session. Paging needs nothing: the SDK follows
callshift's absolute ``Link: <...>; rel="next"`` URLs as it would Webex's.

Runs on SQLite and PostgreSQL (the ``db`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import pytest
from wxc_sdk import WebexSimpleApi
from wxc_sdk.licenses import License, LicenseProperties, LicenseRequest, LicenseRequestOperation
from wxc_sdk.rest import RestSession
from wxc_sdk.tokens import Tokens

from callshift import ids
from callshift.services.pins import verify_pin

from .live_server import Seeded, seeded_server

USERS = 30  # 24 Professional + 6 Basic on Sub100001 (+ 20 in a second organisation)
PAGE = 7  # small page size: several pages of people and of licence holders
PROFESSIONAL = "Webex Calling - Professional"


def callshift_api(api_base: str, token: str) -> WebexSimpleApi:
    """A WebexSimpleApi whose every request goes to ``api_base`` (e.g. http://127.0.0.1:PORT/v1)."""

    class CallshiftSession(RestSession):
        BASE = api_base

    session = CallshiftSession(
        tokens=Tokens(access_token=token), concurrent_requests=4, retry_429=True
    )
    return WebexSimpleApi(tokens=token, session=session)


@pytest.fixture
def live(db):
    with seeded_server(db, users=USERS) as seeded:
        yield seeded


@pytest.fixture
def api(live: Seeded):
    api = callshift_api(live.api_base, live.token)
    yield api
    api.session.close()  # a session passed in is the caller's to close


def by_sub(licences: list[License], name: str, sub: str) -> License:
    (found,) = [l for l in licences if l.name == name and l.subscription_id == sub]
    return found


def pin_hash(live: Seeded, person_id: str) -> str | None:
    with live.server.db.uow(write=False) as uow:
        return uow.store.profile(ids.decode("PEOPLE", person_id)).voicemail_pin_hash


def calling_settings(api: WebexSimpleApi, person_id: str) -> dict:
    """Everything of the calling profile the SDK can read, as dumps of its own models."""
    ps = api.person_settings
    return {
        "voicemail": ps.voicemail.read(person_id).model_dump(),
        "forwarding": ps.forwarding.read(person_id).model_dump(),
        "dnd": ps.dnd.read(person_id).model_dump(),
        "call_waiting": ps.call_waiting.read(person_id),
        "caller_id": ps.caller_id.read(person_id).model_dump(),
        "numbers": ps.numbers.read(person_id).model_dump(),
    }


def test_sdk_reads_licences_and_pages_people(api, live):
    licences = api.licenses.list()
    subs = {l.subscription_id for l in licences}
    assert subs == {live.demo.old_subscription, live.demo.new_subscription}
    old_pro = by_sub(licences, PROFESSIONAL, live.demo.old_subscription)
    assert old_pro.webex_calling_professional and old_pro.lic_type == "BCSTD"
    assert old_pro.consumed_units == old_pro.consumed_by_users == USERS - USERS // 5
    assert api.licenses.details(old_pro.license_id) == old_pro

    holders = list(api.licenses.assigned_users(old_pro.license_id, limit=PAGE))
    assert len(holders) == old_pro.consumed_units  # pages of 7 followed through Link
    assert len({h.id for h in holders}) == len(holders)

    people = list(api.people.list(max=PAGE))  # 30 people: 5 pages of 7 (the last one short)
    assert len(people) == USERS
    assert len({p.person_id for p in people}) == USERS
    assert all(p.emails and p.emails[0].endswith("@acme.example.com") for p in people)
    with_calling = list(api.people.list(calling_data=True, max=PAGE))
    assert len(with_calling) == USERS and all(p.extension and p.location_id for p in with_calling)
    assert {h.id for h in holders} <= {p.person_id for p in people}

    one = people[3]
    found = list(api.people.list(email=one.emails[0]))
    assert [p.person_id for p in found] == [one.person_id]
    by_ids = list(api.people.list(id_list=[p.person_id for p in people[: PAGE + 2]], max=PAGE))
    assert [p.person_id for p in by_ids] == [p.person_id for p in people[: PAGE + 2]]


def test_sdk_moves_a_person_between_subscriptions_keeping_calling(api, live):
    licences = api.licenses.list()
    old = by_sub(licences, PROFESSIONAL, live.demo.old_subscription)
    new = by_sub(licences, PROFESSIONAL, live.demo.new_subscription)

    # a Professional holder with a direct number and a non-default setting (busy forwarding),
    # so that a profile reset by the move could not go unnoticed
    people = list(api.people.list(calling_data=True, max=PAGE))
    candidates = [p for p in people if old.license_id in p.licenses and p.tn is not None]
    assert candidates, "the seed has no Professional holder with a direct number"
    person = next(
        (
            p
            for p in candidates
            if api.person_settings.forwarding.read(p.person_id).call_forwarding.busy.enabled
        ),
        candidates[0],
    )
    pid = person.person_id
    # the PIN cannot be read back, but setting it through the SDK must work
    api.person_settings.voicemail.modify_passcode(pid, "739182")
    api.person_settings.dnd.configure(
        pid, dnd_settings=api.person_settings.dnd.read(pid).model_copy(update={"enabled": True})
    )

    pin_hash_before = pin_hash(live, pid)
    detail_before = api.people.details(pid, calling_data=True)
    settings_before = calling_settings(api, pid)
    assert detail_before.extension and detail_before.location_id and detail_before.tn
    assert settings_before["dnd"]["enabled"] is True
    assert settings_before["numbers"]["phone_numbers"][0]["direct_number"] == detail_before.tn.value
    assert settings_before["numbers"]["phone_numbers"][0]["extension"] == detail_before.extension

    # one call: remove the old Professional, add the new one (properties as Webex wants them
    # for a calling licence, and matching the current profile, so the move keeps it)
    result = api.licenses.assign_licenses_to_users(
        person_id=pid,
        licenses=[
            LicenseRequest(id=old.license_id, operation=LicenseRequestOperation.remove),
            LicenseRequest(
                id=new.license_id,
                operation=LicenseRequestOperation.add,
                properties=LicenseProperties(
                    location_id=detail_before.location_id, extension=detail_before.extension
                ),
            ),
        ],
    )
    assert result.person_id == pid and result.org_id == detail_before.org_id
    assert new.license_id in result.licenses and old.license_id not in result.licenses
    assert set(result.licenses) == set(detail_before.licenses) - {old.license_id} | {new.license_id}

    detail_after = api.people.details(pid, calling_data=True)
    assert detail_after.extension == detail_before.extension
    assert detail_after.location_id == detail_before.location_id
    assert detail_after.phone_numbers == detail_before.phone_numbers
    assert sorted(detail_after.licenses) == sorted(result.licenses)
    ignore = {"licenses", "last_modified"}
    assert detail_after.model_dump(exclude=ignore) == detail_before.model_dump(exclude=ignore)
    assert calling_settings(api, pid) == settings_before
    assert pin_hash(live, pid) == pin_hash_before  # no API reads it back; the row must not change
    assert verify_pin("739182", pin_hash_before)

    after = api.licenses.list()
    old_after = by_sub(after, PROFESSIONAL, live.demo.old_subscription)
    new_after = by_sub(after, PROFESSIONAL, live.demo.new_subscription)
    assert old_after.consumed_units == old.consumed_units - 1
    assert new_after.consumed_units == new.consumed_units + 1
    assert old_after.consumed_by_users == old.consumed_by_users - 1
    assert new_after.consumed_by_users == new.consumed_by_users + 1
    assert (old_after.total_units, new_after.total_units) == (old.total_units, new.total_units)
    assert pid in {u.id for u in api.licenses.assigned_users(new.license_id, limit=PAGE)}
    assert pid not in {u.id for u in api.licenses.assigned_users(old.license_id, limit=PAGE)}
