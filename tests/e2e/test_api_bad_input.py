"""Bad input over HTTP: every refusal is a clear 4xx in Webex's error shape and changes nothing.

Each case sets up what it needs, then the database is snapshotted, the bad request is sent,
and the snapshot taken afterwards must be identical. Cases whose setup leaves the demo as
it was share one seeded database per backend (a subtest each, so each still passes or fails
on its own); the few that overdraw a licence or suspend a subscription get their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from callshift import ids
from callshift.db import tables as t
from callshift.domain import errors as E
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from ..helpers import execute, snapshot_db
from .conftest import Api, World, assert_webex_error

PATCH = "/v1/licenses/users"
NOT_JSON = {"content-type": "application/json"}


@dataclass(frozen=True)
class Case:
    """setup(w, client) runs before the snapshot and returns the bad request to send."""

    setup: Callable[[World, Api], Callable[[], httpx.Response]]
    status: int
    codes: set | None  # the errorCodes of the body (None inside: an error without a code)
    says: str | None = None  # a word the message must contain (case-insensitive)
    own_db: bool = False  # the setup changes licences or subscriptions other cases rely on


def _patch(client: Api, body) -> Callable[[], httpx.Response]:
    return lambda: client.patch(PATCH, json=body)


def _swap(
    w: World, client: Api, new_code: str = "BCSTD", properties: dict | None = None, user=None
):
    user = user or w.holder("BCSTD")
    add = {"id": w.new(new_code), "operation": "add"}
    if properties is not None:
        add["properties"] = properties
    return _patch(
        client,
        {"personId": w.pid(user), "licenses": [{"id": w.old("BCSTD"), "operation": "remove"}, add]},
    )


def _new_user(client: Api) -> dict:
    """A person without calling (created through the API, before the snapshot)."""
    email = f"nocalling.{uuid.uuid4().hex[:8]}@acme.example.com"
    r = client.post(
        "/v1/people", json={"emails": [email], "firstName": "No", "lastName": "Calling"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["licenses"] == []
    return r.json()


def _profile_of(client: Api, user) -> dict:
    r = client.get(f"/v1/people/{ids.person(user.id)}", params={"callingData": "true"})
    assert r.status_code == 200, r.text
    return r.json()


def _location_other_than(w: World, location_raw: str) -> str:
    rows = w.sql(
        "select id from locations where org_id = :o and id != :l order by id",
        o=w.demo.main_org_id,
        l=location_raw,
    )
    return ids.location(rows[0][0])


def _grant(w: World, client: Api, properties: dict | None):
    fresh = _new_user(client)
    add = {"id": w.new("BCSTD")}
    if properties is not None:
        add["properties"] = properties
    return _patch(client, {"personId": fresh["id"], "licenses": [add]})


def _taken(w: World, client: Api, what: str):
    """A first calling licence whose extension (or number) another user of the place holds."""
    other = _profile_of(client, w.holder("BCSTD", 0))
    numbered = next(
        p
        for p in (_profile_of(client, w.holder("BCSTD", i)) for i in range(10))
        if p["phoneNumbers"]
    )
    if what == "extension":
        props = {"locationId": other["locationId"], "extension": other["extension"]}
    else:  # the number is taken organisation-wide, whatever the location
        props = {
            "locationId": other["locationId"],
            "extension": "7777",
            "phoneNumber": numbered["phoneNumbers"][0]["value"],
        }
    return _grant(w, client, props)


def _status(w: World, sub: str, status: str) -> None:
    execute(w.db, "update subscriptions set status = :s where id = :id", s=status, id=sub)


def _suspended(status: str):
    def setup(w: World, client: Api):
        _status(w, w.demo.new_subscription, status)
        return _swap(w, client)

    return setup


def _overdrawn(w: World, client: Api):
    lic = w.licence(w.demo.new_subscription, "BCSTD")
    execute(w.db, "update licences set total_units = consumed_units where id = :id", id=lic.id)
    return _swap(w, client)


def _unknown_licence(w: World, client: Api):
    return _patch(
        client,
        {
            "personId": w.pid(w.holder()),
            "licenses": [{"id": ids.licence(w.demo.main_org_id, "BCSTD", str(uuid.uuid4()))}],
        },
    )


def _other_orgs_licence(w: World, client: Api):
    other = w.lic_id(w.demo.other_subscription, "EE")
    return _patch(client, {"personId": w.pid(w.holder("BCSTD", 1)), "licenses": [{"id": other}]})


def _malformed_licence(value: str):
    def setup(w: World, client: Api):
        return _patch(client, {"personId": w.pid(w.holder()), "licenses": [{"id": value}]})

    return setup


def _workspace(w: World, client: Api):
    with w.db.uow(write=False) as uow:  # the demo's own Workspaces licence
        raw = uow.conn.execute(
            select(t.licences.c.id).where(
                t.licences.c.subscription_id == w.demo.new_subscription,
                t.licences.c.offer_code == "BCCA",
            )
        ).scalar_one()
    return _patch(
        client,
        {
            "personId": w.pid(w.holder()),
            "licenses": [{"id": ids.licence(w.demo.main_org_id, "BCCA", raw)}],
        },
    )


def _with_person(body_of: Callable[[World], dict]):
    def setup(w: World, client: Api):
        return _patch(client, body_of(w))

    return setup


def _mismatch(field: str):
    def setup(w: World, client: Api):
        user = w.holder("BCSTD", 2)
        p = _profile_of(client, user)
        props = {
            "location": {
                "locationId": _location_other_than(w, ids.decode("LOCATION", p["locationId"]))
            },
            "extension": {"locationId": p["locationId"], "extension": "98765"},
            "number": {"phoneNumber": "+97239999999"},
        }[field]
        return _swap(w, client, properties=props, user=user)

    return setup


CASES: dict[str, Case] = {
    # --- the body itself -----------------------------------------------------------------
    "malformed JSON (PATCH licences)": Case(
        lambda w, c: (
            lambda: c.patch(PATCH, content=b'{"email": "a@b.c", "licenses": [', headers=NOT_JSON)
        ),
        400,
        {None},
        "json",
    ),
    "malformed JSON (POST people)": Case(
        lambda w, c: (
            lambda: c.post(
                "/v1/people", content=b'{"emails": ["x@acme.example.com"', headers=NOT_JSON
            )
        ),
        400,
        {None},
        "json",
    ),
    "malformed JSON (PUT feature)": Case(
        lambda w, c: (
            lambda: c.put(
                f"/v1/people/{w.pid(w.holder())}/features/doNotDisturb",
                content=b"{enabled: true}",
                headers=NOT_JSON,
            )
        ),
        400,
        {None},
        "json",
    ),
    "a JSON array instead of an object": Case(
        lambda w, c: _patch(c, [{"id": w.new("EE")}]), 400, {None}
    ),
    "licenses is a string": Case(
        lambda w, c: _patch(c, {"personId": w.pid(w.holder()), "licenses": w.new("EE")}),
        400,
        {None},
        "licenses",
    ),
    "a licence id is a number": Case(
        lambda w, c: _patch(c, {"personId": w.pid(w.holder()), "licenses": [{"id": 400404}]}),
        400,
        {None},
        "licenses",
    ),
    "operation is neither add nor remove": Case(
        lambda w, c: _patch(
            c,
            {
                "personId": w.pid(w.holder()),
                "licenses": [{"id": w.old("BCSTD"), "operation": "delete"}],
            },
        ),
        400,
        {None},
        "operation",
    ),
    "email is a number": Case(
        lambda w, c: _patch(c, {"email": 12345, "licenses": [{"id": w.new("EE")}]}),
        400,
        {None},
        "email",
    ),
    "properties is a list": Case(
        lambda w, c: _patch(
            c,
            {
                "personId": w.pid(w.holder()),
                "licenses": [{"id": w.new("BCSTD"), "properties": ["1000"]}],
            },
        ),
        400,
        {None},
        "properties",
    ),
    "no licences at all": Case(
        lambda w, c: _patch(c, {"personId": w.pid(w.holder()), "licenses": []}),
        400,
        {None},
        "licenses",
    ),
    "neither email nor personId": Case(
        lambda w, c: _patch(c, {"licenses": [{"id": w.new("EE")}]}), 400, {None}, "personid"
    ),
    "POST people: emails is a string": Case(
        lambda w, c: lambda: c.post("/v1/people", json={"emails": "new@acme.example.com"}),
        400,
        {None},
        "emails",
    ),
    "POST people: not an email address": Case(
        lambda w, c: lambda: c.post("/v1/people", json={"emails": ["not-an-address"]}),
        400,
        {None},
        "email",
    ),
    "PUT feature: enabled is not a boolean": Case(
        lambda w, c: (
            lambda: c.put(
                f"/v1/people/{w.pid(w.holder())}/features/doNotDisturb", json={"enabled": "maybe"}
            )
        ),
        400,
        {None},
        "enabled",
    ),
    "PUT feature: enabled is null": Case(
        lambda w, c: (
            lambda: c.put(
                f"/v1/people/{w.pid(w.holder())}/features/doNotDisturb", json={"enabled": None}
            )
        ),
        400,
        {None},
        "enabled",
    ),
    "PUT feature: numberOfRings is null": Case(
        lambda w, c: (
            lambda: c.put(
                f"/v1/people/{w.pid(w.holder())}/features/voicemail",
                json={"sendUnansweredCalls": {"numberOfRings": None}},
            )
        ),
        400,
        {None},
        "numberOfRings",
    ),
    "PUT feature: an object replaced by a number": Case(
        lambda w, c: (
            lambda: c.put(
                f"/v1/people/{w.pid(w.holder())}/features/voicemail", json={"sendBusyCalls": 5}
            )
        ),
        400,
        {None},
        "sendBusyCalls",
    ),
    "PUT feature: an object replaced by null": Case(
        lambda w, c: (
            lambda: c.put(
                f"/v1/people/{w.pid(w.holder())}/features/callForwarding",
                json={"callForwarding": {"busy": None}},
            )
        ),
        400,
        {None},
        "busy",
    ),
    "PUT feature: a JSON array": Case(
        lambda w, c: (
            lambda: c.put(f"/v1/people/{w.pid(w.holder())}/features/callWaiting", json=[True])
        ),
        400,
        {None},
    ),
    "passcode is a number": Case(
        lambda w, c: (
            lambda: c.put(
                f"/v1/telephony/config/people/{w.pid(w.holder())}/voicemail/passcode",
                json={"passcode": 97531864},
            )
        ),
        400,
        {None},
        "passcode",
    ),
    # --- ids ---------------------------------------------------------------------------------
    "unknown licence id": Case(_unknown_licence, 400, {E.LICENCE_NOT_RECOGNISED}),
    "another organisation's licence id": Case(_other_orgs_licence, 400, {E.LICENCE_NOT_RECOGNISED}),
    "malformed licence id": Case(
        _malformed_licence("not a licence!"), 400, {E.LICENCE_NOT_RECOGNISED}
    ),
    "a person id where a licence id goes": Case(
        lambda w, c: _malformed_licence(w.pid(w.holder()))(w, c), 400, {E.LICENCE_NOT_RECOGNISED}
    ),
    "licence id of a known uuid but wrong shape": Case(
        lambda w, c: _malformed_licence(
            ids.encode("LICENSE", w.licence(w.demo.new_subscription, "EE").id)
        )(w, c),
        400,
        {E.LICENCE_NOT_RECOGNISED},
    ),
    "malformed person id (PATCH)": Case(
        _with_person(lambda w: {"personId": "%%%not-an-id", "licenses": [{"id": w.new("EE")}]}),
        404,
        {None},
    ),
    "unknown person id (PATCH)": Case(
        _with_person(
            lambda w: {"personId": ids.person(str(uuid.uuid4())), "licenses": [{"id": w.new("EE")}]}
        ),
        404,
        {None},
        "not found",
    ),
    "unknown email (PATCH)": Case(
        _with_person(
            lambda w: {"email": "nobody@acme.example.com", "licenses": [{"id": w.new("EE")}]}
        ),
        404,
        {None},
        "not found",
    ),
    "malformed person id (GET)": Case(
        lambda w, c: lambda: c.get("/v1/people/%%%not-an-id"), 404, {None}
    ),
    "a licence id where a person id goes (GET)": Case(
        lambda w, c: lambda: c.get(f"/v1/people/{w.new('EE')}"), 404, {None}
    ),
    "unknown person id (GET)": Case(
        lambda w, c: lambda: c.get(f"/v1/people/{ids.person(str(uuid.uuid4()))}"),
        404,
        {None},
        "not found",
    ),
    "unknown person id (DELETE)": Case(
        lambda w, c: lambda: c.delete(f"/v1/people/{ids.person(str(uuid.uuid4()))}"), 404, {None}
    ),
    "unknown licence id (GET details)": Case(
        lambda w, c: (
            lambda: c.get(
                f"/v1/licenses/{ids.licence(w.demo.main_org_id, 'EE', str(uuid.uuid4()))}"
            )
        ),
        404,
        {None},
    ),
    "malformed licence id (GET details)": Case(
        lambda w, c: lambda: c.get("/v1/licenses/garbage"), 404, {None}
    ),
    # --- the rules ---------------------------------------------------------------------------
    "a second calling licence (Basic on Professional)": Case(
        lambda w, c: _patch(
            c, {"personId": w.pid(w.holder()), "licenses": [{"id": w.new("BCBASIC")}]}
        ),
        400,
        {E.PROFESSIONAL_WITH_BASIC},
    ),
    "two licences of one offer (Professional twice)": Case(
        lambda w, c: _patch(
            c, {"personId": w.pid(w.holder()), "licenses": [{"id": w.new("BCSTD")}]}
        ),
        400,
        {E.TWO_OF_ONE_OFFER},
    ),
    "two licences of one offer (Messaging twice)": Case(
        lambda w, c: _patch(c, {"personId": w.pid(w.holder()), "licenses": [{"id": w.new("MS")}]}),
        400,
        {E.TWO_OF_ONE_OFFER},
    ),
    "Professional to Basic": Case(
        lambda w, c: _swap(w, c, "BCBASIC"), 400, {E.PROFESSIONAL_TO_BASIC}
    ),
    "first calling licence without extension or number": Case(
        lambda w, c: _grant(w, c, None), 400, {E.CALLING_PROPERTIES_MISSING}
    ),
    "first calling licence with a location only": Case(
        lambda w, c: _grant(
            w,
            c,
            {
                "locationId": ids.location(
                    w.sql("select id from locations where org_id = :o", o=w.demo.main_org_id)[0][0]
                )
            },
        ),
        400,
        {E.CALLING_PROPERTIES_MISSING},
    ),
    "first calling licence without a location (three locations)": Case(
        lambda w, c: _grant(w, c, {"extension": "7777"}), 400, {E.CALLING_PROPERTIES_MISSING}
    ),
    "first calling licence in an unknown location": Case(
        lambda w, c: _grant(
            w, c, {"extension": "7777", "locationId": ids.location(str(uuid.uuid4()))}
        ),
        400,
        {E.LOCATION_NOT_FOUND},
    ),
    "first calling licence with a bad extension": Case(
        lambda w, c: _grant(
            w,
            c,
            {
                "extension": "12ab",
                "locationId": ids.location(
                    w.sql("select id from locations where org_id = :o", o=w.demo.main_org_id)[0][0]
                ),
            },
        ),
        400,
        {E.INVALID_PROPERTIES},
    ),
    "an extension already used in the location": Case(
        lambda w, c: _taken(w, c, "extension"), 400, {E.EXTENSION_TAKEN}, "extension"
    ),
    "a number already used in the organisation": Case(
        lambda w, c: _taken(w, c, "number"), 400, {E.NUMBER_TAKEN}, "number"
    ),
    "POST people with an extension already used": Case(
        lambda w, c: _create_taken(w, c), 400, {E.EXTENSION_TAKEN}, "extension"
    ),
    "PUT person: an extension already used": Case(
        lambda w, c: _put_person_taken(w, c), 400, {E.EXTENSION_TAKEN}, "extension"
    ),
    "POST people: the email is taken": Case(
        lambda w, c: lambda: c.post("/v1/people", json={"emails": [w.holder().email.upper()]}),
        409,
        {409010},
        "exists",
    ),
    "an overdrawn licence (swap: the remove stays too)": Case(
        _overdrawn, 400, {E.NO_FREE_UNITS}, own_db=True
    ),
    "a suspended subscription": Case(
        _suspended("suspended"), 400, {E.SUBSCRIPTION_NOT_ACTIVE}, "suspended", own_db=True
    ),
    "a cancelled subscription": Case(
        _suspended("cancelled"), 400, {E.SUBSCRIPTION_NOT_ACTIVE}, "cancelled", own_db=True
    ),
    "a swap to another location": Case(
        _mismatch("location"), 400, {E.PROFILE_MISMATCH}, "location"
    ),
    "a swap with another extension": Case(
        _mismatch("extension"), 400, {E.PROFILE_MISMATCH}, "extension"
    ),
    "a swap with another number": Case(_mismatch("number"), 400, {E.PROFILE_MISMATCH}, "number"),
    "one licence twice in a request": Case(
        lambda w, c: _patch(
            c,
            {
                "personId": w.pid(w.holder()),
                "licenses": [{"id": w.old("MS"), "operation": "remove"}, {"id": w.old("MS")}],
            },
        ),
        400,
        {E.LICENCE_REPEATED},
    ),
    "a workspace licence for a person": Case(
        _workspace, 400, {E.WORKSPACE_LICENCE}, "workspace", own_db=True
    ),
    "PUT person: changing the location": Case(
        lambda w, c: _put_person_location(w, c), 400, {E.PROFILE_MISMATCH}, "location"
    ),
    "passcode too short": Case(
        lambda w, c: (
            lambda: c.put(
                f"/v1/telephony/config/people/{w.pid(w.holder())}/voicemail/passcode",
                json={"passcode": "13579"},
            )
        ),
        400,
        {None},
        "6 to 30",
    ),
}


def _create_taken(w: World, client: Api):
    other = _profile_of(client, w.holder("BCSTD", 0))
    return lambda: client.post(
        "/v1/people",
        json={
            "emails": ["clash@acme.example.com"],
            "licenses": [w.new("BCSTD")],
            "locationId": other["locationId"],
            "extension": other["extension"],
        },
    )


def _put_person_taken(w: World, client: Api):
    """Two users of one location; the PUT gives the second the first one's extension."""
    people = [_profile_of(client, w.holder("BCSTD", i)) for i in range(12)]
    first = people[0]
    second = next(p for p in people[1:] if p["locationId"] == first["locationId"])
    body = {**second, "extension": first["extension"]}
    return lambda: client.put(
        f"/v1/people/{second['id']}", params={"callingData": "true"}, json=body
    )


