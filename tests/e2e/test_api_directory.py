"""Locations, organisations, telephony locations and numbers, and /people/me through HTTP:
paging by Link next URLs, Webex's filters, roles, and other organisations kept out.

The demo: the main organisation has 40 calling people on three locations (Tel Aviv HQ,
Haifa, New York; prefixes 1, 2, 3), one in three without a direct number; a second
organisation (Globex, 20 people, one location) shares the old subscription's partner.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from callshift import ids
from callshift.db import tables as t
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from .conftest import E2E_USERS, assert_webex_error, next_url, query_of

READS = (
    "/v1/locations",
    "/v1/organizations",
    "/v1/telephony/config/locations",
    "/v1/telephony/config/numbers",
)


def follow(client, url: str, params: dict | None = None, key: str = "items") -> list[dict]:
    """Every item over every page, checking that each next URL repeats the query."""
    items, first = [], True
    while url:
        r = client.get(url, params=params if first else None)
        assert r.status_code == 200, r.text
        items += r.json()[key]
        url = next_url(r)
        if url and params:
            sent = {k for k, _ in query_of(url)}
            assert set(params) <= sent, (params, url)
        first = False
    return items


def locations_of(w, org_id: str) -> dict[str, str]:
    return {r[0]: r[1] for r in w.sql("select id, name from locations where org_id = :o", o=org_id)}


def test_locations_page_filter_and_stay_in_the_organisation(client, w):
    mine = locations_of(w, w.demo.main_org_id)
    every = follow(client, "/v1/locations", {"max": 1})  # three pages of one
    assert [l["name"] for l in every] == sorted(mine.values())
    assert {ids.decode("LOCATION", l["id"]) for l in every} == set(mine)

    assert [l["name"] for l in client.get("/v1/locations?name=AIF").json()["items"]] == ["Haifa"]
    haifa = next(l for l in every if l["name"] == "Haifa")
    assert client.get("/v1/locations", params={"id": haifa["id"]}).json()["items"] == [haifa]
    assert client.get("/v1/locations", params={"max": 10**12}).json()["items"] == every
    assert client.get("/v1/locations?start=3").json()["items"] == []
    assert client.get(f"/v1/locations?orgId={ids.org(w.demo.main_org_id)}").json()["items"] == every

    assert_webex_error(client.get("/v1/locations?id=bm90LWFuLWlk"), 400)  # not a location id
    assert_webex_error(client.get("/v1/locations?max=0"), 400)
    assert_webex_error(client.get(f"/v1/locations?start={2**70}"), 400)
    (foreign,) = locations_of(w, w.demo.other_org_id)
    assert client.get(f"/v1/locations?id={ids.location(foreign)}").json()["items"] == []
    for path in (
        f"/v1/locations/{ids.location(foreign)}",
        f"/v1/telephony/config/locations/{ids.location(foreign)}",
        f"/v1/locations?orgId={ids.org(w.demo.other_org_id)}",
        f"/v1/organizations/{ids.org(w.demo.other_org_id)}",
        f"/v1/telephony/config/numbers?orgId={ids.org(w.demo.other_org_id)}",
        f"/v1/locations/{haifa['id']}?orgId={ids.org(w.demo.other_org_id)}",
        "/v1/locations/bm90LWFuLWlk",
        "/v1/organizations/bm90LWFuLWlk",
    ):
        assert_webex_error(client.get(path), 404)


def test_calling_locations_page_and_order(client, w):
    names = sorted(locations_of(w, w.demo.main_org_id).values())
    listed = follow(client, "/v1/telephony/config/locations", {"max": 2}, key="locations")
    assert [l["name"] for l in listed] == names
    assert {l["name"]: l["routingPrefix"] for l in listed} == {
        "Tel Aviv HQ": "1",
        "Haifa": "2",
        "New York": "3",
    }
    assert {l["callingLineId"]["name"] for l in listed} == {"Acme Telecom Customers"}
    desc = client.get("/v1/telephony/config/locations?order=desc").json()["locations"]
    assert [l["name"] for l in desc] == names[::-1]
    one = client.get(f"/v1/telephony/config/locations/{listed[0]['id']}")
    assert one.status_code == 200 and one.json() == listed[0]


def profile_rows(w) -> list[tuple]:
    return w.sql(
        "select p.user_id, p.phone_number, p.extension, p.location_id, u.display_name "
        "from calling_profiles p join users u on u.id = p.user_id "
        "where p.org_id = :o order by p.user_id",
        o=w.demo.main_org_id,
    )


def test_numbers_page_and_filter(client, w):
    rows = profile_rows(w)
    assert len(rows) == E2E_USERS
    every = follow(client, "/v1/telephony/config/numbers", {"max": 7}, key="phoneNumbers")
    assert [
        (ids.decode("PEOPLE", n["owner"]["id"]), n.get("phoneNumber"), n.get("extension"))
        for n in every
    ] == [(r[0], r[1], r[2]) for r in rows]

    def numbers(**params) -> list[dict]:
        r = client.get("/v1/telephony/config/numbers", params=params)
        assert r.status_code == 200, r.text
        return r.json()["phoneNumbers"]

    loc = rows[0][3]
    assert len(numbers(locationId=ids.location(loc))) == sum(r[3] == loc for r in rows)
    ext = rows[5][2]
    assert {n["extension"] for n in numbers(extension=ext)} == {ext}
    assert len(numbers(numberType="EXTENSION")) == sum(r[1] is None for r in rows)
    assert len(numbers(numberType="NUMBER")) == sum(r[1] is not None for r in rows)
    with_number = next(r for r in rows if r[1])
    assert [n["owner"]["id"] for n in numbers(phoneNumber=with_number[1])] == [
        ids.person(with_number[0])
    ]
    assert [n["owner"]["id"] for n in numbers(ownerId=ids.person(rows[3][0]))] == [
        ids.person(rows[3][0])
    ]
    name = rows[4][4]
    assert {n["owner"]["displayName"] for n in numbers(ownerName=name.upper())} == {
        r[4] for r in rows if name.lower() in r[4].lower()
    }
    assert numbers(available="true") == [] and numbers(assigned="false") == []
    assert numbers(ownerType="PLACE") == [] and numbers(state="INACTIVE") == []
    assert len(numbers(available="false")) == len(rows)
    assert numbers(start=len(rows)) == []

    (foreign,) = locations_of(w, w.demo.other_org_id)
    assert numbers(locationId=ids.location(foreign)) == []
    for bad in (
        {"numberType": "EXTENSION", "available": "false"},
        {"ownerType": "SOMEONE"},
        {"numberType": "BOTH"},
        {"max": 0},
        {"start": -1},
        {"start": 2**70},
        {"locationId": "bm90LWFuLWlk"},
    ):
        assert_webex_error(client.get("/v1/telephony/config/numbers", params=bad), 400)


@pytest.fixture
def user_client(api, db, w):
    person = w.holder("BCSTD", 1)
    return api(create_token(db, Role.USER, user_email=person.email)), person


def test_a_user_token_sees_itself_and_no_directory(user_client, w):
    client, person = user_client
    me = client.get("/v1/people/me?callingData=true")
    assert me.status_code == 200
    body = me.json()
    assert body["id"] == ids.person(person.id) and body["emails"] == [person.email]
    assert body["type"] == "person" and body["locationId"]
    for path in READS:
        assert_webex_error(client.get(path), 403)
    assert_webex_error(client.get(f"/v1/organizations/{ids.org(w.demo.main_org_id)}"), 403)


def test_admin_tokens_read_and_me_is_the_token(api, db, w):
    readonly = api(create_token(db, Role.READ_ONLY_ADMIN, org_id=w.demo.main_org_id, name="ro"))
    for path in READS:
        assert readonly.get(path).status_code == 200, path
    me = readonly.get("/v1/people/me").json()
    assert me["type"] == "bot" and me["displayName"] == "ro"
    assert me["orgId"] == ids.org(w.demo.main_org_id)
    # the same name in the same organisation is the same identity; another name is not
    again = api(create_token(db, Role.READ_ONLY_ADMIN, org_id=w.demo.main_org_id, name="ro"))
    other = api(create_token(db, Role.FULL_ADMIN, org_id=w.demo.main_org_id, name="ops"))
    assert again.get("/v1/people/me").json()["id"] == me["id"]
    assert other.get("/v1/people/me").json()["id"] != me["id"]
    assert_webex_error(readonly.get(f"/v1/people/{me['id']}"), 404)  # not a person


def test_a_partner_admin_sees_every_organisation_it_serves(api, db, w):
    with db.uow(write=False) as uow:
        partner = uow.conn.execute(
            select(t.subscriptions.c.partner_id).where(
                t.subscriptions.c.id == w.demo.other_subscription
            )
        ).scalar_one()
    client = api(create_token(db, Role.PARTNER_ADMIN, partner_id=partner))
    orgs = client.get("/v1/organizations").json()["items"]
    assert {o["id"] for o in orgs} == {ids.org(w.demo.main_org_id), ids.org(w.demo.other_org_id)}
    other = ids.org(w.demo.other_org_id)
    assert client.get(f"/v1/organizations/{other}").json()["displayName"] == "Globex Small Office"
    listed = client.get(f"/v1/locations?orgId={other}").json()["items"]
    assert [l["name"] for l in listed] == ["Globex Main"]
    assert client.get(f"/v1/locations/{listed[0]['id']}").status_code == 200
    numbers = client.get(f"/v1/telephony/config/numbers?orgId={other}").json()["phoneNumbers"]
    assert {ids.decode("PEOPLE", n["owner"]["id"]) for n in numbers} == w.org_user_ids(
        w.demo.other_org_id
    )
