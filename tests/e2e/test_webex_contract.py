"""callshift's answers validate against Webex's own published response schemas.

The schemas are Cisco's public OpenAPI specs, kept unchanged in ../shared/webex-openapi/
(webex-admin.json: people, licences, groups, organisations; webex-device.json: locations
and workspaces).
Each answer is checked against the 200 response schema of the same operation in the spec,
with its ``#/components`` references resolved by jsonschema_rs (the ``jsonschema`` package
is not installed in the shared venv; jsonschema_rs is).

Two departures from the spec, each deliberate and the only ones:

* ``Person.invitePending`` and ``Person.loginEnabled`` are typed there as the strings
  "true"/"false". Webex itself sends JSON booleans, and wxc-sdk models them as ``bool``
  (scripts test ``if person.invite_pending``, which the string "false" would make true).
  callshift keeps booleans; for these two properties the test accepts a boolean as well as
  the spec's strings, and nothing else is relaxed.
* ``GET /locations`` and ``/locations/{id}`` refer to ``#/components/schemas/Location``,
  but in the published merge that name holds the *workspace* locations schema (address a
  string, latitude a number, ``countryCode`` required), which overwrote the locations API's
  own. The operation's own published example does not validate against it (checked below).
  The locations API's object is the spec's ``PostCommonLocationObject`` (its create body:
  name, timeZone, preferredLanguage, announcementLanguage, address with address1, city,
  state, postalCode, country; latitude and longitude strings), plus the ``id`` and ``orgId``
  strings the examples carry, requiring what both published GET examples have (id, name,
  orgId, address, timeZone). Both examples validate against it; callshift's locations are
  validated against it.

Workspaces are checked against the spec's own ``Workspace`` and
``WorkspaceCollectionResponse`` unchanged (list and details: the GET 200 schema; create: the
POST 201 schema; update: the PUT 200 schema). ``Workspace`` requires nothing and allows
properties it does not name, so the test also holds callshift to what the spec names: no
top-level property the spec lacks, and in ``calling.webexCalling`` only ``licenses`` plus
``locationId``, ``extension`` and ``phoneNumber`` (which the spec's object leaves out but
wxc-sdk's ``WorkspaceWebexCalling`` models and Webex's update takes).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import jsonschema_rs
import pytest

from callshift import ids
from callshift.db import tables as t
from callshift.domain.access import Role
from callshift.services.tokens import create_token

SPECS = Path(__file__).resolve().parents[3] / "shared" / "webex-openapi"
if not SPECS.is_dir():  # a worktree beside main, or main itself
    SPECS = Path("/work/shared/webex-openapi")


@cache
def spec(name: str) -> dict:
    return json.loads((SPECS / f"{name}.json").read_text())


def _booleans_too(components: dict) -> dict:
    """The spec's components with Person's invitePending and loginEnabled also taking a JSON
    boolean (see the module docstring); nothing else changes."""
    out = copy.deepcopy(components)
    props = out["schemas"]["Person"]["properties"]
    for name in ("invitePending", "loginEnabled"):
        assert props[name]["enum"] == ["true", "false"], props[name]  # the spec as known
        props[name] = {"anyOf": [props[name], {"type": "boolean"}]}
    return out


@cache
def components(name: str) -> dict:
    found = spec(name)["components"]
    return _booleans_too(found) if name == "webex-admin" else found


def validator(name: str, schema: dict):
    return jsonschema_rs.Draft4Validator({**schema, "components": components(name)})


def response_schema(name: str, path: str, method: str = "get", status: str = "200") -> dict:
    return spec(name)["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"
    ]


def check(name: str, path: str, body: dict, method: str = "get", status: str = "200") -> None:
    errors = [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in validator(name, response_schema(name, path, method, status)).iter_errors(body)
    ]
    assert not errors, f"{method} {path} answer breaks Webex's schema:\n" + "\n".join(errors[:20])


def location_schema() -> dict:
    """The locations API's own object (see the module docstring)."""
    schemas = spec("webex-device")["components"]["schemas"]
    own = copy.deepcopy(schemas["PostCommonLocationObject"])
    own["properties"] |= {"id": {"type": "string"}, "orgId": {"type": "string"}}
    # required: what both published GET examples carry; preferredLanguage and
    # announcementLanguage are required to create a location but absent from those examples
    own["required"] = ["id", "name", "orgId", "address", "timeZone"]
    return own


def check_location(body: dict) -> None:
    errors = [e.message for e in validator("webex-device", location_schema()).iter_errors(body)]
    assert not errors, f"location breaks Webex's schema: {errors} in {body}"