def _put_person_location(w: World, client: Api):
    user = w.holder("BCSTD", 3)
    body = _profile_of(client, user)
    body["locationId"] = _location_other_than(w, ids.decode("LOCATION", body["locationId"]))
    return lambda: client.put(f"/v1/people/{body['id']}", params={"callingData": "true"}, json=body)


def _refused_without_change(case: Case, w: World, client: Api) -> None:
    send = case.setup(w, client)
    before = snapshot_db(w.db)
    r = send()
    body = assert_webex_error(r, case.status, case.codes)
    if case.says:
        text = (body["message"] + " " + " ".join(e["description"] for e in body["errors"])).lower()
        assert case.says.lower() in text, body
    assert snapshot_db(w.db) == before


SHARED = [name for name, case in CASES.items() if not case.own_db]
OWN_DB = [name for name, case in CASES.items() if case.own_db]


def test_bad_input_is_refused_and_changes_nothing(w, client, subtests):
    for name in SHARED:
        with subtests.test(name):
            _refused_without_change(CASES[name], w, client)


@pytest.mark.parametrize("name", OWN_DB)
def test_bad_input_on_changed_licences_is_refused_and_changes_nothing(name, w, client):
    _refused_without_change(CASES[name], w, client)


# --- who may ask ---------------------------------------------------------------------------

