"""A workspace's calling settings over HTTP, at the workspace paths: bad input to every PUT
and sub-resource is 400 in Webex's shape with nothing changed; a person's id at a workspace
path and a workspace's at a person path are 404; the numbers answer from the workspace's
profile in wxc-sdk's WorkspaceNumbers shape; administrators read, writing ones write."""

from __future__ import annotations

import pytest

from callshift import ids
from callshift.domain.access import Role
from callshift.domain.settings import WORKSPACE, WORKSPACE_SETTINGS, at
from callshift.services.tokens import create_token
from callshift.services.workspaces import WorkspaceData, create_workspace

from ..helpers import licence, snapshot_db
from .conftest import assert_webex_error
from .test_settings_api import bad_body


@pytest.fixture
def room(w) -> str:
    """A common-area workspace with an extension and a number; its raw id."""
    ctx = w.ctx
    with w.db.uow(write=False) as uow:
        loc = uow.store.locations(w.demo.main_org_id)[0].id
    data = WorkspaceData(
        display_name="Settings room",
        calling="webexCalling",
        licences=(licence(ctx, w.demo.old_subscription, "BCCA").id,),
        location_id=loc,
        extension="4466",
    )
    return create_workspace(ctx, None, data).user.id


def wid(raw: str) -> str:
    return ids.encode("PLACES", raw)


def url(path: str, holder: str) -> str:
    return "/v1/" + at(path, holder)


def test_bad_input_to_every_workspace_put_is_400_and_changes_nothing(w, client, room, subtests):
    before = snapshot_db(w.db)
    for s in (s for s in WORKSPACE_SETTINGS if s.writable):
        with subtests.test(setting=s.name):
            body, field = bad_body(s)
            path = url(s.write_path_for(WORKSPACE) or "", wid(room))
            got = assert_webex_error(client.put(path, json=body), 400, {None})
            assert field in got["message"], got
            assert_webex_error(client.put(path, json=[body]), 400)
            assert snapshot_db(w.db) == before


def test_bad_input_to_every_workspace_sub_resource_is_400(w, client, room, subtests):
    before = snapshot_db(w.db)
    for s in WORKSPACE_SETTINGS:
        for c in s.collections:
            base = url(s.path_for(WORKSPACE) or "", wid(room)) + (f"/{c.path}" if c.path else "")
            with subtests.test(setting=s.name, collection=c.name):
                field = next(f for f in c.item if f != c.key)
                value = c.item[field]
                wrong = "NOT_A_VALUE" if field in c.enums else "maybe" if value is False else 5
                bad = {c.key: "9876", field: wrong} if c.key != "id" else {field: wrong}
                assert_webex_error(client.post(base, json=bad), 400)
                if c.item_routes:
                    assert_webex_error(client.get(f"{base}/nope"), 404)
                    assert_webex_error(client.put(f"{base}/nope", json={}), 404)
                assert snapshot_db(w.db) == before


def test_a_person_is_not_a_workspace_nor_a_workspace_a_person(w, client, room):
    person = w.holder("BCSTD", 2).id
    before = snapshot_db(w.db)
    for path in (
        f"/v1/telephony/config/workspaces/{wid(person)}/doNotDisturb",
        f"/v1/workspaces/{wid(person)}/features/callWaiting",
        f"/v1/people/{ids.person(room)}/features/callWaiting",
        f"/v1/telephony/config/people/{ids.person(room)}/anonymousCallReject",
    ):
        assert_webex_error(client.get(path), 404)
        assert_webex_error(client.put(path, json={"enabled": True}), 404)
    # a workspace names people in its settings, never itself or another workspace
    agents = f"/v1/telephony/config/workspaces/{wid(room)}/privacy"
    got = assert_webex_error(client.put(agents, json={"monitoringAgents": [ids.person(room)]}), 400)
    assert "monitoringAgents" in got["message"]
    ok = client.put(agents, json={"monitoringAgents": [ids.person(person)]})
    assert ok.status_code == 200, ok.text
    assert [a["id"] for a in ok.json()["monitoringAgents"]] == [ids.person(person)]
    assert snapshot_db(w.db) != before


def test_workspace_numbers_in_wxc_sdk_shape(w, client, room):
    numbers = f"/v1/workspaces/{wid(room)}/features/numbers"
    got = client.get(numbers).json()
    assert got["workspace"] == {"id": wid(room)}
    assert got["organization"]["id"] == ids.org(w.demo.main_org_id)
    assert got["location"]["id"] and got["location"]["name"]
    (primary,) = got["phoneNumbers"]
    assert primary["primary"] and primary["extension"] == "4466"
    put = f"/v1/telephony/config/workspaces/{wid(room)}/numbers"
    add = {"action": "ADD", "directNumber": "+97235559977", "ringPattern": "LONG_LONG"}
    before = snapshot_db(w.db)
    person_shaped = {"action": "ADD", "external": "+97235559977"}
    assert_webex_error(client.put(put, json={"phoneNumbers": [person_shaped]}), 400)
    assert snapshot_db(w.db) == before
    r = client.put(put, json={"distinctiveRingEnabled": False, "phoneNumbers": [add]})
    assert r.status_code == 200, r.text
    got = client.get(numbers).json()
    assert got["distinctiveRingEnabled"] is False
    assert [(n["primary"], n["directNumber"]) for n in got["phoneNumbers"]][1:] == [
        (False, "+97235559977")
    ]


def test_administrators_read_writing_ones_write(w, api, db, room):
    path = f"/v1/telephony/config/workspaces/{wid(room)}/doNotDisturb"
    org = w.demo.main_org_id
    read_only = api(create_token(db, Role.READ_ONLY_ADMIN, org_id=org, name="ro"))
    user = w.holder("BCSTD", 3)
    own = api(create_token(db, Role.USER, user_email=user.email, name="me"))
    assert read_only.get(path).status_code == 200
    before = snapshot_db(w.db)
    assert_webex_error(read_only.put(path, json={"enabled": True}), 403)
    assert_webex_error(own.get(path), 403)
    assert_webex_error(own.put(path, json={"enabled": True}), 403)
    assert snapshot_db(w.db) == before


def test_workspace_voicemail_pin_set_and_reset(w, client, room):
    base = f"/v1/telephony/config/workspaces/{wid(room)}/voicemail"
    pins = len(w.pin_hashes())
    assert_webex_error(client.put(f"{base}/passcode", json={"passcode": "12"}), 400)
    assert client.put(f"{base}/passcode", json={"passcode": "293847"}).status_code == 204
    assert len(w.pin_hashes()) == pins + 1
    assert client.post(f"{base}/actions/resetPin/invoke").status_code == 204
    assert len(w.pin_hashes()) == pins