def test_the_two_departures_are_needed():
    """Without them, the spec refuses what Webex itself sends (so they are not a convenience)."""
    strict = jsonschema_rs.Draft4Validator(
        {"$ref": "#/components/schemas/Person", "components": spec("webex-admin")["components"]}
    )
    assert not strict.is_valid({"invitePending": False})
    relaxed = validator("webex-admin", {"$ref": "#/components/schemas/Person"})
    assert relaxed.is_valid({"invitePending": False, "loginEnabled": True})
    assert not relaxed.is_valid({"invitePending": "no"})
    assert not relaxed.is_valid({"status": 1})  # the rest is as strict as published

    example = spec("webex-device")["paths"]["/locations/{locationId}"]["get"]["responses"]["200"][
        "content"
    ]["application/json"]["example"]
    published = response_schema("webex-device", "/locations/{locationId}")
    assert not validator("webex-device", published).is_valid(example)  # the colliding schema
    check_location(example)
    listed = spec("webex-device")["paths"]["/locations"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    for item in listed["items"]:
        check_location(item)
    assert not validator("webex-device", location_schema()).is_valid(
        {**example, "address": "123 Some St., San Jose"}  # the replacement is no blank cheque
    )


@pytest.fixture
def user_token(db, w) -> tuple[str, str]:
    person = w.holder("BCSTD", 2)
    return create_token(db, Role.USER, user_email=person.email), ids.person(person.id)


def test_people_answers(client, api, user_token):
    page = client.get("/v1/people", params={"max": 10, "callingData": "true"})
    assert page.status_code == 200 and len(page.json()["items"]) == 10
    check("webex-admin", "/people", page.json())
    check("webex-admin", "/people", client.get("/v1/people", params={"max": 3}).json())
    one = page.json()["items"][0]
    for calling in ("true", "false"):
        r = client.get(f"/v1/people/{one['id']}", params={"callingData": calling})
        assert r.status_code == 200
        check("webex-admin", "/people/{personId}", r.json())

    admin_me = client.get("/v1/people/me")
    assert admin_me.status_code == 200
    check("webex-admin", "/people/me", admin_me.json())
    token, person_id = user_token
    mine = api(token).get("/v1/people/me", params={"callingData": "true"})
    assert mine.status_code == 200 and mine.json()["id"] == person_id
    check("webex-admin", "/people/me", mine.json())


def test_licence_answers(client):
    r = client.get("/v1/licenses")
    assert r.status_code == 200
    check("webex-admin", "/licenses", r.json())
    assert all("siteType" not in l and "siteUrl" not in l for l in r.json()["items"])
    for lic in r.json()["items"][:3]:
        d = client.get(f"/v1/licenses/{lic['id']}", params={"includeAssignedTo": "user"})
        assert d.status_code == 200
        check("webex-admin", "/licenses/{licenseId}", d.json())


def test_group_answers(client, w):
    member = w.pid(w.holder("BCSTD", 0))
    made = client.post("/v1/groups", json={"displayName": "Sales", "members": [{"id": member}]})
    assert made.status_code == 200, made.text
    listed = client.get("/v1/groups")
    assert listed.status_code == 200 and listed.json()["groups"]
    check("webex-admin", "/groups", listed.json())
    one = client.get(f"/v1/groups/{made.json()['id']}")
    check("webex-admin", "/groups/{groupId}", one.json())
    members = client.get(f"/v1/groups/{made.json()['id']}/members")
    check("webex-admin", "/groups/{groupId}/members", members.json())


def test_organisation_answers(client, w):
    listed = client.get("/v1/organizations")
    assert listed.status_code == 200
    check("webex-admin", "/organizations", listed.json())
    assert [o["id"] for o in listed.json()["items"]] == [ids.org(w.demo.main_org_id)]
    one = client.get(f"/v1/organizations/{ids.org(w.demo.main_org_id)}")
    check("webex-admin", "/organizations/{orgId}", one.json())
    assert one.json() == listed.json()["items"][0]


def test_location_answers(client):
    listed = client.get("/v1/locations")
    assert listed.status_code == 200 and len(listed.json()["items"]) == 3
    for loc in listed.json()["items"]:
        check_location(loc)
        one = client.get(f"/v1/locations/{loc['id']}")
        assert one.json() == loc
        check_location(one.json())


# --- workspaces ------------------------------------------------------------------------------

# what calling.webexCalling carries beyond the spec's ``licenses`` (see the module docstring)
WEBEX_CALLING_EXTRAS = {"locationId", "extension", "phoneNumber"}


def check_workspace(body: dict, method: str = "get", status: str = "200") -> None:
    """The spec's own schema for the operation, then nothing the spec does not name."""
    path = "/workspaces" if method == "post" else "/workspaces/{workspaceId}"
    check("webex-device", path, body, method, status)
    named = spec("webex-device")["components"]["schemas"]["Workspace"]["properties"]
    assert set(body) <= set(named), f"not in Webex's Workspace: {set(body) - set(named)}"
    calling = body["calling"]
    assert set(calling) <= set(named["calling"]["properties"]), calling
    published = set(named["calling"]["properties"]["webexCalling"]["properties"])
    assert set(calling.get("webexCalling", {})) <= published | WEBEX_CALLING_EXTRAS, calling
    ids.decode("PLACES", body["id"])  # BadId if it is not a workspace's id
    ids.decode("ORGANIZATION", body["orgId"])


@pytest.fixture
def made(client, w) -> dict[str, dict]:
    """Workspaces made through the API: a common-area phone (extension and number), a hot
    desk, one with no calling and every detail set; each POST answer checked."""
    with w.db.uow(write=False) as uow:
        loc = ids.location(uow.store.locations(w.demo.main_org_id)[0].id)
    calling = {"type": "webexCalling", "webexCalling": {"locationId": loc}}
    bodies = {
        "lobby": {
            "displayName": "Lobby phone",
            "supportedDevices": "phones",
            "calling": {
                **calling,
                "webexCalling": {
                    **calling["webexCalling"],
                    "licenses": [w.old("BCCA")],
                    "extension": "7101",
                    "phoneNumber": "+14155550199",
                },
            },
        },
        "desk": {
            "displayName": "Hot desk 4",
            "hotdeskingStatus": "on",
            "calling": {
                **calling,
                "webexCalling": {**calling["webexCalling"], "licenses": [w.old("BCHD")]},
            },
        },
        "room": {
            "displayName": "Board room",
            "type": "meetingRoom",
            "capacity": 12,
            "notes": "second floor",
            "locationId": loc,
        },
    }
    out = {}
    for key, body in bodies.items():
        r = client.post("/v1/workspaces", json=body)
        assert r.status_code == 200, r.text
        check_workspace(r.json(), "post", "201")
        out[key] = r.json()
    return out


def test_the_workspace_checks_can_fail(client, made):
    lobby = made["lobby"]
    check_workspace(lobby)
    for bad in (
        {**lobby, "calling": {"type": "sip"}},  # the spec's enum
        {**lobby, "hotdeskingStatus": "yes"},
        {**lobby, "capacity": "12"},  # a number
        {**lobby, "personId": lobby["id"]},  # a property Webex's Workspace lacks
        {**lobby, "calling": {"type": "webexCalling", "webexCalling": {"pin": "1"}}},
    ):
        with pytest.raises(AssertionError):
            check_workspace(bad)


def test_workspace_answers(client, w, made):
    listed = client.get("/v1/workspaces")
    assert listed.status_code == 200
    check("webex-device", "/workspaces", listed.json())
    items = {i["displayName"]: i for i in listed.json()["items"]}
    assert set(items) == {"Lobby phone", "Hot desk 4", "Board room"}
    for one in items.values():
        check_workspace(one)
        got = client.get(f"/v1/workspaces/{one['id']}")
        assert got.status_code == 200 and got.json() == one
        check_workspace(got.json())
    assert items["Lobby phone"]["calling"]["webexCalling"]["extension"] == "7101"
    assert items["Board room"]["calling"] == {"type": "none"}
    paged = client.get("/v1/workspaces", params={"max": 1, "calling": "webexCalling"})
    check("webex-device", "/workspaces", paged.json())
    assert len(paged.json()["items"]) == 1

    # an update (the swap to the new subscription's licence) answers a Workspace too
    lobby = made["lobby"]
    moved = client.put(
        f"/v1/workspaces/{lobby['id']}",
        json={
            **lobby,
            "calling": {"type": "webexCalling", "webexCalling": {"licenses": [w.new("BCCA")]}},
        },
    )
    assert moved.status_code == 200, moved.text
    check_workspace(moved.json(), "put")
    assert moved.json()["calling"]["webexCalling"] == {
        **lobby["calling"]["webexCalling"],
        "licenses": [w.new("BCCA")],
    }
    renamed = client.put(f"/v1/workspaces/{made['room']['id']}", json={"displayName": "Boardroom"})
    assert renamed.status_code == 200, renamed.text
    check_workspace(renamed.json(), "put")
    assert renamed.json()["displayName"] == "Boardroom"
    with w.db.uow(write=False) as uow:  # the kind the answers stand for
        kinds = {r.kind for r in uow.conn.execute(t.users.select()) if r.display_name in items}
    assert kinds == {"workspace"}