AUTH_HEADERS = {
    "no Authorization header": None,
    "a wrong token": "Bearer cs_this-token-was-never-issued",
    "an empty bearer": "Bearer ",
    "another scheme": "Basic dXNlcjpwYXNz",
}


def test_without_a_valid_token_401(w, api, subtests):
    swap = {
        "personId": w.pid(w.holder()),
        "licenses": [{"id": w.old("BCSTD"), "operation": "remove"}, {"id": w.new("BCSTD")}],
    }
    requests = [
        ("GET", "/v1/people", None),
        ("GET", "/v1/licenses", None),
        ("GET", f"/v1/people/{w.pid(w.holder())}/features/voicemail", None),
        ("GET", "/v1/callshift/recycleBin", None),
        ("PATCH", PATCH, swap),
        ("DELETE", f"/v1/people/{w.pid(w.holder())}", None),
    ]
    for header, value in AUTH_HEADERS.items():
        with subtests.test(header):
            client = api()
            if value is not None:
                client.headers["Authorization"] = value
            before = snapshot_db(w.db)
            for method, path, body in requests:
                r = client.request(method, path, json=body)
                assert_webex_error(r, 401, {None})
                assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), (
                    method,
                    path,
                )
                assert set(r.json()) == {"message", "errors", "trackingId"}
            assert snapshot_db(w.db) == before


def _writes(w: World) -> dict[str, tuple[str, str, dict | None]]:
    user = w.holder("BCSTD", 4)
    pid = w.pid(user)
    return {
        "PATCH licences (swap)": (
            "PATCH",
            PATCH,
            {
                "personId": pid,
                "licenses": [{"id": w.old("BCSTD"), "operation": "remove"}, {"id": w.new("BCSTD")}],
            },
        ),
        "PUT feature": ("PUT", f"/v1/people/{pid}/features/doNotDisturb", {"enabled": True}),
        "PUT passcode": (
            "PUT",
            f"/v1/telephony/config/people/{pid}/voicemail/passcode",
            {"passcode": "80604213"},
        ),
        "POST people": ("POST", "/v1/people", {"emails": ["ro@acme.example.com"]}),
        "PUT people": (
            "PUT",
            f"/v1/people/{pid}",
            {"emails": [user.email], "displayName": "Renamed"},
        ),
        "DELETE people": ("DELETE", f"/v1/people/{pid}", None),
    }


def test_read_only_admin_may_read_but_not_write_403(w, api, subtests):
    ro = api(create_token(w.db, Role.READ_ONLY_ADMIN, org_id=w.demo.main_org_id))
    target = w.holder("BCSTD", 4)
    r = ro.get(f"/v1/people/{w.pid(target)}")
    assert r.status_code == 200 and r.json()["emails"] == [target.email]
    assert ro.get("/v1/licenses").status_code == 200
    for what, (method, path, body) in _writes(w).items():
        with subtests.test(what):
            before = snapshot_db(w.db)
            r = ro.request(method, path, json=body)
            assert_webex_error(r, 403, {None})
            assert "read-only" in r.json()["message"]
            assert snapshot_db(w.db) == before


def test_user_token_sees_only_itself(w, api):
    me, other = w.holder("BCSTD", 0), w.holder("BCSTD", 1)
    client = api(create_token(w.db, Role.USER, user_email=me.email))
    mine = client.get(f"/v1/people/{w.pid(me)}")
    assert mine.status_code == 200 and mine.json()["emails"] == [me.email]
    listed = client.get("/v1/people")
    assert [p["emails"] for p in listed.json()["items"]] == [[me.email]]
    before = snapshot_db(w.db)
    unknown = ids.person(str(uuid.uuid4()))
    for path in (
        "/v1/people/{}",
        "/v1/people/{}/features/voicemail",
        "/v1/people/{}/features/numbers",
    ):
        theirs = assert_webex_error(client.get(path.format(w.pid(other))), 404, {None})
        nobody = assert_webex_error(client.get(path.format(unknown)), 404, {None})
        assert (theirs["message"], theirs["errors"]) == (nobody["message"], nobody["errors"])
        assert other.email not in str(theirs)
    r = client.put(f"/v1/people/{w.pid(other)}/features/doNotDisturb", json={"enabled": True})
    assert_webex_error(r, 404, {None})
    assert snapshot_db(w.db) == before


# --- another organisation's objects look like unknown ones ------------------------------------


def _foreign_requests(w: World, target_id: str, target_email: str, licence_id: str, org_id: str):
    mine = w.new("EE")
    return {
        "GET person": ("GET", f"/v1/people/{target_id}", None),
        "GET person callingData": ("GET", f"/v1/people/{target_id}?callingData=true", None),
        "GET voicemail": ("GET", f"/v1/people/{target_id}/features/voicemail", None),
        "GET numbers": ("GET", f"/v1/people/{target_id}/features/numbers", None),
        "PUT callWaiting": (
            "PUT",
            f"/v1/people/{target_id}/features/callWaiting",
            {"enabled": False},
        ),
        "PUT passcode": (
            "PUT",
            f"/v1/telephony/config/people/{target_id}/voicemail/passcode",
            {"passcode": "80604213"},
        ),
        "PATCH by personId": ("PATCH", PATCH, {"personId": target_id, "licenses": [{"id": mine}]}),
        "PATCH by email": ("PATCH", PATCH, {"email": target_email, "licenses": [{"id": mine}]}),
        "PUT person": (
            "PUT",
            f"/v1/people/{target_id}",
            {"emails": [target_email], "displayName": "X"},
        ),
        "DELETE person": ("DELETE", f"/v1/people/{target_id}", None),
        "GET licence details": ("GET", f"/v1/licenses/{licence_id}?includeAssignedTo=user", None),
        "GET people of the org": ("GET", f"/v1/people?orgId={org_id}", None),
        "GET licences of the org": ("GET", f"/v1/licenses?orgId={org_id}", None),
        "GET recycle bin of the org": ("GET", f"/v1/callshift/recycleBin?orgId={org_id}", None),
    }


def test_another_organisations_objects_are_404_like_unknown_ones(w, client, subtests):
    theirs = w.other_org_user()
    foreign = _foreign_requests(
        w,
        w.pid(theirs),
        theirs.email,
        w.lic_id(w.demo.other_subscription, "BCSTD"),
        ids.org(w.demo.other_org_id),
    )
    unknown = _foreign_requests(
        w,
        ids.person(str(uuid.uuid4())),
        "nobody@globex.example.com",
        ids.licence(w.demo.other_org_id, "BCSTD", str(uuid.uuid4())),
        ids.org(str(uuid.uuid4())),
    )
    assert len(foreign) == 14
    for what in foreign:
        with subtests.test(what):
            before = snapshot_db(w.db)
            method, path, body = foreign[what]
            got = assert_webex_error(client.request(method, path, json=body), 404, {None})
            method, path, body = unknown[what]
            ref = assert_webex_error(client.request(method, path, json=body), 404, {None})
            assert (got["message"], got["errors"]) == (ref["message"], ref["errors"])
            leaked = str(got)
            for secret in (
                theirs.email,
                theirs.display_name,
                w.demo.other_org_id,
                w.demo.other_subscription,
            ):
                assert secret not in leaked
            assert snapshot_db(w.db) == before


# --- tracking ids ----------------------------------------------------------------------------


def test_tracking_id_is_echoed_on_success_and_on_error(w, client):
    ok = client.get("/v1/licenses", headers={"TrackingID": "E2E_ok_1234"})
    assert ok.status_code == 200 and ok.headers["trackingid"] == "E2E_ok_1234"
    bad = client.get(
        f"/v1/people/{ids.person(str(uuid.uuid4()))}", headers={"TrackingID": "E2E_bad_5678"}
    )
    body = assert_webex_error(bad, 404, {None})
    assert body["trackingId"] == "E2E_bad_5678" and bad.headers["trackingid"] == "E2E_bad_5678"
    refused = client.patch(
        PATCH,
        json={"personId": w.pid(w.holder()), "licenses": [{"id": w.new("BCBASIC")}]},
        headers={"trackingid": "E2E_rule_9"},
    )
    assert (
        assert_webex_error(refused, 400, {E.PROFESSIONAL_WITH_BASIC})["trackingId"] == "E2E_rule_9"
    )
    unauth = client.get(
        "/v1/people", headers={"Authorization": "Bearer nope", "TrackingID": "E2E_401"}
    )
    assert assert_webex_error(unauth, 401, {None})["trackingId"] == "E2E_401"
    # without one, each response gets its own
    a, b = client.get("/v1/licenses"), client.get("/v1/licenses")
    assert a.headers["trackingid"] and b.headers["trackingid"]
    assert a.headers["trackingid"] != b.headers["trackingid"]


def test_unknown_route_and_method_are_webex_errors(client):
    assert_webex_error(client.get("/v1/nothing-here"), 404, {None})
    assert_webex_error(client.post("/v1/licenses"), 405, {None})
